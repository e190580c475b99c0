//===- ONNXNN.cpp - contractions, convolution, pooling, normalisation -----===//
//
// MatMul, Gemm, Conv, ConvTranspose, pooling, BatchNormalization,
// InstanceNormalization, LayerNormalization, Softmax/LogSoftmax, the Reduce*
// family and ArgMax/ArgMin.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporterImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;
using namespace gaon::frontend;
using namespace gaon::frontend::onnx_import;
using llvm::SmallVector;

static LogicalResult requireRank(NodeContext &ctx, unsigned i, int64_t lo,
                                 int64_t hi) {
  if (ctx.rank(i) >= lo && ctx.rank(i) <= hi)
    return success();
  return ctx.error() << "input " << i << " has rank " << ctx.rank(i)
                     << ", expected " << lo << (lo == hi ? "" : " to ")
                     << (lo == hi ? "" : std::to_string(hi));
}

//===----------------------------------------------------------------------===//
// MatMul, Gemm
//===----------------------------------------------------------------------===//

static LogicalResult convertMatMul(NodeContext &ctx) {
  if (ctx.rank(0) < 1 || ctx.rank(1) < 1)
    return ctx.error() << "expects operands of rank >= 1";
  if (ctx.elemType(0) != ctx.elemType(1))
    return ctx.error() << "expects operands of one element type";
  ArrayRef<int64_t> a = ctx.shape(0), b = ctx.shape(1);
  int64_t k = a.back(), kb = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (k != kb)
    return ctx.error() << "contraction dims differ: " << shapeStr(a) << " x "
                       << shapeStr(b);
  if (a.size() > 2 && b.size() > 2) {
    SmallVector<SmallVector<int64_t>> batches = {
        SmallVector<int64_t>(a.begin(), a.end() - 2),
        SmallVector<int64_t>(b.begin(), b.end() - 2)};
    if (!broadcastShapes(batches))
      return ctx.error() << "batch dims do not broadcast: " << shapeStr(a)
                         << " x " << shapeStr(b);
  }
  ctx.setOutput(0, ctx.gb.matmul(ctx.value(0), ctx.value(1)),
                ctx.isUnsigned(0));
  return success();
}

static LogicalResult convertGemm(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.0f);
  double beta = ctx.attrFloat("beta", 1.0f);
  bool transA = ctx.attrInt("transA", 0), transB = ctx.attrInt("transB", 0);
  if (failed(requireRank(ctx, 0, 2, 2)) || failed(requireRank(ctx, 1, 2, 2)))
    return failure();
  GraphBuilder &gb = ctx.gb;
  Value a = ctx.value(0), b = ctx.value(1);
  if (transA)
    a = gb.transpose(a, {1, 0});
  if (transB)
    b = gb.transpose(b, {1, 0});
  if (GraphBuilder::shapeOf(a)[1] != GraphBuilder::shapeOf(b)[0])
    return ctx.error() << "contraction dims differ: A' is "
                       << shapeStr(GraphBuilder::shapeOf(a)) << ", B' is "
                       << shapeStr(GraphBuilder::shapeOf(b));
  Value mm = gb.matmul(a, b);
  Type t = GraphBuilder::elementTypeOf(mm);
  bool hasC = ctx.hasInput(2);
  if (hasC) {
    SmallVector<SmallVector<int64_t>> shapes = {
        llvm::to_vector(GraphBuilder::shapeOf(mm)),
        llvm::to_vector(ctx.shape(2))};
    auto out = broadcastShapes(shapes);
    if (!out || *out != shapes[0])
      return ctx.error() << "C of shape " << shapeStr(ctx.shape(2))
                         << " does not broadcast to " << shapeStr(shapes[0]);
  }
  if (alpha == 1.0 && (!hasC || beta == 1.0) && !hasC) {
    ctx.setOutput(0, mm, ctx.isUnsigned(0));
    return success();
  }
  SmallVector<Value> ins = {mm};
  if (hasC)
    ins.push_back(ctx.value(2));
  bool isFloat = isa<FloatType>(t);
  Value y = gb.elementwise(
      ins, t, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
        auto mul = [&](Value x, double s) -> Value {
          if (s == 1.0)
            return x;
          return isFloat
                     ? Value(arith::MulFOp::create(b, l, x, cst(b, l, t, s)))
                     : Value(arith::MulIOp::create(b, l, x, cst(b, l, t, s)));
        };
        Value r = mul(v[0], alpha);
        if (v.size() > 1) {
          Value c = mul(v[1], beta);
          r = isFloat ? Value(arith::AddFOp::create(b, l, r, c))
                      : Value(arith::AddIOp::create(b, l, r, c));
        }
        return r;
      });
  ctx.setOutput(0, y, ctx.isUnsigned(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Windows: Conv, ConvTranspose, pooling
//===----------------------------------------------------------------------===//

/// Reads strides, dilations, pads and auto_pad for `kernel` over the spatial
/// dims `in` (ceil_mode extends the end padding so the last window fits).
static FailureOr<WindowSpec> readWindow(NodeContext &ctx, ArrayRef<int64_t> in,
                                        ArrayRef<int64_t> kernel,
                                        bool ceilMode = false) {
  size_t sr = in.size();
  WindowSpec w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = ctx.attrInts("strides");
  w.dilations = ctx.attrInts("dilations");
  SmallVector<int64_t> pads = ctx.attrInts("pads");
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (w.strides.empty())
    w.strides.assign(sr, 1);
  if (w.dilations.empty())
    w.dilations.assign(sr, 1);
  if (w.strides.size() != sr || w.dilations.size() != sr)
    return ctx.error() << "strides/dilations must have " << sr << " values";
  for (size_t i = 0; i < sr; ++i)
    if (w.strides[i] < 1 || w.dilations[i] < 1 || kernel[i] < 1)
      return ctx.error() << "kernel, strides and dilations must be positive";
  if (autoPad == "NOTSET") {
    if (pads.empty())
      pads.assign(2 * sr, 0);
    if (pads.size() != 2 * sr)
      return ctx.error() << "pads must have " << 2 * sr << " values";
    w.padsBegin.assign(pads.begin(), pads.begin() + sr);
    w.padsEnd.assign(pads.begin() + sr, pads.end());
  } else if (autoPad == "VALID") {
    w.padsBegin.assign(sr, 0);
    w.padsEnd.assign(sr, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < sr; ++i) {
      int64_t out = (in[i] + w.strides[i] - 1) / w.strides[i];
      int64_t effective = (kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total =
          std::max<int64_t>((out - 1) * w.strides[i] + effective - in[i], 0);
      int64_t small = total / 2, large = total - small;
      bool upper = autoPad == "SAME_UPPER";
      w.padsBegin.push_back(upper ? small : large);
      w.padsEnd.push_back(upper ? large : small);
    }
  } else {
    return ctx.unsupported("auto_pad='" + autoPad + "'");
  }
  for (size_t i = 0; i < sr; ++i) {
    if (w.padsBegin[i] < 0 || w.padsEnd[i] < 0)
      return ctx.error() << "pads must not be negative";
    int64_t effective = (kernel[i] - 1) * w.dilations[i] + 1;
    int64_t span = in[i] + w.padsBegin[i] + w.padsEnd[i] - effective;
    if (span < 0)
      return ctx.error() << "the window (" << effective
                         << ") is larger than the padded input ("
                         << in[i] + w.padsBegin[i] + w.padsEnd[i] << ")";
    if (ceilMode && span % w.strides[i]) {
      int64_t out = span / w.strides[i] + 2;
      w.padsEnd[i] += (out - 1) * w.strides[i] - span;
    }
  }
  return w;
}

/// The kernel shape: the attribute when given (checked against `filter`
/// when there is one), else the filter's spatial dims.
static FailureOr<SmallVector<int64_t>>
readKernel(NodeContext &ctx, ArrayRef<int64_t> filterSpatial, size_t sr) {
  SmallVector<int64_t> kernel = ctx.attrInts("kernel_shape");
  if (kernel.empty()) {
    if (filterSpatial.empty())
      return ctx.error() << "missing attribute 'kernel_shape'";
    return SmallVector<int64_t>(filterSpatial);
  }
  if (kernel.size() != sr)
    return ctx.error() << "kernel_shape must have " << sr << " values";
  if (!filterSpatial.empty() && ArrayRef<int64_t>(kernel) != filterSpatial)
    return ctx.error() << "kernel_shape " << shapeStr(kernel)
                       << " differs from the weight's "
                       << shapeStr(filterSpatial);
  return kernel;
}

static LogicalResult convertConv(NodeContext &ctx) {
  if (failed(requireRank(ctx, 0, 3, 5)) || failed(requireFloat(ctx, 0)))
    return failure();
  ArrayRef<int64_t> x = ctx.shape(0), w = ctx.shape(1);
  size_t sr = x.size() - 2;
  if (w.size() != x.size())
    return ctx.error() << "weight rank " << w.size() << " differs from input "
                       << "rank " << x.size();
  int64_t groups = ctx.attrInt("group", 1);
  if (groups < 1 || x[1] != w[1] * groups || w[0] % groups)
    return ctx.error() << "input channels " << x[1] << ", weight "
                       << shapeStr(w) << " and group " << groups
                       << " do not agree";
  if (ctx.hasInput(2) && (ctx.rank(2) != 1 || ctx.shape(2)[0] != w[0]))
    return ctx.error() << "bias must have shape [" << w[0] << "]";
  FailureOr<SmallVector<int64_t>> kernel = readKernel(ctx, w.drop_front(2), sr);
  if (failed(kernel))
    return failure();
  FailureOr<WindowSpec> window = readWindow(ctx, x.drop_front(2), *kernel);
  if (failed(window))
    return failure();
  if (!GraphBuilder::isConvSupported(sr, groups, x[1], w[0]))
    return ctx.unsupported("grouped convolution (group " +
                           std::to_string(groups) + ") with " +
                           std::to_string(sr) +
                           " spatial dims (linalg has grouped ops for 2-D "
                           "and depthwise ops for 1-D to 3-D)");
  Value bias = ctx.hasInput(2) ? ctx.value(2) : Value();
  ctx.setOutput(0,
                ctx.gb.conv(ctx.value(0), ctx.value(1), bias, *window, groups));
  return success();
}

static LogicalResult convertConvTranspose(NodeContext &ctx) {
  if (failed(requireRank(ctx, 0, 3, 5)) || failed(requireFloat(ctx, 0)))
    return failure();
  GraphBuilder &gb = ctx.gb;
  OpBuilder &b = gb.builder();
  ArrayRef<int64_t> x = ctx.shape(0), w = ctx.shape(1);
  size_t sr = x.size() - 2;
  int64_t groups = ctx.attrInt("group", 1);
  if (w.size() != x.size() || groups < 1 || w[0] != x[1] || x[1] % groups)
    return ctx.error() << "input " << shapeStr(x) << ", weight " << shapeStr(w)
                       << " and group " << groups << " do not agree";
  int64_t c = x[1], cg = c / groups, fg = w[1], f = fg * groups;
  if (ctx.hasInput(2) && (ctx.rank(2) != 1 || ctx.shape(2)[0] != f))
    return ctx.error() << "bias must have shape [" << f << "]";
  FailureOr<SmallVector<int64_t>> kernel = readKernel(ctx, w.drop_front(2), sr);
  if (failed(kernel))
    return failure();
  SmallVector<int64_t> strides = ctx.attrInts("strides");
  SmallVector<int64_t> dilations = ctx.attrInts("dilations");
  SmallVector<int64_t> outPad = ctx.attrInts("output_padding");
  SmallVector<int64_t> outShape = ctx.attrInts("output_shape");
  SmallVector<int64_t> pads = ctx.attrInts("pads");
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (strides.empty())
    strides.assign(sr, 1);
  if (dilations.empty())
    dilations.assign(sr, 1);
  if (outPad.empty())
    outPad.assign(sr, 0);
  if (pads.empty())
    pads.assign(2 * sr, 0);
  if (strides.size() != sr || dilations.size() != sr || outPad.size() != sr ||
      pads.size() != 2 * sr)
    return ctx.error() << "strides, dilations, output_padding and pads must "
                          "have one value per spatial dim";
  if (!outShape.empty() && outShape.size() == sr + 2)
    outShape.erase(outShape.begin(), outShape.begin() + 2);
  if (!outShape.empty() && outShape.size() != sr)
    return ctx.error() << "output_shape must have " << sr << " values";
  if (autoPad != "NOTSET" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER" && autoPad != "VALID")
    return ctx.unsupported("auto_pad='" + autoPad + "'");

  SmallVector<int64_t> pb(sr), pe(sr), effective(sr);
  for (size_t i = 0; i < sr; ++i) {
    effective[i] = ((*kernel)[i] - 1) * dilations[i] + 1;
    int64_t full = strides[i] * (x[2 + i] - 1) + outPad[i] + effective[i];
    if (!outShape.empty() || autoPad == "SAME_UPPER" ||
        autoPad == "SAME_LOWER") {
      int64_t target = outShape.empty() ? x[2 + i] * strides[i] : outShape[i];
      // Python's floor division, as the ONNX spec writes it: a negative
      // total (output_shape larger than the natural output) pads the end.
      int64_t total = full - target;
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      bool upper = autoPad == "SAME_UPPER";
      pb[i] = upper ? half : total - half;
      pe[i] = upper ? total - half : half;
    } else if (autoPad == "VALID") {
      pb[i] = pe[i] = 0;
    } else {
      pb[i] = pads[i];
      pe[i] = pads[sr + i];
    }
    if (full - pb[i] - pe[i] < 1)
      return ctx.error() << "the output would be empty along spatial dim " << i;
  }

  // 1. Spread the input by the strides (zeros between elements).
  Value in = ctx.value(0);
  Type t = GraphBuilder::elementTypeOf(in);
  SmallVector<int64_t> spread = {x[0], c};
  for (size_t i = 0; i < sr; ++i)
    spread.push_back((x[2 + i] - 1) * strides[i] + 1);
  if (llvm::any_of(strides, [](int64_t s) { return s != 1; })) {
    Value zeros = gb.fill(spread, t, 0.0);
    SmallVector<int64_t> offsets(sr + 2, 0), sizes(x), steps = {1, 1};
    steps.append(strides.begin(), strides.end());
    in = tensor::InsertSliceOp::create(b, ctx.loc, in, zeros, ValueRange{},
                                       ValueRange{}, ValueRange{}, offsets,
                                       sizes, steps);
  }
  // 2. Pad by (effective - 1 - pads) each side; negative amounts crop.
  SmallVector<int64_t> low = {0, 0}, high = {0, 0}, cropLow(sr + 2, 0),
                       cropHigh(sr + 2, 0);
  for (size_t i = 0; i < sr; ++i) {
    int64_t l = effective[i] - 1 - pb[i];
    int64_t h = effective[i] - 1 - pe[i] + outPad[i];
    low.push_back(std::max<int64_t>(l, 0));
    high.push_back(std::max<int64_t>(h, 0));
    cropLow[2 + i] = std::max<int64_t>(-l, 0);
    cropHigh[2 + i] = std::max<int64_t>(-h, 0);
  }
  in = gb.pad(in, low, high, cast<TypedAttr>(b.getZeroAttr(t)));
  if (llvm::any_of(cropLow, [](int64_t v) { return v; }) ||
      llvm::any_of(cropHigh, [](int64_t v) { return v; })) {
    ArrayRef<int64_t> s = GraphBuilder::shapeOf(in);
    SmallVector<int64_t> sizes, ones(s.size(), 1);
    for (size_t i = 0; i < s.size(); ++i)
      sizes.push_back(s[i] - cropLow[i] - cropHigh[i]);
    in = gb.slice(in, cropLow, sizes, ones);
  }
  // 3. The equivalent filter: [G, F/G, C/G, k...] flipped, then [F, C/G, k].
  MLIRContext *mctx = ctx.getContext();
  SmallVector<AffineExpr> exprs = {getAffineDimExpr(0, mctx) * cg +
                                       getAffineDimExpr(2, mctx),
                                   getAffineDimExpr(1, mctx)};
  SmallVector<int64_t> flippedShape = {groups, fg, cg};
  for (size_t i = 0; i < sr; ++i) {
    exprs.push_back((*kernel)[i] - 1 - getAffineDimExpr(3 + i, mctx));
    flippedShape.push_back((*kernel)[i]);
  }
  Value flipped = gb.copyGeneric(ctx.value(1), exprs, flippedShape);
  SmallVector<int64_t> filterShape = {f, cg};
  filterShape.append(kernel->begin(), kernel->end());
  Value filter = gb.reshape(flipped, filterShape);
  // 4. A stride-1 convolution.
  WindowSpec window;
  window.kernel = *kernel;
  window.strides.assign(sr, 1);
  window.dilations = dilations;
  window.padsBegin.assign(sr, 0);
  window.padsEnd.assign(sr, 0);
  if (!GraphBuilder::isConvSupported(sr, groups, c, f))
    return ctx.unsupported("grouped transposed convolution with " +
                           std::to_string(sr) + " spatial dims");
  Value bias = ctx.hasInput(2) ? ctx.value(2) : Value();
  ctx.setOutput(0, gb.conv(in, filter, bias, window, groups));
  return success();
}

/// Divisors of an average pool: per output position, the window positions
/// inside [0, in) (or inside the explicitly padded input when
/// `countPads`), as a constant over the spatial dims.
static DenseElementsAttr poolDivisors(ArrayRef<int64_t> in, const WindowSpec &w,
                                      ArrayRef<int64_t> explicitEnd,
                                      bool countPads, Type t) {
  size_t sr = in.size();
  SmallVector<SmallVector<int64_t>> perDim(sr);
  SmallVector<int64_t> outShape;
  for (size_t i = 0; i < sr; ++i) {
    int64_t out = w.outputSize(i, in[i]);
    outShape.push_back(out);
    int64_t lo = countPads ? -w.padsBegin[i] : 0;
    int64_t hi = countPads ? in[i] + explicitEnd[i] : in[i];
    for (int64_t o = 0; o < out; ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < w.kernel[i]; ++k) {
        int64_t pos = o * w.strides[i] - w.padsBegin[i] + k * w.dilations[i];
        count += pos >= lo && pos < hi;
      }
      perDim[i].push_back(count);
    }
  }
  SmallVector<llvm::APFloat> values;
  const llvm::fltSemantics &sem = cast<FloatType>(t).getFloatSemantics();
  int64_t n = numElements(outShape);
  SmallVector<int64_t> idx(sr, 0);
  for (int64_t k = 0; k < n; ++k) {
    double count = 1;
    for (size_t i = 0; i < sr; ++i)
      count *= perDim[i][idx[i]];
    llvm::APFloat v(count);
    bool lost;
    v.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
    values.push_back(v);
    for (int64_t d = sr - 1; d >= 0; --d) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  return DenseElementsAttr::get(RankedTensorType::get(outShape, t), values);
}

template <PoolKind kind> static LogicalResult convertPool(NodeContext &ctx) {
  if (failed(requireRank(ctx, 0, 3, 5)))
    return failure();
  if (ctx.hasOutput(1))
    return ctx.unsupported("the Indices output");
  if (ctx.attrInt("storage_order", 0) != 0)
    return ctx.unsupported("storage_order=1");
  Type t = ctx.mlirType(0);
  if (kind == PoolKind::Sum && !isa<FloatType>(t))
    return ctx.unsupported("pooling of " + typeName(ctx.elemType(0)));
  ArrayRef<int64_t> x = ctx.shape(0);
  size_t sr = x.size() - 2;
  bool ceilMode = ctx.attrInt("ceil_mode", 0);
  bool countPads = ctx.attrInt("count_include_pad", 0);
  FailureOr<SmallVector<int64_t>> kernel = readKernel(ctx, {}, sr);
  if (failed(kernel))
    return failure();
  FailureOr<WindowSpec> plain = readWindow(ctx, x.drop_front(2), *kernel);
  if (failed(plain))
    return failure();
  FailureOr<WindowSpec> window =
      readWindow(ctx, x.drop_front(2), *kernel, ceilMode);
  if (failed(window))
    return failure();
  Value pooled = ctx.gb.pool(ctx.value(0), kind, *window, ctx.isUnsigned(0));
  if (kind == PoolKind::Max) {
    ctx.setOutput(0, pooled, ctx.isUnsigned(0));
    return success();
  }
  DenseElementsAttr divisors =
      poolDivisors(x.drop_front(2), *window, plain->padsEnd, countPads, t);
  Value div =
      divisors.isSplat()
          ? ctx.gb.constant(divisors.resizeSplat(RankedTensorType::get({}, t)))
          : ctx.gb.constant(divisors);
  ctx.setOutput(0, ctx.gb.elementwise(
                       {pooled, div}, t,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::DivFOp::create(b, l, a[0], a[1]);
                       }));
  return success();
}

template <bool isMax> static LogicalResult convertGlobalPool(NodeContext &ctx) {
  if (failed(requireRank(ctx, 0, 3, 5)) || failed(requireFloat(ctx, 0)))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < ctx.rank(0); ++i)
    axes.push_back(i);
  Value x = ctx.value(0);
  ctx.setOutput(0, isMax ? ctx.gb.reduceMax(x, axes, /*keepDims=*/true)
                         : ctx.gb.reduceMean(x, axes));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation and softmax
//===----------------------------------------------------------------------===//

/// (x - mean) / sqrt(var + eps) over `axes` (kept), with the mean and the
/// inverse standard deviation.
struct Normalized {
  Value centered, mean, invStd;
};
static Normalized normalize(GraphBuilder &gb, Value x, ArrayRef<int64_t> axes,
                            double eps) {
  Type t = GraphBuilder::elementTypeOf(x);
  Value mean = gb.reduceMean(x, axes);
  Value centered =
      gb.elementwise({x, mean}, t, [](OpBuilder &b, Location l, ValueRange a) {
        return arith::SubFOp::create(b, l, a[0], a[1]);
      });
  Value sq =
      gb.elementwise(centered, t, [](OpBuilder &b, Location l, ValueRange a) {
        return arith::MulFOp::create(b, l, a[0], a[0]);
      });
  Value var = gb.reduceMean(sq, axes);
  Value invStd =
      gb.elementwise(var, t, [&](OpBuilder &b, Location l, ValueRange a) {
        Value s = arith::AddFOp::create(b, l, a[0], cst(b, l, t, eps));
        return math::RsqrtOp::create(b, l, s);
      });
  return {centered, mean, invStd};
}

/// centered * invStd * scale + bias (bias optional), in type `t`.
static Value scaleShift(GraphBuilder &gb, Value centered, Value invStd,
                        Value scale, Value bias, Type t) {
  SmallVector<Value> ins = {centered, invStd, scale};
  if (bias)
    ins.push_back(bias);
  return gb.elementwise(ins, t, [&](OpBuilder &b, Location l, ValueRange a) {
    Value y = arith::MulFOp::create(b, l, a[0], a[1]);
    y = arith::MulFOp::create(b, l, y, a[2]);
    if (a.size() > 3)
      y = arith::AddFOp::create(b, l, y, a[3]);
    return y;
  });
}

static LogicalResult convertBatchNorm(NodeContext &ctx) {
  double eps = ctx.attrFloat("epsilon", 1e-5f);
  ctx.ignoreAttr("momentum");
  if (ctx.attrInt("training_mode", 0))
    return ctx.unsupported("training_mode=1 (inference only)");
  if (ctx.attrInt("spatial", 1) != 1)
    return ctx.unsupported("spatial=0");
  for (unsigned i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      return ctx.unsupported("training outputs (running mean/var)");
  if (failed(requireRank(ctx, 0, 2, 8)) || failed(requireFloat(ctx, 0)))
    return failure();
  int64_t c = ctx.shape(0)[1];
  for (unsigned i = 1; i < 5; ++i)
    if (ctx.rank(i) != 1 || ctx.shape(i)[0] != c)
      return ctx.error() << "input " << i << " must have shape [" << c << "]";
  // Parameters [C] broadcast as [C, 1, ...].
  SmallVector<int64_t> paramShape(ctx.rank(0) - 1, 1);
  paramShape[0] = c;
  SmallVector<Value> ins = {ctx.value(0)};
  for (unsigned i = 1; i < 5; ++i)
    ins.push_back(ctx.gb.reshape(ctx.value(i), paramShape));
  Type t = ctx.mlirType(0);
  ctx.setOutput(
      0,
      ctx.gb.elementwise(ins, t, [&](OpBuilder &b, Location l, ValueRange a) {
        // (x - mean) * scale / sqrt(var + eps) + B
        Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
        Value var = arith::AddFOp::create(b, l, a[4], cst(b, l, t, eps));
        Value inv = math::RsqrtOp::create(b, l, var);
        Value y = arith::MulFOp::create(b, l, centered,
                                        arith::MulFOp::create(b, l, inv, a[1]));
        return arith::AddFOp::create(b, l, y, a[2]);
      }));
  return success();
}

static LogicalResult convertInstanceNorm(NodeContext &ctx) {
  double eps = ctx.attrFloat("epsilon", 1e-5f);
  if (failed(requireRank(ctx, 0, 3, 8)) || failed(requireFloat(ctx, 0)))
    return failure();
  int64_t c = ctx.shape(0)[1];
  for (unsigned i = 1; i < 3; ++i)
    if (ctx.rank(i) != 1 || ctx.shape(i)[0] != c)
      return ctx.error() << "input " << i << " must have shape [" << c << "]";
  SmallVector<int64_t> axes, paramShape(ctx.rank(0) - 1, 1);
  for (int64_t i = 2; i < ctx.rank(0); ++i)
    axes.push_back(i);
  paramShape[0] = c;
  GraphBuilder &gb = ctx.gb;
  Normalized n = normalize(gb, ctx.value(0), axes, eps);
  ctx.setOutput(0, scaleShift(gb, n.centered, n.invStd,
                              gb.reshape(ctx.value(1), paramShape),
                              gb.reshape(ctx.value(2), paramShape),
                              ctx.mlirType(0)));
  return success();
}

static LogicalResult convertLayerNorm(NodeContext &ctx) {
  double eps = ctx.attrFloat("epsilon", 1e-5f);
  int64_t stash = ctx.attrInt("stash_type", 1);
  if (failed(requireFloat(ctx, 0)))
    return failure();
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.attrInt("axis", -1), ctx.rank(0));
  if (failed(axis))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t i = *axis; i < ctx.rank(0); ++i)
    axes.push_back(i);
  GraphBuilder &gb = ctx.gb;
  Type t = ctx.mlirType(0);
  Type compute = stash == 1 ? gb.builder().getF32Type() : t;
  if (stash != 1 && stash != static_cast<int64_t>(ctx.elemType(0)))
    return ctx.unsupported("stash_type=" + std::to_string(stash));
  ArrayRef<int64_t> normShape = ctx.shape(0).drop_front(*axis);
  for (unsigned i = 1; i < 3; ++i) {
    if (!ctx.hasInput(i))
      continue;
    SmallVector<SmallVector<int64_t>> shapes = {llvm::to_vector(normShape),
                                                llvm::to_vector(ctx.shape(i))};
    auto out = broadcastShapes(shapes);
    if (!out || ArrayRef<int64_t>(*out) != normShape)
      return ctx.error() << "input " << i << " of shape "
                         << shapeStr(ctx.shape(i))
                         << " does not broadcast to the normalised shape "
                         << shapeStr(normShape);
  }
  Value x = gb.cast(ctx.value(0), compute);
  Normalized n = normalize(gb, x, axes, eps);
  Value scale = gb.cast(ctx.value(1), compute);
  Value bias = ctx.hasInput(2) ? gb.cast(ctx.value(2), compute) : Value();
  Value y = scaleShift(gb, n.centered, n.invStd, scale, bias, compute);
  ctx.setOutput(0, gb.cast(y, t));
  ctx.setOutput(1, n.mean);
  ctx.setOutput(2, n.invStd);
  return success();
}

template <bool isLog> static LogicalResult convertSoftmax(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)))
    return failure();
  int64_t rank = ctx.rank(0);
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.attrInt("axis", ctx.opset >= 13 ? -1 : 1), rank);
  if (failed(axis))
    return failure();
  GraphBuilder &gb = ctx.gb;
  Value x = ctx.value(0);
  if (ctx.opset >= 13 || rank == 0) {
    ctx.setOutput(0, gb.softmax(x, *axis, isLog));
    return success();
  }
  // Before opset 13 the input is coerced to 2-D at `axis`.
  ArrayRef<int64_t> s = ctx.shape(0);
  int64_t outer = numElements(s.take_front(*axis));
  int64_t inner = numElements(s.drop_front(*axis));
  Value flat = gb.reshape(x, {outer, inner});
  ctx.setOutput(0, gb.reshape(gb.softmax(flat, 1, isLog), s));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class Reduce {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  LogSum,
  LogSumExp,
  SumSquare
};

/// The reduced axes (sorted, unique), or empty with `noop` set when the op
/// passes the input through.
static FailureOr<SmallVector<int64_t>> reduceAxes(NodeContext &ctx,
                                                  bool &noop) {
  SmallVector<int64_t> axes;
  bool noopEmpty = ctx.attrInt("noop_with_empty_axes", 0);
  if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> in = ctx.constantInts(1, "axes");
    if (failed(in))
      return failure();
    axes = *in;
  } else {
    axes = ctx.attrInts("axes");
  }
  noop = axes.empty() && noopEmpty;
  if (axes.empty() && !noopEmpty)
    for (int64_t i = 0; i < ctx.rank(0); ++i)
      axes.push_back(i);
  for (int64_t &a : axes) {
    FailureOr<int64_t> n = ctx.normalizeAxis(a, ctx.rank(0));
    if (failed(n))
      return failure();
    a = *n;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

template <Reduce kind> static LogicalResult convertReduce(NodeContext &ctx) {
  bool keepDims = ctx.attrInt("keepdims", 1);
  bool noop = false;
  FailureOr<SmallVector<int64_t>> axes = reduceAxes(ctx, noop);
  if (failed(axes))
    return failure();
  Type t = ctx.mlirType(0);
  bool isFloat = isa<FloatType>(t), isUnsigned = ctx.isUnsigned(0);
  bool floatOnly =
      kind == Reduce::L2 || kind == Reduce::LogSum || kind == Reduce::LogSumExp;
  if (!isFloat && (floatOnly || t.isInteger(1)))
    return ctx.error() << "expects a floating-point input, got "
                       << typeName(ctx.elemType(0));
  GraphBuilder &gb = ctx.gb;
  Value x = ctx.value(0);
  if (noop) {
    ctx.setOutput(0, x, isUnsigned);
    return success();
  }
  OpBuilder &b = gb.builder();
  auto add = [&](OpBuilder &nb, Location l, Value p, Value q) -> Value {
    return isFloat ? Value(arith::AddFOp::create(nb, l, p, q))
                   : Value(arith::AddIOp::create(nb, l, p, q));
  };
  auto mul = [&](OpBuilder &nb, Location l, Value p, Value q) -> Value {
    return isFloat ? Value(arith::MulFOp::create(nb, l, p, q))
                   : Value(arith::MulIOp::create(nb, l, p, q));
  };
  TypedAttr zero = cast<TypedAttr>(b.getZeroAttr(t));
  Value r;
  switch (kind) {
  case Reduce::Sum:
  case Reduce::Mean:
  case Reduce::LogSum:
    r = gb.reduce(x, *axes, true, zero,
                  [&](OpBuilder &nb, Location l, Value e, Value acc) {
                    return add(nb, l, e, acc);
                  });
    break;
  case Reduce::SumSquare:
  case Reduce::L2:
    r = gb.reduce(x, *axes, true, zero,
                  [&](OpBuilder &nb, Location l, Value e, Value acc) {
                    return add(nb, l, mul(nb, l, e, e), acc);
                  });
    break;
  case Reduce::L1:
    r = gb.reduce(x, *axes, true, zero,
                  [&](OpBuilder &nb, Location l, Value e, Value acc) {
                    Value a = isFloat ? Value(math::AbsFOp::create(nb, l, e))
                              : isUnsigned
                                  ? e
                                  : Value(math::AbsIOp::create(nb, l, e));
                    return add(nb, l, a, acc);
                  });
    break;
  case Reduce::Prod:
    r = gb.reduce(x, *axes, true,
                  isFloat ? cast<TypedAttr>(b.getFloatAttr(t, 1.0))
                          : cast<TypedAttr>(b.getIntegerAttr(t, 1)),
                  [&](OpBuilder &nb, Location l, Value e, Value acc) {
                    return mul(nb, l, e, acc);
                  });
    break;
  case Reduce::Max:
  case Reduce::Min: {
    bool isMax = kind == Reduce::Max;
    TypedAttr init;
    if (isUnsigned)
      init = b.getIntegerAttr(
          t, isMax ? llvm::APInt::getZero(t.getIntOrFloatBitWidth())
                   : llvm::APInt::getAllOnes(t.getIntOrFloatBitWidth()));
    else
      init =
          isMax ? GraphBuilder::lowestValue(t) : GraphBuilder::highestValue(t);
    r = gb.reduce(
        x, *axes, true, init,
        [&](OpBuilder &nb, Location l, Value e, Value acc) -> Value {
          if (isFloat)
            return isMax ? Value(arith::MaximumFOp::create(nb, l, e, acc))
                         : Value(arith::MinimumFOp::create(nb, l, e, acc));
          if (isUnsigned)
            return isMax ? Value(arith::MaxUIOp::create(nb, l, e, acc))
                         : Value(arith::MinUIOp::create(nb, l, e, acc));
          return isMax ? Value(arith::MaxSIOp::create(nb, l, e, acc))
                       : Value(arith::MinSIOp::create(nb, l, e, acc));
        });
    break;
  }
  case Reduce::LogSumExp: {
    Value m = gb.reduceMax(x, *axes, true);
    Value e =
        gb.elementwise({x, m}, t, [](OpBuilder &nb, Location l, ValueRange a) {
          Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
          return math::ExpOp::create(nb, l, d);
        });
    Value s = gb.reduceSum(e, *axes, true);
    r = gb.elementwise({m, s}, t, [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::AddFOp::create(nb, l, a[0],
                                   math::LogOp::create(nb, l, a[1]));
    });
    break;
  }
  }
  // Finishing step on the reduced values.
  int64_t count = 1;
  for (int64_t a : *axes)
    count *= ctx.shape(0)[a];
  if (kind == Reduce::Mean || kind == Reduce::L2 || kind == Reduce::LogSum)
    r = gb.elementwise(
        r, t, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          if (kind == Reduce::L2)
            return math::SqrtOp::create(nb, l, a[0]);
          if (kind == Reduce::LogSum)
            return math::LogOp::create(nb, l, a[0]);
          Value n = cst(nb, l, t, static_cast<double>(count));
          if (isFloat)
            return arith::DivFOp::create(nb, l, a[0], n);
          return isUnsigned ? Value(arith::DivUIOp::create(nb, l, a[0], n))
                            : Value(arith::DivSIOp::create(nb, l, a[0], n));
        });
  if (!keepDims) {
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < ctx.rank(0); ++i)
      if (!llvm::is_contained(*axes, i))
        shape.push_back(ctx.shape(0)[i]);
    r = gb.reshape(r, shape);
  }
  ctx.setOutput(0, r, isUnsigned);
  return success();
}

/// ArgMax / ArgMin: a reduction generic with two results (best value,
/// its index).
template <bool isMax> static LogicalResult convertArg(NodeContext &ctx) {
  bool keepDims = ctx.attrInt("keepdims", 1);
  bool last = ctx.attrInt("select_last_index", 0);
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.attrInt("axis", 0), ctx.rank(0));
  if (failed(axis))
    return failure();
  Type t = ctx.mlirType(0);
  if (!isa<FloatType>(t) && (t.isInteger(1) || ctx.isUnsigned(0)))
    return ctx.unsupported("ArgMax/ArgMin of " + typeName(ctx.elemType(0)));
  GraphBuilder &gb = ctx.gb;
  OpBuilder &b = gb.builder();
  MLIRContext *mctx = ctx.getContext();
  ArrayRef<int64_t> s = ctx.shape(0);
  unsigned rank = s.size();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (unsigned i = 0; i < rank; ++i) {
    iterators.push_back(i == *axis ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (i == *axis)
      continue;
    outShape.push_back(s[i]);
    outExprs.push_back(getAffineDimExpr(i, mctx));
  }
  Type i64 = b.getI64Type();
  Value bestInit = gb.fill(outShape, isMax ? GraphBuilder::lowestValue(t)
                                           : GraphBuilder::highestValue(t));
  Value idxInit = gb.fill(outShape, i64, 0.0);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, mctx);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, mctx),
                                 outMap, outMap};
  int64_t ax = *axis;
  auto op = linalg::GenericOp::create(
      b, ctx.loc, TypeRange{bestInit.getType(), idxInit.getType()},
      ValueRange{ctx.value(0)}, ValueRange{bestInit, idxInit}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value idx = arith::IndexCastOp::create(
            nb, l, i64, linalg::IndexOp::create(nb, l, ax));
        Value better;
        if (isa<FloatType>(t))
          better =
              arith::CmpFOp::create(nb, l,
                                    isMax ? (last ? arith::CmpFPredicate::OGE
                                                  : arith::CmpFPredicate::OGT)
                                          : (last ? arith::CmpFPredicate::OLE
                                                  : arith::CmpFPredicate::OLT),
                                    a[0], a[1]);
        else
          better =
              arith::CmpIOp::create(nb, l,
                                    isMax ? (last ? arith::CmpIPredicate::sge
                                                  : arith::CmpIPredicate::sgt)
                                          : (last ? arith::CmpIPredicate::sle
                                                  : arith::CmpIPredicate::slt),
                                    a[0], a[1]);
        Value best = arith::SelectOp::create(nb, l, better, a[0], a[1]);
        Value bestIdx = arith::SelectOp::create(nb, l, better, idx, a[2]);
        linalg::YieldOp::create(nb, l, ValueRange{best, bestIdx});
      });
  Value result = op.getResult(1);
  if (keepDims) {
    SmallVector<int64_t> kept(s);
    kept[ax] = 1;
    result = gb.reshape(result, kept);
  }
  ctx.setOutput(0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

void onnx_import::addNNConverters(ConverterTable &t) {
  t["MatMul"] = convertMatMul;
  t["Gemm"] = convertGemm;
  t["Conv"] = convertConv;
  t["ConvTranspose"] = convertConvTranspose;
  t["MaxPool"] = convertPool<PoolKind::Max>;
  t["AveragePool"] = convertPool<PoolKind::Sum>;
  t["GlobalMaxPool"] = convertGlobalPool<true>;
  t["GlobalAveragePool"] = convertGlobalPool<false>;
  t["BatchNormalization"] = convertBatchNorm;
  t["InstanceNormalization"] = convertInstanceNorm;
  t["LayerNormalization"] = convertLayerNorm;
  t["Softmax"] = convertSoftmax<false>;
  t["LogSoftmax"] = convertSoftmax<true>;
  t["ReduceSum"] = convertReduce<Reduce::Sum>;
  t["ReduceMean"] = convertReduce<Reduce::Mean>;
  t["ReduceMax"] = convertReduce<Reduce::Max>;
  t["ReduceMin"] = convertReduce<Reduce::Min>;
  t["ReduceProd"] = convertReduce<Reduce::Prod>;
  t["ReduceL1"] = convertReduce<Reduce::L1>;
  t["ReduceL2"] = convertReduce<Reduce::L2>;
  t["ReduceLogSum"] = convertReduce<Reduce::LogSum>;
  t["ReduceLogSumExp"] = convertReduce<Reduce::LogSumExp>;
  t["ReduceSumSquare"] = convertReduce<Reduce::SumSquare>;
  t["ArgMax"] = convertArg<true>;
  t["ArgMin"] = convertArg<false>;
}
