//===- Emitters.h - GPU kernel emitters -------------------------*- C++ -*-===//
//
// Each emitter turns the body of one bufferised kernel function (linalg ops
// on memrefs) into a gpu.launch inserted before the function's return. The
// helpers here are what they share: launch creation, index arithmetic, and
// evaluating a linalg payload at one iteration point.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_LIB_GPU_EMITTERS_H
#define GAON_LIB_GPU_EMITTERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <array>

namespace gaon::gpu {

/// What the emitters know about the target and the user's choices.
struct EmitOptions {
  /// "sm_80" or "sm_90a".
  std::string chip;
  bool allowTf32 = true;
  /// Shared-memory pipeline depth; 0 lets the emitter choose.
  int64_t stages = 0;
  /// Streaming multiprocessors of the reference chip of `chip` (A100: 108,
  /// H100 SXM: 132), used to size tiles for at least one full wave.
  int64_t numSMs = 108;

  bool isHopper() const { return chip == "sm_90a"; }
};

/// Outcome of an emitter that may decline a kernel it cannot handle.
enum class EmitStatus { Emitted, NotApplicable };

/// Tensor-core contraction on sm_80+ (cp.async + ldmatrix + mma.sync).
mlir::FailureOr<EmitStatus> emitMmaSyncKernel(mlir::func::FuncOp kernel,
                                              const EmitOptions &options,
                                              std::string &whyNot);
/// Tensor-core contraction on sm_90a (TMA + mbarrier + wgmma).
mlir::FailureOr<EmitStatus> emitWgmmaKernel(mlir::func::FuncOp kernel,
                                            const EmitOptions &options,
                                            std::string &whyNot);
/// Block-per-row reduction kernel (softmax, layer norm, ...).
mlir::LogicalResult emitReductionKernel(mlir::func::FuncOp kernel,
                                        const EmitOptions &options);
/// One-thread-per-point kernels, one launch per linalg op of `kernel`.
mlir::LogicalResult emitLoopKernels(mlir::func::FuncOp kernel,
                                    const EmitOptions &options);

/// What the launch plan reports about one emitted launch.
struct LaunchRecord {
  llvm::StringRef templateName;
  int64_t flops = 0;
  int64_t bytes = 0;
  /// Contractions: the GEMM (batch, M, N, K), operand type, block tile
  /// (M, N, K) and pipeline depth.
  std::optional<std::array<int64_t, 4>> gemm;
  mlir::Type operandType;
  std::array<int64_t, 3> tile = {0, 0, 0};
  int64_t stages = 0;
};

/// Appends `record` to the kernel's `gaon.gpu.launches` list.
void recordLaunch(mlir::func::FuncOp kernel, const LaunchRecord &record);

/// The `gaon.gpu.flops` / `gaon.gpu.bytes` the outliner put on `kernel`.
int64_t getKernelFlops(mlir::func::FuncOp kernel);
int64_t getKernelBytes(mlir::func::FuncOp kernel);

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// An index constant.
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc,
                          int64_t value);

/// Splits `linear` into one index per entry of `sizes` (row-major: the last
/// size varies fastest). Sizes of 1 give constant zeros.
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &b,
                                           mlir::Location loc,
                                           mlir::Value linear,
                                           llvm::ArrayRef<int64_t> sizes);

/// Applies `map` to `dims` with arith ops.
llvm::SmallVector<mlir::Value> applyMap(mlir::OpBuilder &b, mlir::Location loc,
                                        mlir::AffineMap map,
                                        mlir::ValueRange dims);

/// Creates a gpu.launch of static size before `before`, with a terminated
/// body, and returns it. `dynamicSmemBytes` of 0 means none.
mlir::gpu::LaunchOp createLaunch(mlir::OpBuilder &b, mlir::Location loc,
                                 std::array<int64_t, 3> grid,
                                 std::array<int64_t, 3> block,
                                 int64_t dynamicSmemBytes,
                                 llvm::StringRef templateName);

/// Clones the payload of `op` with its block arguments replaced by
/// `blockArgs` (one per operand) and `linalg.index` by `loopIndices`;
/// returns the yielded values.
llvm::SmallVector<mlir::Value>
clonePayload(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp op,
             llvm::ArrayRef<mlir::Value> blockArgs,
             llvm::ArrayRef<mlir::Value> loopIndices);

/// Reads operand `operand` of `op` at iteration point `loopIndices`: a
/// memref.load through its indexing map, or the scalar itself.
mlir::Value loadOperand(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::linalg::LinalgOp op, mlir::OpOperand &operand,
                        llvm::ArrayRef<mlir::Value> loopIndices);

/// Writes `value` to output operand `operand` of `op` at `loopIndices`.
void storeOperand(mlir::OpBuilder &b, mlir::Location loc,
                  mlir::linalg::LinalgOp op, mlir::OpOperand &operand,
                  llvm::ArrayRef<mlir::Value> loopIndices, mlir::Value value);

/// The linalg ops of a kernel function body, in order.
llvm::SmallVector<mlir::linalg::LinalgOp>
getKernelOps(mlir::func::FuncOp kernel);

/// Erases the linalg ops of `kernel` and then every alloc left without a
/// use (the intermediates the emitted launch keeps on chip).
void eraseComputedOps(mlir::func::FuncOp kernel);

/// Checks that every buffer of `kernel` is written by one op, or by a fill
/// and then the one op accumulating onto it: the emitters that keep
/// intermediates on chip identify values by the buffer they were written to.
mlir::LogicalResult verifyOneWriterPerBuffer(mlir::func::FuncOp kernel);

/// If `buffer` is written by exactly one `linalg.fill` among `ops` before
/// `user`, and by nothing else before it, returns the fill's scalar.
mlir::Value getFillValue(mlir::Value buffer, mlir::Operation *user,
                         llvm::ArrayRef<mlir::linalg::LinalgOp> ops);

} // namespace gaon::gpu

#endif // GAON_LIB_GPU_EMITTERS_H
