//===- Import.cpp - turn any model into graph-level MLIR ------------------===//

#include "gaon/Frontend/Import.h"

#ifdef GAON_HAVE_ONNX
#include "gaon/Frontend/ONNXImporter.h"
#endif

#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace gaon;
using namespace gaon::frontend;
using llvm::StringRef;

void gaon::frontend::registerImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, ml_program::MLProgramDialect,
                  tensor::TensorDialect, tosa::TosaDialect>();
}

bool gaon::frontend::haveONNXImporter() {
#ifdef GAON_HAVE_ONNX
  return true;
#else
  return false;
#endif
}

/// Appends "file:line:col: " for the first file location inside `loc`.
static void printLocation(Location loc, llvm::raw_ostream &os) {
  std::optional<FileLineColLoc> file;
  loc->walk([&](Location l) {
    if (auto f = dyn_cast<FileLineColLoc>(l)) {
      file = f;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!file)
    return;
  os << file->getFilename().getValue() << ":";
  if (file->getLine())
    os << file->getLine() << ":" << file->getColumn() << ":";
  os << " ";
}

namespace {
/// Collects error diagnostics (with their notes) as text while alive.
class ErrorCollector {
public:
  explicit ErrorCollector(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return failure(); // warnings/remarks go to the outer handler
          llvm::raw_string_ostream os(text);
          if (!text.empty())
            os << "\n";
          printLocation(diag.getLocation(), os);
          os << "error: " << diag.str();
          for (Diagnostic &note : diag.getNotes()) {
            os << "\n";
            printLocation(note.getLocation(), os);
            os << "note: " << note.str();
          }
          return success();
        }) {}

  llvm::Error takeError(StringRef fallback) {
    return llvm::createStringError(text.empty() ? fallback.str() : text);
  }

private:
  std::string text;
  ScopedDiagnosticHandler handler;
};
} // namespace

/// Lowers TOSA ops in `module` to linalg/tensor/arith with upstream passes.
static LogicalResult lowerTosa(ModuleOp module) {
  bool hasTosa = false;
  module.walk([&](Operation *op) {
    hasTosa |= isa<tosa::TosaDialect>(op->getDialect());
  });
  if (!hasTosa)
    return success();
  PassManager pm(module.getContext());
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  pm.addPass(createCanonicalizerPass());
  return pm.run(module);
}

/// Parses torch-mlir style input and brings it to the graph level.
static FailureOr<OwningOpRef<ModuleOp>>
importMLIRFile(StringRef path, const ImportOptions &options,
               MLIRContext &context) {
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, &context);
  if (!module)
    return failure();
  bool hasFunction = false;
  for (auto f : module->getOps<func::FuncOp>())
    hasFunction |= !f.isExternal();
  if (!hasFunction)
    return emitError(module->getLoc())
           << "'" << path << "' defines no function to run";
  if (options.weightsFromArg >= 0) {
    func::FuncOp main = module->lookupSymbol<func::FuncOp>("main");
    if (!main)
      return emitError(module->getLoc())
             << "--weights-from-arg needs a function @main in '" << path << "'";
    Builder b(&context);
    for (unsigned i = 0; i < main.getNumArguments(); ++i)
      main.setArgAttr(
          i, "gaon.kind",
          b.getStringAttr(static_cast<int>(i) >= options.weightsFromArg
                              ? "weight"
                              : "input"));
  }
  if (options.lowerTosa && failed(lowerTosa(*module)))
    return emitError(module->getLoc())
           << "lowering TOSA to linalg failed for '" << path << "'";
  return module;
}

llvm::Expected<OwningOpRef<ModuleOp>>
gaon::frontend::importModel(StringRef pathOrZooName,
                            const ImportOptions &options,
                            MLIRContext &context) {
  DialectRegistry registry;
  registerImportDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();

  ErrorCollector errors(context);
  FailureOr<OwningOpRef<ModuleOp>> result = failure();
  if (pathOrZooName.ends_with(".onnx") || pathOrZooName.ends_with(".onnxtxt")) {
#ifdef GAON_HAVE_ONNX
    result = importONNXFile(pathOrZooName, options, context);
#else
    return llvm::createStringError(
        "this build of Gaon has no ONNX importer (libonnx-dev and protobuf "
        "were not found at configure time); cannot import '" +
        pathOrZooName.str() + "'");
#endif
  } else if (pathOrZooName.ends_with(".mlir")) {
    result = importMLIRFile(pathOrZooName, options, context);
  } else if (models::isZooModel(pathOrZooName)) {
    llvm::Expected<models::ModelConfig> config =
        models::resolveConfig(pathOrZooName, options.zoo);
    if (!config)
      return config.takeError();
    llvm::Expected<OwningOpRef<ModuleOp>> built =
        models::buildModel(*config, context);
    if (!built)
      return built.takeError();
    if (failed(verify(**built)))
      return errors.takeError("the model zoo built an invalid module");
    return built;
  } else {
    std::string known;
    for (StringRef name : models::modelNames())
      known += (known.empty() ? "" : ", ") + name.str();
    return llvm::createStringError(
        "'" + pathOrZooName.str() +
        "' is neither a model file (.onnx, .onnxtxt, .mlir) nor a zoo model "
        "(" +
        known + ")");
  }
  if (failed(result))
    return errors.takeError("cannot import '" + pathOrZooName.str() + "'");
  return std::move(*result);
}
