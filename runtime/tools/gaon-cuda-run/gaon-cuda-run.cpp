//===- gaon-cuda-run.cpp - Run (or model) a CUDA launch plan
//---------------===//
//
// Loads a .cuplan artifact and runs it on the GPU through the dlopen'd CUDA
// driver, with seeded test inputs, printing each launch's event-timed
// (measured) time next to the GPU performance model's (modeled) one and a
// summary of each output. Where there is no driver or no GPU it says why and
// prints the modeled figures alone. --dump prints the plan's header.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/CUDA/Device.h"
#include "gaon/Runtime/CUDA/Elements.h"
#include "gaon/Runtime/CUDA/ModeledPlan.h"
#include "gaon/Runtime/CUDA/PlanExecutor.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace gaon::runtime::cuda;
using namespace gaon::sim::gpu;

static cl::OptionCategory category("gaon-cuda-run options");
static cl::opt<std::string> planPath(cl::Positional, cl::Required,
                                     cl::desc("<plan.cuplan>"),
                                     cl::cat(category));
static cl::opt<bool> dump("dump", cl::desc("print the plan's header and exit"),
                          cl::cat(category));
static cl::opt<bool> modelOnly("model-only",
                               cl::desc("do not look for a GPU; report the "
                                        "modeled figures"),
                               cl::cat(category));
static cl::opt<std::string>
    gpuKey("gpu",
           cl::desc("GPU preset for modeled figures (default: the GPU found, "
                    "else h100)"),
           cl::cat(category));
static cl::opt<std::string> driverLibrary("driver",
                                          cl::desc("CUDA driver library"),
                                          cl::init(kDriverLibrary.str()),
                                          cl::cat(category));
static cl::opt<unsigned> deviceOrdinal("device", cl::desc("GPU ordinal"),
                                       cl::init(0), cl::cat(category));
static cl::opt<unsigned> warmupRuns("warmup", cl::desc("untimed runs"),
                                    cl::init(3), cl::cat(category));
static cl::opt<unsigned> timedRuns("iterations", cl::desc("timed runs"),
                                   cl::init(20), cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::desc("seed of the test inputs"),
                              cl::init(0), cl::cat(category));
static cl::opt<bool> synchronizeEachLaunch(
    "sync-each-launch",
    cl::desc("wait after every launch, to attribute faults to launches"),
    cl::cat(category));

static std::string formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return join(map_range(shape, [](int64_t d) { return std::to_string(d); }),
              "x");
}

static std::string formatDim(const Dim3 &d) {
  return formatv("{0}x{1}x{2}", d.x, d.y, d.z).str();
}

static void printPlan(raw_ostream &os, const LaunchPlan &plan) {
  std::string chips;
  for (const PlanModule &module : plan.modules)
    chips += (chips.empty() ? "" : ", ") + module.chip;
  os << formatv("plan '{0}': {1} launches, {2} buffers, {3} modules ({4}), "
                "{5:F3} GFLOP\n",
                plan.name, plan.launches.size(), plan.buffers.size(),
                plan.modules.size(), chips, plan.getTotalFlops() / 1e9);
}

/// The launch table; `measured` is empty when nothing ran, `modeled` when
/// there is no preset.
static void printLaunches(raw_ostream &os, const LaunchPlan &plan,
                          const PlanTiming *measured,
                          const PlanEstimate *modeled) {
  os << formatv("  {0,3} {1,-24} {2,-28} {3,-13} {4,-11}", "#", "op", "kernel",
                "grid", "block");
  if (measured)
    os << formatv(" {0,12} {1,9}", "measured us", "TFLOP/s");
  if (modeled)
    os << formatv(" {0,11} {1,9} {2,-8}", "modeled us", "TFLOP/s", "bound");
  os << "\n";
  for (unsigned i = 0, e = plan.launches.size(); i < e; ++i) {
    const PlanLaunch &launch = plan.launches[i];
    os << formatv("  {0,3} {1,-24} {2,-28} {3,-13} {4,-11}", i,
                  launch.opName.empty() ? "-" : launch.opName, launch.kernel,
                  formatDim(launch.grid), formatDim(launch.block));
    if (measured) {
      double ms = measured->launchMilliseconds[i];
      os << formatv(" {0,12:F2} {1,9:F1}", ms * 1e3,
                    ms > 0 ? launch.flops / (ms * 1e-3) / 1e12 : 0.0);
    }
    if (modeled) {
      const KernelEstimate &k = modeled->launches[i];
      os << formatv(" {0,11:F2} {1,9:F1} {2,-8}", k.seconds * 1e6,
                    k.getFlopsPerSecond() / 1e12, stringifyBound(k.bound));
    }
    os << "\n";
  }
  os << "  total:";
  if (measured)
    os << formatv(" measured {0:F2} us (first launch to last, mean of {1} "
                  "runs)",
                  measured->totalMilliseconds * 1e3, measured->iterations);
  if (modeled)
    os << formatv("{0} modeled {1:F2} us", measured ? ";" : "",
                  modeled->seconds * 1e6);
  os << "\n";
}

/// Runs the plan on the GPU; prints outputs and timings.
static Error runOnDevice(Device &device, const LaunchPlan &plan,
                         const GPUChip *preset) {
  const DeviceInfo &info = device.getInfo();
  outs() << formatv("device: {0} ({1}), {2} SMs, {3} MHz, {4:F1} GiB, {5:F2} "
                    "TB/s peak, driver {6}.{7} (reported by the driver)\n",
                    info.name, info.getChip(), info.multiprocessorCount,
                    info.clockKHz / 1000,
                    info.totalMemoryBytes / double(1 << 30),
                    info.getPeakMemoryBandwidth() / 1e12,
                    info.driverVersion / 1000, info.driverVersion % 1000 / 10);
  Expected<std::unique_ptr<LoadedPlan>> loaded = LoadedPlan::load(device, plan);
  if (!loaded)
    return loaded.takeError();
  std::vector<unsigned> inputs = plan.getInputs();
  for (auto [index, id] : llvm::enumerate(inputs)) {
    const PlanBuffer &buffer = plan.buffers[id];
    std::vector<uint8_t> bytes(buffer.getNumElements() *
                               getElementBytes(buffer.elementType));
    fillTestElements(buffer.elementType, bytes, seed + index);
    if (Error error = (*loaded)->setInput(index, bytes))
      return error;
  }
  if (Error error = (*loaded)->run(synchronizeEachLaunch))
    return error;
  outs() << "outputs (measured, inputs k/16 seeded from " << seed << "):\n";
  for (auto [index, id] : llvm::enumerate(plan.getOutputs())) {
    Expected<std::vector<uint8_t>> bytes = (*loaded)->getOutput(index);
    if (!bytes)
      return bytes.takeError();
    const PlanBuffer &buffer = plan.buffers[id];
    ElementSummary s = summarizeElements(buffer.elementType, *bytes);
    outs() << formatv(
        "  output {0} '{1}' {2} [{3}]: sum {4:G}, min {5:G}, "
        "max {6:G}, {7} non-finite\n",
        index, buffer.name, stringifyElementType(buffer.elementType),
        formatShape(buffer.shape), s.sum, s.minimum, s.maximum, s.nonFinite);
  }
  Expected<PlanTiming> timing = (*loaded)->time(warmupRuns, timedRuns);
  if (!timing)
    return timing.takeError();
  std::optional<PlanEstimate> modeled;
  if (preset) {
    Expected<PlanEstimate> estimate = estimatePlan(plan, GPUModel(*preset));
    if (estimate)
      modeled = std::move(*estimate);
    else
      WithColor::warning(errs(), "gaon-cuda-run")
          << "no modeled figures: " << toString(estimate.takeError()) << "\n";
  }
  outs() << formatv("launches (measured with CUDA events over {0} runs after "
                    "{1} warm-up{2}):\n",
                    timedRuns, warmupRuns,
                    modeled ? "; modeled on " + preset->name : "");
  printLaunches(outs(), plan, &*timing, modeled ? &*modeled : nullptr);
  return Error::success();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Gaon CUDA runner: runs a launch plan on the GPU, or models it\n");
  auto fail = [](Error error) {
    WithColor::error(errs(), "gaon-cuda-run")
        << toString(std::move(error)) << "\n";
    return 1;
  };

  Expected<LaunchPlan> plan = readLaunchPlanFile(planPath);
  if (!plan)
    return fail(plan.takeError());
  if (dump) {
    outs() << "// Gaon CUDA launch plan, format version "
           << kLaunchPlanFormatVersion << "\n"
           << formatv("{0:2}", toJSON(*plan)) << "\n";
    return 0;
  }
  const GPUChip *preset = nullptr;
  if (!gpuKey.empty()) {
    Expected<const GPUChip &> chip = lookupGPUChip(gpuKey);
    if (!chip)
      return fail(chip.takeError());
    preset = &*chip;
  }
  printPlan(outs(), *plan);

  Error unavailable = Error::success();
  if (modelOnly) {
    unavailable =
        createStringError(inconvertibleErrorCode(), "--model-only given");
  } else {
    Expected<std::unique_ptr<Device>> device =
        Device::open(deviceOrdinal, driverLibrary);
    if (device) {
      consumeError(std::move(unavailable));
      if (!preset)
        preset = findGPUChipForDevice((*device)->getInfo().name);
      if (Error error = runOnDevice(**device, *plan, preset))
        return fail(std::move(error));
      return 0;
    }
    consumeError(std::move(unavailable));
    unavailable = device.takeError();
  }

  if (!preset)
    preset = &cantFail(lookupGPUChip("h100"));
  outs().flush();
  WithColor::note(errs(), "gaon-cuda-run")
      << describeModeledFallback(std::move(unavailable), *preset) << "\n";
  Expected<PlanEstimate> modeled = estimatePlan(*plan, GPUModel(*preset));
  if (!modeled)
    return fail(modeled.takeError());
  outs() << "launches (modeled on " << preset->name << "; nothing ran):\n";
  printLaunches(outs(), *plan, nullptr, &*modeled);
  return 0;
}
