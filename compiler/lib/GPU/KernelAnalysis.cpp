//===- KernelAnalysis.cpp - what a GPU kernel can fuse --------------------===//

#include "KernelAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace gaon::gpu {

StringRef stringifyKernelKind(KernelKind kind) {
  switch (kind) {
  case KernelKind::Contraction:
    return "contraction";
  case KernelKind::Reduction:
    return "reduction";
  case KernelKind::Loop:
    return "loop";
  }
  llvm_unreachable("unknown kernel kind");
}

std::optional<KernelKind> parseKernelKind(StringRef name) {
  return llvm::StringSwitch<std::optional<KernelKind>>(name)
      .Case("contraction", KernelKind::Contraction)
      .Case("reduction", KernelKind::Reduction)
      .Case("loop", KernelKind::Loop)
      .Default(std::nullopt);
}

bool isAllParallel(linalg::LinalgOp op) {
  return op.getNumLoops() == op.getNumParallelLoops();
}

/// True if every operand of `op` has a static shape.
static bool hasStaticOperands(linalg::LinalgOp op) {
  for (OpOperand &operand : op->getOpOperands()) {
    auto shaped = dyn_cast<ShapedType>(operand.get().getType());
    if (shaped && !shaped.hasStaticShape())
      return false;
  }
  return true;
}

bool isContractionRoot(linalg::LinalgOp op) {
  if (!hasStaticOperands(op) || op.getNumDpsInits() != 1)
    return false;
  if (isa<linalg::Conv2DNhwcHwcfOp>(op))
    return true;
  if (op.getNumDpsInputs() != 2 || !linalg::isaContractionOpInterface(op))
    return false;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  return succeeded(dims) && dims->m.size() == 1 && dims->n.size() == 1 &&
         dims->k.size() == 1;
}

std::optional<ReductionCombiner> matchReductionCombiner(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return std::nullopt;
  BlockArgument acc = body.getArgument(op.getNumDpsInputs());
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != &body ||
      combiner->getNumOperands() != 2 || !acc.hasOneUse())
    return std::nullopt;
  if (!isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp,
           arith::MaxNumFOp, arith::MinNumFOp, arith::AddIOp, arith::MulIOp,
           arith::MaxSIOp, arith::MinSIOp, arith::MaxUIOp, arith::MinUIOp,
           arith::AndIOp, arith::OrIOp, arith::XOrIOp>(combiner))
    return std::nullopt;
  Value value;
  if (combiner->getOperand(0) == acc)
    value = combiner->getOperand(1);
  else if (combiner->getOperand(1) == acc)
    value = combiner->getOperand(0);
  else
    return std::nullopt;
  return ReductionCombiner{combiner, value};
}

int64_t RowDomain::numRows() const {
  int64_t n = 1;
  for (int64_t r : rows)
    n *= r;
  return n;
}

int64_t RowDomain::numCols() const {
  int64_t n = 1;
  for (int64_t c : cols)
    n *= c;
  return n;
}

std::optional<RowDomain> getRowReductionDomain(linalg::GenericOp op) {
  if (!hasStaticOperands(op) || op.getNumDpsInits() != 1 ||
      !matchReductionCombiner(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned numParallel = 0;
  while (numParallel < iterators.size() &&
         iterators[numParallel] == utils::IteratorType::parallel)
    ++numParallel;
  if (numParallel == iterators.size())
    return std::nullopt;
  for (unsigned i = numParallel; i < iterators.size(); ++i)
    if (iterators[i] != utils::IteratorType::reduction)
      return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap expected =
      AffineMap::getMultiDimIdentityMap(op.getNumLoops(), op.getContext())
          .getMajorSubMap(numParallel);
  if (outMap != expected)
    return std::nullopt;
  for (OpOperand *input : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(input).isProjectedPermutation())
      return std::nullopt;
  RowDomain domain;
  domain.rows.assign(ranges.begin(), ranges.begin() + numParallel);
  domain.cols.assign(ranges.begin() + numParallel, ranges.end());
  return domain;
}

/// True if every output of `op` is written through the identity map.
static bool hasIdentityOutputs(linalg::GenericOp op) {
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isIdentity())
      return false;
  return true;
}

std::optional<RowOpClass> classifyRowOp(linalg::GenericOp op,
                                        const RowDomain &domain) {
  if (!hasStaticOperands(op))
    return std::nullopt;
  for (OpOperand *input : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(input).isProjectedPermutation())
      return std::nullopt;
  if (!isAllParallel(op)) {
    std::optional<RowDomain> own = getRowReductionDomain(op);
    if (own && own->rows == domain.rows && own->cols == domain.cols)
      return RowOpClass::Reduction;
    return std::nullopt;
  }
  if (!hasIdentityOutputs(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> full(domain.rows);
  full.append(domain.cols.begin(), domain.cols.end());
  if (ArrayRef<int64_t>(ranges) == ArrayRef<int64_t>(full))
    return RowOpClass::Elementwise;
  if (ArrayRef<int64_t>(ranges) == ArrayRef<int64_t>(domain.rows))
    return RowOpClass::Scalar;
  return std::nullopt;
}

bool isValidRowAccess(RowOpClass producer, RowOpClass consumer, AffineMap map,
                      const RowDomain &domain) {
  MLIRContext *ctx = map.getContext();
  unsigned numRowLoops = domain.rows.size();
  unsigned numAllLoops = numRowLoops + domain.cols.size();
  if (producer == RowOpClass::Elementwise) {
    return consumer != RowOpClass::Scalar &&
           map == AffineMap::getMultiDimIdentityMap(numAllLoops, ctx);
  }
  // A per-row value: read at the row of the current point.
  if (consumer == RowOpClass::Scalar)
    return map == AffineMap::getMultiDimIdentityMap(numRowLoops, ctx);
  return map == AffineMap::getMultiDimIdentityMap(numAllLoops, ctx)
                    .getMajorSubMap(numRowLoops);
}

std::optional<int64_t> getStaticIterationCount(linalg::LinalgOp op) {
  int64_t count = 1;
  for (int64_t range : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(range))
      return std::nullopt;
    count *= range;
  }
  return count;
}

int64_t countFlops(linalg::LinalgOp op) {
  std::optional<int64_t> points = getStaticIterationCount(op);
  if (!points || isa<linalg::FillOp>(op))
    return 0;
  int64_t perPoint = 0;
  for (Operation &inner : op.getBlock()->without_terminator()) {
    if (isa<arith::ConstantOp, arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp,
            arith::UIToFPOp, arith::FPToSIOp, arith::FPToUIOp,
            arith::IndexCastOp, arith::BitcastOp, arith::ExtSIOp,
            arith::ExtUIOp, arith::TruncIOp>(inner))
      continue;
    if (isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()))
      ++perPoint;
  }
  return perPoint * *points;
}

int64_t getTypeBytes(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  Type element = shaped.getElementType();
  int64_t bits =
      element.isIntOrIndexOrFloat()
          ? (element.isIndex() ? 64 : element.getIntOrFloatBitWidth())
          : 0;
  return shaped.getNumElements() * ((bits + 7) / 8);
}

} // namespace gaon::gpu
