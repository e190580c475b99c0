//===- PrepareGraph.cpp - normalise graph-level linalg for the GPU --------===//

#include "gaon/GPU/Passes.h"

#include "KernelAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gaon::gpu {
#define GEN_PASS_DEF_GPUPREPAREGRAPH
#include "gaon/GPU/Passes.h.inc"
} // namespace gaon::gpu

using namespace mlir;

namespace {

/// True if `value` is a `linalg.fill` of zero (the accumulator start the
/// contraction kernels assume).
static bool isZeroFill(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  Value scalar = fill.getDpsInputOperand(0)->get();
  return matchPattern(scalar, m_AnyZeroFloat()) ||
         matchPattern(scalar, m_Zero());
}

/// Builds `lhs + rhs` elementwise over tensors of the same type.
static Value buildElementwiseAdd(OpBuilder &b, Location loc, Value lhs,
                                 Value rhs) {
  auto type = cast<RankedTensorType>(lhs.getType());
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto add = linalg::GenericOp::create(
      b, loc, type, ValueRange{lhs, rhs}, ValueRange{empty},
      ArrayRef<AffineMap>{id, id, id}, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value sum =
            isa<FloatType>(type.getElementType())
                ? arith::AddFOp::create(nb, nloc, args[0], args[1]).getResult()
                : arith::AddIOp::create(nb, nloc, args[0], args[1]).getResult();
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return add.getResult(0);
}

/// A contraction accumulating into anything but a zero fill becomes a
/// zero-initialised contraction plus an elementwise add of the old init,
/// which the outliner then fuses as the contraction's epilogue.
struct SplitContractionInit
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || !gaon::gpu::isContractionRoot(op))
      return failure();
    Value init = op.getDpsInitOperand(0)->get();
    if (isZeroFill(init) || init.getDefiningOp<tensor::EmptyOp>())
      return failure();
    auto type = cast<RankedTensorType>(init.getType());
    Location loc = op.getLoc();
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    Value zero = arith::ConstantOp::create(
        rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
    Value fill =
        linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    Operation *clone = rewriter.clone(*op);
    clone->setOperand(op.getDpsInitOperand(0)->getOperandNumber(), fill);
    Value sum = buildElementwiseAdd(rewriter, loc, clone->getResult(0), init);
    rewriter.replaceOp(op, sum);
    return success();
  }
};

/// Gives every init of an all-parallel generic that is not a tensor.empty a
/// fresh tensor.empty, passing the old init as an extra input where the
/// payload reads it. Every kernel then writes fresh outputs, and
/// bufferisation gives each op its own buffer.
struct FreshInits : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || !gaon::gpu::isAllParallel(op) ||
        !hasNonEmptyInit(op))
      return failure();
    SmallVector<OpOperand *> readInits;
    for (OpOperand &init : op.getDpsInitsMutable())
      if (op.payloadUsesValueFromOperand(&init))
        readInits.push_back(&init);

    Location loc = op.getLoc();
    SmallVector<Value> inputs = op.getDpsInputs();
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands())
      maps.push_back(op.getMatchingIndexingMap(input));
    for (OpOperand *init : readInits) {
      inputs.push_back(init->get());
      maps.push_back(op.getMatchingIndexingMap(init));
    }
    SmallVector<Value> inits;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      auto type = cast<RankedTensorType>(init.get().getType());
      inits.push_back(tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                              type.getElementType()));
      maps.push_back(op.getMatchingIndexingMap(&init));
    }
    auto generic =
        linalg::GenericOp::create(rewriter, loc, op.getResultTypes(), inputs,
                                  inits, maps, op.getIteratorTypesArray());
    // Old block: [inputs, inits]; new block: [inputs, read inits, inits].
    Block &oldBody = op.getRegion().front();
    Block *newBody = rewriter.createBlock(&generic.getRegion());
    for (Value v : inputs)
      newBody->addArgument(getElementTypeOrSelf(v.getType()), loc);
    for (Value v : inits)
      newBody->addArgument(getElementTypeOrSelf(v.getType()), loc);
    SmallVector<Value> replacements;
    unsigned numInputs = op.getNumDpsInputs();
    for (unsigned i = 0; i < numInputs; ++i)
      replacements.push_back(newBody->getArgument(i));
    unsigned next = numInputs;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      unsigned index = init.getOperandNumber() - numInputs;
      if (llvm::is_contained(readInits, &init))
        replacements.push_back(newBody->getArgument(next++));
      else
        replacements.push_back(newBody->getArgument(inputs.size() + index));
    }
    rewriter.mergeBlocks(&oldBody, newBody, replacements);
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }

  static bool hasNonEmptyInit(linalg::GenericOp op) {
    return llvm::any_of(op.getDpsInits(), [](Value init) {
      return !init.getDefiningOp<tensor::EmptyOp>();
    });
  }
};

struct GpuPrepareGraphPass
    : public gaon::gpu::impl::GpuPrepareGraphBase<GpuPrepareGraphPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());

    // Kernel shapes, grids and tiles are chosen at compile time.
    WalkResult dynamic = module.walk([](linalg::LinalgOp op) {
      for (Value operand : op->getOperands()) {
        auto shaped = dyn_cast<ShapedType>(operand.getType());
        if (shaped && !shaped.hasStaticShape()) {
          op->emitError("the GPU path needs static shapes, got ")
              << operand.getType();
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (dynamic.wasInterrupted())
      return signalPassFailure();

    // Aggregate ops (linalg.softmax) -> their generics.
    SmallVector<linalg::AggregatedOpInterface> aggregates;
    module.walk(
        [&](linalg::AggregatedOpInterface op) { aggregates.push_back(op); });
    for (linalg::AggregatedOpInterface op : aggregates) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> results = op.decomposeOperation(rewriter);
      if (failed(results) || results->size() != op->getNumResults()) {
        op->emitError() << "cannot decompose " << op->getName()
                        << " for the GPU path";
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *results);
      ++numDecomposed;
    }

    // Named ops other than contractions, convolutions and fills -> generics.
    SmallVector<linalg::LinalgOp> named;
    module.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::GenericOp, linalg::FillOp>(op) ||
          !op.hasPureTensorSemantics() || gaon::gpu::isContractionRoot(op) ||
          linalg::isaContractionOpInterface(op) ||
          isa<linalg::ConvolutionOpInterface>(op.getOperation()))
        return;
      named.push_back(op);
    });
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      if (succeeded(linalg::generalizeNamedOp(rewriter, op)))
        ++numGeneralized;
    }

    // Fresh inits, then elementwise fusion of single-use producers.
    {
      RewritePatternSet patterns(&getContext());
      patterns.add<SplitContractionInit, FreshInits>(&getContext());
      int64_t before = countSplittable(module);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
      numInitsSplit += before - countSplittable(module);
    }
    RewritePatternSet fusion(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(fusion, [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse();
    });
    linalg::GenericOp::getCanonicalizationPatterns(fusion, &getContext());
    linalg::FillOp::getCanonicalizationPatterns(fusion, &getContext());
    tensor::EmptyOp::getCanonicalizationPatterns(fusion, &getContext());
    if (failed(applyPatternsGreedily(module, std::move(fusion))))
      return signalPassFailure();
  }

  /// Counts the ops the init-normalising patterns would rewrite.
  static int64_t countSplittable(ModuleOp module) {
    int64_t count = 0;
    module.walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      if (gaon::gpu::isContractionRoot(op)) {
        Value init = op.getDpsInitOperand(0)->get();
        if (!isZeroFill(init) && !init.getDefiningOp<tensor::EmptyOp>())
          ++count;
        return;
      }
      if (!isa<linalg::GenericOp>(op) || !gaon::gpu::isAllParallel(op))
        return;
      for (Value init : op.getDpsInits())
        if (!init.getDefiningOp<tensor::EmptyOp>())
          ++count;
    });
    return count;
  }
};
} // namespace
