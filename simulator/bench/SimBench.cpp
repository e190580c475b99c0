//===- SimBench.cpp - Simulator throughput benchmarks ---------------------===//
//
// - Timing mode on a synthetic program of millions of commands (commands
//   simulated per second; target >= 5M/s).
// - The ResNet-18 conv-layer list (SCALE-Sim v2's Resnet18.csv shapes) on
//   systolic-32x32, building and simulating every layer (target < 1 s).
// - Loading a binary program of millions of commands.
// - Memory: the simulator's peak RSS stays proportional to the program,
//   not to the simulated cycles (counters `program_mib`, `max_rss_mib`).
//
// Rates (items_per_second) use CPU time: the build machine is shared, so
// wall time measures the other jobs as much as this one.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Layers.h"
#include "gaon/Sim/ProgramIO.h"
#include "gaon/Sim/Simulator.h"

#include "llvm/Support/raw_ostream.h"

#include <benchmark/benchmark.h>

#include <sys/resource.h>

using namespace gaon::sim;

namespace {

ChipConfig loadOrDie(llvm::StringRef preset,
                     llvm::ArrayRef<std::string> overrides = {}) {
  llvm::Expected<ChipConfig> chip = loadChipConfig(preset, overrides);
  if (!chip) {
    llvm::errs() << llvm::toString(chip.takeError()) << "\n";
    std::abort();
  }
  return *chip;
}

/// The value of `result`, or null after reporting its error on `state`.
template <typename T>
T *valueOrSkip(benchmark::State &state, llvm::Expected<T> &result) {
  if (result)
    return &*result;
  state.SkipWithError(llvm::toString(result.takeError()).c_str());
  return nullptr;
}

double getMaxRssMiB() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

double getProgramMiB(const Program &program) {
  double bytes = double(program.commands.capacity() * sizeof(Command) +
                        program.views.capacity() * sizeof(PackedView) +
                        program.layouts.capacity() * sizeof(ViewLayout) +
                        program.semaphoreIds.capacity() * sizeof(uint32_t));
  return bytes / double(1 << 20);
}

/// Per core, `iterations` rounds of: load a 64x64 bf16 tile (double
/// buffered), matmul it, apply a vector op, store the result: the shape of
/// a compiled tiled program. 4 commands per round per core.
Program makeSyntheticProgram(const ChipConfig &chip, int64_t iterations) {
  ProgramBuilder builder;
  int64_t cores = chip.cores;
  uint32_t input = builder.addBuffer("in", BufferRole::Input, 0, DType::BF16,
                                     {cores * 64, 64});
  uint32_t output = builder.addBuffer("out", BufferRole::Output, 0, DType::F32,
                                      {cores * 64, 64});
  uint32_t op = builder.addOp("tile");
  uint8_t storeQueue = uint8_t(chip.core.dma.engines - 1);
  for (int64_t core = 0; core < cores; ++core) {
    uint32_t full[2], freeSlot[2], ready, done, outFree;
    for (int i = 0; i < 2; ++i) {
      full[i] = builder.addSemaphore(0);
      freeSlot[i] = builder.addSemaphore(1);
    }
    ready = builder.addSemaphore(0);
    done = builder.addSemaphore(0);
    outFree = builder.addSemaphore(1);
    for (int64_t i = 0; i < iterations; ++i) {
      int slot = int(i % 2);
      CommandOptions options;
      options.core = uint32_t(core);
      options.op = op;
      options.waits = freeSlot[slot];
      options.signals = full[slot];
      builder.dma(
          View::dram(input, core * 64 * 64, DType::BF16, {64, 64}),
          View::sram(uint32_t(core), slot * 8192, DType::BF16, {64, 64}),
          options);
      uint32_t mmWaits[] = {full[slot], outFree};
      uint32_t mmSignals[] = {freeSlot[slot], ready};
      options.waits = mmWaits;
      options.signals = mmSignals;
      builder.matmul(
          View::sram(uint32_t(core), slot * 8192, DType::BF16, {64, 64}),
          View::sram(uint32_t(core), 16384, DType::BF16, {64, 64}),
          View::sram(uint32_t(core), 32768, DType::F32, {64, 64}), false, false,
          false, options);
      options.waits = ready;
      options.signals = done;
      builder.vectorUnary(
          UnaryKind::Gelu,
          View::sram(uint32_t(core), 32768, DType::F32, {64, 64}),
          View::sram(uint32_t(core), 49152, DType::F32, {64, 64}), options);
      options.waits = done;
      options.signals = outFree;
      options.queue = storeQueue;
      builder.dma(View::sram(uint32_t(core), 49152, DType::F32, {64, 64}),
                  View::dram(output, core * 64 * 64, DType::F32, {64, 64}),
                  options);
    }
  }
  return builder.take();
}

void BM_TimingCommandsPerSecond(benchmark::State &state) {
  ChipConfig chip = loadOrDie("rngd");
  Program program = makeSyntheticProgram(chip, state.range(0));
  uint64_t cycles = 0;
  for (auto _ : state) {
    llvm::Expected<Report> report = simulate(program, chip);
    if (!valueOrSkip(state, report))
      return;
    cycles = report->cycles;
    benchmark::DoNotOptimize(cycles);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) *
                          int64_t(program.commands.size()));
  state.counters["commands"] = double(program.commands.size());
  state.counters["simulated_cycles"] = double(cycles);
  state.counters["program_mib"] = getProgramMiB(program);
  state.counters["max_rss_mib"] = getMaxRssMiB();
}
// 8 cores x 4 commands x rounds: 1M and 4M commands.
BENCHMARK(BM_TimingCommandsPerSecond)
    ->Arg(31250)
    ->Arg(125000)
    ->Unit(benchmark::kMillisecond);

/// SCALE-Sim v2's topologies/conv_nets/Resnet18.csv shapes: name, ifmap
/// H, W, filter R, S, channels, filters, stride.
const ConvShape kResNet18[] = {
    {224, 224, 7, 7, 3, 64, 2, 2},  {56, 56, 3, 3, 64, 64, 1, 1},
    {56, 56, 3, 3, 64, 64, 1, 1},   {56, 56, 3, 3, 64, 64, 1, 1},
    {56, 56, 3, 3, 64, 64, 1, 1},   {56, 56, 3, 3, 64, 128, 2, 2},
    {28, 28, 3, 3, 128, 128, 1, 1}, {56, 56, 1, 1, 64, 128, 2, 2},
    {28, 28, 3, 3, 128, 128, 1, 1}, {28, 28, 3, 3, 128, 128, 1, 1},
    {28, 28, 3, 3, 128, 256, 2, 2}, {14, 14, 3, 3, 256, 256, 1, 1},
    {28, 28, 1, 1, 128, 256, 2, 2}, {14, 14, 3, 3, 256, 256, 1, 1},
    {14, 14, 3, 3, 256, 256, 1, 1}, {14, 14, 3, 3, 256, 512, 2, 2},
    {7, 7, 3, 3, 512, 512, 1, 1},   {14, 14, 1, 1, 256, 512, 2, 2},
    {7, 7, 3, 3, 512, 512, 1, 1},   {7, 7, 3, 3, 512, 512, 1, 1},
    {1, 1, 1, 1, 512, 1000, 1, 1}};

void BM_ResNet18ConvLayers(benchmark::State &state) {
  static const char *dataflows[] = {"os", "ws", "is"};
  ChipConfig chip =
      loadOrDie("systolic-32x32", {std::string("core.tensor.dataflow=") +
                                   dataflows[state.range(0)]});
  uint64_t cycles = 0, commands = 0;
  for (auto _ : state) {
    cycles = commands = 0;
    for (const ConvShape &conv : kResNet18) {
      Layer layer;
      layer.name = "conv";
      layer.conv = conv;
      layer.gemm = conv.toGemm();
      llvm::Expected<Program> program =
          buildLayerProgram(layer, chip, DType::BF16);
      if (!valueOrSkip(state, program))
        return;
      llvm::Expected<Report> report = simulate(*program, chip);
      if (!valueOrSkip(state, report))
        return;
      cycles += report->cycles;
      commands += program->commands.size();
    }
    benchmark::DoNotOptimize(cycles);
  }
  state.SetLabel(dataflows[state.range(0)]);
  state.counters["layers"] = double(std::size(kResNet18));
  state.counters["simulated_cycles"] = double(cycles);
  state.counters["commands"] = double(commands);
}
BENCHMARK(BM_ResNet18ConvLayers)
    ->DenseRange(0, 2)
    ->Unit(benchmark::kMillisecond);

void BM_LoadBinaryProgram(benchmark::State &state) {
  ChipConfig chip = loadOrDie("rngd");
  Program program = makeSyntheticProgram(chip, state.range(0));
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  writeProgramBinary(program, os);
  for (auto _ : state) {
    llvm::Expected<Program> loaded = parseProgramBinary(bytes, "bench.npub");
    if (!valueOrSkip(state, loaded))
      return;
    benchmark::DoNotOptimize(loaded->commands.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) *
                          int64_t(program.commands.size()));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
  state.counters["commands"] = double(program.commands.size());
  state.counters["file_mib"] = double(bytes.size()) / double(1 << 20);
}
BENCHMARK(BM_LoadBinaryProgram)->Arg(125000)->Unit(benchmark::kMillisecond);

/// The same 1000-command program with commands a million times longer: run
/// time (and so memory) must not grow with simulated cycles.
void BM_CyclesDoNotCostMemory(benchmark::State &state) {
  ChipConfig chip = loadOrDie("systolic-32x32");
  ProgramBuilder builder;
  int64_t size = state.range(0);
  for (int i = 0; i < 1000; ++i)
    builder.matmul(View::sram(0, 0, DType::BF16, {size, 64}),
                   View::sram(0, 0, DType::BF16, {64, 64}),
                   View::sram(0, 0, DType::F32, {size, 64}), false, false,
                   false);
  Program program = builder.take();
  // Views alias; only timing is simulated, so the SRAM must fit the largest
  // single view.
  chip.core.sram.bytes = int64_t(1) << 40;
  uint64_t cycles = 0;
  for (auto _ : state) {
    llvm::Expected<Report> report = simulate(program, chip);
    if (!valueOrSkip(state, report))
      return;
    cycles = report->cycles;
  }
  state.counters["simulated_cycles"] = double(cycles);
}
BENCHMARK(BM_CyclesDoNotCostMemory)
    ->Arg(64)
    ->Arg(64 << 20)
    ->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
