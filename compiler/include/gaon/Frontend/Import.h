//===- Import.h - turn any model into graph-level MLIR ----------*- C++ -*-===//
//
// The one entry point the tools and the runtime use to get a model into
// Gaon's graph level (linalg on tensors + tensor, arith, math; see
// docs/frontends.md):
//
//   model.onnx / model.onnxtxt   ONNX (binary protobuf, or ONNX's textual
//                                syntax), through the ONNX importer
//   model.mlir                   torch-mlir output (linalg-on-tensors or
//                                TOSA, ml_program globals or weight
//                                arguments); TOSA is lowered to linalg
//   a zoo name (llama3-8b, ...)  the model zoo (gaon/Models/Zoo.h)
//
// Example:
//   gaon::frontend::ImportOptions opts;
//   opts.zoo.phase = gaon::models::Phase::Decode;
//   opts.zoo.kvLen = 2048;
//   auto module = gaon::frontend::importModel("llama3-8b", opts, context);
//   if (!module) { llvm::errs() << llvm::toString(module.takeError()); ... }
//
//===----------------------------------------------------------------------===//

#ifndef GAON_FRONTEND_IMPORT_H
#define GAON_FRONTEND_IMPORT_H

#include "gaon/Models/Zoo.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace gaon::frontend {

struct ImportOptions {
  /// ONNX: floating-point initializers become arguments of @main (tagged
  /// gaon.kind = "weight", gaon.name = initializer name) instead of
  /// arith.constant ops. Integer initializers (shapes, indices) and
  /// single-element ones (scales, epsilons) stay constants.
  bool weightsAsArguments = false;
  /// ONNX: sizes of symbolic input dimensions (dim_param), by name.
  llvm::StringMap<int64_t> dimBindings;
  /// ONNX: graph inputs whose value is known, as TensorProto files
  /// (name -> path). Where an op needs such an input at compile time (a
  /// Reshape shape, Slice starts, ...) the importer uses the value; the
  /// input stays an argument of @main only if some op reads it at run time.
  llvm::StringMap<std::string> inputValueFiles;
  /// ONNX: treat the inputs of inputValueFiles as constants everywhere, so
  /// values computed from them (a Range bound from a Cast of an input) fold
  /// too. Inputs no op reads at run time leave @main.
  bool foldInputValues = false;
  /// .mlir input: arguments of @main from this index on are weights
  /// (torch-mlir passes parameters after the inputs); they get gaon.kind =
  /// "weight", the others gaon.kind = "input". Negative: leave untagged.
  int weightsFromArg = -1;
  /// .mlir input: lower TOSA to linalg (tosa-to-linalg-named, tosa-to-linalg,
  /// tosa-to-arith, tosa-to-tensor, canonicalize).
  bool lowerTosa = true;
  /// Zoo models: phase, batch, sizes, precision.
  models::ZooOptions zoo;
};

/// Dialects an imported module may contain (for a context that parses or
/// prints it): func, arith, math, tensor, linalg, tosa, ml_program.
void registerImportDialects(mlir::DialectRegistry &registry);

/// Imports `pathOrZooName` (dispatching on the extension, else on the zoo's
/// names) into a verified module whose entry function is @main. Errors carry
/// every diagnostic with its location (file:line: error: ...). For ONNX,
/// "line" is the 1-based position of the node in the graph.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importModel(llvm::StringRef pathOrZooName, const ImportOptions &options,
            mlir::MLIRContext &context);

/// Whether this build has the ONNX importer (libonnx found at configure).
bool haveONNXImporter();

} // namespace gaon::frontend

#endif // GAON_FRONTEND_IMPORT_H
