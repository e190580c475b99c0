//===- Internal.h - shared pieces of the reference executor -----*- C++ -*-===//

#ifndef GAON_RUNTIME_REFERENCE_INTERNAL_H
#define GAON_RUNTIME_REFERENCE_INTERNAL_H

#include "gaon/Runtime/HostTensor.h"

#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Operation.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace mlir::linalg {
class LinalgOp;
} // namespace mlir::linalg

namespace gaon::runtime::reference::detail {

/// An error "<location>: '<op name>' op <message>", the way MLIR prints
/// op diagnostics.
llvm::Error opError(mlir::Operation *op, const llvm::Twine &message);

/// The tensor bound to a value (scalars are rank-0 tensors), or null.
using ValueLookup = llvm::function_ref<const HostTensor *(mlir::Value)>;

/// The value of an index-like OpFoldResult (attribute or bound scalar).
llvm::Expected<int64_t>
resolveIndex(mlir::Operation *op, mlir::OpFoldResult value, ValueLookup lookup);

/// The storage dtype of an MLIR element type (index is i64), or an error
/// at `op`.
llvm::Expected<DType> getStorageDType(mlir::Operation *op, mlir::Type type);

/// A zero tensor of the static shape of `type` with dynamic sizes filled
/// from `dynamicSizes` in order.
llvm::Expected<HostTensor> createTensor(mlir::Operation *op, mlir::Type type,
                                        llvm::ArrayRef<int64_t> dynamicSizes);

/// Executes any linalg op (structured ops and linalg.softmax); sets
/// `onKernel` to whether a kernel fast path ran it (else the interpreter).
llvm::Expected<llvm::SmallVector<HostTensor>>
executeLinalgOp(mlir::Operation *op, ValueLookup lookup, bool &onKernel);

/// Executes a tensor dialect op, or returns std::nullopt-like failure
/// (an error) when `op` is not one it knows.
llvm::Expected<llvm::SmallVector<HostTensor>>
executeTensorOp(mlir::Operation *op, ValueLookup lookup);

/// Executes an arith or math op elementwise over tensors or on scalars.
llvm::Expected<llvm::SmallVector<HostTensor>>
executeElementwiseOp(mlir::Operation *op, ValueLookup lookup);

/// A HostTensor for an elements attribute (dense, splat, dense_resource).
llvm::Expected<HostTensor> tensorFromAttr(mlir::Operation *op,
                                          mlir::Attribute attr);

} // namespace gaon::runtime::reference::detail

#endif // GAON_RUNTIME_REFERENCE_INTERNAL_H
