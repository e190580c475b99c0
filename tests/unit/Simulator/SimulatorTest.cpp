//===- SimulatorTest.cpp - Event-driven timing against hand derivations ---===//

#include "gaon/Sim/Simulator.h"
#include "gaon/Sim/EngineModels.h"
#include "gaon/Sim/Layers.h"
#include "gaon/Sim/Report.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace gaon::sim;

namespace {

/// Two cores, a 32x32 OS array, one 64 B/cycle DRAM channel, 256 B/cycle
/// DMA engines, no latencies: every figure below is easy to derive.
const char *kTestChip = R"yaml(name: testchip
clock_mhz: 1000
cores: 2
core:
  tensor:
    rows: 32
    cols: 32
    macs_per_cycle: {bf16: 1024, fp32: 1024}
  vector: {lanes: 32}
  sram: {bytes: 1 MiB, banks: 16, bytes_per_cycle: 1024}
  dma: {engines: 2, bytes_per_cycle: 256, startup_cycles: 0}
dram:
  kind: hbm3
  bytes: 1 GiB
  channels: 1
  bytes_per_cycle_per_channel: 64
  transfer_bytes: 64
noc: {link_bytes_per_cycle: 1024}
host: {bytes_per_cycle: 16}
energy:
  mac_pj: {bf16: 1}
  dram_pj_per_byte: 10
system: {chips: 2, link_bytes_per_cycle: 32, link_latency_cycles: 100}
)yaml";

ChipConfig makeChip(llvm::ArrayRef<std::string> overrides = {}) {
  llvm::Expected<ChipConfig> chip =
      parseChipConfig(kTestChip, "testchip.yaml", overrides);
  if (!chip) {
    ADD_FAILURE() << llvm::toString(chip.takeError());
    return ChipConfig();
  }
  return *chip;
}

Report mustSimulate(const Program &program, const ChipConfig &chip,
                    SimOptions options = {}) {
  llvm::Expected<Report> report = simulate(program, chip, options);
  if (!report) {
    ADD_FAILURE() << llvm::toString(report.takeError());
    return Report();
  }
  return std::move(*report);
}

const QueueStats &findQueue(const Report &report, uint32_t core, Engine engine,
                            uint8_t queue = 0, uint16_t chip = 0) {
  for (const QueueStats &stats : report.queues)
    if (stats.chip == chip && stats.core == core && stats.engine == engine &&
        stats.queue == queue)
      return stats;
  static QueueStats none;
  ADD_FAILURE() << "no such queue";
  return none;
}

/// One DMA of `bytes` contiguous bytes from DRAM into core `core`'s SRAM.
void addLoad(ProgramBuilder &builder, uint32_t buffer, int64_t bytes,
             uint32_t core, uint8_t queue = 0, int64_t offset = 0) {
  CommandOptions options;
  options.core = core;
  options.queue = queue;
  builder.dma(View::dram(buffer, offset, DType::I8, {bytes}),
              View::sram(core, 0, DType::I8, {bytes}), options);
}

TEST(Simulator, DmaBoundTransferTakesItsBandwidthBound) {
  ProgramBuilder builder;
  uint32_t x = builder.addBuffer("x", BufferRole::Input, 0, DType::I8, {65536});
  addLoad(builder, x, 65536, 0);
  Program program = builder.take();
  // DRAM (64 B/cycle) is the bottleneck: 65536 / 64 cycles.
  EXPECT_EQ(mustSimulate(program, makeChip()).cycles, 1024u);
  // With DRAM faster than the engine, the engine's 256 B/cycle bound it.
  EXPECT_EQ(
      mustSimulate(program, makeChip({"dram.bytes_per_cycle_per_channel=1024"}))
          .cycles,
      256u);
  // Start-up, DRAM latency and network hops add once per command.
  EXPECT_EQ(mustSimulate(program, makeChip({"core.dma.startup_cycles=50",
                                            "dram.latency_cycles=100",
                                            "noc.hop_cycles=2"}))
                .cycles,
            1024u + 50 + 100 + 2);
}

TEST(Simulator, ContentionBetweenTwoCoresHalvesBandwidth) {
  ProgramBuilder builder;
  uint32_t x = builder.addBuffer("x", BufferRole::Input, 0, DType::I8, {65536});
  uint32_t y = builder.addBuffer("y", BufferRole::Input, 1, DType::I8, {65536});
  addLoad(builder, x, 65536, 0);
  addLoad(builder, y, 65536, 1);
  Report report = mustSimulate(builder.take(), makeChip());
  // Both share the 64 B/cycle channel: each runs at 32 B/cycle.
  EXPECT_EQ(report.cycles, 2048u);
  for (uint32_t core : {0u, 1u}) {
    const QueueStats &dma = findQueue(report, core, Engine::Dma);
    EXPECT_EQ(dma.busy, 1024u);
    EXPECT_EQ(dma.stallBandwidth, 1024u);
  }
}

TEST(Simulator, UnequalTransfersShareThenSpeedUp) {
  // 16 KiB and 48 KiB together: both at 32 B/cycle until the small one ends
  // at 512; the large one then has the channel to itself for its last
  // 32 KiB (512 cycles).
  ProgramBuilder builder;
  uint32_t x = builder.addBuffer("x", BufferRole::Input, 0, DType::I8, {65536});
  addLoad(builder, x, 16384, 0);
  addLoad(builder, x, 49152, 1);
  SimOptions options;
  options.collectTrace = true;
  Report report = mustSimulate(builder.take(), makeChip(), options);
  ASSERT_EQ(report.trace.size(), 2u);
  EXPECT_EQ(report.trace[0].end, 512u);
  EXPECT_EQ(report.trace[1].end, 1024u);
}

TEST(Simulator, UnalignedTransfersPayThePenalty) {
  ProgramBuilder builder;
  uint32_t x = builder.addBuffer("x", BufferRole::Input, 0, DType::I8, {70000});
  addLoad(builder, x, 65536, 0, 0, /*offset=*/32);
  Program program = builder.take();
  // 1025 units, 2 of them partial at twice the cost: 1027 * 64 bytes.
  Report report =
      mustSimulate(program, makeChip({"dram.unaligned_read_penalty=2"}));
  EXPECT_EQ(report.cycles, 1027u);
  EXPECT_EQ(report.dramChannelBytes, 1027u * 64);
  EXPECT_EQ(report.dramReadBytes, 65536u);
}

/// N tiles: DMA a 64x64 bf16 A tile (8 KiB: 128 cycles), then a 64x64x64
/// matmul (OS 32x32: 4 folds x 126 lines - 1 = 503 cycles), with `slots`
/// SRAM buffers for A.
Program makePipeline(int tiles, int slots) {
  ProgramBuilder builder;
  uint32_t a = builder.addBuffer("a", BufferRole::Input, 0, DType::BF16,
                                 {tiles * 64, 64});
  uint32_t load = builder.addOp("load");
  uint32_t mm = builder.addOp("matmul", "loc(\"t.mlir\":1:1)");
  uint32_t full[2], freeSlot[2];
  for (int i = 0; i < slots; ++i) {
    full[i] = builder.addSemaphore(0);
    freeSlot[i] = builder.addSemaphore(1);
  }
  for (int i = 0; i < tiles; ++i) {
    int slot = i % slots;
    CommandOptions dma;
    dma.waits = freeSlot[slot];
    dma.signals = full[slot];
    dma.op = load;
    builder.dma(View::dram(a, int64_t(i) * 64 * 64, DType::BF16, {64, 64}),
                View::sram(0, slot * 8192, DType::BF16, {64, 64}), dma);
    CommandOptions compute;
    compute.waits = full[slot];
    compute.signals = freeSlot[slot];
    compute.op = mm;
    builder.matmul(View::sram(0, slot * 8192, DType::BF16, {64, 64}),
                   View::sram(0, 16384, DType::BF16, {64, 64}),
                   View::sram(0, 32768, DType::F32, {64, 64}), false, false,
                   i > 0, compute);
  }
  return builder.take();
}

TEST(Simulator, DoubleBufferingOverlapsDmaAndCompute) {
  int64_t matmul =
      estimateSystolic(Dataflow::OutputStationary, 32, 32, {64, 64, 64}).cycles;
  ASSERT_EQ(matmul, 503);
  // One slot: load and compute alternate.
  EXPECT_EQ(mustSimulate(makePipeline(8, 1), makeChip()).cycles,
            uint64_t(8 * (128 + matmul)));
  // Two slots: after the first load, loads hide under the matmuls.
  Report report = mustSimulate(makePipeline(8, 2), makeChip());
  EXPECT_EQ(report.cycles, uint64_t(128 + 8 * matmul));
  const QueueStats &tensor = findQueue(report, 0, Engine::Tensor);
  EXPECT_EQ(tensor.busy, uint64_t(8 * matmul));
  EXPECT_EQ(tensor.stallDma, 128u);
  const QueueStats &dma = findQueue(report, 0, Engine::Dma);
  EXPECT_EQ(dma.busy, 8u * 128);
  EXPECT_GT(dma.stallSemaphore, 0u);
}

TEST(Simulator, SemaphoresOrderEngines) {
  ProgramBuilder builder;
  uint32_t done = builder.addSemaphore(0);
  CommandOptions first;
  first.signals = done;
  builder.matmul(View::sram(0, 0, DType::BF16, {64, 64}),
                 View::sram(0, 8192, DType::BF16, {64, 64}),
                 View::sram(0, 16384, DType::F32, {64, 64}), false, false,
                 false, first);
  CommandOptions second;
  second.waits = done;
  builder.vectorUnary(UnaryKind::Relu,
                      View::sram(0, 16384, DType::F32, {64, 64}),
                      View::sram(0, 32768, DType::F32, {64, 64}), second);
  SimOptions options;
  options.collectTrace = true;
  Report report = mustSimulate(builder.take(), makeChip(), options);
  ASSERT_EQ(report.trace.size(), 2u);
  EXPECT_EQ(report.trace[0].command, 0u);
  EXPECT_EQ(report.trace[1].start, report.trace[0].end);
  // 4096 elements / 32 lanes * 1 cycle.
  EXPECT_EQ(report.trace[1].end - report.trace[1].start, 128u);
  const QueueStats &vector = findQueue(report, 0, Engine::Vector);
  EXPECT_EQ(vector.stallSemaphore, 503u);
  EXPECT_EQ(vector.stallDma, 0u);
}

TEST(Simulator, EngineTimeAddsUpToTotal) {
  Report report = mustSimulate(makePipeline(5, 2), makeChip());
  for (const QueueStats &queue : report.queues)
    EXPECT_EQ(queue.busy + queue.stallDma + queue.stallSemaphore +
                  queue.stallBandwidth + queue.idle,
              report.cycles)
        << getQueueName(queue);
}

TEST(Simulator, PerOpBreakdown) {
  Report report = mustSimulate(makePipeline(4, 2), makeChip());
  ASSERT_EQ(report.ops.size(), 2u);
  EXPECT_EQ(report.ops[0].op, 0u);
  EXPECT_EQ(report.ops[0].commands, 4u);
  EXPECT_EQ(report.ops[0].engineCycles, 4u * 128);
  EXPECT_EQ(report.ops[0].dramBytes, 4u * 8192);
  EXPECT_EQ(report.ops[1].macs, 4u * 64 * 64 * 64);
  EXPECT_EQ(report.ops[1].engineCycles, 4u * 503);
  EXPECT_EQ(report.ops[1].end, report.cycles);
  // Energy: 1 pJ per MAC and 10 pJ per DRAM byte in this chip.
  EXPECT_DOUBLE_EQ(report.energy.macPj, 4.0 * 64 * 64 * 64);
  EXPECT_DOUBLE_EQ(report.energy.dramPj, 4.0 * 8192 * 10);
}

TEST(Simulator, ChipToChipTransfersCrossTheLink) {
  ProgramBuilder builder(2);
  uint32_t x = builder.addBuffer("x", BufferRole::Input, 0, DType::I8, {65536},
                                 /*chip=*/0);
  CommandOptions options;
  options.chip = 1;
  builder.dma(View::dram(x, 0, DType::I8, {65536}),
              View::sram(0, 0, DType::I8, {65536}, {}, /*chip=*/1), options);
  Report report = mustSimulate(builder.take(), makeChip());
  // The 32 B/cycle link is the bottleneck; one hop of 100 cycles.
  EXPECT_EQ(report.cycles, 65536u / 32 + 100);
  EXPECT_EQ(report.chipLinkBytes, 65536u);
}

TEST(Simulator, IdealMemoryMakesTransfersFree) {
  Report report =
      mustSimulate(makePipeline(8, 2), makeChip({"dram.kind=ideal"}));
  EXPECT_EQ(report.cycles, 8u * 503);
}

TEST(Simulator, DeadlockIsReported) {
  ProgramBuilder builder;
  uint32_t never = builder.addSemaphore(0);
  CommandOptions options;
  options.waits = never;
  builder.vectorFill(0.0, View::sram(0, 0, DType::F32, {16}), options);
  llvm::Expected<Report> report = simulate(builder.take(), makeChip());
  ASSERT_FALSE(bool(report));
  EXPECT_EQ(llvm::toString(report.takeError()),
            "deadlock at cycle 0: 1 queue(s) wait on semaphores no remaining "
            "command signals:\n  command 0: vector.fill on core 0 vector waits "
            "on semaphore 0 (count 0)");
}

std::string render(const Report &report, const Program &program) {
  std::string text;
  llvm::raw_string_ostream os(text);
  writeJsonReport(report, program, os);
  writeOpCsv(report, program, os);
  writeChromeTrace(report, program, os);
  printSummary(report, program, os);
  return text;
}

TEST(Simulator, SameInputGivesByteIdenticalReports) {
  Program program = makePipeline(16, 2);
  SimOptions options;
  options.collectTrace = true;
  ChipConfig chip = makeChip({"dram.latency_cycles=37"});
  std::string first = render(mustSimulate(program, chip, options), program);
  std::string second = render(mustSimulate(program, chip, options), program);
  EXPECT_EQ(first, second);
  EXPECT_GT(first.size(), 1000u);
}

TEST(Simulator, ReportsAreWellFormed) {
  Program program = makePipeline(3, 2);
  SimOptions options;
  options.collectTrace = true;
  Report report = mustSimulate(program, makeChip(), options);
  std::string json, trace, csv;
  llvm::raw_string_ostream jsonStream(json), traceStream(trace), csvStream(csv);
  writeJsonReport(report, program, jsonStream);
  writeChromeTrace(report, program, traceStream);
  writeOpCsv(report, program, csvStream);
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  const llvm::json::Object *object = parsed->getAsObject();
  ASSERT_TRUE(object);
  EXPECT_EQ(object->getInteger("cycles"), int64_t(report.cycles));
  EXPECT_EQ(*object->getObject("provenance")->getString("energy"), "modeled");
  // Only the active core's engines: 2 DMA queues, tensor, vector.
  EXPECT_EQ(object->getArray("engines")->size(), 4u);
  llvm::Expected<llvm::json::Value> parsedTrace = llvm::json::parse(trace);
  ASSERT_TRUE(bool(parsedTrace));
  const llvm::json::Array *events =
      parsedTrace->getAsObject()->getArray("traceEvents");
  // process name + 4 thread names + 6 commands.
  EXPECT_EQ(events->size(), 1u + 4 + 6);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "op,name,location,commands,engine_cycles,start_cycle,end_cycle,"
            "span_cycles,macs,dram_bytes,sram_bytes,energy_pj");
  EXPECT_NE(csv.find("1,matmul,\"loc(\"\"t.mlir\"\":1:1)\",3,1509,"),
            std::string::npos)
      << csv;
}

TEST(Simulator, ProgressIsReported) {
  Program program = makePipeline(8, 2);
  std::vector<uint64_t> seen;
  SimOptions options;
  options.progressInterval = 4;
  options.progress = [&](uint64_t done, uint64_t total, uint64_t) {
    EXPECT_EQ(total, 16u);
    seen.push_back(done);
  };
  mustSimulate(program, makeChip(), options);
  EXPECT_EQ(seen, (std::vector<uint64_t>{4, 8, 12, 16}));
}

TEST(Layers, SingleTileLayerMatchesTheSystolicModel) {
  llvm::Expected<ChipConfig> chip = loadChipConfig("systolic-32x32");
  ASSERT_TRUE(bool(chip));
  for (const char *dataflow : {"os", "ws", "is"}) {
    llvm::Expected<ChipConfig> variant = loadChipConfig(
        "systolic-32x32", {std::string("core.tensor.dataflow=") + dataflow});
    ASSERT_TRUE(bool(variant));
    llvm::Expected<Layer> layer = parseGemmLayer("100x70x300");
    ASSERT_TRUE(bool(layer));
    LayerTiling tiling;
    llvm::Expected<Program> program =
        buildLayerProgram(*layer, *variant, DType::BF16, &tiling);
    ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
    EXPECT_EQ(tiling.tiles, 1);
    Report report = mustSimulate(*program, *variant);
    EXPECT_EQ(
        int64_t(report.cycles),
        estimateSystolic(variant->core.tensor.dataflow, 32, 32, {100, 70, 300})
            .cycles)
        << dataflow;
  }
}

TEST(Layers, TiledLayersFitTheSramAndUseEveryCore) {
  ChipConfig chip = makeChip({"core.sram.bytes=96 KiB"});
  llvm::Expected<Layer> layer = parseGemmLayer("256x256x256");
  ASSERT_TRUE(bool(layer));
  LayerTiling tiling;
  llvm::Expected<Program> program =
      buildLayerProgram(*layer, chip, DType::BF16, &tiling);
  ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
  EXPECT_GT(tiling.tiles, 1);
  EXPECT_EQ(tiling.coresUsed, 2);
  Report two = mustSimulate(*program, chip);
  EXPECT_EQ(two.macs, 256u * 256 * 256);
  // The same layer on one core takes longer.
  ChipConfig single = makeChip({"core.sram.bytes=96 KiB", "cores=1"});
  llvm::Expected<Program> serial =
      buildLayerProgram(*layer, single, DType::BF16);
  ASSERT_TRUE(bool(serial));
  EXPECT_GT(mustSimulate(*serial, single).cycles, two.cycles);
}

TEST(Layers, ParsesScaleSimTopologies) {
  llvm::Expected<std::vector<Layer>> conv = parseLayerCsv(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
      "Channels, Num Filter, Strides,\n"
      "Conv1,224,224,7,7,3,64,2,\nFC,1,1,1,1,512,1000,1,\n",
      "resnet.csv");
  ASSERT_TRUE(bool(conv)) << llvm::toString(conv.takeError());
  ASSERT_EQ(conv->size(), 2u);
  EXPECT_EQ((*conv)[0].gemm.m, 110 * 110);
  EXPECT_EQ((*conv)[1].gemm.k, 512);
  EXPECT_EQ((*conv)[1].gemm.n, 1000);
  llvm::Expected<std::vector<Layer>> gemm =
      parseLayerCsv("Layer, M, N, K,\nqkv, 128, 2304, 768,\n", "gpt.csv");
  ASSERT_TRUE(bool(gemm));
  EXPECT_EQ((*gemm)[0].gemm.n, 2304);
  llvm::Expected<std::vector<Layer>> bad =
      parseLayerCsv("Layer, M, N, K,\nqkv, 128, x, 768,\n", "bad.csv");
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "bad.csv:2: error: expected name, M, N, K with positive sizes");
}

} // namespace
