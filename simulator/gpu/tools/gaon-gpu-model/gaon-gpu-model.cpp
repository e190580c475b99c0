//===- gaon-gpu-model.cpp - Query the GPU performance model ---------------===//
//
// Prints the modeled time of one kernel on a GPU preset, the presets
// themselves, or the model's error against the published measurements the
// presets are calibrated and checked against (docs/gpu.md). Every figure is
// modeled unless a line says "measured" (and those are quoted, not run).
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/GPU/GPUModel.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;
using namespace gaon::sim::gpu;

static cl::OptionCategory category("gaon-gpu-model options");

static cl::opt<std::string> gpuKey("gpu",
                                   cl::desc("GPU preset: a100, h100, "
                                            "h200, l40s"),
                                   cl::init("h100"), cl::cat(category));
static cl::opt<std::string>
    gemmOption("gemm", cl::desc("model a GEMM: MxNxK or BxMxNxK"),
               cl::value_desc("sizes"), cl::cat(category));
static cl::opt<std::string>
    tileOption("tile",
               cl::desc("GEMM tile MxNxK (default: the fastest of the "
                        "candidates, as a tuned library picks)"),
               cl::value_desc("sizes"), cl::cat(category));
static cl::opt<unsigned> splitKOption("split-k",
                                      cl::desc("split-K factor for --tile"),
                                      cl::init(1), cl::cat(category));
static cl::opt<std::string> attentionOption(
    "attention",
    cl::desc("model fused attention: batch,heads,kvHeads,queryLength,"
             "keyLength,headDim"),
    cl::value_desc("sizes"), cl::cat(category));
static cl::opt<bool> causalOption("causal", cl::desc("causal attention mask"),
                                  cl::cat(category));
static cl::opt<double>
    streamingBytes("streaming-bytes",
                   cl::desc("model a streaming (elementwise or reduction) "
                            "kernel moving this many bytes"),
                   cl::init(0), cl::cat(category));
static cl::opt<double> streamingFlops("streaming-flops",
                                      cl::desc("its FP32 operations"),
                                      cl::init(0), cl::cat(category));
static cl::opt<int64_t>
    streamingParallelism("streaming-parallelism",
                         cl::desc("its independent rows or blocks (0: many)"),
                         cl::init(0), cl::cat(category));
static cl::opt<std::string>
    precisionOption("precision",
                    cl::desc("fp32, tf32, fp16, bf16, fp8 or int8"),
                    cl::init("bf16"), cl::cat(category));
static cl::opt<bool> listGPUs("list-gpus",
                              cl::desc("print the presets and their sources"),
                              cl::cat(category));
static cl::opt<bool>
    calibration("calibration",
                cl::desc("print the model's error against published "
                         "measurements (docs/gpu.md)"),
                cl::cat(category));

static constexpr double kTera = 1e12, kGiga = 1e9;

/// Parses "AxBxC..." into exactly `count` (or `count - 1`, with a leading 1
/// added) positive integers.
static Expected<SmallVector<int64_t>> parseSizes(StringRef text, char separator,
                                                 unsigned count,
                                                 bool leadingOptional) {
  SmallVector<StringRef> parts;
  text.split(parts, separator);
  SmallVector<int64_t> sizes;
  if (leadingOptional && parts.size() == count - 1)
    sizes.push_back(1);
  for (StringRef part : parts) {
    int64_t value = 0;
    if (part.trim().getAsInteger(10, value) || value < 1)
      return createStringError(inconvertibleErrorCode(),
                               "'" + text + "': '" + part +
                                   "' is not a positive integer");
    sizes.push_back(value);
  }
  if (sizes.size() != count)
    return createStringError(inconvertibleErrorCode(),
                             "'" + text + "' needs " + Twine(count) + " sizes");
  return sizes;
}

static std::string formatSeconds(double seconds) {
  if (seconds >= 1e-3)
    return formatv("{0:F3} ms", seconds * 1e3).str();
  return formatv("{0:F2} us", seconds * 1e6).str();
}

static void printEstimate(raw_ostream &os, const KernelEstimate &e) {
  os << formatv("  time          {0}\n", formatSeconds(e.seconds));
  os << formatv("  throughput    {0:F1} TFLOP/s, {1:F1} GB/s DRAM "
                "({2:F3} GB moved)\n",
                e.getFlopsPerSecond() / kTera, e.getBytesPerSecond() / kGiga,
                e.dramBytes / kGiga);
  os << formatv("  bound         {0} ({1})\n", stringifyBound(e.bound),
                e.limiter);
  if (e.tile.m)
    os << formatv("  tile          {0}x{1}x{2}, {3} stages, split {4}, "
                  "{5} threads, {6} bytes shared memory\n",
                  e.tile.m, e.tile.n, e.tile.k, e.tile.stages, e.tile.splitK,
                  e.tile.threads, e.tile.sharedMemoryBytes);
  if (e.blocksPerMultiprocessor)
    os << formatv("  blocks        {0}, {1} per SM, {2} waves, {3:P1} wave "
                  "efficiency\n",
                  e.blocks, e.blocksPerMultiprocessor, e.waves,
                  e.waveEfficiency);
  os << formatv("  terms         compute {0}, SFU {1}, shared {2}, L2 {3}, "
                "DRAM {4}, fixed {5}\n",
                formatSeconds(e.computeSeconds), formatSeconds(e.sfuSeconds),
                formatSeconds(e.sharedMemorySeconds),
                formatSeconds(e.l2Seconds), formatSeconds(e.dramSeconds),
                formatSeconds(e.fixedSeconds));
}

static void printPresets(raw_ostream &os) {
  os << "GPU presets ([S] datasheet, [G] CUDA programming guide, "
        "[A] assumption, [C] calibrated; docs/gpu.md; A100's L2 bandwidth is "
        "the whitepaper's 5120 B/clock)\n";
  for (const GPUChip &c : getGPUChipPresets()) {
    os << formatv("{0} ({1}): {2}\n", c.key, c.chip, c.name);
    os << formatv("  [S] {0} SMs, {1:F2} GHz boost; dense TFLOPS:",
                  c.multiprocessors, c.clockHz / kGiga);
    for (Precision p : {Precision::BF16, Precision::FP16, Precision::TF32,
                        Precision::FP8, Precision::INT8, Precision::FP32}) {
      double flops = c.getPeakFlops(p);
      os << " " << stringifyPrecision(p) << " ";
      if (flops > 0)
        os << formatv("{0:F1}", flops / kTera);
      else
        os << "-";
    }
    os << "\n";
    os << formatv("  [S] DRAM {0:F3} TB/s, {1} GiB; L2 {2} MiB; {3} KiB "
                  "shared memory per SM; TDP {4:F0} W\n",
                  c.dramBytesPerSecond / kTera, c.dramBytes >> 30,
                  c.l2Bytes >> 20, c.sharedMemoryPerMultiprocessor >> 10,
                  c.thermalDesignPowerWatts);
    os << formatv("  [G] {0} registers, {1} threads, {2} blocks per SM; {3} "
                  "KiB shared memory per block\n",
                  c.registersPerMultiprocessor, c.maxThreadsPerMultiprocessor,
                  c.maxBlocksPerMultiprocessor,
                  c.maxSharedMemoryPerBlock >> 10);
    os << formatv("  [A] L2 {0:F1} TB/s, DRAM latency {1:F0} ns, launch "
                  "overhead {2:F1} us\n",
                  c.l2BytesPerSecond / kTera, c.dramLatencySeconds * 1e9,
                  c.launchOverheadSeconds * 1e6);
    os << formatv("  [C] tensor efficiency {0:F2}, DRAM efficiency {1:F2}\n",
                  c.tensorEfficiency, c.dramEfficiency);
  }
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

/// The best modeled GEMM rate over the MAMF finder's shape range (1024 to
/// 20480 in M, N and K), sampled every 1024.
static double modelMamf(const GPUModel &model, Precision precision) {
  double best = 0;
  for (int64_t m = 1024; m <= 20480; m += 1024)
    for (int64_t n = 1024; n <= 20480; n += 1024)
      for (int64_t k = 1024; k <= 20480; k += 1024) {
        GemmShape shape{1, m, n, k, precision, 0};
        Expected<KernelEstimate> e = model.estimateGemm(shape);
        if (!e) {
          consumeError(e.takeError());
          continue;
        }
        best = std::max(best, e->getFlopsPerSecond());
      }
  return best;
}

namespace {
/// A Llama-style decoder (RMSNorm, RoPE, grouped-query attention, SwiGLU).
struct Decoder {
  const char *name;
  int64_t hidden, layers, heads, kvHeads, headDim, intermediate, vocab;
};
} // namespace

static double secondsOf(Expected<KernelEstimate> estimate) {
  if (!estimate) {
    WithColor::error() << toString(estimate.takeError()) << "\n";
    std::exit(1);
  }
  return estimate->seconds;
}

/// Modeled time of one forward pass over `tokens` new tokens with
/// `context` tokens of attention context, as the kernels an unfused
/// inference engine launches per layer; logits for the last token only.
static double modelForward(const GPUModel &model, const Decoder &d,
                           int64_t tokens, int64_t context,
                           Precision gemmPrecision) {
  const double act = 2; // bf16/fp16 activations
  const double t = tokens, h = d.hidden, inter = d.intermediate;
  auto gemm = [&](int64_t m, int64_t n, int64_t k) {
    return secondsOf(model.estimateGemm({1, m, n, k, gemmPrecision, 2}));
  };
  auto stream = [&](double bytes, double flops, double transcendentals,
                    int64_t parallelism) {
    return secondsOf(
        model.estimateStreaming({bytes, flops, transcendentals, parallelism}));
  };
  double rmsNorm = stream(2 * t * h * act + h * act, 4 * t * h, t, tokens);
  double qkvWidth = (d.heads + 2 * d.kvHeads) * d.headDim;
  double layer = rmsNorm + gemm(tokens, qkvWidth, d.hidden) +
                 stream(2 * t * (d.heads + d.kvHeads) * d.headDim * act,
                        6 * t * (d.heads + d.kvHeads) * d.headDim, 0,
                        tokens * (d.heads + d.kvHeads)) +
                 secondsOf(model.estimateAttention(
                     {1, d.heads, d.kvHeads, tokens, context, d.headDim,
                      Precision::BF16, tokens > 1})) +
                 gemm(tokens, d.hidden, d.heads * d.headDim) +
                 stream(3 * t * h * act, t * h, 0, 0) + rmsNorm +
                 gemm(tokens, 2 * d.intermediate, d.hidden) +
                 stream(3 * t * inter * act, 4 * t * inter, t * inter, 0) +
                 gemm(tokens, d.hidden, d.intermediate) +
                 stream(3 * t * h * act, t * h, 0, 0);
  double embedding = stream(2 * t * h * act, 0, 0, tokens);
  double head = stream(2 * h * act, 4 * h, 1, 1) + gemm(1, d.vocab, d.hidden);
  return embedding + d.layers * layer + head;
}

/// A preset the calibration needs; they are built in, so this cannot fail.
static const GPUChip &cantFailChip(StringRef key) {
  return cantFail(lookupGPUChip(key));
}

namespace {
struct Comparison {
  std::string figure;
  double measured, modeled;
  const char *unit;
  const char *sample; // "in-sample" when the figure calibrated the model
};
} // namespace

static void printCalibration(raw_ostream &os) {
  const GPUModel a100(cantFailChip("a100")), h100(cantFailChip("h100")),
      h200(cantFailChip("h200"));
  static const Decoder llama31_8b{"Llama-3.1-8B", 4096,  32, 32, 8, 128,
                                  14336,          128256};
  static const Decoder llama_7b{"LLaMA-7B", 4096, 32,    32,
                                32,         128,  11008, 32000};

  std::vector<Comparison> rows;
  rows.push_back({"A100 BF16 GEMM, best over shapes (MAMF)", 271.2,
                  modelMamf(a100, Precision::BF16) / kTera, "TFLOP/s",
                  "in-sample"});
  rows.push_back({"H100 BF16 GEMM, best over shapes (MAMF)", 794.5,
                  modelMamf(h100, Precision::BF16) / kTera, "TFLOP/s",
                  "in-sample"});
  rows.push_back({"H100 FP8 GEMM, best over shapes (MAMF)", 1402.6,
                  modelMamf(h100, Precision::FP8) / kTera, "TFLOP/s",
                  "out-of-sample"});
  double h200Gemm =
      secondsOf(h200.estimateGemm({1, 8192, 8192, 8192, Precision::BF16, 0}));
  rows.push_back({"H200 BF16 GEMM 8192^3 (PyTorch, 770-800)", 785,
                  2.0 * 8192 * 8192 * 8192 / h200Gemm / kTera, "TFLOP/s",
                  "out-of-sample"});
  // A device-to-device copy of 4 GiB reads and writes it.
  double copyBytes = 2.0 * (4ull << 30);
  rows.push_back(
      {"H200 device-to-device copy (read+write)", 4.3,
       copyBytes / secondsOf(h200.estimateStreaming({copyBytes, 0, 0, 0})) /
           kTera,
       "TB/s", "in-sample"});
  rows.push_back(
      {"H100 Llama-3.1-8B BF16 decode, batch 1 (vLLM)", 10.4,
       modelForward(h100, llama31_8b, 1, 1024, Precision::BF16) * 1e3,
       "ms/token", "out-of-sample"});
  rows.push_back({"H100 LLaMA-7B FP8 first token, 128 in (TRT-LLM)", 7,
                  modelForward(h100, llama_7b, 128, 128, Precision::FP8) * 1e3,
                  "ms", "out-of-sample"});
  rows.push_back(
      {"H100 LLaMA-7B FP8 first token, 2048 in (TRT-LLM)", 36,
       modelForward(h100, llama_7b, 2048, 2048, Precision::FP8) * 1e3, "ms",
       "out-of-sample"});

  os << "GPU performance model vs published measurements (measured figures "
        "quoted from docs/gpu.md; modeled figures computed now)\n";
  os << formatv("{0,-50} {1,10} {2,10} {3,8}  {4,-9} {5}\n", "figure",
                "measured", "modeled", "error", "unit", "sample");
  for (const Comparison &row : rows)
    os << formatv("{0,-50} {1,10:F1} {2,10:F1} {3,7:F1}%  {4,-9} {5}\n",
                  row.figure, row.measured, row.modeled,
                  100.0 * (row.modeled - row.measured) / row.measured, row.unit,
                  row.sample);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Gaon GPU performance model: modeled kernel times on NVIDIA presets\n");
  auto fail = [](Error error) {
    WithColor::error(errs(), "gaon-gpu-model")
        << toString(std::move(error)) << "\n";
    return 1;
  };

  if (listGPUs) {
    printPresets(outs());
    return 0;
  }
  if (calibration) {
    printCalibration(outs());
    return 0;
  }
  Expected<const GPUChip &> chip = lookupGPUChip(gpuKey);
  if (!chip)
    return fail(chip.takeError());
  std::optional<Precision> precision = symbolizePrecision(precisionOption);
  if (!precision)
    return fail(createStringError(inconvertibleErrorCode(),
                                  "unknown precision '" + precisionOption +
                                      "'; use fp32, tf32, fp16, bf16, fp8 or "
                                      "int8"));
  GPUModel model(*chip);

  Expected<KernelEstimate> estimate = createStringError(
      inconvertibleErrorCode(),
      "nothing to model: give --gemm, --attention, --streaming-bytes, "
      "--list-gpus or --calibration");
  std::string what;
  if (!gemmOption.empty()) {
    consumeError(estimate.takeError());
    Expected<SmallVector<int64_t>> sizes = parseSizes(gemmOption, 'x', 4, true);
    if (!sizes)
      return fail(sizes.takeError());
    GemmShape shape{(*sizes)[0], (*sizes)[1], (*sizes)[2],
                    (*sizes)[3], *precision,  0};
    what = formatv("GEMM {0}x{1}x{2}x{3} {4}", shape.batch, shape.m, shape.n,
                   shape.k, stringifyPrecision(shape.precision));
    if (tileOption.empty()) {
      estimate = model.estimateGemm(shape);
    } else {
      Expected<SmallVector<int64_t>> tile =
          parseSizes(tileOption, 'x', 3, false);
      if (!tile)
        return fail(tile.takeError());
      GemmTile t;
      t.m = (*tile)[0];
      t.n = (*tile)[1];
      t.k = (*tile)[2];
      t.splitK = splitKOption;
      estimate = model.estimateGemm(shape, t);
    }
  } else if (!attentionOption.empty()) {
    consumeError(estimate.takeError());
    Expected<SmallVector<int64_t>> s =
        parseSizes(attentionOption, ',', 6, false);
    if (!s)
      return fail(s.takeError());
    AttentionShape shape{(*s)[0], (*s)[1], (*s)[2],    (*s)[3],
                         (*s)[4], (*s)[5], *precision, causalOption};
    what =
        formatv("attention batch {0}, {1}/{2} heads, {3}x{4} tokens, "
                "head dim {5}{6}",
                shape.batch, shape.heads, shape.kvHeads, shape.queryLength,
                shape.keyLength, shape.headDim, shape.causal ? ", causal" : "");
    estimate = model.estimateAttention(shape);
  } else if (streamingBytes > 0) {
    consumeError(estimate.takeError());
    what = formatv("streaming kernel, {0} bytes, {1} FLOP", streamingBytes,
                   streamingFlops);
    estimate = model.estimateStreaming(
        {streamingBytes, streamingFlops, 0, streamingParallelism});
  }
  if (!estimate)
    return fail(estimate.takeError());
  outs() << chip->name << ", " << what << " (modeled)\n";
  printEstimate(outs(), *estimate);
  return 0;
}
