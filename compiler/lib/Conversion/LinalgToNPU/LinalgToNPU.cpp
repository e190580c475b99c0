//===- LinalgToNPU.cpp - tiled linalg on SRAM tiles to npu commands -------===//
//
// After tiling, promotion and bufferization, every linalg op works on SRAM
// buffers and every copy moves a tile between DRAM and SRAM. This converts
// copies to DMAs, contractions to tensor-engine matmuls and elementwise or
// reduction bodies to vector-engine commands.
//
//===----------------------------------------------------------------------===//

#include "gaon/Conversion/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"
#include "gaon/Dialect/NPU/Transforms/CostModel.h"
#include "gaon/Dialect/NPU/Transforms/LinalgSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

namespace gaon {
#define GEN_PASS_DEF_CONVERTLINALGTONPUPASS
#include "gaon/Conversion/Passes.h.inc"
} // namespace gaon

using namespace mlir;
using namespace gaon::npu;

/// Most dims a DMA or vector view may have (the program format's limit).
static constexpr int64_t kMaxViewRank = 4;

static MemRefType getMemRefType(Value value) {
  return cast<MemRefType>(value.getType());
}

static bool isInSram(Value value) {
  return getMemorySpace(getMemRefType(value)) == MemorySpace::Sram;
}

static bool isInDram(Value value) {
  return getMemorySpace(getMemRefType(value)) == MemorySpace::Dram;
}

static Attribute getSramSpace(MLIRContext *context) {
  return MemorySpaceAttr::get(context, MemorySpace::Sram);
}

static int64_t getElementBytes(MemRefType type) {
  return llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

/// Static strides of `type`, or std::nullopt if its layout is not strided
/// with static strides (offsets may be dynamic).
static std::optional<SmallVector<int64_t>> getStaticStrides(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(gaon::npu::getStridesAndOffset(type, strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  return strides;
}

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

/// Drops the dims of `value` listed in `dims` (all of size 1) with a
/// rank-reducing subview.
static Value dropUnitDims(OpBuilder &b, Location loc, Value value,
                          ArrayRef<int64_t> dims) {
  if (dims.empty())
    return value;
  MemRefType type = getMemRefType(value);
  int64_t rank = type.getRank();
  SmallVector<int64_t> kept;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(dims, i))
      kept.push_back(type.getDimSize(i));
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
  for (int64_t size : type.getShape())
    sizes.push_back(b.getIndexAttr(size));
  auto resultType = memref::SubViewOp::inferRankReducedResultType(
      kept, type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, resultType, value, offsets, sizes,
                                   strides);
}

/// Collapses groups of adjacent dims of `value`.
static Value collapse(OpBuilder &b, Location loc, Value value,
                      ArrayRef<ReassociationIndices> groups) {
  if (int64_t(groups.size()) == getMemRefType(value).getRank())
    return value;
  return memref::CollapseShapeOp::create(b, loc, value, groups);
}

/// Reassociation that merges adjacent dims of views of one shape wherever
/// every view is contiguous across them (or the dims are 1), so a copy
/// between the views keeps its meaning with fewer dims.
static SmallVector<ReassociationIndices>
getMergeableGroups(ArrayRef<int64_t> shape,
                   ArrayRef<SmallVector<int64_t>> stridesOfViews) {
  SmallVector<ReassociationIndices> groups;
  // The innermost dim of the current group whose size is not 1.
  std::optional<int64_t> lastNonUnit;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    if (!groups.empty()) {
      bool mergeable = shape[i] == 1 || !lastNonUnit ||
                       llvm::all_of(stridesOfViews, [&](const auto &strides) {
                         return strides[*lastNonUnit] == strides[i] * shape[i];
                       });
      if (mergeable) {
        groups.back().push_back(i);
        if (shape[i] != 1)
          lastNonUnit = i;
        continue;
      }
    }
    groups.push_back({i});
    lastNonUnit = shape[i] != 1 ? std::optional<int64_t>(i) : std::nullopt;
  }
  return groups;
}

/// Views of `a` and `b` (same shape) with at most kMaxViewRank dims and at
/// least one, merging dims both are contiguous across.
static FailureOr<std::pair<Value, Value>>
getCopyViews(OpBuilder &builder, Location loc, Value a, Value b) {
  MemRefType aType = getMemRefType(a), bType = getMemRefType(b);
  if (aType.getRank() == 0) {
    auto expand = [&](Value v) -> Value {
      return memref::ExpandShapeOp::create(builder, loc, ArrayRef<int64_t>{1},
                                           v, ArrayRef<ReassociationIndices>{});
    };
    return std::make_pair(expand(a), expand(b));
  }
  std::optional<SmallVector<int64_t>> aStrides = getStaticStrides(aType),
                                      bStrides = getStaticStrides(bType);
  if (!aStrides || !bStrides)
    return failure();
  if (aType.getRank() <= kMaxViewRank &&
      llvm::none_of(aType.getShape(), [](int64_t d) { return d == 1; }))
    return std::make_pair(a, b);
  SmallVector<ReassociationIndices> groups =
      getMergeableGroups(aType.getShape(), {*aStrides, *bStrides});
  if (int64_t(groups.size()) > kMaxViewRank)
    return failure();
  return std::make_pair(collapse(builder, loc, a, groups),
                        collapse(builder, loc, b, groups));
}

/// A view of `value` (indexed through `map`, a projected permutation of the
/// op's loops) over the op's `active` loops in order: its dims permuted to
/// loop order, unit dims inserted for the active loops it does not index
/// (the vector engine broadcasts them), its other unit dims dropped.
static Value getLoopSpaceView(OpBuilder &b, Location loc, Value value,
                              AffineMap map, ArrayRef<int64_t> active) {
  // Source dims to keep, with the loop each indexes.
  SmallVector<int64_t> drop;
  SmallVector<std::pair<int64_t, int64_t>> kept; // (loop, source dim)
  for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
    int64_t loop = cast<AffineDimExpr>(expr).getPosition();
    if (llvm::is_contained(active, loop))
      kept.push_back({loop, int64_t(dim)});
    else
      drop.push_back(dim);
  }
  Value view = dropUnitDims(b, loc, value, drop);
  // Permute the kept dims into loop order.
  SmallVector<std::pair<int64_t, int64_t>> sorted = kept;
  llvm::sort(sorted);
  SmallVector<unsigned> permutation;
  for (auto [loop, dim] : sorted) {
    (void)loop;
    unsigned position =
        llvm::find_if(kept, [&](auto entry) { return entry.second == dim; }) -
        kept.begin();
    permutation.push_back(position);
  }
  bool identity =
      llvm::equal(permutation, llvm::seq<unsigned>(0, permutation.size()));
  if (!identity)
    view = memref::TransposeOp::create(
        b, loc, view,
        AffineMapAttr::get(
            AffineMap::getPermutationMap(permutation, b.getContext())));
  // Insert unit dims for the active loops the operand does not index: each
  // kept dim takes the unit dims after it (the first also those before it).
  if (sorted.size() == active.size())
    return view;
  SmallVector<int64_t> shape;
  SmallVector<int64_t> positions;
  for (auto [position, loop] : llvm::enumerate(active)) {
    if (positions.size() < sorted.size() &&
        sorted[positions.size()].first == loop) {
      shape.push_back(getMemRefType(view).getDimSize(positions.size()));
      positions.push_back(position);
    } else {
      shape.push_back(1);
    }
  }
  SmallVector<ReassociationIndices> groups;
  int64_t rank = active.size();
  for (size_t j = 0; j < positions.size(); ++j) {
    int64_t start = j == 0 ? 0 : positions[j];
    int64_t end = j + 1 < positions.size() ? positions[j + 1] : rank;
    groups.push_back(llvm::to_vector(llvm::seq<int64_t>(start, end)));
  }
  return memref::ExpandShapeOp::create(b, loc, shape, view, groups);
}

/// A 2-D view of a contraction operand: `rows` loops then `cols` loops (each
/// group in the given order), other indexed loops having extent 1. Sets
/// `transposed` if the operand stores them as cols then rows.
static FailureOr<Value> getMatrixView(OpBuilder &b, Location loc, Value value,
                                      AffineMap map, ArrayRef<unsigned> rows,
                                      ArrayRef<unsigned> cols,
                                      ArrayRef<int64_t> ranges,
                                      bool &transposed) {
  MemRefType type = getMemRefType(value);
  SmallVector<int64_t> drop;
  SmallVector<unsigned> loops;
  for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
    unsigned loop = cast<AffineDimExpr>(expr).getPosition();
    if (ranges[loop] == 1 && type.getDimSize(dim) == 1) {
      drop.push_back(dim);
      continue;
    }
    loops.push_back(loop);
  }
  auto filter = [&](ArrayRef<unsigned> group) {
    SmallVector<unsigned> result;
    for (unsigned loop : group)
      if (ranges[loop] != 1)
        result.push_back(loop);
    return result;
  };
  SmallVector<unsigned> rowLoops = filter(rows), colLoops = filter(cols);
  SmallVector<unsigned> straight(rowLoops), swapped(colLoops);
  straight.append(colLoops);
  swapped.append(rowLoops);
  Value view = dropUnitDims(b, loc, value, drop);
  int64_t rank = getMemRefType(view).getRank();
  size_t firstGroup;
  if (loops == straight) {
    transposed = false;
    firstGroup = rowLoops.size();
  } else if (loops == swapped) {
    transposed = true;
    firstGroup = colLoops.size();
  } else {
    return failure();
  }
  // Collapse to exactly two dims (expanding empty groups to 1).
  SmallVector<int64_t> shape(getMemRefType(view).getShape());
  if (firstGroup == 0 || firstGroup == size_t(rank)) {
    // One side is a single unit dim: insert it.
    SmallVector<ReassociationIndices> groups;
    SmallVector<int64_t> expanded;
    if (rank == 0)
      return failure();
    if (firstGroup == 0) {
      expanded.push_back(1);
      expanded.append(shape);
      groups.push_back({0, 1});
      for (int64_t i = 1; i < rank; ++i)
        groups.push_back({i + 1});
    } else {
      expanded.append(shape);
      expanded.push_back(1);
      for (int64_t i = 0; i + 1 < rank; ++i)
        groups.push_back({i});
      groups.push_back({rank - 1, rank});
    }
    view = memref::ExpandShapeOp::create(b, loc, expanded, view, groups);
    rank += 1;
    firstGroup = firstGroup == 0 ? 1 : firstGroup;
  }
  ReassociationIndices first, second;
  for (int64_t i = 0; i < rank; ++i)
    (size_t(i) < firstGroup ? first : second).push_back(i);
  return collapse(b, loc, view, {first, second});
}

//===----------------------------------------------------------------------===//
// Converter
//===----------------------------------------------------------------------===//

namespace {

class Converter {
public:
  Converter(MLIRContext *context, int64_t stagingBytes)
      : builder(context), stagingBytes(stagingBytes) {}

  LogicalResult convert(Operation *op);

  int64_t dmas = 0, matmuls = 0, vectors = 0;

private:
  LogicalResult convertCopy(Operation *op, Value source, Value target);
  LogicalResult stageThroughSram(Location loc, Value source, Value target);
  LogicalResult convertFill(linalg::FillOp op);
  LogicalResult convertContraction(linalg::LinalgOp op);
  LogicalResult convertVectorBody(linalg::LinalgOp op);

  Value createSramBuffer(Location loc, ArrayRef<int64_t> shape, Type type) {
    return memref::AllocOp::create(
        builder, loc,
        MemRefType::get(shape, type, MemRefLayoutAttrInterface(),
                        getSramSpace(builder.getContext())));
  }

  void createDma(Location loc, Value source, Value target) {
    DmaOp::create(builder, loc, source, target, /*queue=*/0, ValueRange{},
                  ValueRange{}, core);
    ++dmas;
  }

  OpBuilder builder;
  int64_t stagingBytes;
  /// The core of the op being converted (npu.core of its loop, else 0).
  int64_t core = 0;
};

} // namespace

LogicalResult Converter::convert(Operation *op) {
  builder.setInsertionPoint(op);
  core = 0;
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (auto attr =
            parent->getAttrOfType<IntegerAttr>(NPUDialect::kCoreAttrName)) {
      core = attr.getInt();
      break;
    }
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return convertCopy(op, copy.getSource(), copy.getTarget());
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return success();
  if (!linalgOp.hasPureBufferSemantics())
    return op->emitError() << "'" << op->getName()
                           << "' must be bufferized before NPU conversion";
  if (auto copy = dyn_cast<linalg::CopyOp>(op))
    return convertCopy(op, copy.getInputs()[0], copy.getOutputs()[0]);
  for (Value operand : op->getOperands())
    if (isa<MemRefType>(operand.getType()) && !isInSram(operand))
      return op->emitError()
             << "'" << op->getName() << "' reads or writes "
             << operand.getType()
             << " outside SRAM; its tiles must be promoted to SRAM "
                "(gaon-promote-tiles) before NPU conversion";
  switch (classifyLinalgOp(linalgOp)) {
  case LinalgOpClass::Fill:
    return convertFill(cast<linalg::FillOp>(op));
  case LinalgOpClass::Contraction:
    return convertContraction(linalgOp);
  case LinalgOpClass::Elementwise:
    return convertVectorBody(linalgOp);
  case LinalgOpClass::Window:
    return op->emitError() << "'" << op->getName()
                           << "' still slides a window; gaon-tile-linalg "
                              "rewrites windows as taps";
  case LinalgOpClass::Copy:
    break;
  }
  return op->emitError() << "unexpected op";
}

LogicalResult Converter::convertCopy(Operation *op, Value source,
                                     Value target) {
  Location loc = op->getLoc();
  if (isInDram(source) && isInDram(target))
    return stageThroughSram(loc, source, target);
  FailureOr<std::pair<Value, Value>> views =
      getCopyViews(builder, loc, source, target);
  if (failed(views))
    return op->emitError() << "cannot express the copy from "
                           << source.getType() << " to " << target.getType()
                           << " as a DMA of at most " << kMaxViewRank
                           << " strided dims";
  if (isInSram(source) && isInSram(target)) {
    VectorUnaryOp::create(builder, loc, UnaryKind::Copy, views->first,
                          views->second, ValueRange{}, ValueRange{}, core);
    ++vectors;
    return success();
  }
  createDma(loc, views->first, views->second);
  return success();
}

LogicalResult Converter::stageThroughSram(Location loc, Value source,
                                          Value target) {
  MemRefType type = getMemRefType(source);
  int64_t elementBytes = getElementBytes(type);
  int64_t bytes = type.getNumElements() * elementBytes;
  if (type.getRank() == 0 || bytes <= stagingBytes) {
    Value buffer =
        createSramBuffer(loc, type.getShape(), type.getElementType());
    FailureOr<std::pair<Value, Value>> in =
        getCopyViews(builder, loc, source, buffer);
    if (failed(in))
      return emitError(loc)
             << "cannot stage the copy of " << type << " through SRAM";
    createDma(loc, in->first, in->second);
    FailureOr<std::pair<Value, Value>> out =
        getCopyViews(builder, loc, buffer, target);
    if (failed(out))
      return emitError(loc)
             << "cannot stage the copy of " << type << " through SRAM";
    createDma(loc, out->first, out->second);
    return success();
  }
  // Loop over chunks of the outermost dim.
  int64_t rows = type.getDimSize(0);
  int64_t rowBytes = bytes / rows;
  int64_t chunk = 1;
  if (rowBytes <= stagingBytes)
    for (int64_t c = std::min(rows, stagingBytes / rowBytes); c >= 1; --c)
      if (rows % c == 0) {
        chunk = c;
        break;
      }
  Value lower = arith::ConstantIndexOp::create(builder, loc, 0);
  Value upper = arith::ConstantIndexOp::create(builder, loc, rows);
  Value step = arith::ConstantIndexOp::create(builder, loc, chunk);
  auto loop = scf::ForOp::create(builder, loc, lower, upper, step);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(loop.getBody());
  Value iv = loop.getInductionVar();
  auto slice = [&](Value value) -> Value {
    MemRefType valueType = getMemRefType(value);
    int64_t rank = valueType.getRank();
    SmallVector<OpFoldResult> offsets(rank, builder.getIndexAttr(0));
    offsets[0] = iv;
    SmallVector<OpFoldResult> sizes, strides(rank, builder.getIndexAttr(1));
    for (int64_t size : valueType.getShape())
      sizes.push_back(builder.getIndexAttr(size));
    sizes[0] = builder.getIndexAttr(chunk);
    SmallVector<int64_t> shape(valueType.getShape());
    shape[0] = chunk;
    if (chunk == 1 && rank > 1) {
      shape.erase(shape.begin());
      auto resultType = memref::SubViewOp::inferRankReducedResultType(
          shape, valueType, offsets, sizes, strides);
      return memref::SubViewOp::create(builder, loc, resultType, value, offsets,
                                       sizes, strides);
    }
    return memref::SubViewOp::create(builder, loc, value, offsets, sizes,
                                     strides);
  };
  return stageThroughSram(loc, slice(source), slice(target));
}

LogicalResult Converter::convertFill(linalg::FillOp op) {
  Attribute value;
  if (!matchPattern(op.getInputs()[0], m_Constant(&value)))
    return op.emitError() << "fills with a value that is not a constant";
  double immediate;
  if (auto floatAttr = dyn_cast<FloatAttr>(value))
    immediate = floatAttr.getValueAsDouble();
  else if (auto intAttr = dyn_cast<IntegerAttr>(value))
    immediate = double(intAttr.getValue().getSExtValue());
  else
    return op.emitError() << "fills with an unsupported constant";
  // Fill a view with as few dims as the layout allows (at least one).
  Value output = op.getOutputs()[0];
  FailureOr<std::pair<Value, Value>> views =
      getCopyViews(builder, op.getLoc(), output, output);
  if (failed(views))
    return op.emitError() << "fills a buffer of more than " << kMaxViewRank
                          << " strided dims";
  output = views->first;
  VectorFillOp::create(builder, op.getLoc(), llvm::APFloat(immediate), output,
                       ValueRange{}, ValueRange{}, core);
  ++vectors;
  return success();
}

LogicalResult Converter::convertContraction(linalg::LinalgOp op) {
  FailureOr<linalg::ContractionDimensions> dims = getContractionDims(op);
  if (failed(dims))
    return op->emitError() << "is not a contraction the tensor engine runs";
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (unsigned loop : dims->batch)
    if (ranges[loop] != 1)
      return op->emitError()
             << "has batch loop " << loop << " of range " << ranges[loop]
             << "; gaon-tile-linalg tiles batch loops to 1";
  Location loc = op.getLoc();
  OpOperand *lhs = op.getDpsInputOperand(0), *rhs = op.getDpsInputOperand(1);
  OpOperand *acc = op.getDpsInitOperand(0);
  // Which operand holds the m loops.
  auto indexes = [&](OpOperand *operand, ArrayRef<unsigned> loops) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    return llvm::all_of(
        loops, [&](unsigned loop) { return map.isFunctionOfDim(loop); });
  };
  if (!indexes(lhs, dims->m))
    std::swap(lhs, rhs);

  // The accumulator is (m, n) or (n, m); in the second case the engine
  // computes acc = rhs^T-side times lhs-side.
  bool swappedRoles = false;
  bool accTransposed = false;
  FailureOr<Value> accView =
      getMatrixView(builder, loc, acc->get(), op.getMatchingIndexingMap(acc),
                    dims->m, dims->n, ranges, accTransposed);
  if (failed(accView))
    return op->emitError()
           << "writes an output whose M and N dims cannot be viewed as a "
              "matrix; the NPU lowering does not support this layout";
  if (accTransposed) {
    swappedRoles = true;
    accView =
        getMatrixView(builder, loc, acc->get(), op.getMatchingIndexingMap(acc),
                      dims->n, dims->m, ranges, accTransposed);
  } else if (TargetAttr target = TargetAttr::lookup(op)) {
    // The engine may run the transposed problem faster (a GEMV on a
    // weight-stationary array); that needs the output viewed as (n, m)
    // without a transpose, which a unit M or N allows.
    auto extent = [&](ArrayRef<unsigned> loops) {
      int64_t size = 1;
      for (unsigned loop : loops)
        size *= ranges[loop];
      return size;
    };
    if (prefersSwappedOperands(target, extent(dims->m), extent(dims->n),
                               extent(dims->k))) {
      bool swappedTransposed = false;
      FailureOr<Value> swappedView = getMatrixView(
          builder, loc, acc->get(), op.getMatchingIndexingMap(acc), dims->n,
          dims->m, ranges, swappedTransposed);
      if (succeeded(swappedView) && !swappedTransposed) {
        swappedRoles = true;
        accView = swappedView;
      }
    }
  }
  ArrayRef<unsigned> rowsLoops = swappedRoles ? dims->n : dims->m;
  ArrayRef<unsigned> colsLoops = swappedRoles ? dims->m : dims->n;
  OpOperand *first = swappedRoles ? rhs : lhs;
  OpOperand *second = swappedRoles ? lhs : rhs;
  bool firstTransposed = false, secondTransposed = false;
  FailureOr<Value> firstView = getMatrixView(
      builder, loc, first->get(), op.getMatchingIndexingMap(first), rowsLoops,
      dims->k, ranges, firstTransposed);
  FailureOr<Value> secondView = getMatrixView(
      builder, loc, second->get(), op.getMatchingIndexingMap(second), dims->k,
      colsLoops, ranges, secondTransposed);
  if (failed(firstView) || failed(secondView))
    return op->emitError()
           << "reads an operand whose M, N or K dims cannot be viewed as a "
              "matrix; the NPU lowering does not support this layout";
  auto matmul =
      MatmulOp::create(builder, loc, *firstView, *secondView, *accView,
                       firstTransposed, secondTransposed,
                       /*accumulate=*/true, ValueRange{}, ValueRange{}, core);
  (void)matmul;
  ++matmuls;
  return success();
}

namespace {

/// A value of the body during vector lowering: a buffer of the loop-space
/// shape (or broadcastable to it), or an immediate.
struct LoweredValue {
  Value buffer;
  double constant = 0.0;
  bool isConstant() const { return !buffer; }
};

} // namespace

/// Shape of the broadcast of `shapes`.
static SmallVector<int64_t>
broadcastShapes(ArrayRef<SmallVector<int64_t>> shapes, int64_t rank) {
  SmallVector<int64_t> result(rank, 1);
  for (const auto &shape : shapes)
    for (int64_t i = 0; i < rank; ++i)
      result[i] = std::max(result[i], shape[i]);
  return result;
}

LogicalResult Converter::convertVectorBody(linalg::LinalgOp op) {
  FailureOr<Payload> payload = analyzePayload(op, /*emitErrors=*/true);
  if (failed(payload))
    return failure();
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();

  // Active loops: those of extent > 1 (at least one).
  SmallVector<int64_t> active;
  for (auto [loop, range] : llvm::enumerate(ranges))
    if (range != 1)
      active.push_back(loop);
  if (active.empty())
    active.push_back(ranges.size() - 1);
  if (int64_t(active.size()) > kMaxViewRank)
    return op->emitError() << "iterates over " << active.size()
                           << " non-unit loops; the vector engine handles at "
                              "most "
                           << kMaxViewRank;
  int64_t rank = active.size();

  // Views of the block arguments (inputs, then inits).
  SmallVector<LoweredValue> arguments;
  for (OpOperand &operand : op->getOpOperands()) {
    Value value = operand.get();
    if (!isa<MemRefType>(value.getType())) {
      Attribute constant;
      if (!matchPattern(value, m_Constant(&constant)))
        return op->emitError() << "reads a scalar operand that is not a "
                                  "constant";
      double immediate = isa<FloatAttr>(constant)
                             ? cast<FloatAttr>(constant).getValueAsDouble()
                             : double(cast<IntegerAttr>(constant).getInt());
      arguments.push_back({Value(), immediate});
      continue;
    }
    arguments.push_back(
        {getLoopSpaceView(builder, loc, value,
                          op.getMatchingIndexingMap(&operand), active),
         0.0});
  }
  auto shapeOf = [](const LoweredValue &value) {
    return SmallVector<int64_t>(getMemRefType(value.buffer).getShape());
  };

  // Outputs a reduction folds into, and the steps that are only combiners.
  unsigned numInputs = op.getNumDpsInputs();
  SmallVector<std::optional<std::pair<ReduceKind, PayloadOperand>>> reductions(
      op.getNumDpsInits());
  llvm::DenseSet<unsigned> combinerSteps;
  if (op.getNumReductionLoops() > 0) {
    for (unsigned i = 0, e = op.getNumDpsInits(); i < e; ++i) {
      PayloadOperand folded;
      std::optional<ReduceKind> kind =
          getReductionCombiner(op, *payload, i, folded);
      if (!kind)
        return op->emitError()
               << "reduces output " << i << " with an unsupported combiner";
      reductions[i] = {*kind, folded};
      combinerSteps.insert(payload->yields[i].index);
    }
  }

  // Which steps write straight into an output: the yielded step of an
  // elementwise output with the output's type and shape, used by nothing
  // else.
  SmallVector<int> directOutput(payload->steps.size(), -1);
  for (unsigned i = 0, e = op.getNumDpsInits(); i < e; ++i) {
    if (reductions[i])
      continue;
    const PayloadOperand &yield = payload->yields[i];
    if (yield.kind != PayloadOperand::Kind::Step)
      continue;
    bool usedElsewhere = false;
    for (const PayloadStep &step : payload->steps)
      for (const PayloadOperand &operand : step.operands)
        usedElsewhere |= operand.kind == PayloadOperand::Kind::Step &&
                         operand.index == yield.index;
    for (unsigned j = 0; j < e; ++j)
      usedElsewhere |= j != i &&
                       payload->yields[j].kind == PayloadOperand::Kind::Step &&
                       payload->yields[j].index == yield.index;
    if (!usedElsewhere && directOutput[yield.index] < 0)
      directOutput[yield.index] = i;
  }

  SmallVector<LoweredValue> steps;
  auto lookup = [&](const PayloadOperand &operand) -> LoweredValue {
    switch (operand.kind) {
    case PayloadOperand::Kind::Argument:
      return arguments[operand.index];
    case PayloadOperand::Kind::Step:
      return steps[operand.index];
    case PayloadOperand::Kind::Constant:
      return {Value(), operand.constant};
    }
    return {};
  };

  for (auto [index, step] : llvm::enumerate(payload->steps)) {
    if (combinerSteps.contains(index)) {
      steps.push_back({});
      continue;
    }
    SmallVector<LoweredValue> operands;
    SmallVector<SmallVector<int64_t>> shapes;
    for (const PayloadOperand &operand : step.operands) {
      operands.push_back(lookup(operand));
      if (!operands.back().isConstant())
        shapes.push_back(shapeOf(operands.back()));
    }
    SmallVector<int64_t> shape = broadcastShapes(shapes, rank);
    Value result;
    if (directOutput[index] >= 0) {
      LoweredValue output = arguments[numInputs + directOutput[index]];
      if (shapeOf(output) == shape)
        result = output.buffer;
      else
        directOutput[index] = -1;
    }
    if (!result)
      result = createSramBuffer(loc, shape, step.type);
    switch (step.kind) {
    case PayloadStep::Kind::Unary:
      VectorUnaryOp::create(builder, loc, step.unary, operands[0].buffer,
                            result, ValueRange{}, ValueRange{}, core);
      break;
    case PayloadStep::Kind::Cast:
      VectorCastOp::create(builder, loc, operands[0].buffer, result,
                           ValueRange{}, ValueRange{}, core);
      break;
    case PayloadStep::Kind::Binary:
      if (operands[0].isConstant() || operands[1].isConstant()) {
        bool reversed = operands[0].isConstant();
        const LoweredValue &input = reversed ? operands[1] : operands[0];
        double scalar = reversed ? operands[0].constant : operands[1].constant;
        VectorScalarOp::create(builder, loc, step.binary, input.buffer,
                               llvm::APFloat(scalar), result, reversed,
                               ValueRange{}, ValueRange{}, core);
      } else {
        VectorBinaryOp::create(builder, loc, step.binary, operands[0].buffer,
                               operands[1].buffer, result, ValueRange{},
                               ValueRange{}, core);
      }
      break;
    }
    ++vectors;
    steps.push_back({result, 0.0});
  }

  // Outputs: reductions fold into theirs; elementwise outputs receive their
  // yield unless a step already wrote it.
  for (unsigned i = 0, e = op.getNumDpsInits(); i < e; ++i) {
    LoweredValue output = arguments[numInputs + i];
    if (reductions[i]) {
      auto [kind, foldedOperand] = *reductions[i];
      LoweredValue folded = lookup(foldedOperand);
      if (folded.isConstant())
        return op->emitError() << "reduces a constant";
      Value current = folded.buffer;
      SmallVector<int64_t> reduced;
      for (auto [position, loop] : llvm::enumerate(active))
        if (iterators[loop] == utils::IteratorType::reduction)
          reduced.push_back(position);
      for (auto [n, axis] : llvm::enumerate(reduced)) {
        bool last = n + 1 == reduced.size();
        Value target;
        if (last) {
          target = output.buffer;
        } else {
          SmallVector<int64_t> shape(getMemRefType(current).getShape());
          shape[axis] = 1;
          target = createSramBuffer(loc, shape,
                                    getMemRefType(current).getElementType());
        }
        if (getMemRefType(current).getDimSize(axis) == 1 && !last)
          continue;
        VectorReduceOp::create(builder, loc, kind, current, target, axis,
                               /*accumulate=*/last, ValueRange{}, ValueRange{},
                               core);
        ++vectors;
        current = target;
      }
      continue;
    }
    const PayloadOperand &yield = payload->yields[i];
    if (yield.kind == PayloadOperand::Kind::Step &&
        directOutput[yield.index] == int(i))
      continue;
    LoweredValue value = lookup(yield);
    if (value.isConstant()) {
      VectorFillOp::create(builder, loc, llvm::APFloat(value.constant),
                           output.buffer, ValueRange{}, ValueRange{}, core);
    } else if (value.buffer == output.buffer) {
      continue;
    } else if (shapeOf(value) != shapeOf(output)) {
      // Broadcast into the output: max(x, x) = x, broadcast by the engine.
      if (getMemRefType(value.buffer).getElementType() !=
          getMemRefType(output.buffer).getElementType())
        return op->emitError() << "broadcasts and converts in one step";
      VectorBinaryOp::create(builder, loc, BinaryKind::Max, value.buffer,
                             value.buffer, output.buffer, ValueRange{},
                             ValueRange{}, core);
    } else if (getMemRefType(value.buffer).getElementType() !=
               getMemRefType(output.buffer).getElementType()) {
      VectorCastOp::create(builder, loc, value.buffer, output.buffer,
                           ValueRange{}, ValueRange{}, core);
    } else {
      VectorUnaryOp::create(builder, loc, UnaryKind::Copy, value.buffer,
                            output.buffer, ValueRange{}, ValueRange{}, core);
    }
    ++vectors;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {

struct ConvertLinalgToNPUPass
    : gaon::impl::ConvertLinalgToNPUPassBase<ConvertLinalgToNPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (stagingBytes <= 0) {
      getOperation().emitError() << "staging-bytes must be positive";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::LinalgOp, memref::CopyOp>(op))
        ops.push_back(op);
    });
    Converter converter(&getContext(), stagingBytes);
    bool failed = false;
    for (Operation *op : ops) {
      if (mlir::failed(converter.convert(op))) {
        failed = true;
        continue;
      }
      op->erase();
    }
    numDma += converter.dmas;
    numMatmul += converter.matmuls;
    numVector += converter.vectors;
    if (failed)
      signalPassFailure();
  }
};

} // namespace
