//===- gaon-cuda-bench.cpp - Generated GEMMs against cuBLAS ---------------===//
//
// For each GEMM shape: cuBLASLt and, where the compiler produced one, the
// generated kernel's launch plan, on the same seeded inputs. Both outputs are
// checked against a CPU reference at sampled positions (exact: the inputs
// are k/16, so every product and partial sum is exact in fp32 for K up to
// 2^14), the generated one also against cuBLAS everywhere; both are timed
// with CUDA events; the GPU performance model's figure is printed beside
// them. Without a GPU it says why and prints the modeled figures only.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/CUDA/CublasGemm.h"
#include "gaon/Runtime/CUDA/Device.h"
#include "gaon/Runtime/CUDA/Elements.h"
#include "gaon/Runtime/CUDA/ModeledPlan.h"
#include "gaon/Runtime/CUDA/PlanExecutor.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <random>

using namespace llvm;
using namespace gaon::kernels::cuda;
using namespace gaon::runtime::cuda;
using namespace gaon::sim::gpu;

static cl::OptionCategory category("gaon-cuda-bench options");
static cl::list<std::string>
    shapes("shapes", cl::desc("GEMM shapes MxNxK (comma-separated)"),
           cl::CommaSeparated, cl::cat(category));
static cl::opt<std::string>
    inputType("type", cl::desc("operand type: bf16, f16 or f32 (C is f32)"),
              cl::init("bf16"), cl::cat(category));
static cl::opt<std::string>
    planDirectory("plans",
                  cl::desc("directory of generated plans, named "
                           "gemm_<M>x<N>x<K>_<type>.cuplan"),
                  cl::cat(category));
static cl::opt<unsigned> warmupRuns("warmup", cl::init(5),
                                    cl::desc("untimed runs"),
                                    cl::cat(category));
static cl::opt<unsigned> timedRuns("iterations", cl::init(20),
                                   cl::desc("timed runs"), cl::cat(category));
static cl::opt<unsigned> samples("samples", cl::init(256),
                                 cl::desc("outputs checked on the CPU"),
                                 cl::cat(category));
static cl::opt<std::string> gpuKey("gpu",
                                   cl::desc("GPU preset for the modeled "
                                            "column (default: the GPU found, "
                                            "else h100)"),
                                   cl::cat(category));
static cl::opt<std::string> driverLibrary("driver",
                                          cl::desc("CUDA driver library"),
                                          cl::init(kDriverLibrary.str()),
                                          cl::cat(category));

static const char *kDefaultShapes[] = {
    "2048x2048x2048", "4096x4096x4096", "8192x8192x8192", "1x8192x8192",
    "16x8192x8192",   "32x8192x8192",   "64x8192x8192",   "128x8192x8192"};

namespace {
struct Shape {
  int64_t m, n, k;
  std::string text;
  /// Large shapes are judged against the 0.9 goal, skinny ones (M <= 128)
  /// against 0.7.
  bool isSkinny() const { return m <= 128; }
  double flops() const { return 2.0 * m * n * k; }
};

/// One shape's operands on the host and the device.
struct Operands {
  std::vector<uint8_t> a, b;
  DevicePtr deviceA = 0, deviceB = 0, deviceC = 0;
};

/// What happened to one implementation of one shape.
struct Result {
  bool ran = false;
  double microseconds = 0;
  std::string check = "-";
  bool failed = false;
};
} // namespace

static Expected<Shape> parseShape(StringRef text) {
  SmallVector<StringRef, 3> parts;
  text.split(parts, 'x');
  Shape shape{0, 0, 0, text.str()};
  if (parts.size() != 3 || parts[0].getAsInteger(10, shape.m) ||
      parts[1].getAsInteger(10, shape.n) ||
      parts[2].getAsInteger(10, shape.k) || shape.m < 1 || shape.n < 1 ||
      shape.k < 1)
    return createStringError(inconvertibleErrorCode(),
                             "shape '" + text + "' is not MxNxK");
  return shape;
}

/// Compares C (f32 or `type`, row-major M x N) with a CPU dot product at
/// `samples` seeded positions; returns "" when all match, else a message.
static std::string checkSamples(const Shape &s, ElementType type,
                                const Operands &ops, ElementType outType,
                                ArrayRef<uint8_t> c) {
  std::mt19937_64 generator(42);
  // Exact for k/16 inputs while partial sums stay below 2^24 / 256.
  double tolerance = s.k <= (1 << 14) ? 0 : 1e-6 * s.k;
  for (unsigned t = 0; t < samples; ++t) {
    int64_t i = generator() % s.m, j = generator() % s.n;
    double expected = 0;
    for (int64_t l = 0; l < s.k; ++l)
      expected += readElement(type, ops.a, i * s.k + l) *
                  readElement(type, ops.b, l * s.n + j);
    double got = readElement(outType, c, i * s.n + j);
    if (!(std::abs(got - expected) <= tolerance))
      return formatv("C[{0},{1}] = {2}, CPU says {3}", i, j, got, expected);
  }
  return "";
}

static Result runCublas(Device &device, CublasLtGemm &gemm, const Shape &s,
                        ElementType type, Operands &ops,
                        std::vector<uint8_t> &c) {
  Result result;
  GemmProblem problem{1, s.m, s.n, s.k, type, ElementType::F32};
  auto fail = [&](Error error) {
    result.check = "error: " + toString(std::move(error));
    result.failed = true;
    return result;
  };
  if (Error error = device.fill(ops.deviceC, 0, c.size()))
    return fail(std::move(error));
  if (Error error = gemm.run(problem, ops.deviceA, ops.deviceB, ops.deviceC))
    return fail(std::move(error));
  if (Error error = device.download(c, ops.deviceC))
    return fail(std::move(error));
  std::string mismatch = checkSamples(s, type, ops, ElementType::F32, c);
  result.check = mismatch.empty() ? "ok" : "WRONG: " + mismatch;
  result.failed = !mismatch.empty();

  for (unsigned i = 0; i < warmupRuns; ++i)
    if (Error error = gemm.run(problem, ops.deviceA, ops.deviceB, ops.deviceC))
      return fail(std::move(error));
  Expected<EventHandle> start = device.createEvent();
  Expected<EventHandle> end = device.createEvent();
  if (!start || !end)
    return fail(joinErrors(start.takeError(), end.takeError()));
  Error error = device.recordEvent(*start);
  for (unsigned i = 0; i < timedRuns && !error; ++i)
    error = gemm.run(problem, ops.deviceA, ops.deviceB, ops.deviceC);
  if (!error)
    error = device.recordEvent(*end);
  Expected<float> ms = error ? Expected<float>(std::move(error))
                             : device.getElapsedMilliseconds(*start, *end);
  consumeError(device.destroyEvent(*start));
  consumeError(device.destroyEvent(*end));
  if (!ms)
    return fail(ms.takeError());
  result.ran = true;
  result.microseconds = *ms * 1e3 / timedRuns;
  return result;
}

/// Checks that `plan` computes C = A x B for `s` as the benchmark feeds it.
static Error checkSignature(const LaunchPlan &plan, const Shape &s,
                            ElementType type) {
  std::vector<unsigned> in = plan.getInputs(), out = plan.getOutputs();
  auto is = [&](unsigned id, std::vector<int64_t> shape, bool output) {
    const PlanBuffer &b = plan.buffers[id];
    return b.shape == shape && (b.elementType == type ||
                                (output && b.elementType == ElementType::F32));
  };
  if (in.size() == 2 && out.size() == 1 && is(in[0], {s.m, s.k}, false) &&
      is(in[1], {s.k, s.n}, false) && is(out[0], {s.m, s.n}, true))
    return Error::success();
  return createStringError(
      inconvertibleErrorCode(),
      formatv("plan '{0}' does not take A[{1}x{2}] and B[{2}x{3}] {4} to "
              "C[{1}x{3}]",
              plan.name, s.m, s.k, s.n, stringifyElementType(type))
          .str());
}

/// Runs and times a generated plan; `cublasC` is cuBLAS's output, or empty.
static Result runGenerated(Device &device, const LaunchPlan &plan,
                           const Shape &s, ElementType type,
                           const Operands &ops, ArrayRef<uint8_t> cublasC) {
  Result result;
  auto fail = [&](Error error) {
    result.check = "error: " + toString(std::move(error));
    result.failed = true;
    return result;
  };
  if (Error error = checkSignature(plan, s, type))
    return fail(std::move(error));
  Expected<std::unique_ptr<LoadedPlan>> loaded = LoadedPlan::load(device, plan);
  if (!loaded)
    return fail(loaded.takeError());
  if (Error error = (*loaded)->setInput(0, ops.a))
    return fail(std::move(error));
  if (Error error = (*loaded)->setInput(1, ops.b))
    return fail(std::move(error));
  if (Error error = (*loaded)->run(/*synchronizeEachLaunch=*/true))
    return fail(std::move(error));
  Expected<std::vector<uint8_t>> c = (*loaded)->getOutput(0);
  if (!c)
    return fail(c.takeError());
  ElementType outType = plan.buffers[plan.getOutputs()[0]].elementType;
  std::string mismatch = checkSamples(s, type, ops, outType, *c);
  // Against cuBLAS everywhere: exact for an f32 C, rounding for a narrow C.
  double worst = 0;
  for (int64_t i = 0, e = cublasC.empty() ? 0 : s.m * s.n;
       i < e && mismatch.empty(); ++i) {
    double expected = readElement(ElementType::F32, cublasC, i);
    double got = readElement(outType, *c, i);
    double error = std::abs(got - expected) / std::max(1.0, std::abs(expected));
    worst = std::max(worst, std::isnan(error) ? INFINITY : error);
  }
  double allowed = outType == ElementType::F32 ? 1e-6 : 1e-2;
  if (mismatch.empty() && !(worst <= allowed))
    mismatch = formatv("differs from cuBLAS by {0:E2} (relative)", worst);
  result.check = mismatch.empty() ? "ok" : "WRONG: " + mismatch;
  result.failed = !mismatch.empty();
  Expected<PlanTiming> timing = (*loaded)->time(warmupRuns, timedRuns);
  if (!timing)
    return fail(timing.takeError());
  result.ran = true;
  result.microseconds = timing->totalMilliseconds * 1e3;
  return result;
}

static std::optional<double> modeledTflops(const GPUChip *chip, const Shape &s,
                                           ElementType type) {
  if (!chip)
    return std::nullopt;
  Expected<Precision> precision = getContractionPrecision(type);
  if (!precision) {
    consumeError(precision.takeError());
    return std::nullopt;
  }
  Expected<KernelEstimate> e =
      GPUModel(*chip).estimateGemm({1, s.m, s.n, s.k, *precision, 4});
  if (!e) {
    consumeError(e.takeError());
    return std::nullopt;
  }
  return e->getFlopsPerSecond() / 1e12;
}

static std::string formatRate(const Result &r, const Shape &s) {
  if (!r.ran)
    return formatv("{0,12} {1,8}", "-", "-").str();
  return formatv("{0,12:F1} {1,8:F1}", r.microseconds,
                 s.flops() / (r.microseconds * 1e-6) / 1e12)
      .str();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Gaon GEMM benchmark: generated kernels against "
                              "cuBLASLt\n");
  auto fail = [](Error error) {
    WithColor::error(errs(), "gaon-cuda-bench")
        << toString(std::move(error)) << "\n";
    return 1;
  };
  std::optional<ElementType> type = symbolizeElementType(inputType);
  if (!type || (*type != ElementType::BF16 && *type != ElementType::F16 &&
                *type != ElementType::F32))
    return fail(createStringError(inconvertibleErrorCode(),
                                  "--type must be bf16, f16 or f32"));
  std::vector<Shape> parsed;
  std::vector<std::string> texts(shapes.begin(), shapes.end());
  if (texts.empty())
    texts.assign(std::begin(kDefaultShapes), std::end(kDefaultShapes));
  for (const std::string &text : texts) {
    Expected<Shape> shape = parseShape(text);
    if (!shape)
      return fail(shape.takeError());
    parsed.push_back(*shape);
  }
  const GPUChip *preset = nullptr;
  if (!gpuKey.empty()) {
    Expected<const GPUChip &> chip = lookupGPUChip(gpuKey);
    if (!chip)
      return fail(chip.takeError());
    preset = &*chip;
  }
  StringRef typeName = stringifyElementType(*type);
  outs() << formatv("GEMM C(f32) = A({0}) x B({0}), row-major, fp32 "
                    "accumulation; inputs k/16, seeded\n",
                    typeName);

  Expected<std::unique_ptr<Device>> device = Device::open(0, driverLibrary);
  if (!device) {
    if (!preset)
      preset = &cantFail(lookupGPUChip("h100"));
    outs().flush();
    WithColor::note(errs(), "gaon-cuda-bench")
        << describeModeledFallback(device.takeError(), *preset) << "\n";
    outs() << formatv("{0,-16} {1,14}\n", "shape", "modeled TFLOP/s");
    for (const Shape &s : parsed) {
      std::optional<double> modeled = modeledTflops(preset, s, *type);
      outs() << formatv("{0,-16} {1,14}\n", s.text,
                        modeled ? formatv("{0:F1}", *modeled).str() : "-");
    }
    return 0;
  }
  const DeviceInfo &info = (*device)->getInfo();
  if (!preset)
    preset = findGPUChipForDevice(info.name);
  outs() << formatv("GPU: {0} ({1}), {2} SMs, driver {3}.{4}; times measured "
                    "with CUDA events, mean of {5} runs after {6} warm-up; "
                    "modeled on {7}\n",
                    info.name, info.getChip(), info.multiprocessorCount,
                    info.driverVersion / 1000, info.driverVersion % 1000 / 10,
                    timedRuns, warmupRuns, preset ? preset->name : "-");
  // Without cuBLAS (a driver too old for this toolkit's cuBLAS, say) the
  // generated kernels are still checked against the CPU and timed.
  std::unique_ptr<CublasLtGemm> cublasGemm;
  if (Expected<std::unique_ptr<CublasLtGemm>> gemm =
          CublasLtGemm::create(**device)) {
    cublasGemm = std::move(*gemm);
  } else {
    outs().flush();
    WithColor::warning(errs(), "gaon-cuda-bench")
        << "cuBLAS unavailable, measuring generated kernels only: "
        << toString(gemm.takeError()) << "\n";
  }

  outs() << formatv("{0,-16} {1,12} {2,8} {3,12} {4,8} {5,8} {6,8}  {7}\n",
                    "shape", "cuBLAS us", "TFLOP/s", "generated", "TFLOP/s",
                    "ratio", "model", "checks (cuBLAS; generated)");
  bool anyWrong = false;
  double worstLarge = INFINITY, worstSkinny = INFINITY;
  unsigned generatedCount = 0;
  std::vector<std::string> missing;
  for (const Shape &s : parsed) {
    unsigned width = getElementBytes(*type);
    Operands ops;
    ops.a.resize(s.m * s.k * width);
    ops.b.resize(s.k * s.n * width);
    fillTestElements(*type, ops.a, 1);
    fillTestElements(*type, ops.b, 2);
    std::vector<uint8_t> c(s.m * s.n * sizeof(float));
    Device &gpu = **device;
    auto allocate = [&](DevicePtr &pointer, ArrayRef<uint8_t> bytes,
                        uint64_t size) -> Error {
      Expected<DevicePtr> p = gpu.allocate(size);
      if (!p)
        return p.takeError();
      pointer = *p;
      return bytes.empty() ? Error::success() : gpu.upload(pointer, bytes);
    };
    if (Error error =
            joinErrors(joinErrors(allocate(ops.deviceA, ops.a, ops.a.size()),
                                  allocate(ops.deviceB, ops.b, ops.b.size())),
                       allocate(ops.deviceC, {}, c.size())))
      return fail(std::move(error));
    Result cublas;
    if (cublasGemm)
      cublas = runCublas(gpu, *cublasGemm, s, *type, ops, c);
    else
      c.clear();
    // The device copies are released before the generated plan allocates
    // its own.
    consumeError(gpu.free(ops.deviceA));
    consumeError(gpu.free(ops.deviceB));
    consumeError(gpu.free(ops.deviceC));

    Result generated;
    SmallString<256> path(planDirectory);
    sys::path::append(path,
                      formatv("gemm_{0}_{1}.cuplan", s.text, typeName).str());
    if (!planDirectory.empty() && sys::fs::exists(path)) {
      Expected<LaunchPlan> plan = readLaunchPlanFile(path);
      if (plan) {
        generated = runGenerated(gpu, *plan, s, *type, ops, c);
        ++generatedCount;
      } else {
        generated.check = "error: " + toString(plan.takeError());
        generated.failed = true;
      }
    } else {
      generated.check = "no plan";
      missing.push_back(s.text);
    }
    anyWrong |= cublas.failed || generated.failed;
    std::string ratio = "-";
    if (cublas.ran && generated.ran) {
      double r = cublas.microseconds / generated.microseconds;
      ratio = formatv("{0:F2}", r).str();
      (s.isSkinny() ? worstSkinny : worstLarge) =
          std::min(s.isSkinny() ? worstSkinny : worstLarge, r);
    }
    std::optional<double> modeled = modeledTflops(preset, s, *type);
    outs() << formatv("{0,-16} {1} {2} {3,8} {4,8}  {5}; {6}\n", s.text,
                      formatRate(cublas, s), formatRate(generated, s), ratio,
                      modeled ? formatv("{0:F1}", *modeled).str() : "-",
                      cublas.check, generated.check);
    outs().flush();
  }

  auto goal = [&](const char *what, double worst, double target) {
    if (std::isinf(worst))
      outs() << formatv("{0}: no generated kernel measured\n", what);
    else
      outs() << formatv("{0}: worst generated/cuBLAS speed {1:F2} (goal "
                        ">= {2:F1}): {3}\n",
                        what, worst, target,
                        worst >= target ? "met" : "NOT MET");
  };
  goal("large GEMMs", worstLarge, 0.9);
  goal("skinny GEMMs (M <= 128)", worstSkinny, 0.7);
  if (!missing.empty())
    outs() << "no generated plan for: " << join(missing, ", ") << "\n";
  if (anyWrong) {
    WithColor::error(errs(), "gaon-cuda-bench")
        << "some outputs were wrong (see the checks column)\n";
    return 1;
  }
  return 0;
}
