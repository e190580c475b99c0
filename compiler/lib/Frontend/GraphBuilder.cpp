//===- GraphBuilder.cpp - emit graph-level IR as torch-mlir does ---------===//

#include "gaon/Frontend/GraphBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace gaon::frontend;
using llvm::SmallVector;

//===----------------------------------------------------------------------===//
// Free helpers
//===----------------------------------------------------------------------===//

std::optional<SmallVector<int64_t>>
gaon::frontend::broadcastShapes(ArrayRef<SmallVector<int64_t>> shapes) {
  size_t rank = 0;
  for (const auto &s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> result(rank, 1);
  for (const auto &s : shapes) {
    size_t offset = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &r = result[offset + i];
      if (s[i] == r || s[i] == 1)
        continue;
      if (r != 1)
        return std::nullopt;
      r = s[i];
    }
  }
  return result;
}

int64_t gaon::frontend::numElements(ArrayRef<int64_t> shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1},
                         std::multiplies<int64_t>());
}

void gaon::frontend::eraseDeadOps(Block &block) {
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (isOpTriviallyDead(&op))
      op.erase();
}

int64_t WindowSpec::outputSize(unsigned i, int64_t in) const {
  int64_t effective = dilations[i] * (kernel[i] - 1) + 1;
  return (in + padsBegin[i] + padsEnd[i] - effective) / strides[i] + 1;
}

/// Parallel iterator types for `n` loops.
static SmallVector<utils::IteratorType> parallelLoops(unsigned n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// Ends a linalg body with a yield of `v`.
static void yield(OpBuilder &b, Location loc, Value v) {
  linalg::YieldOp::create(b, loc, v);
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Value GraphBuilder::scalar(OpBuilder &b, Location loc, Type type,
                           double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  if (type.isInteger(1))
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(value != 0));
  if (type.isIndex())
    return arith::ConstantIndexOp::create(b, loc, static_cast<int64_t>(value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value GraphBuilder::castScalar(OpBuilder &b, Location loc, Value v, Type to,
                               bool srcUnsigned, bool dstUnsigned) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (fromF && toF) {
    if (fromF.getWidth() < toF.getWidth())
      return arith::ExtFOp::create(b, loc, to, v);
    if (fromF.getWidth() > toF.getWidth())
      return arith::TruncFOp::create(b, loc, to, v);
    // Same width, different format (bf16 <-> f16): go through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (from.isIndex() || to.isIndex())
    return arith::IndexCastOp::create(b, loc, to, v);
  if (to.isInteger(1)) {
    if (fromF)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   scalar(b, loc, from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                 scalar(b, loc, from, 0));
  }
  bool fromUnsigned = srcUnsigned || from.isInteger(1);
  if (toF)
    return fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, to, v))
                        : Value(arith::SIToFPOp::create(b, loc, to, v));
  if (fromF)
    return dstUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, v))
                       : Value(arith::FPToSIOp::create(b, loc, to, v));
  unsigned fromW = from.getIntOrFloatBitWidth();
  unsigned toW = to.getIntOrFloatBitWidth();
  if (fromW < toW)
    return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, to, v))
                        : Value(arith::ExtSIOp::create(b, loc, to, v));
  if (fromW > toW)
    return arith::TruncIOp::create(b, loc, to, v);
  return v;
}

Value GraphBuilder::geluScalar(OpBuilder &b, Location loc, Value x,
                               bool tanhApprox) {
  Type t = x.getType();
  Value inner;
  if (tanhApprox) {
    // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
    Value x3 =
        arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
    Value sum = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, x3, scalar(b, loc, t, 0.044715)));
    inner = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, sum,
                              scalar(b, loc, t, std::sqrt(2.0 / M_PI))));
  } else {
    // erf(x / sqrt 2)
    inner = math::ErfOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, scalar(b, loc, t, M_SQRT1_2)));
  }
  Value onePlus = arith::AddFOp::create(b, loc, inner, scalar(b, loc, t, 1));
  Value half = arith::MulFOp::create(b, loc, x, scalar(b, loc, t, 0.5));
  return arith::MulFOp::create(b, loc, half, onePlus);
}

/// The most negative (`negative`) or positive value of `type`: infinity when
/// the float format has one, else its largest finite value.
static TypedAttr extremeValue(Type type, bool negative) {
  if (auto ft = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    llvm::APFloat v = llvm::APFloat::semanticsHasInf(sem)
                          ? llvm::APFloat::getInf(sem, negative)
                          : llvm::APFloat::getLargest(sem, negative);
    return FloatAttr::get(type, v);
  }
  unsigned width = type.getIntOrFloatBitWidth();
  if (width == 1)
    return IntegerAttr::get(type, negative ? 0 : 1);
  return IntegerAttr::get(type, negative
                                    ? llvm::APInt::getSignedMinValue(width)
                                    : llvm::APInt::getSignedMaxValue(width));
}

TypedAttr GraphBuilder::lowestValue(Type type) {
  return extremeValue(type, true);
}
TypedAttr GraphBuilder::highestValue(Type type) {
  return extremeValue(type, false);
}

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

Value GraphBuilder::empty(ArrayRef<int64_t> shape, Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value GraphBuilder::fill(ArrayRef<int64_t> shape, TypedAttr value) {
  Value init = empty(shape, value.getType());
  Value cst = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, ValueRange{cst}, ValueRange{init})
      .getResult(0);
}

Value GraphBuilder::fill(ArrayRef<int64_t> shape, Type elementType,
                         double value) {
  Value init = empty(shape, elementType);
  Value cst = scalar(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, ValueRange{cst}, ValueRange{init})
      .getResult(0);
}

Value GraphBuilder::constant(DenseElementsAttr value) {
  return arith::ConstantOp::create(b, loc, value);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

Value GraphBuilder::dropUnitDims(Value v, ArrayRef<bool> drop) {
  if (llvm::none_of(drop, [](bool d) { return d; }))
    return v;
  ArrayRef<int64_t> shape = shapeOf(v);
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices current;
  bool currentHasKept = false;
  SmallVector<int64_t> newShape;
  for (unsigned d = 0; d < shape.size(); ++d) {
    if (!drop[d] && currentHasKept) {
      groups.push_back(current);
      current.clear();
      currentHasKept = false;
    }
    current.push_back(d);
    if (!drop[d]) {
      currentHasKept = true;
      newShape.push_back(shape[d]);
    }
  }
  if (currentHasKept)
    groups.push_back(current);
  else if (!groups.empty())
    groups.back().append(current.begin(), current.end());
  // Look through an expand_shape that only added these unit dims
  // (eraseDeadOps removes it if nothing else uses it).
  if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>())
    if (shapeOf(expand.getSrc()) == ArrayRef<int64_t>(newShape))
      return expand.getSrc();
  auto type = RankedTensorType::get(newShape, elementTypeOf(v));
  return tensor::CollapseShapeOp::create(b, loc, type, v, groups);
}

Value GraphBuilder::elementwise(ValueRange inputs, Type resultType,
                                ScalarFn body) {
  SmallVector<SmallVector<int64_t>> shapes;
  for (Value in : inputs)
    shapes.push_back(llvm::to_vector(shapeOf(in)));
  return elementwiseTo(inputs, *broadcastShapes(shapes), resultType, body);
}

Value GraphBuilder::elementwiseTo(ValueRange inputs, ArrayRef<int64_t> outShape,
                                  Type resultType, ScalarFn body) {
  unsigned rank = outShape.size();
  MLIRContext *ctx = b.getContext();

  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (Value in : inputs) {
    ArrayRef<int64_t> shape = shapeOf(in);
    unsigned offset = rank - shape.size();
    SmallVector<bool> drop(shape.size(), false);
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < shape.size(); ++i) {
      drop[i] = shape[i] == 1 && outShape[offset + i] != 1;
      if (!drop[i])
        exprs.push_back(getAffineDimExpr(offset + i, ctx));
    }
    operands.push_back(dropUnitDims(in, drop));
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = empty(outShape, resultType);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, operands, ValueRange{init}, maps,
      parallelLoops(rank), [&](OpBuilder &nb, Location l, ValueRange args) {
        yield(nb, l, body(nb, l, args.drop_back()));
      });
  return op.getResult(0);
}

Value GraphBuilder::broadcastTo(Value v, ArrayRef<int64_t> shape) {
  if (shapeOf(v) == shape)
    return v;
  return elementwiseTo(
      v, shape, elementTypeOf(v),
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

Value GraphBuilder::cast(Value v, Type elementType, bool srcUnsigned,
                         bool dstUnsigned) {
  if (elementTypeOf(v) == elementType)
    return v;
  return elementwise(
      v, elementType, [&](OpBuilder &nb, Location l, ValueRange a) {
        return castScalar(nb, l, a[0], elementType, srcUnsigned, dstUnsigned);
      });
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

Value GraphBuilder::reshape(Value v, ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> src = shapeOf(v);
  if (src == shape)
    return v;
  Type elt = elementTypeOf(v);
  auto dstType = RankedTensorType::get(shape, elt);
  // A single collapse or expand when the dims regroup cleanly.
  if (!src.empty() && !shape.empty()) {
    if (src.size() > shape.size()) {
      if (auto re = getReassociationIndicesForCollapse(src, shape))
        return tensor::CollapseShapeOp::create(b, loc, dstType, v, *re);
    } else if (src.size() < shape.size()) {
      if (auto re = getReassociationIndicesForCollapse(shape, src))
        return tensor::ExpandShapeOp::create(b, loc, dstType, v, *re);
    }
  }
  // Otherwise through 1-D (rank 0 collapses/expands with no groups).
  int64_t n = numElements(src);
  auto flatType = RankedTensorType::get({n}, elt);
  Value flat = v;
  if (src.size() != 1) {
    SmallVector<ReassociationIndices> all;
    if (!src.empty())
      all.push_back(llvm::to_vector(llvm::seq<int64_t>(0, src.size())));
    flat =
        src.empty()
            ? Value(tensor::ExpandShapeOp::create(b, loc, flatType, v, all))
            : Value(tensor::CollapseShapeOp::create(b, loc, flatType, v, all));
  }
  if (shape.size() == 1)
    return flat;
  SmallVector<ReassociationIndices> all;
  if (!shape.empty()) {
    all.push_back(llvm::to_vector(llvm::seq<int64_t>(0, shape.size())));
    return tensor::ExpandShapeOp::create(b, loc, dstType, flat, all);
  }
  return tensor::CollapseShapeOp::create(b, loc, dstType, flat, all);
}

Value GraphBuilder::transpose(Value v, ArrayRef<int64_t> perm) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return v;
  ArrayRef<int64_t> shape = shapeOf(v);
  SmallVector<int64_t> outShape;
  for (int64_t p : perm)
    outShape.push_back(shape[p]);
  Value init = empty(outShape, elementTypeOf(v));
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}

Value GraphBuilder::slice(Value v, ArrayRef<int64_t> offsets,
                          ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides) {
  if (shapeOf(v) == sizes &&
      llvm::all_of(offsets, [](int64_t o) { return o == 0; }))
    return v;
  auto type = RankedTensorType::get(sizes, elementTypeOf(v));
  return tensor::ExtractSliceOp::create(b, loc, type, v, ValueRange{},
                                        ValueRange{}, ValueRange{}, offsets,
                                        sizes, strides);
}

Value GraphBuilder::sliceAxis(Value v, int64_t axis, int64_t start,
                              int64_t size) {
  ArrayRef<int64_t> shape = shapeOf(v);
  SmallVector<int64_t> offsets(shape.size(), 0), sizes(shape);
  SmallVector<int64_t> strides(shape.size(), 1);
  offsets[axis] = start;
  sizes[axis] = size;
  return slice(v, offsets, sizes, strides);
}

Value GraphBuilder::copyGeneric(Value in, ArrayRef<AffineExpr> inExprs,
                                ArrayRef<int64_t> outShape) {
  unsigned rank = outShape.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, inExprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Value init = empty(outShape, elementTypeOf(in));
  return linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                   ValueRange{in}, ValueRange{init}, maps,
                                   parallelLoops(rank),
                                   [](OpBuilder &nb, Location l, ValueRange a) {
                                     yield(nb, l, a[0]);
                                   })
      .getResult(0);
}

Value GraphBuilder::reverse(Value v, int64_t axis) {
  ArrayRef<int64_t> shape = shapeOf(v);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < shape.size(); ++i)
    exprs.push_back(i == axis ? shape[i] - 1 - getAffineDimExpr(i, ctx)
                              : getAffineDimExpr(i, ctx));
  return copyGeneric(v, exprs, shape);
}

Value GraphBuilder::concat(ValueRange values, int64_t axis) {
  if (values.size() == 1)
    return values.front();
  return tensor::ConcatOp::create(b, loc, axis, values);
}

Value GraphBuilder::pad(Value v, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                        TypedAttr padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return v;
  ArrayRef<int64_t> shape = shapeOf(v);
  SmallVector<int64_t> outShape;
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (unsigned i = 0; i < shape.size(); ++i) {
    outShape.push_back(shape[i] + low[i] + high[i]);
    lowOfr.push_back(b.getIndexAttr(low[i]));
    highOfr.push_back(b.getIndexAttr(high[i]));
  }
  auto type = RankedTensorType::get(outShape, elementTypeOf(v));
  Value cst = arith::ConstantOp::create(b, loc, padValue);
  return tensor::PadOp::create(b, loc, type, v, lowOfr, highOfr, cst);
}

Value GraphBuilder::tile(Value v, ArrayRef<int64_t> repeats) {
  ArrayRef<int64_t> shape = shapeOf(v);
  unsigned rank = shape.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> outShape;
  SmallVector<bool> drop(rank, false);
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < rank; ++i) {
    outShape.push_back(shape[i] * repeats[i]);
    drop[i] = shape[i] == 1 && repeats[i] != 1;
    if (drop[i])
      continue;
    AffineExpr d = getAffineDimExpr(i, ctx);
    exprs.push_back(repeats[i] == 1 ? d : d % shape[i]);
  }
  return copyGeneric(dropUnitDims(v, drop), exprs, outShape);
}

//===----------------------------------------------------------------------===//
// Contractions and reductions
//===----------------------------------------------------------------------===//

Value GraphBuilder::matmul(Value a, Value bm, Type accType) {
  if (!accType)
    accType = elementTypeOf(a);
  bool aVec = shapeOf(a).size() == 1, bVec = shapeOf(bm).size() == 1;
  if (aVec)
    a = reshape(a, {1, shapeOf(a)[0]});
  if (bVec)
    bm = reshape(bm, {shapeOf(bm)[0], 1});
  SmallVector<int64_t> sa(shapeOf(a)), sb(shapeOf(bm));
  int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  SmallVector<int64_t> batchA(sa.begin(), sa.end() - 2);
  SmallVector<int64_t> batchB(sb.begin(), sb.end() - 2);

  Value result;
  SmallVector<int64_t> outShape;
  if (batchB.empty()) {
    // [..., M, K] x [K, N]: fold a's batch dims into M.
    int64_t rows = numElements(batchA) * m;
    Value a2 = reshape(a, {rows, k});
    Value init = fill({rows, n}, accType, 0.0);
    result = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                      ValueRange{a2, bm}, ValueRange{init})
                 .getResult(0);
    outShape = batchA;
  } else {
    SmallVector<int64_t> batch = *broadcastShapes({batchA, batchB});
    SmallVector<int64_t> fullA(batch), fullB(batch);
    fullA.append({m, k});
    fullB.append({k, n});
    a = broadcastTo(a, fullA);
    bm = broadcastTo(bm, fullB);
    int64_t nb = numElements(batch);
    Value a3 = reshape(a, {nb, m, k});
    Value b3 = reshape(bm, {nb, k, n});
    Value init = fill({nb, m, n}, accType, 0.0);
    result = linalg::BatchMatmulOp::create(b, loc, TypeRange{init.getType()},
                                           ValueRange{a3, b3}, ValueRange{init})
                 .getResult(0);
    outShape = batch;
  }
  if (!aVec)
    outShape.push_back(m);
  if (!bVec)
    outShape.push_back(n);
  return reshape(result, outShape);
}

Value GraphBuilder::reduce(Value v, ArrayRef<int64_t> axes, bool keepDims,
                           TypedAttr init, CombineFn combine) {
  ArrayRef<int64_t> shape = shapeOf(v);
  unsigned rank = shape.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes)
    reduced[a] = true;
  SmallVector<int64_t> outShape, keptShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (unsigned i = 0; i < rank; ++i) {
    iterators.push_back(reduced[i] ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    keptShape.push_back(reduced[i] ? 1 : shape[i]);
    if (reduced[i])
      continue;
    outShape.push_back(shape[i]);
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  Value acc = fill(outShape, init);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  Value result =
      linalg::GenericOp::create(b, loc, TypeRange{acc.getType()}, ValueRange{v},
                                ValueRange{acc}, maps, iterators,
                                [&](OpBuilder &nb, Location l, ValueRange a) {
                                  yield(nb, l, combine(nb, l, a[0], a[1]));
                                })
          .getResult(0);
  return keepDims ? reshape(result, keptShape) : result;
}

Value GraphBuilder::reduceSum(Value v, ArrayRef<int64_t> axes, bool keepDims) {
  Type t = elementTypeOf(v);
  return reduce(v, axes, keepDims, llvm::cast<TypedAttr>(b.getZeroAttr(t)),
                [&](OpBuilder &nb, Location l, Value x, Value acc) -> Value {
                  if (isa<FloatType>(t))
                    return arith::AddFOp::create(nb, l, x, acc);
                  return arith::AddIOp::create(nb, l, x, acc);
                });
}

Value GraphBuilder::reduceMax(Value v, ArrayRef<int64_t> axes, bool keepDims) {
  Type t = elementTypeOf(v);
  return reduce(v, axes, keepDims, lowestValue(t),
                [&](OpBuilder &nb, Location l, Value x, Value acc) -> Value {
                  if (isa<FloatType>(t))
                    return arith::MaximumFOp::create(nb, l, x, acc);
                  return arith::MaxSIOp::create(nb, l, x, acc);
                });
}

Value GraphBuilder::reduceMean(Value v, ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t a : axes)
    count *= shapeOf(v)[a];
  Value sum = reduceSum(v, axes, /*keepDims=*/false);
  Type t = elementTypeOf(v);
  Value mean =
      elementwise(sum, t, [&](OpBuilder &nb, Location l, ValueRange a) {
        return arith::DivFOp::create(
            nb, l, a[0], scalar(nb, l, t, static_cast<double>(count)));
      });
  SmallVector<int64_t> kept(shapeOf(v));
  for (int64_t a : axes)
    kept[a] = 1;
  return reshape(mean, kept);
}

Value GraphBuilder::softmax(Value v, int64_t axis, bool log) {
  Type t = elementTypeOf(v);
  Value max = reduceMax(v, axis, /*keepDims=*/true);
  Value shifted =
      elementwise({v, max}, t, [](OpBuilder &nb, Location l, ValueRange a) {
        return arith::SubFOp::create(nb, l, a[0], a[1]);
      });
  Value exp =
      elementwise(shifted, t, [](OpBuilder &nb, Location l, ValueRange a) {
        return math::ExpOp::create(nb, l, a[0]);
      });
  Value sum = reduceSum(exp, axis, /*keepDims=*/true);
  if (log)
    return elementwise({shifted, sum}, t,
                       [](OpBuilder &nb, Location l, ValueRange a) {
                         Value logSum = math::LogOp::create(nb, l, a[1]);
                         return arith::SubFOp::create(nb, l, a[0], logSum);
                       });
  return elementwise({exp, sum}, t,
                     [](OpBuilder &nb, Location l, ValueRange a) {
                       return arith::DivFOp::create(nb, l, a[0], a[1]);
                     });
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, gathers
//===----------------------------------------------------------------------===//

bool GraphBuilder::isConvSupported(unsigned spatialRank, int64_t groups,
                                   int64_t channels, int64_t filters) {
  if (spatialRank < 1 || spatialRank > 3)
    return false;
  if (groups == 1)
    return true;
  if (groups == channels && filters == channels)
    return true; // depthwise, any rank
  return spatialRank == 2;
}

/// Pads the spatial dims of an NC... tensor by `window`'s pads with `value`.
static Value padSpatial(GraphBuilder &gb, Value v, const WindowSpec &window,
                        TypedAttr value) {
  SmallVector<int64_t> low = {0, 0}, high = {0, 0};
  low.append(window.padsBegin.begin(), window.padsBegin.end());
  high.append(window.padsEnd.begin(), window.padsEnd.end());
  return gb.pad(v, low, high, value);
}

Value GraphBuilder::conv(Value input, Value filter, Value bias,
                         const WindowSpec &window, int64_t groups,
                         Type accType) {
  ArrayRef<int64_t> in = shapeOf(input), fs = shapeOf(filter);
  unsigned sr = in.size() - 2;
  int64_t n = in[0], c = in[1], f = fs[0];
  if (!isConvSupported(sr, groups, c, f))
    return nullptr;
  if (!accType)
    accType = elementTypeOf(input);
  Value padded =
      padSpatial(*this, input, window,
                 llvm::cast<TypedAttr>(b.getZeroAttr(elementTypeOf(input))));
  SmallVector<int64_t> outShape = {n, f};
  for (unsigned i = 0; i < sr; ++i)
    outShape.push_back(window.outputSize(i, in[2 + i]));
  Attribute strides = b.getI64TensorAttr(window.strides);
  Attribute dilations = b.getI64TensorAttr(window.dilations);

  Value result;
  if (groups == 1) {
    Value init = fill(outShape, accType, 0.0);
    SmallVector<Type> types = {init.getType()};
    SmallVector<Value> ins = {padded, filter}, outs = {init};
    if (sr == 1)
      result = linalg::Conv1DNcwFcwOp::create(b, loc, types, ins, outs, strides,
                                              dilations)
                   .getResult(0);
    else if (sr == 2)
      result = linalg::Conv2DNchwFchwOp::create(b, loc, types, ins, outs,
                                                strides, dilations)
                   .getResult(0);
    else
      result = linalg::Conv3DNcdhwFcdhwOp::create(b, loc, types, ins, outs,
                                                  strides, dilations)
                   .getResult(0);
  } else if (groups == c && f == c) {
    // Depthwise: the filter [C, 1, k...] becomes [C, k...].
    SmallVector<int64_t> dwShape = {c};
    dwShape.append(fs.begin() + 2, fs.end());
    Value dwFilter = reshape(filter, dwShape);
    Value init = fill(outShape, accType, 0.0);
    SmallVector<Type> types = {init.getType()};
    SmallVector<Value> ins = {padded, dwFilter}, outs = {init};
    if (sr == 1)
      result = linalg::DepthwiseConv1DNcwCwOp::create(b, loc, types, ins, outs,
                                                      strides, dilations)
                   .getResult(0);
    else if (sr == 2)
      result = linalg::DepthwiseConv2DNchwChwOp::create(
                   b, loc, types, ins, outs, strides, dilations)
                   .getResult(0);
    else
      result = linalg::DepthwiseConv3DNcdhwCdhwOp::create(
                   b, loc, types, ins, outs, strides, dilations)
                   .getResult(0);
  } else {
    // Grouped 2-D: [N, G, C/G, H, W] x [G, F/G, C/G, KH, KW].
    ArrayRef<int64_t> ps = shapeOf(padded);
    Value gi = reshape(padded, {n, groups, c / groups, ps[2], ps[3]});
    Value gf = reshape(filter, {groups, f / groups, fs[1], fs[2], fs[3]});
    Value init =
        fill({n, groups, f / groups, outShape[2], outShape[3]}, accType, 0.0);
    Value grouped = linalg::Conv2DNgchwGfchwOp::create(
                        b, loc, TypeRange{init.getType()}, ValueRange{gi, gf},
                        ValueRange{init}, strides, dilations)
                        .getResult(0);
    result = reshape(grouped, outShape);
  }
  if (!bias)
    return result;
  SmallVector<int64_t> biasShape(sr + 1, 1);
  biasShape[0] = f;
  Value b2 = reshape(cast(bias, accType), biasShape);
  return elementwise({result, b2}, accType,
                     [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       if (isa<FloatType>(accType))
                         return arith::AddFOp::create(nb, l, a[0], a[1]);
                       return arith::AddIOp::create(nb, l, a[0], a[1]);
                     });
}

Value GraphBuilder::pool(Value input, PoolKind kind, const WindowSpec &window,
                         bool isUnsigned) {
  ArrayRef<int64_t> in = shapeOf(input);
  unsigned sr = in.size() - 2;
  Type t = elementTypeOf(input);
  TypedAttr initValue = kind == PoolKind::Max && !isUnsigned
                            ? lowestValue(t)
                            : llvm::cast<TypedAttr>(b.getZeroAttr(t));
  Value padded = padSpatial(*this, input, window, initValue);
  SmallVector<int64_t> outShape = {in[0], in[1]};
  for (unsigned i = 0; i < sr; ++i)
    outShape.push_back(window.outputSize(i, in[2 + i]));
  Value init = fill(outShape, initValue);
  Value windowTensor = empty(window.kernel, t);
  SmallVector<Type> types = {init.getType()};
  SmallVector<Value> ins = {padded, windowTensor}, outs = {init};
  Attribute strides = b.getI64TensorAttr(window.strides);
  Attribute dilations = b.getI64TensorAttr(window.dilations);
  bool isMax = kind == PoolKind::Max;
  if (sr == 1 && !isUnsigned)
    return isMax ? linalg::PoolingNcwMaxOp::create(b, loc, types, ins, outs,
                                                   strides, dilations)
                       .getResult(0)
                 : linalg::PoolingNcwSumOp::create(b, loc, types, ins, outs,
                                                   strides, dilations)
                       .getResult(0);
  if (sr == 2 && !isUnsigned)
    return isMax ? linalg::PoolingNchwMaxOp::create(b, loc, types, ins, outs,
                                                    strides, dilations)
                       .getResult(0)
                 : linalg::PoolingNchwSumOp::create(b, loc, types, ins, outs,
                                                    strides, dilations)
                       .getResult(0);
  // No NC-first 3-D (or unsigned) pooling op upstream: the same loop nest
  // as a generic, loops (n, c, o0..o{sr-1}, k0..k{sr-1}).
  MLIRContext *ctx = b.getContext();
  unsigned loops = 2 + 2 * sr;
  SmallVector<AffineExpr> inExprs = {getAffineDimExpr(0, ctx),
                                     getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> winExprs;
  for (unsigned i = 0; i < sr; ++i) {
    AffineExpr o = getAffineDimExpr(2 + i, ctx);
    AffineExpr k = getAffineDimExpr(2 + sr + i, ctx);
    inExprs.push_back(o * window.strides[i] + k * window.dilations[i]);
    winExprs.push_back(k);
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(loops, 0, inExprs, ctx),
      AffineMap::get(loops, 0, winExprs, ctx),
      AffineMap::getMinorIdentityMap(loops, 2 + sr, ctx)};
  // getMinorIdentityMap picks the last dims; the output uses the first ones.
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i < 2 + sr; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  maps[2] = AffineMap::get(loops, 0, outExprs, ctx);
  SmallVector<utils::IteratorType> iterators = parallelLoops(2 + sr);
  iterators.append(sr, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, types, ins, outs, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value r;
               if (isMax && isUnsigned)
                 r = arith::MaxUIOp::create(nb, l, a[0], a[2]);
               else if (isMax)
                 r = isa<FloatType>(t)
                         ? Value(arith::MaximumFOp::create(nb, l, a[0], a[2]))
                         : Value(arith::MaxSIOp::create(nb, l, a[0], a[2]));
               else
                 r = isa<FloatType>(t)
                         ? Value(arith::AddFOp::create(nb, l, a[0], a[2]))
                         : Value(arith::AddIOp::create(nb, l, a[0], a[2]));
               yield(nb, l, r);
             })
      .getResult(0);
}

Value GraphBuilder::gather(Value data, Value indices, int64_t axis) {
  ArrayRef<int64_t> ds = shapeOf(data), is = shapeOf(indices);
  unsigned q = is.size();
  SmallVector<int64_t> outShape(ds.begin(), ds.begin() + axis);
  outShape.append(is.begin(), is.end());
  outShape.append(ds.begin() + axis + 1, ds.end());
  unsigned rank = outShape.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> idxExprs;
  for (unsigned i = 0; i < q; ++i)
    idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, idxExprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Value init = empty(outShape, elementTypeOf(data));
  int64_t axisSize = ds[axis];
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{indices},
             ValueRange{init}, maps, parallelLoops(rank),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Type indexType = nb.getIndexType();
               Value idx = arith::IndexCastOp::create(nb, l, indexType, a[0]);
               Value zero = arith::ConstantIndexOp::create(nb, l, 0);
               Value size = arith::ConstantIndexOp::create(nb, l, axisSize);
               Value negative = arith::CmpIOp::create(
                   nb, l, arith::CmpIPredicate::slt, idx, zero);
               Value wrapped = arith::AddIOp::create(nb, l, idx, size);
               idx = arith::SelectOp::create(nb, l, negative, wrapped, idx);
               SmallVector<Value> coords;
               for (int64_t i = 0; i < axis; ++i)
                 coords.push_back(linalg::IndexOp::create(nb, l, i));
               coords.push_back(idx);
               for (unsigned i = axis + q; i < rank; ++i)
                 coords.push_back(linalg::IndexOp::create(nb, l, i));
               yield(nb, l, tensor::ExtractOp::create(nb, l, data, coords));
             })
      .getResult(0);
}
