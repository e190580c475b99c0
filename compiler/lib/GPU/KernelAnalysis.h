//===- KernelAnalysis.h - what a GPU kernel can fuse ------------*- C++ -*-===//
//
// Shared by the outliner (which forms kernels) and the emitters (which
// generate them), so both agree on what each kernel kind can contain.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_LIB_GPU_KERNELANALYSIS_H
#define GAON_LIB_GPU_KERNELANALYSIS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace gaon::gpu {

/// The kernel templates the outliner forms and the emitters generate.
enum class KernelKind { Contraction, Reduction, Loop };

llvm::StringRef stringifyKernelKind(KernelKind kind);
std::optional<KernelKind> parseKernelKind(llvm::StringRef name);

/// True if every loop of `op` is parallel.
bool isAllParallel(mlir::linalg::LinalgOp op);

/// True if `op` is a contraction the tensor-core emitters take: a
/// matmul-like op (named or generic) with exactly one M, one N and one K
/// loop and any number of batch loops, or a `linalg.conv_2d_nhwc_hwcf`.
bool isContractionRoot(mlir::linalg::LinalgOp op);

/// The kind of combination a reduction body performs on its accumulator.
struct ReductionCombiner {
  /// The op (arith.addf, arith.maximumf, ...) combining a value with the
  /// accumulator.
  mlir::Operation *combiner = nullptr;
  /// The operand of `combiner` that is not the accumulator.
  mlir::Value value;
};

/// If the body of the single-result generic `op` yields `combine(value,
/// acc)` with the accumulator used nowhere else, returns that combiner.
std::optional<ReductionCombiner>
matchReductionCombiner(mlir::linalg::GenericOp op);

/// The iteration domain of a row kernel: leading parallel (row) loops and
/// trailing reduced (column) loops.
struct RowDomain {
  llvm::SmallVector<int64_t> rows;
  llvm::SmallVector<int64_t> cols;
  int64_t numRows() const;
  int64_t numCols() const;
};

/// How an op takes part in a row kernel.
enum class RowOpClass {
  /// Reduces each row to one value (output indexed by the row loops).
  Reduction,
  /// Computes a value per (row, column) point.
  Elementwise,
  /// Computes a value per row from per-row values.
  Scalar,
};

/// If `op` is a row reduction (static shape, trailing reduction loops, one
/// output indexed by the leading loops in order, a recognised combiner),
/// returns its domain.
std::optional<RowDomain> getRowReductionDomain(mlir::linalg::GenericOp op);

/// Classifies `op` against `domain`, or returns nullopt if it does not fit.
std::optional<RowOpClass> classifyRowOp(mlir::linalg::GenericOp op,
                                        const RowDomain &domain);

/// True if an op of class `consumer` can read, through `map`, the value an
/// op of class `producer` computes inside the same row kernel.
bool isValidRowAccess(RowOpClass producer, RowOpClass consumer,
                      mlir::AffineMap map, const RowDomain &domain);

/// The static number of points of the iteration domain of `op` (1 for a
/// scalar op), or nullopt if it is dynamic.
std::optional<int64_t> getStaticIterationCount(mlir::linalg::LinalgOp op);

/// Analytical FLOPs of `op`: the arithmetic and math ops of its body (casts
/// and constants excluded) times its iteration count.
int64_t countFlops(mlir::linalg::LinalgOp op);

/// Bytes of a statically shaped tensor or memref type (0 otherwise).
int64_t getTypeBytes(mlir::Type type);

} // namespace gaon::gpu

#endif // GAON_LIB_GPU_KERNELANALYSIS_H
