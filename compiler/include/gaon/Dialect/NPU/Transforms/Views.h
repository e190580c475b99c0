//===- Views.h - resolve memref views to buffers and strides ----*- C++ -*-===//
//
// After unrolling, every operand of an npu command is a chain of view ops
// (subview, transpose, expand/collapse_shape, cast, reinterpret_cast) on a
// root buffer (npu.alloc, an SRAM or DRAM memref.alloc, a function argument,
// memref.get_global). The SRAM allocator, the synchronisation pass and the
// serialiser need each operand as root + offset + sizes + strides.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_DIALECT_NPU_TRANSFORMS_VIEWS_H
#define GAON_DIALECT_NPU_TRANSFORMS_VIEWS_H

#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace gaon::npu {

/// An operand as a strided window onto a root buffer. Offsets and strides
/// are in elements of the root's element type.
struct ResolvedView {
  mlir::Value root;
  int64_t offset = 0;
  llvm::SmallVector<int64_t, 4> sizes;
  llvm::SmallVector<int64_t, 4> strides;

  /// Elements from the first to one past the last addressed element, from
  /// the root's start.
  std::pair<int64_t, int64_t> getExtent() const;
};

/// Returns the constant value of an index value, or std::nullopt.
using IndexEvaluator =
    llvm::function_ref<std::optional<int64_t>(mlir::Value)>;

/// The root buffer `value` is a view of (walking view ops).
mlir::Value getRootBuffer(mlir::Value value);

/// Resolves `value` into its root and layout. Dynamic sizes, offsets or
/// strides in the view chain are evaluated with `evaluate` (by default:
/// constants only). Fails for views it cannot follow.
mlir::FailureOr<ResolvedView> resolveView(mlir::Value value,
                                          IndexEvaluator evaluate = nullptr);

} // namespace gaon::npu

#endif // GAON_DIALECT_NPU_TRANSFORMS_VIEWS_H
