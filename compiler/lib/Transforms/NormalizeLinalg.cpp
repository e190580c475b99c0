//===- NormalizeLinalg.cpp - bring input into the NPU flow's forms --------===//

#include "gaon/Transforms/Passes.h"

#include "gaon/Dialect/NPU/Transforms/LinalgSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gaon {
#define GEN_PASS_DEF_NORMALIZELINALGPASS
#include "gaon/Transforms/Passes.h.inc"
} // namespace gaon

using namespace mlir;

namespace {

/// Replaces linalg.softmax by its upstream decomposition (max, sub+exp, sum,
/// div generics).
struct DecomposeSoftmax : OpRewritePattern<linalg::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<Value>> results = op.decomposeOperation(rewriter);
    if (failed(results))
      return rewriter.notifyMatchFailure(op, "softmax did not decompose");
    rewriter.replaceOp(op, *results);
    return success();
  }
};

/// Rewrites named elementwise, map, reduce, transpose and broadcast ops as
/// linalg.generic; contractions, convolutions, pooling, fill and copy keep
/// their names.
struct GeneralizeVectorOps
    : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (isa<linalg::GenericOp, linalg::FillOp, linalg::CopyOp,
            linalg::ContractionOpInterface, linalg::ConvolutionOpInterface>(
            op.getOperation()))
      return failure();
    if (failed(linalg::generalizeNamedOp(rewriter, op)))
      return rewriter.notifyMatchFailure(op, "cannot generalize");
    return success();
  }
};

/// Replaces a splat tensor constant by a fill of an empty tensor, so the NPU
/// fills it on chip instead of loading it.
struct SplatConstantToFill : OpRewritePattern<arith::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto splat = dyn_cast<SplatElementsAttr>(op.getValue());
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!splat || !type || !type.hasStaticShape())
      return failure();
    Location loc = op.getLoc();
    Value scalar = arith::ConstantOp::create(
        rewriter, loc, cast<TypedAttr>(splat.getSplatValue<Attribute>()));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, scalar, empty);
    return success();
  }
};

/// Replaces a NaN fill that only seeds maxnumf (minnumf) reductions with
/// -inf (+inf): upstream's softmax decomposition seeds its max with NaN,
/// which maxnum ignores but the vector engine's max (NaN-propagating, like
/// arith.maximumf) would not. The two agree on every non-NaN input.
struct NaNFillToInfinity : OpRewritePattern<linalg::FillOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::FillOp op,
                                PatternRewriter &rewriter) const override {
    FloatAttr value;
    if (!matchPattern(op.getInputs()[0], m_Constant(&value)) ||
        !value.getValue().isNaN() || op->getResult(0).use_empty())
      return failure();
    std::optional<bool> isMax;
    for (OpOperand &use : op->getResult(0).getUses()) {
      auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
      if (!user || !user.isDpsInit(&use))
        return failure();
      BlockArgument acc = user.getMatchingBlockArgument(&use);
      std::optional<bool> useIsMax;
      for (Operation *combiner : acc.getUsers()) {
        if (isa<arith::MaxNumFOp>(combiner))
          useIsMax = true;
        else if (isa<arith::MinNumFOp>(combiner))
          useIsMax = false;
        else
          return failure();
      }
      if (!useIsMax || (isMax && *isMax != *useIsMax))
        return failure();
      isMax = useIsMax;
    }
    auto type = cast<FloatType>(value.getType());
    APFloat infinity = APFloat::getInf(type.getFloatSemantics(), *isMax);
    Value constant = arith::ConstantOp::create(
        rewriter, op.getLoc(), rewriter.getFloatAttr(type, infinity));
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(0, constant); });
    return success();
  }
};

struct NormalizeLinalgPass
    : gaon::impl::NormalizeLinalgPassBase<NormalizeLinalgPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();

    int64_t generalizable = 0, decomposable = 0;
    func.walk([&](Operation *op) {
      if (isa<linalg::SoftmaxOp, tensor::PadOp, tensor::ConcatOp>(op))
        ++decomposable;
      else if (isa<linalg::LinalgOp>(op) &&
               !isa<linalg::GenericOp, linalg::FillOp, linalg::CopyOp,
                    linalg::ContractionOpInterface,
                    linalg::ConvolutionOpInterface>(op))
        ++generalizable;
    });

    RewritePatternSet patterns(context);
    linalg::populateElementwiseToLinalgConversionPatterns(patterns);
    patterns.add<DecomposeSoftmax, GeneralizeVectorOps, SplatConstantToFill,
                 NaNFillToInfinity, linalg::DecomposePadOpPattern>(context);
    tensor::populateDecomposeTensorConcatPatterns(patterns);
    tensor::CastOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();

    int64_t remaining = 0;
    func.walk([&](Operation *op) {
      if (isa<linalg::SoftmaxOp, tensor::PadOp, tensor::ConcatOp>(op))
        ++remaining;
    });
    numDecomposed += decomposable - remaining;
    numGeneralized += generalizable;

    unsigned unsupported = gaon::npu::verifyFunctionSupported(func);
    numUnsupported += unsupported;
    if (unsupported)
      signalPassFailure();
  }
};

} // namespace
