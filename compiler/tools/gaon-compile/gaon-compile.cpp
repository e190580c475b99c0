//===- gaon-compile.cpp - compile a model for a target
//---------------------===//
//
//   gaon-compile in.mlir --target npu:rngd -o out.npu
//   gaon-compile in.mlir --target npu:my-chip.yaml --set
//   core.sram.bytes=1048576
//
// Parses linalg-on-tensors (or TOSA) MLIR, runs the target's pipeline and
// writes what the target runs (an NPU program in text or binary form), or
// the final IR with --emit=mlir. --dump-after / --print-ir-after-all show the
// IR between passes and --timing prints the time of every pass and phase.
//
// A target kind ("npu") is a TargetBackend: a pipeline builder plus an
// emitter. Another kind (e.g. "cuda:sm_90") plugs in by adding an entry to
// getBackends() below.
//
//===----------------------------------------------------------------------===//

#include "gaon/InitAll.h"
#include "gaon/Pipelines/NPUPipeline.h"
#include "gaon/Sim/ProgramIO.h"
#include "gaon/Target/NPU/Serialize.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("gaon-compile options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    targetSpec("target",
               cl::desc("Target: npu:<preset> (rngd, warboy, atom, "
                        "rebel-quad, x220, systolic-32x32) or "
                        "npu:<chip.yaml>"),
               cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
static cl::list<std::string>
    overrides("set", cl::desc("Edit the chip description: path=value"),
              cl::cat(category));
static cl::opt<std::string>
    emit("emit", cl::desc("What to write: program (default) or mlir"),
         cl::init("program"), cl::cat(category));
static cl::opt<bool> binary("binary",
                            cl::desc("Write the program's binary form"),
                            cl::cat(category));
static cl::opt<std::string>
    pipelineOptions("pipeline-options",
                    cl::desc("Extra options of the target's pipeline, e.g. "
                             "'buffers=1 fuse=false'"),
                    cl::cat(category));
static cl::list<std::string>
    dumpAfter("dump-after",
              cl::desc("Print the IR to stderr after these passes (pass "
                       "arguments, e.g. gaon-tile-linalg)"),
              cl::CommaSeparated, cl::cat(category));
static cl::opt<bool>
    printAfterAll("print-ir-after-all",
                  cl::desc("Print the IR to stderr after every pass"),
                  cl::cat(category));
static cl::opt<bool>
    verifyEach("verify-each",
               cl::desc("Verify the IR after every pass (default: once, "
                        "after the pipeline)"),
               cl::init(false), cl::cat(category));
static cl::opt<bool> timing("timing",
                            cl::desc("Print the time of every phase and pass"),
                            cl::cat(category));

namespace {

/// What a target kind provides: its pipeline and how to write the result.
struct TargetBackend {
  StringRef kind;
  /// Adds the pipeline for target `spec` (the part after "kind:").
  std::function<LogicalResult(OpPassManager &, StringRef spec)> buildPipeline;
  /// Writes the compiled module.
  std::function<LogicalResult(ModuleOp, llvm::raw_ostream &)> emit;
};

} // namespace

static LogicalResult buildNPU(OpPassManager &pm, StringRef spec) {
  gaon::NPUPipelineOptions pipeline;
  if (!pipelineOptions.empty() &&
      failed(pipeline.parseFromString(pipelineOptions))) {
    llvm::errs() << "gaon-compile: invalid --pipeline-options '"
                 << pipelineOptions << "'\n";
    return failure();
  }
  gaon::NPUCompileOptions options = pipeline.toCompileOptions();
  options.target = spec.str();
  options.overrides.assign(overrides.begin(), overrides.end());
  if (failed(gaon::buildNPUPipeline(pm, options))) {
    llvm::errs() << "gaon-compile: stop-after names no pass of the NPU "
                    "pipeline\n";
    return failure();
  }
  return success();
}

static LogicalResult emitNPU(ModuleOp module, llvm::raw_ostream &os) {
  func::FuncOp func;
  for (auto candidate : module.getOps<func::FuncOp>()) {
    if (candidate.isExternal())
      continue;
    if (func)
      return module.emitError()
             << "gaon-compile emits one function per program; the module has "
                "several (@"
             << func.getSymName() << ", @" << candidate.getSymName() << ")";
    func = candidate;
  }
  if (!func)
    return module.emitError() << "the module has no function to compile";
  FailureOr<gaon::npu::CompiledProgram> compiled =
      gaon::npu::serializeFunction(func);
  if (failed(compiled))
    return failure();
  if (!compiled->constants.empty())
    llvm::errs() << "gaon-compile: warning: " << compiled->constants.size()
                 << " constant buffer(s) (weights folded into the IR) must "
                    "be filled by the caller; pass weights as arguments to "
                    "keep them out of the program\n";
  if (binary)
    gaon::sim::writeProgramBinary(compiled->program, os);
  else
    gaon::sim::printProgramText(compiled->program, os);
  return success();
}

/// The target kinds gaon-compile knows. The CUDA path adds
/// {"cuda", buildCuda, emitCuda} here.
static ArrayRef<TargetBackend> getBackends() {
  static const TargetBackend backends[] = {{"npu", buildNPU, emitNPU}};
  return backends;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "gaon-compile: compile linalg/TOSA MLIR for an "
                              "NPU (or another target)\n");

  auto [kind, spec] = StringRef(targetSpec).split(':');
  const TargetBackend *backend = nullptr;
  for (const TargetBackend &candidate : getBackends())
    if (candidate.kind == kind)
      backend = &candidate;
  if (!backend || spec.empty()) {
    llvm::errs() << "gaon-compile: unknown target '" << targetSpec
                 << "'; expected npu:<preset or chip.yaml>\n";
    return 1;
  }
  if (emit != "program" && emit != "mlir") {
    llvm::errs() << "gaon-compile: --emit must be program or mlir\n";
    return 1;
  }

  DefaultTimingManager timingManager;
  timingManager.setEnabled(timing);
  TimingScope rootTiming = timingManager.getRootScope();

  DialectRegistry registry;
  gaon::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the op and its location; a dump of the whole module
  // as the pipeline left it would bury them.
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFile, &message);
  if (!input) {
    llvm::errs() << "gaon-compile: " << message << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());

  OwningOpRef<ModuleOp> module;
  {
    TimingScope parseTiming = rootTiming.nest("parse");
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module)
    return 1;

  PassManager pm(&context);
  // Verifying the whole module after every pass costs more than most passes
  // on large models; the module is verified once at the end instead.
  pm.enableVerifier(verifyEach);
  TimingScope pipelineTiming = rootTiming.nest("pipeline");
  pm.enableTiming(pipelineTiming);
  if (printAfterAll || !dumpAfter.empty()) {
    context.disableMultithreading();
    llvm::SmallVector<std::string> after(dumpAfter.begin(), dumpAfter.end());
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/nullptr,
        [after](Pass *pass, Operation *) {
          return printAfterAll ||
                 llvm::is_contained(after, pass->getArgument().str());
        },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
        /*printAfterOnlyOnFailure=*/false, llvm::errs());
  }
  if (failed(backend->buildPipeline(pm, spec)))
    return 1;
  // A misspelt --dump-after would otherwise print nothing, silently.
  if (!dumpAfter.empty()) {
    std::string text;
    llvm::raw_string_ostream os(text);
    pm.printAsTextualPipeline(os);
    // The pass names: the pipeline text without option blocks and nesting.
    llvm::SmallVector<std::string> names;
    std::string current;
    int depth = 0;
    for (char c : text + ",") {
      if (c == '{' || c == '}') {
        depth += c == '{' ? 1 : -1;
        continue;
      }
      if (depth)
        continue;
      if (c == '(' || c == ')' || c == ',') {
        if (!current.empty() && c != '(' && !llvm::is_contained(names, current))
          names.push_back(current);
        current.clear();
        continue;
      }
      current += c;
    }
    for (const std::string &name : dumpAfter)
      if (!llvm::is_contained(names, name)) {
        llvm::errs() << "gaon-compile: --dump-after=" << name
                     << " names no pass of the pipeline (its passes: "
                     << llvm::join(names, ", ") << ")\n";
        return 1;
      }
  }
  if (failed(pm.run(*module)))
    return 1;
  if (!verifyEach) {
    TimingScope verifyTiming = rootTiming.nest("verify");
    if (failed(verify(*module)))
      return 1;
  }

  TimingScope emitTiming = rootTiming.nest("emit");
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFile, &message);
  if (!output) {
    llvm::errs() << "gaon-compile: " << message << "\n";
    return 1;
  }
  if (emit == "mlir") {
    module->print(output->os());
  } else if (failed(backend->emit(*module, output->os()))) {
    return 1;
  }
  output->keep();
  return 0;
}
