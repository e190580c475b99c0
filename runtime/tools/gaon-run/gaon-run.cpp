//===- gaon-run.cpp - Run a model on several backends and compare ---------===//
//
//   gaon-run <model.mlir|model.onnx|zoo-name> --backends cpu,npu:rngd,...
//            [--seed N] [--inputs a.npy,b.npy] [--baseline NAME]
//            [--report out.html] [--json out.json] [--csv out.csv]
//            [--outputs DIR] [--dump-layers DIR] [--no-check]
//
// Prints the comparison table; exits 1 when a backend fails or a numeric
// check does not pass. docs/runtime.md is the user guide.
//
//===----------------------------------------------------------------------===//

#include "gaon/Frontend/Import.h"
#include "gaon/Frontend/ModelStats.h"
#include "gaon/InitAll.h"
#include "gaon/Models/Zoo.h"
#include "gaon/Runtime/Backends.h"
#include "gaon/Runtime/Comparison.h"
#include "gaon/Runtime/Model.h"
#include "gaon/Runtime/RunReport.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace gaon::runtime;
namespace cl = llvm::cl;

static cl::OptionCategory category("gaon-run options");

static cl::opt<std::string>
    modelArgument(cl::Positional, cl::Required,
                  cl::desc("<model.mlir | model.onnx | zoo model name>"),
                  cl::cat(category));
static cl::list<std::string>
    backendSpecs("backends", cl::CommaSeparated,
                 cl::desc("Backends to run, comma-separated (default: cpu)"),
                 cl::value_desc("spec,..."), cl::cat(category));
static cl::opt<std::string>
    baseline("baseline",
             cl::desc("Backend the speed-ups are over (default: the first)"),
             cl::value_desc("name"), cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("Seed of the random inputs"),
                              cl::cat(category));
static cl::list<std::string>
    inputFiles("inputs", cl::CommaSeparated,
               cl::desc(".npy file per argument, in order (an empty entry "
                        "keeps that argument random)"),
               cl::value_desc("a.npy,..."), cl::cat(category));
static cl::opt<std::string> entry("entry",
                                  cl::desc("Function to run (default: @main "
                                           "or the only public function)"),
                                  cl::value_desc("name"), cl::cat(category));
static cl::opt<std::string> htmlPath("report",
                                     cl::desc("Write the HTML report"),
                                     cl::value_desc("out.html"),
                                     cl::cat(category));
static cl::opt<std::string> jsonPath("json", cl::desc("Write the JSON report"),
                                     cl::value_desc("out.json"),
                                     cl::cat(category));
static cl::opt<std::string> csvPath("csv",
                                    cl::desc("Write every figure as CSV"),
                                    cl::value_desc("out.csv"),
                                    cl::cat(category));
static cl::opt<std::string>
    outputDirectory("outputs",
                    cl::desc("Write inputs and each backend's outputs as .npy "
                             "under this directory"),
                    cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string>
    layerDirectory("dump-layers",
                   cl::desc("Dump every intermediate tensor per backend under "
                            "this directory and report the first op that "
                            "diverges from the reference"),
                   cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool>
    noCheck("no-check",
            cl::desc("Do not compute or check values: timing only where the "
                     "backend allows (NPU timing mode)"),
            cl::cat(category));
static cl::list<std::string>
    chipOverrides("set",
                  cl::desc("Override a field of the NPU chip descriptions, as "
                           "gaon-sim --set does"),
                  cl::value_desc("path=value"), cl::cat(category));
static cl::opt<bool>
    modelCuda("model-cuda",
              cl::desc("Use the GPU performance model for cuda backends even "
                       "where a CUDA driver is present"),
              cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Do not print the table"),
                           cl::cat(category));
// The model's import (as gaon-import takes them).
static cl::OptionCategory
    importCategory("model import options (as gaon-import)");
static cl::opt<bool>
    stats("model-stats",
          cl::desc("(--stats) Print the model's parameters, FLOPs and bytes "
                   "(per phase for LLMs) and exit"),
          cl::cat(importCategory));
static cl::opt<std::string>
    phase("phase", cl::desc("Zoo LLMs: prefill (default) or decode"),
          cl::cat(importCategory));
static cl::opt<std::string>
    precision("precision", cl::desc("Zoo: fp32, bf16, fp8 or int8 (W8A16)"),
              cl::cat(importCategory));
static cl::opt<int64_t> batch("batch", cl::desc("Zoo: batch size"), cl::init(1),
                              cl::cat(importCategory));
static cl::opt<int64_t> seq("seq", cl::desc("Zoo: tokens of a prefill"),
                            cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> kv("kv", cl::desc("Zoo decode: KV-cache length"),
                           cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> layers("layers",
                               cl::desc("Zoo, reduced: number of layers"),
                               cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> hidden("hidden", cl::desc("Zoo, reduced: hidden size"),
                               cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> heads("heads", cl::desc("Zoo, reduced: heads"),
                              cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> kvHeads("kv-heads", cl::desc("Zoo, reduced: KV heads"),
                                cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> ffn("ffn", cl::desc("Zoo, reduced: FFN size"),
                            cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> vocab("vocab", cl::desc("Zoo, reduced: vocabulary"),
                              cl::init(0), cl::cat(importCategory));
static cl::opt<int64_t> image("image", cl::desc("Zoo CNN/ViT: image side"),
                              cl::init(0), cl::cat(importCategory));
static cl::opt<cl::boolOrDefault> hostEmbeddings(
    "host-embeddings",
    cl::desc("Zoo LLMs/BERT: the host does the embedding lookup, RoPE tables "
             "and causal mask; the graph takes inputs_embeds (default: on "
             "when an npu backend is listed, since NPUs do not gather)"),
    cl::cat(importCategory));
static cl::opt<bool> weightsAsArgs(
    "weights-as-args",
    cl::desc("ONNX: floating-point initializers become arguments"),
    cl::cat(importCategory));
static cl::list<std::string>
    dims("dim", cl::desc("ONNX: size of a symbolic input dimension"),
         cl::value_desc("name=size"), cl::cat(importCategory));

static cl::opt<cl::boolOrDefault>
    progress("progress",
             cl::desc("Show a progress line on stderr (default: when stderr "
                      "is a terminal)"),
             cl::cat(category));

namespace {

/// A single status line on stderr, rewritten in place, at most ten times a
/// second.
class ProgressLine {
public:
  explicit ProgressLine(bool enabled) : enabled(enabled) {}
  ~ProgressLine() { clear(); }

  void update(llvm::StringRef label, double fraction) {
    if (!enabled)
      return;
    auto now = std::chrono::steady_clock::now();
    if (label == lastLabel && fraction < 1 &&
        now - lastPrint < std::chrono::milliseconds(100))
      return;
    lastPrint = now;
    lastLabel = label.str();
    std::string line = label.str();
    if (fraction > 0 && fraction < 1)
      line += " " + std::to_string(static_cast<int>(fraction * 100)) + "%";
    llvm::errs() << "\r" << line;
    if (line.size() < width)
      llvm::errs().indent(width - line.size());
    width = line.size();
    llvm::errs().flush();
  }

  void clear() {
    if (!enabled || width == 0)
      return;
    llvm::errs() << "\r";
    llvm::errs().indent(width);
    llvm::errs() << "\r";
    llvm::errs().flush();
    width = 0;
  }

private:
  bool enabled;
  size_t width = 0;
  std::string lastLabel;
  std::chrono::steady_clock::time_point lastPrint;
};

int fail(llvm::Error error) {
  std::string text = llvm::toString(std::move(error));
  // Import errors arrive as "file:line: error: ..." already.
  if (llvm::StringRef(text).contains(": error: ") ||
      llvm::StringRef(text).starts_with("error: "))
    llvm::errs() << text << "\n";
  else
    llvm::WithColor::error(llvm::errs(), "gaon-run") << text << "\n";
  return 1;
}

/// The import options the command line gives.
llvm::Expected<gaon::frontend::ImportOptions> getImportOptions() {
  gaon::frontend::ImportOptions options;
  options.weightsAsArguments = weightsAsArgs;
  for (const std::string &entry : dims) {
    auto [name, value] = llvm::StringRef(entry).split('=');
    int64_t size;
    if (name.empty() || value.getAsInteger(10, size) || size < 1)
      return llvm::createStringError("malformed --dim '" + entry +
                                     "' (expected name=size)");
    options.dimBindings[name] = size;
  }
  gaon::models::ZooOptions &zoo = options.zoo;
  if (!phase.empty() && !(zoo.phase = gaon::models::parsePhase(phase)))
    return llvm::createStringError("unknown --phase '" + phase +
                                   "' (prefill, decode or forward)");
  if (!precision.empty() &&
      !(zoo.precision = gaon::models::parsePrecision(precision)))
    return llvm::createStringError("unknown --precision '" + precision +
                                   "' (fp32, bf16, fp8 or int8)");
  zoo.batch = batch;
  zoo.seqLen = seq;
  zoo.kvLen = kv;
  zoo.layers = layers;
  zoo.hidden = hidden;
  zoo.heads = heads;
  zoo.kvHeads = kvHeads;
  zoo.ffn = ffn;
  zoo.vocab = vocab;
  zoo.image = image;
  bool npuListed = llvm::any_of(backendSpecs, [](const std::string &spec) {
    return llvm::StringRef(spec).starts_with("npu:");
  });
  zoo.hostEmbeddings = hostEmbeddings == cl::BOU_UNSET
                           ? npuListed
                           : hostEmbeddings == cl::BOU_TRUE;
  return options;
}

/// Imports the model (a file or a zoo name) and, for zoo models, counts
/// its work in tokens (LLMs) or items.
llvm::Expected<Model> loadModel(llvm::StringRef argument,
                                const gaon::frontend::ImportOptions &options,
                                mlir::MLIRContext &context) {
  auto module = gaon::frontend::importModel(argument, options, context);
  if (!module)
    return module.takeError();
  auto model = makeModel(std::move(*module), argument, entry);
  if (!model || !gaon::models::isZooModel(argument))
    return model;
  auto config = gaon::models::resolveConfig(argument, options.zoo);
  if (!config)
    return config.takeError();
  model->name = config->name;
  if (config->isLLM()) {
    model->name += "-" + gaon::models::phaseName(config->phase).str();
    model->workUnit = "tokens";
    model->workPerRun = double(config->batch * config->tokens());
    model->workSource = "batch " + std::to_string(config->batch) + " x " +
                        std::to_string(config->tokens()) + " token" +
                        (config->tokens() == 1 ? "" : "s") + " (" +
                        gaon::models::phaseName(config->phase).str() + ")";
  } else {
    model->workPerRun = double(config->batch);
    model->workSource = "batch " + std::to_string(config->batch);
  }
  if (config->hostEmbeddings &&
      (config->isLLM() || config->family == gaon::models::Family::BERT))
    model->workSource += "; embeddings looked up on the host";
  return model;
}

/// --stats: the counts of the model (both phases of an LLM zoo model
/// unless --phase picks one).
int printModelStats(llvm::StringRef argument,
                    gaon::frontend::ImportOptions options,
                    mlir::MLIRContext &context) {
  llvm::SmallVector<std::optional<gaon::models::Phase>> phases = {
      options.zoo.phase};
  if (gaon::models::isZooModel(argument) && !options.zoo.phase) {
    auto config = gaon::models::resolveConfig(argument, options.zoo);
    if (!config)
      return fail(config.takeError());
    if (config->isLLM())
      phases = {gaon::models::Phase::Prefill, gaon::models::Phase::Decode};
  }
  for (std::optional<gaon::models::Phase> phase : phases) {
    options.zoo.phase = phase;
    auto model = loadModel(argument, options, context);
    if (!model)
      return fail(model.takeError());
    llvm::outs() << model->name << " (" << model->workSource
                 << "; counted from the IR)\n";
    gaon::frontend::printStats(gaon::frontend::computeStats(*model->module),
                               llvm::outs());
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // LLVM owns -stats (its pass statistics); --stats means the model's.
  std::vector<const char *> args(argv, argv + argc);
  for (const char *&arg : args)
    if (llvm::StringRef(arg) == "--stats" || llvm::StringRef(arg) == "-stats")
      arg = "--model-stats";
  cl::HideUnrelatedOptions({&category, &importCategory});
  cl::ParseCommandLineOptions(
      args.size(), args.data(),
      "gaon-run: run one model on several backends, check every backend's "
      "outputs against the CPU reference and compare their performance.\n\n" +
          getBackendSpecHelp());

  mlir::DialectRegistry registry;
  gaon::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();

  auto importOptions = getImportOptions();
  if (!importOptions)
    return fail(importOptions.takeError());
  if (stats)
    return printModelStats(modelArgument, *importOptions, context);
  auto model = loadModel(modelArgument, *importOptions, context);
  if (!model)
    return fail(model.takeError());

  BackendOptions backendOptions;
  backendOptions.chipOverrides = chipOverrides;
  backendOptions.modelCuda = modelCuda;
  std::vector<std::string> specs(backendSpecs.begin(), backendSpecs.end());
  if (specs.empty())
    specs.push_back("cpu");
  std::vector<std::unique_ptr<Backend>> owned;
  std::vector<Backend *> backends;
  Backend *reference = nullptr;
  for (const std::string &spec : specs) {
    if (llvm::any_of(backends, [&](Backend *backend) {
          return backend->getInfo().name == spec;
        }))
      return fail(
          llvm::createStringError("backend '" + spec + "' is listed twice"));
    auto backend = createBackend(spec, backendOptions);
    if (!backend)
      return fail(backend.takeError());
    backends.push_back(backend->get());
    if (spec == "cpu")
      reference = backend->get();
    owned.push_back(std::move(*backend));
  }
  // The numeric check needs the reference even when it is not listed.
  if (!reference && !noCheck) {
    owned.push_back(createCPUBackend());
    reference = owned.back().get();
  }

  ProgressLine line(progress == cl::BOU_UNSET ? llvm::errs().is_displayed()
                                              : progress == cl::BOU_TRUE);
  ComparisonOptions options;
  options.seed = seed;
  options.inputFiles.assign(inputFiles.begin(), inputFiles.end());
  options.baseline = baseline;
  options.checkValues = !noCheck;
  options.outputDirectory = outputDirectory;
  options.layerDirectory = layerDirectory;
  options.onProgress = [&](llvm::StringRef label, double fraction) {
    line.update(label, fraction);
  };
  auto report = runComparison(*model, backends, reference, options);
  line.clear();
  if (!report)
    return fail(report.takeError());

  if (!quiet)
    printTable(*report, llvm::outs());
  struct {
    const std::string &path;
    void (*writer)(const RunReport &, llvm::raw_ostream &);
  } files[] = {
      {htmlPath, writeHtml}, {jsonPath, writeJson}, {csvPath, writeCsv}};
  for (const auto &file : files) {
    if (file.path.empty())
      continue;
    if (llvm::Error error = writeReportFile(file.path, *report, file.writer))
      return fail(std::move(error));
    if (!quiet)
      llvm::outs() << "wrote " << file.path << "\n";
  }
  return report->isSuccess() ? 0 : 1;
}
