//===- FuseElementwise.cpp - target-aware elementwise fusion --------------===//

#include "gaon/Transforms/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace gaon {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "gaon/Transforms/Passes.h.inc"
} // namespace gaon

using namespace mlir;

/// Most tensors a fused op may read on `target`: the number of
/// vector_lanes x vector_lanes f32 tiles that fit in a quarter of its SRAM,
/// at most 8 (8 without a target).
static int64_t getDefaultMaxOperands(gaon::npu::TargetAttr target) {
  constexpr int64_t kLimit = 8;
  if (!target)
    return kLimit;
  int64_t tileBytes = target.getVectorLanes() * target.getVectorLanes() * 4;
  return std::clamp<int64_t>(target.getSramBytes() / 4 / tileBytes, 1, kLimit);
}

namespace {

struct FuseElementwisePass
    : gaon::impl::FuseElementwisePassBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    int64_t limit =
        maxOperands > 0
            ? int64_t(maxOperands)
            : getDefaultMaxOperands(gaon::npu::TargetAttr::lookup(func));

    int64_t fused = 0, rejected = 0;
    linalg::ControlFusionFn control = [&](OpOperand *fusedOperand) {
      auto producer = fusedOperand->get().getDefiningOp<linalg::GenericOp>();
      auto consumer = dyn_cast<linalg::GenericOp>(fusedOperand->getOwner());
      if (!producer || !consumer)
        return false;
      // The distinct tensors the fused op reads: the producer's inputs and
      // the consumer's others, a tensor both read counted once.
      llvm::SmallPtrSet<Value, 8> reads;
      for (Value input : producer.getDpsInputs())
        reads.insert(input);
      for (OpOperand *input : consumer.getDpsInputOperands())
        if (input != fusedOperand)
          reads.insert(input->get());
      int64_t operands = reads.size();
      bool otherUsers =
          !producer->getResult(0).hasOneUse() || producer->getNumResults() != 1;
      if (operands > limit || (otherUsers && !allowRecompute)) {
        ++rejected;
        return false;
      }
      ++fused;
      return true;
    };

    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    numFusions += fused;
    numRejected += rejected;
  }
};

} // namespace
