//===- LoopEmitter.cpp - one-thread-per-point GPU kernels -----------------===//
//
// The general kernel: any linalg op, one thread per point of its parallel
// loops, reduction loops run serially by that thread. Fused elementwise
// chains, transposes, broadcasts and reductions over outer dims take it, as
// do contractions the tensor-core emitters decline.
//
//===----------------------------------------------------------------------===//

#include "Emitters.h"
#include "KernelAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace gaon::gpu {

/// Threads per block of loop kernels.
static constexpr int64_t kLoopBlockSize = 256;

/// True if the fill `fill` only initialises the accumulator of the next op
/// touching its buffer, which then starts from the fill's value itself.
static bool isFoldedFill(linalg::FillOp fill, ArrayRef<linalg::LinalgOp> ops) {
  Value buffer = fill.getDpsInitOperand(0)->get();
  bool seen = false;
  for (linalg::LinalgOp op : ops) {
    if (op == fill) {
      seen = true;
      continue;
    }
    if (!seen || !llvm::is_contained(op->getOperands(), buffer))
      continue;
    for (OpOperand &init : op.getDpsInitsMutable())
      if (init.get() == buffer && !isa<linalg::FillOp>(op))
        return !llvm::is_contained(op.getDpsInputs(), buffer) &&
               !isAllParallel(op);
    return false;
  }
  return false;
}

/// Emits the serial reduction loops `dims[level:]` around the payload.
static SmallVector<Value>
emitReductionLoops(OpBuilder &b, Location loc, linalg::LinalgOp op,
                   ArrayRef<unsigned> dims, ArrayRef<int64_t> ranges,
                   SmallVector<Value> &loopIndices, ValueRange accs) {
  if (dims.empty()) {
    SmallVector<Value> blockArgs;
    for (OpOperand *input : op.getDpsInputOperands())
      blockArgs.push_back(op.payloadUsesValueFromOperand(input)
                              ? loadOperand(b, loc, op, *input, loopIndices)
                              : Value());
    blockArgs.append(accs.begin(), accs.end());
    return clonePayload(b, loc, op, blockArgs, loopIndices);
  }
  unsigned dim = dims.front();
  auto loop = scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, ranges[dim]),
      indexConstant(b, loc, 1), accs,
      [&](OpBuilder &nb, Location nloc, Value iv, ValueRange iterArgs) {
        loopIndices[dim] = iv;
        SmallVector<Value> next = emitReductionLoops(
            nb, nloc, op, dims.drop_front(), ranges, loopIndices, iterArgs);
        scf::YieldOp::create(nb, nloc, next);
      });
  return loop.getResults();
}

/// Emits the launch computing `op`.
static void emitLoopKernel(OpBuilder &b, linalg::LinalgOp op,
                           ArrayRef<linalg::LinalgOp> ops) {
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> parallelDims, reductionDims;
  SmallVector<int64_t> parallelRanges;
  int64_t total = 1;
  for (auto [dim, iterator] : llvm::enumerate(iterators)) {
    if (iterator == utils::IteratorType::parallel) {
      parallelDims.push_back(dim);
      parallelRanges.push_back(ranges[dim]);
      total *= ranges[dim];
    } else {
      reductionDims.push_back(dim);
    }
  }
  int64_t threads = std::min<int64_t>(kLoopBlockSize, (total + 31) / 32 * 32);
  int64_t blocks = (total + threads - 1) / threads;
  mlir::gpu::LaunchOp launch =
      createLaunch(b, loc, {blocks, 1, 1}, {threads, 1, 1}, 0, "loop");

  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value blockId = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value threadId =
      mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value linear = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, blockId, indexConstant(b, loc, threads)),
      threadId);
  Value inBounds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         linear, indexConstant(b, loc, total));
  auto ifOp = scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());

  Value zero = indexConstant(b, loc, 0);
  SmallVector<Value> loopIndices(op.getNumLoops(), zero);
  for (auto [dim, index] : llvm::zip_equal(
           parallelDims, delinearize(b, loc, linear, parallelRanges)))
    loopIndices[dim] = index;

  // Accumulators start from the outputs (or the constant a folded fill
  // would have written there).
  SmallVector<Value> accs;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    if (!op.payloadUsesValueFromOperand(&init)) {
      accs.push_back(Value());
      continue;
    }
    Value filled = getFillValue(init.get(), op, ops);
    accs.push_back(filled ? filled
                          : loadOperand(b, loc, op, init, loopIndices));
  }
  // Unused accumulators still need a value of the right type to thread
  // through the reduction loops.
  for (auto [acc, init] : llvm::zip_equal(accs, op.getDpsInits()))
    if (!acc)
      acc = arith::ConstantOp::create(
          b, loc, b.getZeroAttr(getElementTypeOrSelf(init.getType())));
  SmallVector<Value> results =
      emitReductionLoops(b, loc, op, reductionDims, ranges, loopIndices, accs);
  for (auto [init, result] : llvm::zip_equal(op.getDpsInitsMutable(), results))
    storeOperand(b, loc, op, init, loopIndices, result);
}

LogicalResult emitLoopKernels(func::FuncOp kernel, const EmitOptions &options) {
  (void)options;
  SmallVector<linalg::LinalgOp> ops = getKernelOps(kernel);
  OpBuilder b(kernel.getBody().front().getTerminator());
  for (linalg::LinalgOp op : ops) {
    auto fill = dyn_cast<linalg::FillOp>(op.getOperation());
    if (fill && isFoldedFill(fill, ops))
      continue;
    emitLoopKernel(b, op, ops);
    LaunchRecord record;
    record.templateName = "loop";
    record.flops = countFlops(op);
    llvm::SmallPtrSet<Value, 4> seen;
    for (Value operand : op->getOperands())
      if (isa<MemRefType>(operand.getType()) && seen.insert(operand).second)
        record.bytes += getTypeBytes(operand.getType());
    recordLaunch(kernel, record);
  }
  eraseComputedOps(kernel);
  return success();
}

} // namespace gaon::gpu
