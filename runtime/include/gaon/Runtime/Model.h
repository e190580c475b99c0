//===- Model.h - A model as the runtime runs it -----------------*- C++ -*-===//
//
// A graph-level MLIR module, the entry function the runtime executes, its
// signature as tensor specs, and what one run of it processes (items or
// tokens) for throughput figures.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_MODEL_H
#define GAON_RUNTIME_MODEL_H

#include "gaon/Runtime/Execution.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir {
class Location;
class MLIRContext;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace gaon::runtime {

struct Model {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// Short name ("mlp"), where it came from (a path or a zoo name) and the
  /// entry function's symbol.
  std::string name;
  std::string source;
  std::string entry;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  /// What throughput counts: "items" (the batch) or "tokens" (LLMs), how
  /// many one run processes, and how that number was obtained.
  std::string workUnit = "items";
  double workPerRun = 1;
  std::string workSource;
};

/// `location` as reports show it: "file.mlir:12:3" for a file location
/// (inside a name location its child's; inside a call site the callee's;
/// inside a fused location the last part's, which is where fusion puts the
/// op whose result the fused op computes), else MLIR's own spelling without
/// the loc(...) wrapper.
std::string formatLocation(mlir::Location location);

/// The same form from a location's printed text (as NPU programs carry
/// it): loc("a.mlir":3:7) -> "a.mlir:3:7".
std::string normalizeLocation(llvm::StringRef printed);

/// Tensor specs of `types`, which must be statically shaped ranked tensors
/// of a supported element type; `what` ("argument", "result") names them in
/// errors.
llvm::Expected<std::vector<TensorSpec>> getTensorSpecs(mlir::TypeRange types,
                                                       llvm::StringRef what);

/// Tensor specs of a function's arguments and results (see getTensorSpecs).
struct SignatureSpecs {
  std::vector<TensorSpec> inputs, outputs;
};
llvm::Expected<SignatureSpecs> getSignatureSpecs(mlir::FunctionType type);

/// The function `entry` of `module`, or an error listing the candidates.
/// With an empty `entry`: @main if present, else the only public function.
llvm::Expected<mlir::func::FuncOp> findEntry(mlir::ModuleOp module,
                                             llvm::StringRef entry);

/// Makes a Model of `module`: finds the entry, reads its signature (tensor
/// names from the gaon.name argument and result attributes the importer
/// sets), and sets the work per run to the leading dimension of the first
/// input (the batch), saying so in workSource.
llvm::Expected<Model> makeModel(mlir::OwningOpRef<mlir::ModuleOp> module,
                                llvm::StringRef source, llvm::StringRef entry);

} // namespace gaon::runtime

#endif // GAON_RUNTIME_MODEL_H
