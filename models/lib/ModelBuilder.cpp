//===- ModelBuilder.cpp - layers of the model zoo's builders --------------===//

#include "ModelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace gaon::models;
using gaon::frontend::GraphBuilder;
using llvm::SmallVector;

static Value cst(OpBuilder &b, Location l, Type t, double v) {
  return GraphBuilder::scalar(b, l, t, v);
}

ModelBuilder::ModelBuilder(MLIRContext &ctx, const ModelConfig &config)
    : config(config), b(&ctx),
      gb(b, NameLoc::get(StringAttr::get(&ctx, config.name))) {
  ctx.loadDialect<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect>();
  f32 = b.getF32Type();
  ids = b.getI32Type();
  act = config.precision == Precision::FP32 ? f32 : Type(b.getBF16Type());
  Location loc = gb.getLoc();
  module = ModuleOp::create(loc);
  module.get()->setAttr("gaon.model", b.getStringAttr(config.name));
  b.setInsertionPointToEnd(module->getBody());
  func = func::FuncOp::create(b, loc, "main", b.getFunctionType({}, {}));
  func->setAttr("gaon.source", b.getStringAttr("zoo"));
  func->setAttr("gaon.phase", b.getStringAttr(phaseName(config.phase)));
  func->setAttr("gaon.precision",
                b.getStringAttr(precisionName(config.precision)));
  b.setInsertionPointToEnd(func.addEntryBlock());
}

/// Adds a block argument and keeps the function type in step.
static Value addArgument(func::FuncOp func, Type type, StringRef name,
                         StringRef kind, Location loc) {
  Block &entry = func.getBody().front();
  BlockArgument arg = entry.addArgument(type, loc);
  OpBuilder b(func.getContext());
  func.setType(
      b.getFunctionType(entry.getArgumentTypes(), func.getResultTypes()));
  func.setArgAttr(arg.getArgNumber(), "gaon.name", b.getStringAttr(name));
  func.setArgAttr(arg.getArgNumber(), "gaon.kind", b.getStringAttr(kind));
  return arg;
}

Value ModelBuilder::input(const llvm::Twine &name, ArrayRef<int64_t> shape,
                          Type type) {
  return addArgument(func, RankedTensorType::get(shape, type), name.str(),
                     "input", gb.getLoc());
}

Value ModelBuilder::weight(const llvm::Twine &name, ArrayRef<int64_t> shape,
                           Type type) {
  std::string key = name.str();
  auto it = weights.find(key);
  if (it != weights.end())
    return it->second;
  Value arg = addArgument(func, RankedTensorType::get(shape, type ? type : act),
                          key, "weight", gb.getLoc());
  weights[key] = arg;
  return arg;
}

void ModelBuilder::scope(const llvm::Twine &name) {
  gb.setLoc(NameLoc::get(b.getStringAttr(name.str())));
}

OwningOpRef<ModuleOp>
ModelBuilder::finish(ArrayRef<std::pair<std::string, Value>> results) {
  SmallVector<Value> values;
  for (const auto &r : results)
    values.push_back(r.second);
  func::ReturnOp::create(b, gb.getLoc(), values);
  frontend::eraseDeadOps(func.getBody().front());
  func.setType(b.getFunctionType(func.getBody().front().getArgumentTypes(),
                                 ValueRange(values).getTypes()));
  for (auto [i, r] : llvm::enumerate(results))
    func.setResultAttr(i, "gaon.name", b.getStringAttr(r.first));
  return std::move(module);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

Value ModelBuilder::map(ValueRange inputs, F32Fn body, Type resultType) {
  if (!resultType)
    resultType = act;
  Type f32Type = f32;
  return gb.elementwise(
      inputs, resultType, [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> wide;
        for (Value a : args)
          wide.push_back(isa<FloatType>(a.getType())
                             ? GraphBuilder::castScalar(nb, l, a, f32Type)
                             : a);
        Value r = body(nb, l, wide);
        return GraphBuilder::castScalar(nb, l, r, resultType);
      });
}

Value ModelBuilder::add(Value x, Value y) {
  return map({x, y}, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::AddFOp::create(nb, l, a[0], a[1]);
  });
}

Value ModelBuilder::relu(Value x) {
  return map(x, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::MaximumFOp::create(nb, l, a[0],
                                     cst(nb, l, a[0].getType(), 0));
  });
}

Value ModelBuilder::gelu(Value x, bool tanhApprox) {
  return map(x, [&](OpBuilder &nb, Location l, ValueRange a) {
    return GraphBuilder::geluScalar(nb, l, a[0], tanhApprox);
  });
}

Value ModelBuilder::tanh(Value x) {
  return map(x, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return math::TanhOp::create(nb, l, a[0]);
  });
}

Value ModelBuilder::swiglu(Value gate, Value up) {
  return map({gate, up}, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    // silu(g) = g / (1 + exp(-g))
    Type t = a[0].getType();
    Value e = math::ExpOp::create(nb, l, arith::NegFOp::create(nb, l, a[0]));
    Value den = arith::AddFOp::create(nb, l, e, cst(nb, l, t, 1));
    Value silu = arith::DivFOp::create(nb, l, a[0], den);
    return arith::MulFOp::create(nb, l, silu, a[1]);
  });
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

Type ModelBuilder::weightType() {
  switch (config.precision) {
  case Precision::FP32:
  case Precision::BF16:
    return act;
  case Precision::FP8:
    return b.getType<Float8E4M3FNType>();
  case Precision::INT8:
    return b.getI8Type();
  }
  return act;
}

Value ModelBuilder::epilogue(Value acc, Value scale, Value bias,
                             ArrayRef<int64_t> paramShape) {
  SmallVector<Value> ins = {acc};
  if (scale)
    ins.push_back(gb.reshape(scale, paramShape));
  if (bias)
    ins.push_back(gb.reshape(bias, paramShape));
  bool hasScale = bool(scale);
  return map(ins, [&](OpBuilder &nb, Location l, ValueRange a) {
    Value y = a[0];
    unsigned next = 1;
    if (hasScale)
      y = arith::MulFOp::create(nb, l, y, a[next++]);
    if (next < a.size())
      y = arith::AddFOp::create(nb, l, y, a[next]);
    return y;
  });
}

Value ModelBuilder::linear(Value x, const llvm::Twine &name, int64_t in,
                           int64_t out, bool hasBias) {
  Value w = weight(name + ".weight", {in, out}, weightType());
  Value scale = config.precision == Precision::INT8
                    ? weight(name + ".scale", {out})
                    : Value();
  Value bias = hasBias ? weight(name + ".bias", {out}) : Value();
  switch (config.precision) {
  case Precision::FP32:
  case Precision::BF16: {
    Value y = gb.matmul(x, w);
    return bias ? add(y, bias) : y;
  }
  case Precision::FP8:
    return epilogue(gb.matmul(gb.cast(x, weightType()), w, f32), Value(), bias,
                    {out});
  case Precision::INT8:
    return epilogue(gb.matmul(x, w, f32), scale, bias, {out});
  }
  return nullptr;
}

Value ModelBuilder::conv(Value x, const llvm::Twine &name, int64_t cin,
                         int64_t cout, int64_t k, int64_t stride, int64_t pad,
                         bool hasBias) {
  Value w = weight(name + ".weight", {cout, cin, k, k}, weightType());
  Value scale = config.precision == Precision::INT8
                    ? weight(name + ".scale", {cout})
                    : Value();
  Value bias = hasBias ? weight(name + ".bias", {cout}) : Value();
  frontend::WindowSpec window;
  window.kernel = {k, k};
  window.strides = {stride, stride};
  window.dilations = {1, 1};
  window.padsBegin = {pad, pad};
  window.padsEnd = {pad, pad};
  switch (config.precision) {
  case Precision::FP32:
  case Precision::BF16:
    return gb.conv(x, w, bias, window, 1);
  case Precision::FP8:
    return epilogue(
        gb.conv(gb.cast(x, weightType()), w, Value(), window, 1, f32), Value(),
        bias, {cout, 1, 1});
  case Precision::INT8:
    return epilogue(gb.conv(x, w, Value(), window, 1, f32), scale, bias,
                    {cout, 1, 1});
  }
  return nullptr;
}

Value ModelBuilder::batchNorm(Value x, const llvm::Twine &name,
                              int64_t channels, bool withRelu) {
  Value scale =
      gb.reshape(weight(name + ".weight", {channels}), {channels, 1, 1});
  Value shift =
      gb.reshape(weight(name + ".bias", {channels}), {channels, 1, 1});
  return map({x, scale, shift}, [&](OpBuilder &nb, Location l, ValueRange a) {
    Value y = arith::AddFOp::create(
        nb, l, arith::MulFOp::create(nb, l, a[0], a[1]), a[2]);
    if (withRelu)
      y = arith::MaximumFOp::create(nb, l, y, cst(nb, l, y.getType(), 0));
    return y;
  });
}

Value ModelBuilder::layerNorm(Value x, const llvm::Twine &name, int64_t dim) {
  Value w = weight(name + ".weight", {dim});
  Value bias = weight(name + ".bias", {dim});
  int64_t last = GraphBuilder::shapeOf(x).size() - 1;
  double eps = config.normEps;
  Value x32 = gb.cast(x, f32);
  Value mean = gb.reduceMean(x32, last);
  Value centered = map(
      {x32, mean},
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::SubFOp::create(nb, l, a[0], a[1]);
      },
      f32);
  Value sq = map(
      centered,
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      },
      f32);
  Value var = gb.reduceMean(sq, last);
  return map({centered, var, w, bias},
             [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
               Value s = arith::AddFOp::create(nb, l, a[1],
                                               cst(nb, l, a[1].getType(), eps));
               Value y = arith::MulFOp::create(nb, l, a[0],
                                               math::RsqrtOp::create(nb, l, s));
               return arith::AddFOp::create(
                   nb, l, arith::MulFOp::create(nb, l, y, a[2]), a[3]);
             });
}

Value ModelBuilder::rmsNorm(Value x, const llvm::Twine &name, int64_t dim) {
  Value w = weight(name + ".weight", {dim});
  int64_t last = GraphBuilder::shapeOf(x).size() - 1;
  double eps = config.normEps;
  Value x32 = gb.cast(x, f32);
  Value sq = map(
      x32,
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      },
      f32);
  Value ms = gb.reduceMean(sq, last);
  return map(
      {x32, ms, w}, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value s =
            arith::AddFOp::create(nb, l, a[1], cst(nb, l, a[1].getType(), eps));
        Value y =
            arith::MulFOp::create(nb, l, a[0], math::RsqrtOp::create(nb, l, s));
        return arith::MulFOp::create(nb, l, y, a[2]);
      });
}

Value ModelBuilder::embedding(Value ids, const llvm::Twine &name, int64_t rows,
                              int64_t dim) {
  return gb.gather(weight(name + ".weight", {rows, dim}), ids, 0);
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

Value ModelBuilder::splitHeads(Value x, int64_t outer, int64_t inner) {
  ArrayRef<int64_t> s = GraphBuilder::shapeOf(x);
  int64_t batch = s[0], tokens = s[1], d = s[2] / (outer * inner);
  Value r = gb.reshape(x, {batch, tokens, outer, inner, d});
  return gb.transpose(r, {0, 2, 3, 1, 4});
}

std::pair<Value, Value> ModelBuilder::ropeTables(int64_t tokens,
                                                 int64_t offset) {
  const ModelConfig &c = config;
  int64_t d = c.headDim, half = d / 2;
  MLIRContext *ctx = b.getContext();
  Value cosInit = gb.empty({tokens, d}, f32);
  Value sinInit = gb.empty({tokens, d}, f32);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  auto op = linalg::GenericOp::create(
      b, gb.getLoc(), TypeRange{cosInit.getType(), sinInit.getType()},
      ValueRange{}, ValueRange{cosInit, sinInit}, ArrayRef<AffineMap>{id, id},
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange) {
        Type t = nb.getF32Type();
        auto toF32 = [&](Value index) -> Value {
          Value i = arith::IndexCastOp::create(nb, l, nb.getI64Type(), index);
          return arith::SIToFPOp::create(nb, l, t, i);
        };
        Value pos = arith::AddFOp::create(
            nb, l, toF32(linalg::IndexOp::create(nb, l, 0)),
            cst(nb, l, t, static_cast<double>(offset)));
        Value j = linalg::IndexOp::create(nb, l, 1);
        Value i = arith::RemUIOp::create(
            nb, l, j, arith::ConstantIndexOp::create(nb, l, half));
        // inv_freq = theta^(-2i/D) = exp(-(2i/D) ln theta)
        Value expo = arith::MulFOp::create(
            nb, l, toF32(i), cst(nb, l, t, -2.0 * std::log(c.ropeTheta) / d));
        Value freq = math::ExpOp::create(nb, l, expo);
        if (c.ropeFactor > 0) {
          // Llama 3.1 frequency scaling.
          double lowWavelen = c.ropeOriginalContext / c.ropeLowFreq;
          double highWavelen = c.ropeOriginalContext / c.ropeHighFreq;
          Value wavelen =
              arith::DivFOp::create(nb, l, cst(nb, l, t, 2 * M_PI), freq);
          Value scaled =
              arith::DivFOp::create(nb, l, freq, cst(nb, l, t, c.ropeFactor));
          Value ratio = arith::DivFOp::create(
              nb, l, cst(nb, l, t, double(c.ropeOriginalContext)), wavelen);
          Value smooth = arith::DivFOp::create(
              nb, l,
              arith::SubFOp::create(nb, l, ratio, cst(nb, l, t, c.ropeLowFreq)),
              cst(nb, l, t, c.ropeHighFreq - c.ropeLowFreq));
          Value oneMinus =
              arith::SubFOp::create(nb, l, cst(nb, l, t, 1), smooth);
          Value smoothed = arith::AddFOp::create(
              nb, l, arith::MulFOp::create(nb, l, oneMinus, scaled),
              arith::MulFOp::create(nb, l, smooth, freq));
          Value isLow =
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, wavelen,
                                    cst(nb, l, t, lowWavelen));
          Value isHigh =
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, wavelen,
                                    cst(nb, l, t, highWavelen));
          Value mid = arith::SelectOp::create(nb, l, isHigh, freq, smoothed);
          freq = arith::SelectOp::create(nb, l, isLow, scaled, mid);
        }
        Value angle = arith::MulFOp::create(nb, l, pos, freq);
        linalg::YieldOp::create(nb, l,
                                ValueRange{math::CosOp::create(nb, l, angle),
                                           math::SinOp::create(nb, l, angle)});
      });
  return {op.getResult(0), op.getResult(1)};
}

Value ModelBuilder::hostEmbeddingsInput() {
  return input("inputs_embeds", {config.batch, config.tokens(), config.hidden},
               act);
}

Value ModelBuilder::hostMask() {
  if (config.phase == Phase::Decode)
    return nullptr;
  int64_t t = config.tokens();
  return input("attention_mask", {t, t}, f32);
}

std::pair<Value, Value> ModelBuilder::hostRopeTables() {
  int64_t t = config.tokens();
  return {input("rope.cos", {t, config.headDim}, f32),
          input("rope.sin", {t, config.headDim}, f32)};
}

Value ModelBuilder::applyRope(Value x, Value cos, Value sin) {
  ArrayRef<int64_t> s = GraphBuilder::shapeOf(x);
  int64_t last = s.size() - 1, half = s.back() / 2;
  Value x1 = gb.sliceAxis(x, last, 0, half);
  Value x2 = gb.sliceAxis(x, last, half, half);
  Type xt = GraphBuilder::elementTypeOf(x);
  Value neg = map(
      x2,
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::NegFOp::create(nb, l, a[0]);
      },
      xt);
  Value rotated = gb.concat({neg, x1}, last);
  return map(
      {x, rotated, cos, sin},
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, l,
                                     arith::MulFOp::create(nb, l, a[0], a[2]),
                                     arith::MulFOp::create(nb, l, a[1], a[3]));
      },
      xt);
}

Value ModelBuilder::attention(Value q, Value k, Value v, bool causal,
                              int64_t pastLen, Value mask) {
  ArrayRef<int64_t> qs = GraphBuilder::shapeOf(q);
  int64_t batch = qs[0], kvHeads = qs[1], groups = qs[2], tokens = qs[3],
          d = qs[4];
  int64_t keys = GraphBuilder::shapeOf(k)[2];
  int64_t bh = batch * kvHeads;
  Value q3 = gb.reshape(q, {bh, groups * tokens, d});
  Value kT = gb.reshape(gb.transpose(k, {0, 1, 3, 2}), {bh, d, keys});
  Value scores = gb.matmul(q3, kT);
  double scale = 1.0 / std::sqrt(static_cast<double>(d));
  Value masked;
  if (causal && mask) {
    // Row m of the scores is query token m mod T: [BH, G, T, K] + [T, K].
    Value s4 = gb.reshape(scores, {bh, groups, tokens, keys});
    masked = map(
        {s4, mask},
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value s = arith::MulFOp::create(nb, l, a[0],
                                          cst(nb, l, a[0].getType(), scale));
          return arith::AddFOp::create(nb, l, s, a[1]);
        },
        f32);
    masked = gb.reshape(masked, {bh, groups * tokens, keys});
  } else {
    masked = map(
        scores,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value s = arith::MulFOp::create(nb, l, a[0], cst(nb, l, t, scale));
          if (!causal)
            return s;
          // Query row m is token m mod T at position pastLen + m mod T.
          Value row = linalg::IndexOp::create(nb, l, 1);
          Value col = linalg::IndexOp::create(nb, l, 2);
          Value token = arith::RemUIOp::create(
              nb, l, row, arith::ConstantIndexOp::create(nb, l, tokens));
          Value position = arith::AddIOp::create(
              nb, l, token, arith::ConstantIndexOp::create(nb, l, pastLen));
          Value future = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ugt,
                                               col, position);
          return arith::SelectOp::create(
              nb, l, future,
              cst(nb, l, t, -std::numeric_limits<double>::infinity()), s);
        },
        f32);
  }
  Value probs = gb.cast(gb.softmax(masked, 2), act);
  Value v3 = gb.reshape(v, {bh, keys, d});
  Value context = gb.matmul(probs, v3);
  Value split = gb.reshape(context, {batch, kvHeads, groups, tokens, d});
  Value merged = gb.transpose(split, {0, 3, 1, 2, 4});
  return gb.reshape(merged, {batch, tokens, kvHeads * groups * d});
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

llvm::Expected<OwningOpRef<ModuleOp>>
gaon::models::buildModel(const ModelConfig &config, MLIRContext &context) {
  ModelBuilder mb(context, config);
  switch (config.family) {
  case Family::Llama:
    return buildLlama(mb);
  case Family::GPT2:
    return buildGPT2(mb);
  case Family::BERT:
    return buildBERT(mb);
  case Family::ViT:
    return buildViT(mb);
  case Family::ResNet:
    return buildResNet(mb);
  }
  return llvm::createStringError("unknown model family");
}
