//===- gaon-sim.cpp - Simulates NPU programs and layers on chip models ----===//
//
//   gaon-sim prog.npu --hw rngd [--set k=v] [--functional] [--report r.json]
//            [--csv ops.csv] [--trace t.json]
//   gaon-sim --gemm 512x512x512 --hw systolic-32x32
//   gaon-sim --layers resnet18.csv --hw systolic-32x32 [--csv layers.csv]
//   gaon-sim --hw rngd --describe
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Layers.h"
#include "gaon/Sim/ProgramIO.h"
#include "gaon/Sim/Report.h"
#include "gaon/Sim/Simulator.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace gaon::sim;
using namespace llvm;

static cl::OptionCategory category("gaon-sim options");

static cl::opt<std::string> inputPath(cl::Positional,
                                      cl::desc("<program.npu | program.npub>"),
                                      cl::cat(category));
static cl::opt<std::string>
    hardware("hw",
             cl::desc("Chip: a preset (rngd, warboy, atom, rebel-quad, x220, "
                      "systolic-32x32) or a YAML chip description"),
             cl::value_desc("preset|path.yaml"), cl::cat(category));
static cl::list<std::string>
    overrides("set",
              cl::desc("Override a chip field, e.g. core.tensor.rows=64"),
              cl::value_desc("path=value"), cl::cat(category));
static cl::opt<bool> functional(
    "functional",
    cl::desc("Also execute every command on real buffers (inputs from "
             "--input, outputs to --output)"),
    cl::cat(category));
static cl::opt<std::string> reportPath("report",
                                       cl::desc("Write the JSON report here"),
                                       cl::value_desc("file"),
                                       cl::cat(category));
static cl::opt<std::string>
    csvPath("csv",
            cl::desc("Write the per-op CSV (per-layer CSV in layer mode)"),
            cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    tracePath("trace",
              cl::desc("Write a Chrome/Perfetto trace, one track per engine "
                       "per core"),
              cl::value_desc("file"), cl::cat(category));
static cl::list<std::string>
    inputs("input",
           cl::desc("Functional mode: fill a DRAM buffer from a raw "
                    "little-endian file of exactly its size"),
           cl::value_desc("buffer=file"), cl::cat(category));
static cl::list<std::string>
    outputs("output", cl::desc("Functional mode: write a DRAM buffer's bytes"),
            cl::value_desc("buffer=file"), cl::cat(category));
static cl::opt<std::string> gemm("gemm",
                                 cl::desc("Simulate one GEMM layer MxNxK"),
                                 cl::value_desc("MxNxK"), cl::cat(category));
static cl::opt<std::string>
    conv("conv",
         cl::desc("Simulate one convolution layer (as its im2col GEMM)"),
         cl::value_desc("H,W,R,S,C,K,stride"), cl::cat(category));
static cl::opt<std::string>
    layersPath("layers",
               cl::desc("Simulate a SCALE-Sim topology CSV of conv or GEMM "
                        "layers"),
               cl::value_desc("file.csv"), cl::cat(category));
static cl::opt<std::string>
    layerType("dtype", cl::desc("Layer mode input element type (default bf16)"),
              cl::init("bf16"), cl::cat(category));
static cl::opt<std::string>
    emitProgram("emit-program",
                cl::desc("Write the program (loaded or built from a layer) "
                         "here; binary if the name ends in .npub"),
                cl::value_desc("file"), cl::cat(category));
static cl::opt<bool> describe("describe",
                              cl::desc("Print the resolved chip description"),
                              cl::cat(category));
static cl::opt<bool> listPresets("list-presets",
                                 cl::desc("List the chip presets"),
                                 cl::cat(category));
static cl::opt<bool> progress("progress",
                              cl::desc("Show a progress line (default: on a "
                                       "terminal for long runs)"),
                              cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Print no summary"),
                           cl::cat(category));

static int fail(const Twine &message) {
  WithColor::error(errs(), "gaon-sim") << message << "\n";
  return 1;
}

/// Opens `path` ("-" is stdout) for writing.
static Expected<std::unique_ptr<ToolOutputFile>> openOutput(StringRef path) {
  std::error_code error;
  auto file = std::make_unique<ToolOutputFile>(path, error, sys::fs::OF_None);
  if (error)
    return createStringError(error, "cannot write '" + path.str() +
                                        "': " + error.message());
  return std::move(file);
}

/// Calls `write` on a new file at `path` and keeps it.
template <typename Write> static Error writeFile(StringRef path, Write write) {
  Expected<std::unique_ptr<ToolOutputFile>> file = openOutput(path);
  if (!file)
    return file.takeError();
  write((*file)->os());
  (*file)->keep();
  return Error::success();
}

static SimOptions makeOptions(uint64_t commands) {
  SimOptions options;
  options.functional = functional;
  options.collectTrace = !tracePath.empty();
  bool show = progress || (errs().is_displayed() && commands >= (1u << 22));
  if (show) {
    options.progressInterval = std::max<uint64_t>(1, commands / 100);
    options.progress = [](uint64_t done, uint64_t total, uint64_t cycle) {
      errs() << format("\rgaon-sim: %llu/%llu commands (%.0f%%), cycle %llu",
                       (unsigned long long)done, (unsigned long long)total,
                       total ? 100.0 * double(done) / double(total) : 100.0,
                       (unsigned long long)cycle);
      if (done == total)
        errs() << "\n";
    };
  }
  return options;
}

static Error writeProgram(const Program &program, StringRef path) {
  return writeFile(path, [&](raw_ostream &os) {
    if (path.ends_with(".npub"))
      writeProgramBinary(program, os);
    else
      printProgramText(program, os);
  });
}

/// Splits "buffer=file".
static Expected<std::pair<StringRef, StringRef>> splitBinding(StringRef text,
                                                              StringRef flag) {
  auto [buffer, file] = text.split('=');
  if (buffer.empty() || file.empty())
    return createStringError(inconvertibleErrorCode(),
                             "--" + flag.str() + " expects buffer=file, got '" +
                                 text.str() + "'");
  return std::make_pair(buffer, file);
}

static int runProgram(const ChipConfig &chip) {
  Expected<Program> program = readProgramFile(inputPath);
  if (!program)
    return fail(toString(program.takeError()));
  if (!emitProgram.empty())
    if (Error error = writeProgram(*program, emitProgram))
      return fail(toString(std::move(error)));
  if ((!inputs.empty() || !outputs.empty()) && !functional)
    return fail("--input and --output need --functional");

  Simulator simulator(*program, chip, makeOptions(program->commands.size()));
  for (const std::string &binding : inputs) {
    auto parts = splitBinding(binding, "input");
    if (!parts)
      return fail(toString(parts.takeError()));
    Expected<MutableArrayRef<uint8_t>> data =
        simulator.getBufferData(parts->first);
    if (!data)
      return fail(toString(data.takeError()));
    ErrorOr<std::unique_ptr<MemoryBuffer>> file =
        MemoryBuffer::getFile(parts->second, /*IsText=*/false);
    if (!file)
      return fail("cannot read '" + parts->second +
                  "': " + file.getError().message());
    if ((*file)->getBufferSize() != data->size())
      return fail("'" + parts->second + "' has " +
                  Twine((*file)->getBufferSize()) + " bytes but buffer '" +
                  parts->first + "' has " + Twine(data->size()));
    std::memcpy(data->data(), (*file)->getBufferStart(), data->size());
  }
  Expected<Report> report = simulator.run();
  if (!report)
    return fail(toString(report.takeError()));

  for (const std::string &binding : outputs) {
    auto parts = splitBinding(binding, "output");
    if (!parts)
      return fail(toString(parts.takeError()));
    Expected<MutableArrayRef<uint8_t>> data =
        simulator.getBufferData(parts->first);
    if (!data)
      return fail(toString(data.takeError()));
    if (Error error = writeFile(parts->second, [&](raw_ostream &os) {
          os.write(reinterpret_cast<const char *>(data->data()), data->size());
        }))
      return fail(toString(std::move(error)));
  }
  if (!reportPath.empty())
    if (Error error = writeFile(reportPath, [&](raw_ostream &os) {
          writeJsonReport(*report, *program, os);
        }))
      return fail(toString(std::move(error)));
  if (!csvPath.empty())
    if (Error error = writeFile(csvPath, [&](raw_ostream &os) {
          writeOpCsv(*report, *program, os);
        }))
      return fail(toString(std::move(error)));
  if (!tracePath.empty())
    if (Error error = writeFile(tracePath, [&](raw_ostream &os) {
          writeChromeTrace(*report, *program, os);
        }))
      return fail(toString(std::move(error)));
  if (!quiet) {
    outs() << "gaon-sim: " << inputPath << "\n";
    printSummary(*report, *program, outs());
  }
  return 0;
}

/// One row of the layer-mode table.
struct LayerResult {
  Layer layer;
  LayerTiling tiling;
  int64_t modelCycles = 0;
  Report report;
};

static int runLayers(const ChipConfig &chip) {
  std::vector<Layer> layers;
  if (!gemm.empty()) {
    Expected<Layer> layer = parseGemmLayer(gemm);
    if (!layer)
      return fail(toString(layer.takeError()));
    layers.push_back(*layer);
  }
  if (!conv.empty()) {
    Expected<Layer> layer = parseConvLayer(conv);
    if (!layer)
      return fail(toString(layer.takeError()));
    layers.push_back(*layer);
  }
  if (!layersPath.empty()) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> file =
        MemoryBuffer::getFileOrSTDIN(layersPath);
    if (!file)
      return fail("cannot read '" + layersPath +
                  "': " + file.getError().message());
    Expected<std::vector<Layer>> parsed =
        parseLayerCsv((*file)->getBuffer(), layersPath);
    if (!parsed)
      return fail(toString(parsed.takeError()));
    llvm::append_range(layers, *parsed);
  }
  std::optional<DType> dtype = symbolizeDType(layerType);
  if (!dtype)
    return fail("--dtype: unknown element type '" + layerType +
                "' (expected f32, f16, bf16, f8E4M3FN, f8E5M2 or i8)");
  if (functional)
    return fail("--functional needs a program; layer mode is timing only");
  if (!tracePath.empty() && layers.size() != 1)
    return fail("--trace in layer mode needs exactly one layer");
  if (!emitProgram.empty() && layers.size() != 1)
    return fail("--emit-program in layer mode needs exactly one layer");

  std::optional<Precision> precision = getPrecision(*dtype);
  std::vector<LayerResult> results;
  for (const Layer &layer : layers) {
    LayerResult result;
    result.layer = layer;
    Expected<Program> program =
        buildLayerProgram(layer, chip, *dtype, &result.tiling);
    if (!program)
      return fail(toString(program.takeError()));
    if (!emitProgram.empty())
      if (Error error = writeProgram(*program, emitProgram))
        return fail(toString(std::move(error)));
    Expected<Report> report =
        simulate(*program, chip, makeOptions(program->commands.size()));
    if (!report)
      return fail(layer.name + ": " + toString(report.takeError()));
    if (!tracePath.empty())
      if (Error error = writeFile(tracePath, [&](raw_ostream &os) {
            writeChromeTrace(*report, *program, os);
          }))
        return fail(toString(std::move(error)));
    result.modelCycles = getTensorCycles(chip.core.tensor, layer.gemm,
                                         precision.value_or(Precision::Bf16));
    result.report = std::move(*report);
    results.push_back(std::move(result));
  }

  const TensorEngineConfig &tensor = chip.core.tensor;
  if (!quiet) {
    outs() << "gaon-sim: " << results.size() << " layer(s) on " << chip.name
           << " (" << stringifyDataflow(tensor.dataflow) << " " << tensor.rows
           << "x" << tensor.cols;
    if (!tensor.isSystolic())
      outs() << " x " << tensor.slices << " slices";
    outs() << ", " << chip.cores << " core(s)), " << layerType
           << "; cycles are simulated, 'compute' is the tensor-engine model "
              "for the whole layer on one core\n";
    outs() << format("%-16s %8s %7s %7s %6s %14s %14s %7s\n", "layer", "M", "N",
                     "K", "tiles", "compute", "simulated", "util");
  }
  uint64_t totalModel = 0, totalSimulated = 0;
  double totalSeconds = 0, totalEnergy = 0;
  for (const LayerResult &result : results) {
    totalModel += uint64_t(result.modelCycles);
    totalSimulated += result.report.cycles;
    totalSeconds += result.report.seconds;
    totalEnergy += result.report.energy.getTotalPj();
    if (!quiet)
      outs() << format(
          "%-16s %8lld %7lld %7lld %6lld %14lld %14llu %6.1f%%\n",
          result.layer.name.c_str(), (long long)result.layer.gemm.m,
          (long long)result.layer.gemm.n, (long long)result.layer.gemm.k,
          (long long)result.tiling.tiles, (long long)result.modelCycles,
          (unsigned long long)result.report.cycles,
          100.0 * result.report.tensorUtilization);
  }
  if (!quiet) {
    outs() << format("%-16s %8s %7s %7s %6s %14llu %14llu\n", "total", "", "",
                     "", "", (unsigned long long)totalModel,
                     (unsigned long long)totalSimulated);
    outs() << format("time %.3f us (simulated), energy %.3f uJ (modeled)\n",
                     totalSeconds * 1e6, totalEnergy * 1e-6);
  }
  if (!csvPath.empty())
    if (Error error = writeFile(csvPath, [&](raw_ostream &os) {
          os << "layer,m,n,k,tile_m,tile_n,tile_k,tiles,cores_used,"
                "compute_model_cycles,simulated_cycles,seconds,"
                "tensor_utilization,dram_bytes,energy_pj\n";
          for (const LayerResult &r : results)
            os << r.layer.name << "," << r.layer.gemm.m << "," << r.layer.gemm.n
               << "," << r.layer.gemm.k << "," << r.tiling.tileM << ","
               << r.tiling.tileN << "," << r.tiling.tileK << ","
               << r.tiling.tiles << "," << r.tiling.coresUsed << ","
               << r.modelCycles << "," << r.report.cycles << ","
               << format("%.9g", r.report.seconds) << ","
               << format("%.6f", r.report.tensorUtilization) << ","
               << (r.report.dramReadBytes + r.report.dramWriteBytes) << ","
               << format("%.3f", r.report.energy.getTotalPj()) << "\n";
        }))
      return fail(toString(std::move(error)));
  if (!reportPath.empty())
    if (Error error = writeFile(reportPath, [&](raw_ostream &os) {
          json::OStream json(os, 2);
          json.object([&] {
            json.attribute("format", "gaon-sim-layers");
            json.attribute("version", 1);
            json.attribute("chip", chip.name);
            json.attribute("dtype", layerType);
            json.attribute("cycles", int64_t(totalSimulated));
            json.attribute("seconds", totalSeconds);
            json.attributeArray("layers", [&] {
              for (const LayerResult &r : results)
                json.object([&] {
                  json.attribute("name", r.layer.name);
                  json.attribute("m", r.layer.gemm.m);
                  json.attribute("n", r.layer.gemm.n);
                  json.attribute("k", r.layer.gemm.k);
                  json.attribute("tiles", r.tiling.tiles);
                  json.attribute("compute_model_cycles", r.modelCycles);
                  json.attribute("simulated_cycles", int64_t(r.report.cycles));
                  json.attribute("tensor_utilization",
                                 r.report.tensorUtilization);
                  json.attribute("energy_pj", r.report.energy.getTotalPj());
                });
            });
          });
          os << "\n";
        }))
      return fail(toString(std::move(error)));
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "gaon-sim: simulates NPU programs (or GEMM/conv layers) on a chip "
      "description\n");

  if (listPresets) {
    for (const Preset &preset : getPresets()) {
      Expected<ChipConfig> chip = loadChipConfig(preset.name);
      outs() << format("%-16s", preset.name.str().c_str())
             << (chip ? chip->description : toString(chip.takeError())) << "\n";
    }
    return 0;
  }
  if (hardware.empty())
    return fail("choose a chip with --hw <preset|path.yaml> (--list-presets "
                "shows the presets)");
  Expected<ChipConfig> chip = loadChipConfig(hardware, overrides);
  if (!chip) {
    errs() << toString(chip.takeError()) << "\n";
    return 1;
  }
  if (describe) {
    printChipConfig(*chip, outs());
    return 0;
  }
  bool layerMode = !gemm.empty() || !conv.empty() || !layersPath.empty();
  if (layerMode && !inputPath.empty())
    return fail("give either a program or --gemm/--conv/--layers, not both");
  if (layerMode)
    return runLayers(*chip);
  if (inputPath.empty())
    return fail("no program given (or use --gemm, --conv or --layers)");
  return runProgram(*chip);
}
