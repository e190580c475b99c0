//===- ONNXTensor.cpp - constants, shapes, data movement
//-------------------===//
//
// Constant, ConstantOfShape, Shape, Size, Range, Identity, Dropout, Reshape,
// Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Gather,
// GatherElements, Expand, Tile and Pad. Shape computations on constants are
// evaluated at import time so every reshape gets a static target.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporterImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace gaon::frontend;
using namespace gaon::frontend::onnx_import;
using llvm::SmallVector;

/// An i64 constant of `shape` holding `values`.
static DenseElementsAttr i64Attr(MLIRContext *ctx, ArrayRef<int64_t> shape,
                                 ArrayRef<int64_t> values) {
  return DenseElementsAttr::get(
      RankedTensorType::get(shape, IntegerType::get(ctx, 64)), values);
}

/// Defines output 0 as input 0 reshaped to `shape`: folded for constants.
static void setReshaped(NodeContext &ctx, ArrayRef<int64_t> shape) {
  if (DenseElementsAttr c = ctx.constant(0)) {
    ctx.setConstantOutput(
        0, c.reshape(RankedTensorType::get(shape, c.getElementType())),
        ctx.isUnsigned(0));
    return;
  }
  ctx.setOutputTyped(0, ctx.gb.reshape(ctx.value(0), shape), ctx.elemType(0));
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

static LogicalResult convertConstant(NodeContext &ctx) {
  MLIRContext *mctx = ctx.getContext();
  Builder b(mctx);
  if (const onnx::AttributeProto *a = ctx.attr("value")) {
    FailureOr<DenseElementsAttr> attr =
        tensorToAttr(a->t(), ctx.graph.baseDir, ctx.loc);
    if (failed(attr))
      return failure();
    ctx.setConstantOutput(0, *attr, isUnsignedType(a->t().data_type()));
    return success();
  }
  if (const onnx::AttributeProto *a = ctx.attr("value_float")) {
    ctx.setConstantOutput(
        0, DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                  a->f()));
    return success();
  }
  if (ctx.hasAttr("value_floats")) {
    SmallVector<float> v = ctx.attrFloats("value_floats");
    ctx.setConstantOutput(
        0, DenseElementsAttr::get(
               RankedTensorType::get({static_cast<int64_t>(v.size())},
                                     b.getF32Type()),
               ArrayRef<float>(v)));
    return success();
  }
  if (const onnx::AttributeProto *a = ctx.attr("value_int")) {
    ctx.setConstantOutput(0, i64Attr(mctx, {}, {a->i()}));
    return success();
  }
  if (ctx.hasAttr("value_ints")) {
    SmallVector<int64_t> v = ctx.attrInts("value_ints");
    ctx.setConstantOutput(0,
                          i64Attr(mctx, {static_cast<int64_t>(v.size())}, v));
    return success();
  }
  if (ctx.hasAttr("sparse_value"))
    return ctx.unsupported("sparse_value");
  if (ctx.hasAttr("value_string") || ctx.hasAttr("value_strings"))
    return ctx.unsupported("string constants");
  return ctx.error() << "has no value attribute";
}

static LogicalResult convertConstantOfShape(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(0, "input");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return ctx.error() << "negative dimension in " << shapeStr(*shape);
  Attribute value;
  bool isUnsigned = false;
  Type elt = Float32Type::get(ctx.getContext());
  if (const onnx::AttributeProto *a = ctx.attr("value")) {
    FailureOr<DenseElementsAttr> attr =
        tensorToAttr(a->t(), ctx.graph.baseDir, ctx.loc);
    if (failed(attr))
      return failure();
    if (attr->getNumElements() != 1)
      return ctx.error() << "value must hold one element";
    value = *attr->getValues<Attribute>().begin();
    elt = attr->getElementType();
    isUnsigned = isUnsignedType(a->t().data_type());
  } else {
    value = FloatAttr::get(elt, 0.0);
  }
  ctx.setConstantOutput(
      0, DenseElementsAttr::get(RankedTensorType::get(*shape, elt), value),
      isUnsigned);
  return success();
}

static LogicalResult convertShape(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  int64_t start = ctx.attrInt("start", 0), end = ctx.attrInt("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SmallVector<int64_t> dims(ctx.shape(0).begin() + start,
                            ctx.shape(0).begin() + end);
  ctx.setConstantOutput(
      0, i64Attr(ctx.getContext(), {static_cast<int64_t>(dims.size())}, dims));
  return success();
}

static LogicalResult convertSize(NodeContext &ctx) {
  ctx.setConstantOutput(
      0, i64Attr(ctx.getContext(), {}, {numElements(ctx.shape(0))}));
  return success();
}

static LogicalResult convertRange(NodeContext &ctx) {
  FailureOr<double> start = ctx.constantScalar(0, "start");
  FailureOr<double> limit = ctx.constantScalar(1, "limit");
  FailureOr<double> delta = ctx.constantScalar(2, "delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  if (*delta == 0)
    return ctx.error() << "delta must not be zero";
  int64_t n = std::max<int64_t>(
      static_cast<int64_t>(std::ceil((*limit - *start) / *delta)), 0);
  if (n > kFoldLimit)
    return ctx.unsupported("ranges longer than " + std::to_string(kFoldLimit) +
                           " elements");
  Type t = ctx.mlirType(0);
  auto type = RankedTensorType::get({n}, t);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < n; ++i) {
    double v = *start + i * *delta;
    if (auto ft = dyn_cast<FloatType>(t))
      values.push_back(FloatAttr::get(ft, v));
    else
      values.push_back(IntegerAttr::get(t, static_cast<int64_t>(v)));
  }
  ctx.setConstantOutput(0, DenseElementsAttr::get(type, values),
                        ctx.isUnsigned(0));
  return success();
}

static LogicalResult convertIdentity(NodeContext &ctx) {
  // Copy first: inserting into the map may move the input's entry.
  TensorValue copy = ctx.info(0);
  copy.isGraphInput = false;
  ctx.graph.values[ctx.node.output(0)] = copy;
  return success();
}

static LogicalResult convertDropout(NodeContext &ctx) {
  // Inference: the identity, and an all-true mask.
  ctx.ignoreAttr("seed");
  ctx.ignoreAttr("ratio");
  ctx.ignoreAttr("is_test");
  if (ctx.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> training =
        ctx.constantInts(2, "training_mode");
    if (failed(training))
      return failure();
    if (!training->empty() && (*training)[0])
      return ctx.unsupported("training_mode=true (inference only)");
  }
  if (ctx.hasOutput(1))
    ctx.setConstantOutput(
        1, DenseElementsAttr::get(
               RankedTensorType::get(ctx.shape(0),
                                     IntegerType::get(ctx.getContext(), 1)),
               true));
  return convertIdentity(ctx);
}

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

static LogicalResult convertReshape(NodeContext &ctx) {
  SmallVector<int64_t> target;
  if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> s = ctx.constantInts(1, "shape");
    if (failed(s))
      return failure();
    target = *s;
  } else {
    target = ctx.attrInts("shape"); // opset < 5
  }
  bool allowZero = ctx.attrInt("allowzero", 0);
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return ctx.error() << "shape " << shapeStr(target) << " copies dim "
                           << i << " of an input of rank " << in.size();
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return ctx.error() << "shape " << shapeStr(target)
                           << " has more than one -1";
      inferred = i;
      continue;
    }
    if (d < 0)
      return ctx.error() << "invalid dimension " << d << " in shape";
    known *= d;
  }
  int64_t total = numElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return ctx.error() << "cannot reshape " << shapeStr(in) << " to "
                         << shapeStr(target);
    target[inferred] = total / known;
  } else if (known != total) {
    return ctx.error() << "cannot reshape " << shapeStr(in) << " (" << total
                       << " elements) to " << shapeStr(target);
  }
  setReshaped(ctx, target);
  return success();
}

static LogicalResult convertFlatten(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return ctx.error() << "axis " << axis << " is out of range for rank "
                       << rank;
  ArrayRef<int64_t> s = ctx.shape(0);
  setReshaped(
      ctx, {numElements(s.take_front(axis)), numElements(s.drop_front(axis))});
  return success();
}

/// The axes of Squeeze/Unsqueeze: an attribute before opset 13, an input
/// after.
static FailureOr<SmallVector<int64_t>> squeezeAxes(NodeContext &ctx) {
  if (ctx.hasInput(1))
    return ctx.constantInts(1, "axes");
  return ctx.attrInts("axes");
}

static LogicalResult convertSqueeze(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> axes = squeezeAxes(ctx);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> in = ctx.shape(0);
  SmallVector<bool> drop(in.size(), false);
  if (axes->empty()) {
    for (size_t i = 0; i < in.size(); ++i)
      drop[i] = in[i] == 1;
  }
  for (int64_t a : *axes) {
    FailureOr<int64_t> n = ctx.normalizeAxis(a, in.size());
    if (failed(n))
      return failure();
    if (in[*n] != 1)
      return ctx.error() << "cannot squeeze dim " << *n << " of size "
                         << in[*n];
    drop[*n] = true;
  }
  SmallVector<int64_t> out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i])
      out.push_back(in[i]);
  setReshaped(ctx, out);
  return success();
}

static LogicalResult convertUnsqueeze(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> axes = squeezeAxes(ctx);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t outRank = in.size() + axes->size();
  SmallVector<bool> inserted(outRank, false);
  for (int64_t a : *axes) {
    FailureOr<int64_t> n = ctx.normalizeAxis(a, outRank);
    if (failed(n))
      return failure();
    if (inserted[*n])
      return ctx.error() << "axis " << a << " appears twice";
    inserted[*n] = true;
  }
  SmallVector<int64_t> out;
  size_t next = 0;
  for (int64_t i = 0; i < outRank; ++i)
    out.push_back(inserted[i] ? 1 : in[next++]);
  setReshaped(ctx, out);
  return success();
}

static LogicalResult convertTranspose(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  SmallVector<int64_t> perm = ctx.attrInts("perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  for (int64_t i = 0; i < rank; ++i)
    if (static_cast<int64_t>(sorted.size()) != rank || sorted[i] != i)
      return ctx.error() << "perm " << shapeStr(perm)
                         << " is not a permutation of " << rank << " dims";
  ctx.setOutputTyped(0, ctx.gb.transpose(ctx.value(0), perm), ctx.elemType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Joining and slicing
//===----------------------------------------------------------------------===//

static LogicalResult convertConcat(NodeContext &ctx) {
  const onnx::AttributeProto *axisAttr = ctx.attr("axis");
  if (!axisAttr)
    return ctx.error() << "missing attribute 'axis'";
  int64_t rank = ctx.rank(0);
  FailureOr<int64_t> axis = ctx.normalizeAxis(axisAttr->i(), rank);
  if (failed(axis))
    return failure();
  for (unsigned i = 1; i < ctx.numInputs(); ++i) {
    if (ctx.rank(i) != rank || ctx.elemType(i) != ctx.elemType(0))
      return ctx.error() << "inputs differ in rank or element type";
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && ctx.shape(i)[d] != ctx.shape(0)[d])
        return ctx.error() << "input shapes " << shapeStr(ctx.shape(0))
                           << " and " << shapeStr(ctx.shape(i))
                           << " differ outside axis " << *axis;
  }
  if (allInputsFoldable(ctx)) {
    SmallVector<DenseElementsAttr> parts;
    for (unsigned i = 0; i < ctx.numInputs(); ++i)
      parts.push_back(ctx.constant(i));
    ctx.setConstantOutput(0, foldConcat(parts, *axis), ctx.isUnsigned(0));
    return success();
  }
  SmallVector<Value> values;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (ctx.shape(i)[*axis] != 0)
      values.push_back(ctx.value(i));
  if (values.empty())
    values.push_back(ctx.value(0));
  ctx.setOutputTyped(0, ctx.gb.concat(values, *axis), ctx.elemType(0));
  return success();
}

/// Defines output `out` as a slice of input 0 (folded for constants).
static void setSlice(NodeContext &ctx, unsigned out, ArrayRef<int64_t> offsets,
                     ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides) {
  if (DenseElementsAttr c = ctx.constant(0);
      c && c.getNumElements() <= kFoldLimit) {
    ctx.setConstantOutput(out, foldSlice(c, offsets, sizes, strides),
                          ctx.isUnsigned(0));
    return;
  }
  ctx.setOutputTyped(out, ctx.gb.slice(ctx.value(0), offsets, sizes, strides),
                     ctx.elemType(0));
}

static LogicalResult convertSplit(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  int64_t dim = ctx.shape(0)[*axis];
  SmallVector<int64_t> split;
  if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> s = ctx.constantInts(1, "split");
    if (failed(s))
      return failure();
    split = *s;
  } else {
    split = ctx.attrInts("split");
  }
  int64_t n = ctx.numOutputs();
  if (split.empty()) {
    int64_t parts = ctx.attrInt("num_outputs", n);
    int64_t each = (dim + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i)
      split.push_back(std::min(each, dim - i * each));
  }
  if (static_cast<int64_t>(split.size()) != n)
    return ctx.error() << "split has " << split.size() << " parts for " << n
                       << " outputs";
  int64_t sum = 0;
  for (int64_t s : split)
    sum += s;
  if (sum != dim || llvm::any_of(split, [](int64_t s) { return s < 0; }))
    return ctx.error() << "split " << shapeStr(split)
                       << " does not partition a dim of size " << dim;
  int64_t start = 0;
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<int64_t> offsets(rank, 0), sizes(ctx.shape(0)),
        strides(rank, 1);
    offsets[*axis] = split[i] ? start : 0;
    sizes[*axis] = split[i];
    setSlice(ctx, i, offsets, sizes, strides);
    start += split[i];
  }
  return success();
}

static LogicalResult convertSlice(NodeContext &ctx) {
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = ctx.attrInts("starts");
    ends = ctx.attrInts("ends");
    axes = ctx.attrInts("axes");
  } else {
    auto read = [&](unsigned i, llvm::StringRef name,
                    SmallVector<int64_t> &out) -> LogicalResult {
      if (!ctx.hasInput(i))
        return success();
      FailureOr<SmallVector<int64_t>> v = ctx.constantInts(i, name);
      if (failed(v))
        return failure();
      out = *v;
      return success();
    };
    if (failed(read(1, "starts", starts)) || failed(read(2, "ends", ends)) ||
        failed(read(3, "axes", axes)) || failed(read(4, "steps", steps)))
      return failure();
  }
  int64_t rank = ctx.rank(0);
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.error() << "starts, ends, axes and steps differ in length";
  ArrayRef<int64_t> in = ctx.shape(0);
  SmallVector<int64_t> offsets(rank, 0), sizes(in), strides(rank, 1);
  SmallVector<int64_t> reversed;
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = in[*axis], step = steps[i];
    if (step == 0)
      return ctx.error() << "step must not be zero";
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    int64_t size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      size = std::max<int64_t>(0, (end - start + step - 1) / step);
      offsets[*axis] = size ? start : 0;
      strides[*axis] = step;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      size = std::max<int64_t>(0, (start - end - step - 1) / -step);
      // Ascending slice from the lowest index, then reversed.
      offsets[*axis] = size ? start + (size - 1) * step : 0;
      strides[*axis] = -step;
      if (size > 1)
        reversed.push_back(*axis);
    }
    sizes[*axis] = size;
  }
  if (DenseElementsAttr c = ctx.constant(0);
      c && c.getNumElements() <= kFoldLimit) {
    // Fold directly with negative strides.
    for (int64_t a : reversed) {
      offsets[a] += (sizes[a] - 1) * strides[a];
      strides[a] = -strides[a];
    }
    ctx.setConstantOutput(0, foldSlice(c, offsets, sizes, strides),
                          ctx.isUnsigned(0));
    return success();
  }
  Value v = ctx.gb.slice(ctx.value(0), offsets, sizes, strides);
  for (int64_t a : reversed)
    v = ctx.gb.reverse(v, a);
  ctx.setOutputTyped(0, v, ctx.elemType(0));
  return success();
}

static LogicalResult convertGather(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  if (rank < 1)
    return ctx.error() << "expects data of rank >= 1";
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  if (!isa<IntegerType>(ctx.mlirType(1)) || ctx.mlirType(1).isInteger(1))
    return ctx.error() << "expects integer indices";
  int64_t dim = ctx.shape(0)[*axis];
  if (DenseElementsAttr idx = ctx.constant(1)) {
    for (int64_t i : intValues(idx))
      if (i < -dim || i >= dim)
        return ctx.error() << "index " << i << " is out of range for a dim "
                           << "of size " << dim;
    if (allInputsFoldable(ctx)) {
      ctx.setConstantOutput(0, foldGather(ctx.constant(0), idx, *axis),
                            ctx.isUnsigned(0));
      return success();
    }
  }
  ctx.setOutputTyped(0, ctx.gb.gather(ctx.value(0), ctx.value(1), *axis),
                     ctx.elemType(0));
  return success();
}

static LogicalResult convertGatherElements(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  if (ctx.rank(1) != rank)
    return ctx.error() << "indices must have the data's rank";
  GraphBuilder &gb = ctx.gb;
  OpBuilder &b = gb.builder();
  MLIRContext *mctx = ctx.getContext();
  Value data = ctx.value(0);
  int64_t dim = ctx.shape(0)[*axis], ax = *axis;
  SmallVector<AffineMap> maps(2, AffineMap::getMultiDimIdentityMap(rank, mctx));
  Value init = gb.empty(ctx.shape(1), ctx.mlirType(0));
  Value out =
      linalg::GenericOp::create(
          b, ctx.loc, TypeRange{init.getType()}, ValueRange{ctx.value(1)},
          ValueRange{init}, maps,
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value idx =
                arith::IndexCastOp::create(nb, l, nb.getIndexType(), a[0]);
            Value zero = arith::ConstantIndexOp::create(nb, l, 0);
            Value size = arith::ConstantIndexOp::create(nb, l, dim);
            Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                              idx, zero);
            idx = arith::SelectOp::create(
                nb, l, neg, arith::AddIOp::create(nb, l, idx, size), idx);
            SmallVector<Value> coords;
            for (int64_t i = 0; i < rank; ++i)
              coords.push_back(
                  i == ax ? idx : Value(linalg::IndexOp::create(nb, l, i)));
            linalg::YieldOp::create(
                nb, l, Value(tensor::ExtractOp::create(nb, l, data, coords)));
          })
          .getResult(0);
  ctx.setOutputTyped(0, out, ctx.elemType(0));
  return success();
}

static LogicalResult convertExpand(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  SmallVector<SmallVector<int64_t>> shapes = {llvm::to_vector(ctx.shape(0)),
                                              *shape};
  std::optional<SmallVector<int64_t>> out = broadcastShapes(shapes);
  if (!out)
    return ctx.error() << "cannot expand " << shapeStr(ctx.shape(0)) << " to "
                       << shapeStr(*shape);
  if (DenseElementsAttr c = ctx.constant(0);
      c && numElements(*out) <= kFoldLimit) {
    ctx.setConstantOutput(0, foldBroadcast(c, *out), ctx.isUnsigned(0));
    return success();
  }
  ctx.setOutputTyped(0, ctx.gb.broadcastTo(ctx.value(0), *out),
                     ctx.elemType(0));
  return success();
}

static LogicalResult convertTile(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> repeats = ctx.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != ctx.rank(0) ||
      llvm::any_of(*repeats, [](int64_t r) { return r < 0; }))
    return ctx.error() << "repeats " << shapeStr(*repeats)
                       << " must have one non-negative value per dim";
  ctx.setOutputTyped(0, ctx.gb.tile(ctx.value(0), *repeats), ctx.elemType(0));
  return success();
}

/// Reflect/edge padding: a generic over the output whose body maps each
/// coordinate back into the input and reads it with tensor.extract.
static Value padByIndex(NodeContext &ctx, Value in, ArrayRef<int64_t> low,
                        ArrayRef<int64_t> outShape, bool reflect) {
  GraphBuilder &gb = ctx.gb;
  OpBuilder &b = gb.builder();
  ArrayRef<int64_t> inShape = GraphBuilder::shapeOf(in);
  unsigned rank = inShape.size();
  MLIRContext *mctx = ctx.getContext();
  Value init = gb.empty(outShape, GraphBuilder::elementTypeOf(in));
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, mctx)};
  return linalg::GenericOp::create(
             b, ctx.loc, TypeRange{init.getType()}, ValueRange{},
             ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               SmallVector<Value> coords;
               for (unsigned d = 0; d < rank; ++d) {
                 auto c = [&](int64_t v) -> Value {
                   return arith::ConstantIndexOp::create(nb, l, v);
                 };
                 Value i = arith::SubIOp::create(
                     nb, l, linalg::IndexOp::create(nb, l, d), c(low[d]));
                 int64_t n = inShape[d];
                 if (reflect) {
                   // i < 0 -> -i ; i >= n -> 2(n-1) - i
                   Value neg = arith::CmpIOp::create(
                       nb, l, arith::CmpIPredicate::slt, i, c(0));
                   i = arith::SelectOp::create(
                       nb, l, neg, arith::SubIOp::create(nb, l, c(0), i), i);
                   Value over = arith::CmpIOp::create(
                       nb, l, arith::CmpIPredicate::sge, i, c(n));
                   i = arith::SelectOp::create(
                       nb, l, over,
                       arith::SubIOp::create(nb, l, c(2 * (n - 1)), i), i);
                 } else {
                   i = arith::MaxSIOp::create(nb, l, i, c(0));
                   i = arith::MinSIOp::create(nb, l, i, c(n - 1));
                 }
                 coords.push_back(i);
               }
               linalg::YieldOp::create(
                   nb, l, Value(tensor::ExtractOp::create(nb, l, in, coords)));
             })
      .getResult(0);
}

static LogicalResult convertPad(NodeContext &ctx) {
  std::string mode = ctx.attrString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return ctx.unsupported("mode='" + mode + "'");
  int64_t rank = ctx.rank(0);
  SmallVector<int64_t> pads;
  double value = 0;
  if (ctx.opset < 11) {
    pads = ctx.attrInts("pads");
    value = ctx.attrFloat("value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> p = ctx.constantInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.hasInput(2)) {
      FailureOr<double> v = ctx.constantScalar(2, "constant_value");
      if (failed(v))
        return failure();
      value = *v;
    }
  }
  SmallVector<int64_t> axes;
  if (ctx.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> a = ctx.constantInts(3, "axes");
    if (failed(a))
      return failure();
    for (int64_t ax : *a) {
      FailureOr<int64_t> n = ctx.normalizeAxis(ax, rank);
      if (failed(n))
        return failure();
      axes.push_back(*n);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  int64_t na = axes.size();
  if (static_cast<int64_t>(pads.size()) != 2 * na)
    return ctx.error() << "pads must have " << 2 * na << " values";
  ArrayRef<int64_t> in = ctx.shape(0);
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (int64_t i = 0; i < na; ++i) {
    low[axes[i]] = pads[i];
    high[axes[i]] = pads[na + i];
  }
  // Negative pads crop first.
  SmallVector<int64_t> offsets(rank, 0), sizes(in), ones(rank, 1);
  bool crop = false;
  for (int64_t d = 0; d < rank; ++d) {
    if (low[d] < 0) {
      offsets[d] = -low[d];
      sizes[d] += low[d];
      low[d] = 0;
      crop = true;
    }
    if (high[d] < 0) {
      sizes[d] += high[d];
      high[d] = 0;
      crop = true;
    }
    if (sizes[d] < 0)
      return ctx.error() << "negative pads remove more than dim " << d;
    if (mode == "reflect" && (low[d] >= sizes[d] || high[d] >= sizes[d]))
      return ctx.error() << "reflect padding of dim " << d
                         << " must be smaller than its size";
    if (mode == "edge" && sizes[d] == 0 && (low[d] || high[d]))
      return ctx.error() << "edge padding of an empty dim " << d;
  }
  GraphBuilder &gb = ctx.gb;
  Value x = ctx.value(0);
  if (crop)
    x = gb.slice(x, offsets, sizes, ones);
  Type t = ctx.mlirType(0);
  Value out;
  if (mode == "constant") {
    TypedAttr pad =
        isa<FloatType>(t)
            ? cast<TypedAttr>(FloatAttr::get(t, value))
            : cast<TypedAttr>(IntegerAttr::get(t, static_cast<int64_t>(value)));
    out = gb.pad(x, low, high, pad);
  } else {
    SmallVector<int64_t> outShape;
    for (int64_t d = 0; d < rank; ++d)
      outShape.push_back(sizes[d] + low[d] + high[d]);
    out = padByIndex(ctx, x, low, outShape, mode == "reflect");
  }
  ctx.setOutputTyped(0, out, ctx.elemType(0));
  return success();
}

/// Trilu: keeps the upper (col - row >= k) or lower (col - row <= k)
/// triangle of the last two dims, zeroing the rest (the causal masks of
/// exported attention).
static LogicalResult convertTrilu(NodeContext &ctx) {
  bool upper = ctx.attrInt("upper", 1);
  int64_t rank = ctx.rank(0);
  if (rank < 2)
    return ctx.error() << "expects rank >= 2, got " << rank;
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> kv = ctx.constantInts(1, "k");
    if (failed(kv))
      return failure();
    if (kv->size() != 1)
      return ctx.error() << "k must hold one value";
    k = (*kv)[0];
  }
  Type t = ctx.mlirType(0);
  Value out = ctx.gb.elementwise(
      ctx.value(0), t, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value row = arith::IndexCastOp::create(
            b, l, b.getI64Type(), linalg::IndexOp::create(b, l, rank - 2));
        Value col = arith::IndexCastOp::create(
            b, l, b.getI64Type(), linalg::IndexOp::create(b, l, rank - 1));
        Value diff = arith::SubIOp::create(b, l, col, row);
        Value keep = arith::CmpIOp::create(
            b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
            diff, cst(b, l, b.getI64Type(), k));
        return arith::SelectOp::create(b, l, keep, a[0], cst(b, l, t, 0));
      });
  ctx.setOutputTyped(0, out, ctx.elemType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

void onnx_import::addTensorConverters(ConverterTable &t) {
  t["Constant"] = convertConstant;
  t["ConstantOfShape"] = convertConstantOfShape;
  t["Shape"] = convertShape;
  t["Size"] = convertSize;
  t["Range"] = convertRange;
  t["Identity"] = convertIdentity;
  t["Dropout"] = convertDropout;
  t["Reshape"] = convertReshape;
  t["Flatten"] = convertFlatten;
  t["Squeeze"] = convertSqueeze;
  t["Unsqueeze"] = convertUnsqueeze;
  t["Transpose"] = convertTranspose;
  t["Concat"] = convertConcat;
  t["Split"] = convertSplit;
  t["Slice"] = convertSlice;
  t["Gather"] = convertGather;
  t["GatherElements"] = convertGatherElements;
  t["Expand"] = convertExpand;
  t["Tile"] = convertTile;
  t["Pad"] = convertPad;
  t["Trilu"] = convertTrilu;
}
