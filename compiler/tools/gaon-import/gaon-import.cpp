//===- gaon-import.cpp - any model to graph-level MLIR --------------------===//
//
//   gaon-import model.onnx -o model.mlir [--weights-as-args] [--dim N=8]
//   gaon-import model.mlir            (torch-mlir output; TOSA is lowered)
//   gaon-import llama3-8b --phase decode --kv 2048 --batch 8 -o x.mlir
//   gaon-import llama3-8b --stats     (parameters, FLOPs, bytes per phase)
//   gaon-import --list-models
//
//===----------------------------------------------------------------------===//

#include "gaon/Frontend/Import.h"
#include "gaon/Frontend/ModelStats.h"
#include "gaon/Models/Zoo.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace gaon;
namespace cl = llvm::cl;

static cl::OptionCategory category("gaon-import options");

static cl::opt<std::string> input(cl::Positional,
                                  cl::desc("<model.onnx | model.onnxtxt | "
                                           "model.mlir | zoo model name>"),
                                  cl::cat(category));
static cl::opt<std::string> output("o", cl::desc("Output file (default: -)"),
                                   cl::value_desc("file"), cl::init("-"),
                                   cl::cat(category));
static cl::opt<bool> weightsAsArgs(
    "weights-as-args",
    cl::desc("ONNX: floating-point initializers become arguments of @main "
             "(gaon.kind = \"weight\") instead of constants"),
    cl::cat(category));
static cl::list<std::string>
    dims("dim", cl::desc("ONNX: size of a symbolic input dim (name=size)"),
         cl::value_desc("name=size"), cl::cat(category));
static cl::list<std::string>
    inputValues("input-value",
                cl::desc("ONNX: value of a graph input known at compile time "
                         "(name=tensor.pb)"),
                cl::value_desc("name=file"), cl::cat(category));
static cl::opt<bool> foldInputValues(
    "fold-input-values",
    cl::desc("ONNX: treat --input-value inputs as constants everywhere (fold "
             "computations on them)"),
    cl::cat(category));
static cl::opt<int> weightsFromArg(
    "weights-from-arg",
    cl::desc(".mlir: arguments of @main from this index on are weights"),
    cl::init(-1), cl::cat(category));
static cl::opt<bool> noLowerTosa("no-lower-tosa",
                                 cl::desc(".mlir: keep TOSA ops as they are"),
                                 cl::cat(category));
// Spelled --stats on the command line; LLVM owns the name "stats" (its
// statistics flag), so main() maps --stats to --model-stats.
static cl::opt<bool> stats("model-stats",
                           cl::desc("(--stats) Print parameters, FLOPs and "
                                    "bytes (per phase for LLMs) instead of the "
                                    "IR"),
                           cl::cat(category));
static cl::opt<bool> listModels("list-models",
                                cl::desc("List the model zoo and exit"),
                                cl::cat(category));

// Zoo options.
static cl::opt<std::string> phase("phase",
                                  cl::desc("LLMs: prefill (default) or decode"),
                                  cl::cat(category));
static cl::opt<std::string>
    precision("precision", cl::desc("fp32, bf16, fp8 or int8 (W8A16)"),
              cl::cat(category));
static cl::opt<int64_t> batch("batch", cl::desc("Batch size"), cl::init(1),
                              cl::cat(category));
static cl::opt<int64_t> seq("seq", cl::desc("Tokens of a prefill (def. 128)"),
                            cl::init(0), cl::cat(category));
static cl::opt<int64_t> kv("kv", cl::desc("Decode: KV-cache length (def. 512)"),
                           cl::init(0), cl::cat(category));
static cl::opt<int64_t> layers("layers", cl::desc("Reduced: number of layers"),
                               cl::init(0), cl::cat(category));
static cl::opt<int64_t> hidden("hidden",
                               cl::desc("Reduced: hidden size (ResNet: stem "
                                        "width)"),
                               cl::init(0), cl::cat(category));
static cl::opt<int64_t> heads("heads", cl::desc("Reduced: attention heads"),
                              cl::init(0), cl::cat(category));
static cl::opt<int64_t> kvHeads("kv-heads", cl::desc("Reduced: KV heads"),
                                cl::init(0), cl::cat(category));
static cl::opt<int64_t> ffn("ffn", cl::desc("Reduced: FFN size"), cl::init(0),
                            cl::cat(category));
static cl::opt<int64_t> vocab("vocab", cl::desc("Reduced: vocabulary"),
                              cl::init(0), cl::cat(category));
static cl::opt<int64_t> image("image", cl::desc("CNN/ViT: image side"),
                              cl::init(0), cl::cat(category));

static cl::opt<bool> hostEmbeddings(
    "host-embeddings",
    cl::desc("LLMs/BERT: take inputs_embeds (and RoPE tables and the causal "
             "mask) from the host instead of token ids: no gathers or index "
             "arithmetic in the graph, as the NPU path needs"),
    cl::cat(category));

static int fail(const llvm::Twine &message) {
  std::string text = message.str();
  // Import errors arrive as "file:line: error: ..." already.
  if (llvm::StringRef(text).contains(": error: ") ||
      llvm::StringRef(text).starts_with("error: "))
    llvm::errs() << text << "\n";
  else
    llvm::WithColor::error(llvm::errs(), "gaon-import") << text << "\n";
  return 1;
}

/// Parses name=value pairs of `list` into `out`; false on a malformed one.
template <typename Fn>
static bool parsePairs(const cl::list<std::string> &list, llvm::StringRef flag,
                       Fn add) {
  for (const std::string &entry : list) {
    auto [name, value] = llvm::StringRef(entry).split('=');
    if (name.empty() || value.empty() || !add(name, value)) {
      fail("malformed --" + flag + " '" + entry + "' (expected name=value)");
      return false;
    }
  }
  return true;
}

/// Prints the stats of one built module, with the closed-form cross-check
/// for zoo models; returns false when they disagree.
static bool printPhase(mlir::ModuleOp module, const models::ModelConfig *config,
                       llvm::raw_ostream &os) {
  frontend::ModelStats s = frontend::computeStats(module);
  frontend::printStats(s, os);
  if (!config)
    return true;
  models::ClosedForm cf = models::closedForm(*config);
  bool paramsOk = cf.parameters == s.parameters;
  bool flopsOk = cf.contractionFlops == s.contractionFlops;
  os << "  closed form: parameters " << frontend::formatCount(cf.parameters)
     << (paramsOk ? " (matches)" : " (MISMATCH)") << ", contraction FLOPs "
     << frontend::formatCount(cf.contractionFlops)
     << (flopsOk ? " (matches)" : " (MISMATCH)") << "\n";
  return paramsOk && flopsOk;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::vector<const char *> args(argv, argv + argc);
  for (const char *&arg : args)
    if (llvm::StringRef(arg) == "--stats" || llvm::StringRef(arg) == "-stats")
      arg = "--model-stats";
  // --mlir-print-debuginfo and friends work (hidden from --help); op
  // locations name the layers of zoo models and the nodes of ONNX models.
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      args.size(), args.data(),
      "gaon-import: ONNX files, torch-mlir output or a zoo model name to "
      "Gaon's graph-level MLIR (linalg on tensors)\n");

  if (listModels) {
    for (llvm::StringRef name : models::modelNames())
      llvm::outs() << name << "\n";
    return 0;
  }
  if (input.empty())
    return fail("no input (a model file or a zoo name; see --list-models)");

  frontend::ImportOptions options;
  options.weightsAsArguments = weightsAsArgs;
  options.lowerTosa = !noLowerTosa;
  options.foldInputValues = foldInputValues;
  options.weightsFromArg = weightsFromArg;
  if (!parsePairs(dims, "dim",
                  [&](llvm::StringRef name, llvm::StringRef value) {
                    int64_t v;
                    if (value.getAsInteger(10, v) || v < 1)
                      return false;
                    options.dimBindings[name] = v;
                    return true;
                  }) ||
      !parsePairs(inputValues, "input-value",
                  [&](llvm::StringRef name, llvm::StringRef value) {
                    options.inputValueFiles[name] = value.str();
                    return true;
                  }))
    return 1;

  models::ZooOptions &zoo = options.zoo;
  if (!phase.empty()) {
    zoo.phase = models::parsePhase(phase);
    if (!zoo.phase)
      return fail("unknown --phase '" + phase +
                  "' (prefill, decode or forward)");
  }
  if (!precision.empty()) {
    zoo.precision = models::parsePrecision(precision);
    if (!zoo.precision)
      return fail("unknown --precision '" + precision +
                  "' (fp32, bf16, fp8 or int8)");
  }
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
  zoo.hostEmbeddings = hostEmbeddings;

  std::string error;
  auto out = mlir::openOutputFile(output, &error);
  if (!out)
    return fail(error);

  mlir::MLIRContext context;
  bool isZoo = models::isZooModel(input);
  if (stats) {
    // LLM zoo models without --phase: both phases.
    llvm::SmallVector<std::optional<models::Phase>> phases = {zoo.phase};
    if (isZoo && !zoo.phase) {
      auto cfg = models::resolveConfig(input, zoo);
      if (!cfg)
        return fail(llvm::toString(cfg.takeError()));
      if (cfg->isLLM())
        phases = {models::Phase::Prefill, models::Phase::Decode};
    }
    bool ok = true;
    llvm::raw_ostream &os = out->os();
    for (std::optional<models::Phase> p : phases) {
      frontend::ImportOptions phaseOptions = options;
      phaseOptions.zoo.phase = p;
      auto module = frontend::importModel(input, phaseOptions, context);
      if (!module)
        return fail(llvm::toString(module.takeError()));
      if (isZoo) {
        auto cfg = models::resolveConfig(input, phaseOptions.zoo);
        if (!cfg)
          return fail(llvm::toString(cfg.takeError()));
        os << cfg->name << ": " << models::phaseName(cfg->phase) << ", "
           << models::precisionName(cfg->precision) << ", batch " << cfg->batch;
        if (cfg->phase == models::Phase::Decode)
          os << ", 1 token against a KV cache of " << cfg->kvLen;
        else if (cfg->family != models::Family::ResNet &&
                 cfg->family != models::Family::ViT)
          os << ", " << cfg->seqLen << " tokens";
        else
          os << ", " << cfg->image << "x" << cfg->image << " image";
        os << " (counted from the IR)\n";
        ok &= printPhase(**module, &*cfg, os);
      } else {
        os << input << " (counted from the IR)\n";
        printPhase(**module, nullptr, os);
      }
    }
    out->keep();
    return ok ? 0 : fail("IR counts differ from the closed form");
  }

  auto module = frontend::importModel(input, options, context);
  if (!module)
    return fail(llvm::toString(module.takeError()));
  (*module)->print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
