//===- ContractionAnalysis.h - GEMM view of contraction kernels -*- C++ -*-===//
//
// Both tensor-core emitters see a contraction kernel the same way: a
// (batched) GEMM C[b, m, n] = sum_k A[b, m, k] * B[b, k, n] whose M, N and K
// may each stand for several loops of the linalg op (a convolution's M is
// (n, oh, ow) and its K is (kh, kw, c): implicit GEMM), followed by a chain
// of elementwise epilogue ops applied to each accumulator before the store.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_LIB_GPU_CONTRACTIONANALYSIS_H
#define GAON_LIB_GPU_CONTRACTIONANALYSIS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace gaon::gpu {

/// One GEMM dimension: loops of the contraction, outermost first.
struct GemmDim {
  llvm::SmallVector<unsigned> loops;
  llvm::SmallVector<int64_t> sizes;
  int64_t size() const;
};

/// Which GEMM dimension of an operand is contiguous in memory.
enum class Major {
  /// K varies fastest (A row-major, B column-major / "transposed").
  K,
  /// M (for A) or N (for B) varies fastest.
  MN,
};

/// How a GEMM operand is read.
struct GemmOperand {
  mlir::Value buffer;
  mlir::AffineMap map;
  Major major = Major::K;
  /// Size of the innermost loop of the contiguous GEMM dimension; copies of
  /// `vectorElems` elements never cross it.
  int64_t contiguousExtent = 0;
};

/// A contraction kernel seen as a batched GEMM with an epilogue.
struct GemmProblem {
  mlir::linalg::LinalgOp contraction;
  GemmDim batch, m, n, k;
  GemmOperand a, b;
  /// Element type of A and B, and of the contraction's result.
  mlir::Type inputType, resultType;
  /// Elementwise ops applied in order to the contraction's result.
  llvm::SmallVector<mlir::linalg::GenericOp> epilogue;
  bool isConvolution = false;

  int64_t numBatches() const { return batch.size(); }
};

/// Analyses `kernel` (a bufferised contraction kernel function). On failure
/// returns nullopt with the reason in `whyNot`.
std::optional<GemmProblem> analyzeGemm(mlir::func::FuncOp kernel,
                                       std::string &whyNot);

/// Largest copy width in elements (of `bytesCandidates`, e.g. 16, 8, 4
/// bytes) that divides the contiguous extents of both operands, or 0.
int64_t chooseCopyElems(const GemmProblem &problem,
                        llvm::ArrayRef<int64_t> bytesCandidates);

/// Builds the loop-index vector of the contraction for GEMM coordinates;
/// null coordinates leave their loops at zero.
llvm::SmallVector<mlir::Value>
buildLoopIndices(mlir::OpBuilder &b, mlir::Location loc,
                 const GemmProblem &problem,
                 llvm::ArrayRef<mlir::Value> batchIndices, mlir::Value m,
                 mlir::Value n, mlir::Value k);

/// Stores accumulator `acc` (f32) of GEMM element (batch, m, n) through the
/// epilogue. Bounds are the caller's business.
void emitEpilogueStore(mlir::OpBuilder &b, mlir::Location loc,
                       const GemmProblem &problem,
                       llvm::ArrayRef<mlir::Value> batchIndices, mlir::Value m,
                       mlir::Value n, mlir::Value acc);

} // namespace gaon::gpu

#endif // GAON_LIB_GPU_CONTRACTIONANALYSIS_H
