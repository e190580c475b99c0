//===- AnnotateCosts.cpp - roofline cost of every linalg op ---------------===//

#include "gaon/Transforms/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/MathExtras.h"

namespace gaon {
#define GEN_PASS_DEF_ANNOTATECOSTSPASS
#include "gaon/Transforms/Passes.h.inc"
} // namespace gaon

using namespace mlir;
using gaon::npu::NPUDialect;
using gaon::npu::TargetAttr;

/// Bytes of a statically shaped tensor (0 for anything else).
static int64_t getTensorBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return 0;
  int64_t elementBits = tensor.getElementTypeBitWidth();
  return tensor.getNumElements() * llvm::divideCeil(elementBits, 8);
}

/// Floating-point operations the body of `op` performs per iteration: one
/// per arith/math op, a compare-and-select counting once.
static int64_t getBodyOpsPerIteration(linalg::LinalgOp op) {
  int64_t count = 0;
  for (Operation &bodyOp : op.getBlock()->without_terminator())
    if (!isa<arith::ConstantOp, arith::CmpFOp, arith::CmpIOp,
             linalg::IndexOp>(bodyOp))
      ++count;
  return count;
}

/// True if the op runs on the tensor engine: contractions and
/// convolutions (not pooling).
static bool usesTensorEngine(linalg::LinalgOp op) {
  if (linalg::isaContractionOpInterface(op))
    return true;
  return linalg::isaConvolutionOpInterface(op) &&
         op.getNumDpsInputs() == 2 &&
         op.payloadUsesValueFromOperand(op.getDpsInputOperand(1));
}

namespace {

struct AnnotateCostsPass
    : gaon::impl::AnnotateCostsPassBase<AnnotateCostsPass> {
  void runOnOperation() override {
    TargetAttr target = TargetAttr::lookup(getOperation());
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() || op.hasDynamicShape())
        return;
      annotate(op, target);
    });
  }

  void annotate(linalg::LinalgOp op, TargetAttr target) {
    int64_t iterations = 1;
    for (int64_t range : op.getStaticLoopRanges())
      iterations *= range;

    bool tensorEngine = usesTensorEngine(op);
    int64_t flops = 0;
    if (tensorEngine)
      flops = 2 * iterations;
    else if (!isa<linalg::FillOp, linalg::CopyOp>(op))
      flops = getBodyOpsPerIteration(op) * iterations;

    int64_t bytes = 0;
    for (OpOperand *input : op.getDpsInputOperands())
      bytes += getTensorBytes(input->get().getType());
    for (OpOperand &init : op.getDpsInitsMutable()) {
      int64_t initBytes = getTensorBytes(init.get().getType());
      bytes += initBytes;
      if (op.payloadUsesValueFromOperand(&init))
        bytes += initBytes;
    }

    Builder b(op.getContext());
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("flops", b.getI64IntegerAttr(flops)),
        b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes)),
        b.getNamedAttr("intensity",
                       b.getF64FloatAttr(bytes ? double(flops) / bytes : 0.0))};
    if (target) {
      int64_t perCycle =
          tensorEngine
              ? 2 * target.getTensorRows() * target.getTensorCols()
              : target.getVectorLanes();
      int64_t computeCycles =
          llvm::divideCeil(flops, perCycle * target.getCores());
      int64_t memoryCycles =
          llvm::divideCeil(bytes, target.getDramBytesPerCycle());
      bool computeBound = computeCycles >= memoryCycles;
      fields.push_back(
          b.getNamedAttr("compute_cycles", b.getI64IntegerAttr(computeCycles)));
      fields.push_back(
          b.getNamedAttr("memory_cycles", b.getI64IntegerAttr(memoryCycles)));
      fields.push_back(b.getNamedAttr(
          "roofline_cycles",
          b.getI64IntegerAttr(std::max(computeCycles, memoryCycles))));
      fields.push_back(b.getNamedAttr(
          "bound", b.getStringAttr(computeBound ? "compute" : "memory")));
    }
    op->setAttr(NPUDialect::kCostAttrName, b.getDictionaryAttr(fields));
    ++numAnnotated;
    totalFlops += flops;
    totalBytes += bytes;
  }
};

} // namespace
