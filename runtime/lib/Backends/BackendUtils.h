//===- BackendUtils.h - What the backends share ---------------------------===//
//
// Internal to the backends: capturing MLIR diagnostics into llvm::Errors,
// the work of every graph-level op (FLOPs, compulsory bytes,
// transcendentals), and turning an op and its time into an OpRecord.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_LIB_BACKENDS_BACKENDUTILS_H
#define GAON_RUNTIME_LIB_BACKENDS_BACKENDUTILS_H

#include "gaon/Runtime/Backend.h"
#include "gaon/Runtime/Execution.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"

#include <functional>

namespace gaon::runtime {

/// Runs `body` and, if it fails, returns the diagnostics it emitted on
/// `module`'s context as an error (each with its location).
llvm::Error runWithDiagnostics(mlir::ModuleOp module,
                               llvm::function_ref<mlir::LogicalResult()> body);

/// The function `entry` of `module` (see findEntry) and the tensor specs of
/// its arguments and results: what every backend's compile() starts from.
struct EntryFunction {
  mlir::func::FuncOp function;
  std::vector<TensorSpec> inputs, outputs;
};
llvm::Expected<EntryFunction> getEntryFunction(mlir::ModuleOp module,
                                               llvm::StringRef entry);

/// A copy of `module` with its TOSA lowered to linalg and its entry
/// function, for the backends that run graph-level linalg directly (the CPU
/// reference, the GPU model).
struct LoweredEntry {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  EntryFunction entry;
};
llvm::Expected<LoweredEntry> getLoweredEntry(mlir::ModuleOp module,
                                             llvm::StringRef entry);

/// The work of one graph-level op, counted as the roofline counts it:
/// FLOPs are 2 per multiply-accumulate of a contraction or convolution and
/// one per arith/math op of an elementwise or reduction body per iteration
/// (constants, comparisons and index ops excepted); bytes are the
/// compulsory memory traffic, every operand read once and every result
/// written once (an init read too when the body uses it); transcendentals
/// count exp, log, tanh, erf, rsqrt, sqrt, pow, sin, cos per iteration.
struct OpWork {
  double flops = 0;
  double bytes = 0;
  double transcendentals = 0;
  /// Product of the parallel loop ranges (rows of a reduction); 0 when
  /// unknown.
  int64_t parallelism = 0;
  /// True for ops that only reinterpret memory (expand_shape, ...): no
  /// kernel, no time.
  bool isView = false;
};

using OpCosts = llvm::DenseMap<mlir::Operation *, OpWork>;

/// The work of every op directly in `function`'s body that computes a
/// tensor (linalg ops, tensor data movement, arith/math on tensors).
OpCosts analyzeOpCosts(mlir::func::FuncOp function);

/// A record of `op` run in `seconds`, with its work from `costs` (zero if
/// absent) placed on `roofline`.
OpRecord makeOpRecord(mlir::Operation *op, const OpCosts &costs, double seconds,
                      const Roofline &roofline);

} // namespace gaon::runtime

#endif // GAON_RUNTIME_LIB_BACKENDS_BACKENDUTILS_H
