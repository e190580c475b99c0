//===- ONNXElementwise.cpp - elementwise ONNX ops
//--------------------------===//
//
// Unary and n-ary elementwise ops, comparisons, logic, Where, Clip and Cast:
// each becomes one linalg.generic over the numpy broadcast of its inputs.
// Integer ops on small constants (shape arithmetic) are evaluated at import
// time instead.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporterImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace gaon::frontend;
using namespace gaon::frontend::onnx_import;
using llvm::SmallVector;

using BodyFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;
using UnaryFn = llvm::function_ref<Value(OpBuilder &, Location, Value)>;
using IntFn = llvm::function_ref<int64_t(ArrayRef<int64_t>)>;

/// Given inputs `inputs` of the node (indices; absent ones skipped), checks
/// they broadcast and returns their values.
static FailureOr<SmallVector<Value>> broadcastInputs(NodeContext &ctx,
                                                     ArrayRef<unsigned> idx) {
  SmallVector<SmallVector<int64_t>> shapes;
  SmallVector<Value> values;
  for (unsigned i : idx)
    shapes.push_back(llvm::to_vector(ctx.shape(i)));
  if (!broadcastShapes(shapes)) {
    InFlightDiagnostic diag = ctx.error() << "input shapes";
    for (const auto &s : shapes) {
      diag << " [";
      llvm::interleaveComma(s, diag);
      diag << "]";
    }
    return diag << " do not broadcast";
  }
  for (unsigned i : idx)
    values.push_back(ctx.value(i));
  return values;
}

/// The indices of every given input.
static SmallVector<unsigned> givenInputs(NodeContext &ctx) {
  SmallVector<unsigned> idx;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i))
      idx.push_back(i);
  return idx;
}

/// Emits output 0 = body(inputs `idx`) with elements of `resultType`.
static LogicalResult emit(NodeContext &ctx, ArrayRef<unsigned> idx,
                          Type resultType, BodyFn body,
                          bool unsignedResult = false) {
  FailureOr<SmallVector<Value>> values = broadcastInputs(ctx, idx);
  if (failed(values))
    return failure();
  ctx.setOutput(0, ctx.gb.elementwise(*values, resultType, body),
                unsignedResult);
  return success();
}

/// Evaluates an integer op on small constant inputs at import time. Returns
/// true when it folded.
static bool foldInts(NodeContext &ctx, Type resultType, IntFn fn,
                     bool unsignedResult = false) {
  if (!allInputsFoldable(ctx) || !isa<IntegerType>(resultType))
    return false;
  SmallVector<unsigned> idx = givenInputs(ctx);
  SmallVector<SmallVector<int64_t>> shapes, values;
  for (unsigned i : idx) {
    if (!isa<IntegerType>(ctx.mlirType(i)))
      return false;
    shapes.push_back(llvm::to_vector(ctx.shape(i)));
    values.push_back(intValues(ctx.constant(i), ctx.isUnsigned(i)));
  }
  std::optional<SmallVector<int64_t>> outShape = broadcastShapes(shapes);
  if (!outShape)
    return false;
  int64_t n = numElements(*outShape);
  unsigned width = resultType.getIntOrFloatBitWidth();
  SmallVector<llvm::APInt> out;
  SmallVector<int64_t> scalars(idx.size());
  SmallVector<int64_t> index(outShape->size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    for (size_t in = 0; in < idx.size(); ++in) {
      ArrayRef<int64_t> s = shapes[in];
      size_t offset = outShape->size() - s.size();
      int64_t linear = 0;
      for (size_t d = 0; d < s.size(); ++d)
        linear = linear * s[d] + (s[d] == 1 ? 0 : index[offset + d]);
      scalars[in] = values[in][linear];
    }
    out.emplace_back(width, fn(scalars), /*isSigned=*/true,
                     /*implicitTrunc=*/true);
    for (int64_t d = static_cast<int64_t>(outShape->size()) - 1; d >= 0; --d) {
      if (++index[d] < (*outShape)[d])
        break;
      index[d] = 0;
    }
  }
  ctx.setConstantOutput(
      0,
      DenseElementsAttr::get(RankedTensorType::get(*outShape, resultType), out),
      unsignedResult);
  return true;
}

/// Requires every given input to have input 0's element type.
static LogicalResult requireSameTypes(NodeContext &ctx) {
  for (unsigned i : givenInputs(ctx))
    if (ctx.elemType(i) != ctx.elemType(0))
      return ctx.error() << "expects inputs of one element type, got "
                         << typeName(ctx.elemType(0)) << " and "
                         << typeName(ctx.elemType(i));
  return success();
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

/// y = f(x) for a floating-point x.
static LogicalResult floatUnary(NodeContext &ctx, UnaryFn f) {
  if (failed(requireFloat(ctx, 0)))
    return failure();
  return emit(
      ctx, {0}, ctx.mlirType(0),
      [&](OpBuilder &b, Location l, ValueRange a) { return f(b, l, a[0]); });
}

template <typename MathOp> static LogicalResult mathUnary(NodeContext &ctx) {
  return floatUnary(ctx, [](OpBuilder &b, Location l, Value x) -> Value {
    return MathOp::create(b, l, x);
  });
}

static LogicalResult convertAbs(NodeContext &ctx) {
  Type t = ctx.mlirType(0);
  bool isUnsigned = ctx.isUnsigned(0);
  if (isa<IntegerType>(t) &&
      foldInts(ctx, t, [](ArrayRef<int64_t> a) { return std::abs(a[0]); }))
    return success();
  return emit(
      ctx, {0}, t,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isa<FloatType>(t))
          return math::AbsFOp::create(b, l, a[0]);
        if (isUnsigned)
          return a[0];
        return math::AbsIOp::create(b, l, a[0]);
      },
      isUnsigned);
}

static LogicalResult convertNeg(NodeContext &ctx) {
  Type t = ctx.mlirType(0);
  if (isa<IntegerType>(t) &&
      foldInts(ctx, t, [](ArrayRef<int64_t> a) { return -a[0]; }))
    return success();
  return emit(ctx, {0}, t,
              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                if (isa<FloatType>(t))
                  return arith::NegFOp::create(b, l, a[0]);
                return arith::SubIOp::create(b, l, cst(b, l, t, 0), a[0]);
              });
}

static LogicalResult convertReciprocal(NodeContext &ctx) {
  return floatUnary(ctx, [](OpBuilder &b, Location l, Value x) -> Value {
    return arith::DivFOp::create(b, l, cst(b, l, x.getType(), 1), x);
  });
}

static LogicalResult convertRound(NodeContext &ctx) {
  // ONNX rounds halves to even.
  return mathUnary<math::RoundEvenOp>(ctx);
}

static LogicalResult convertSign(NodeContext &ctx) {
  Type t = ctx.mlirType(0);
  bool isUnsigned = ctx.isUnsigned(0);
  return emit(
      ctx, {0}, t,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0], zero = cst(b, l, t, 0), one = cst(b, l, t, 1);
        Value pos, neg;
        if (isa<FloatType>(t)) {
          pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
          neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
        } else {
          pos = arith::CmpIOp::create(b, l,
                                      isUnsigned ? arith::CmpIPredicate::ugt
                                                 : arith::CmpIPredicate::sgt,
                                      x, zero);
          neg = isUnsigned ? cst(b, l, b.getI1Type(), 0)
                           : Value(arith::CmpIOp::create(
                                 b, l, arith::CmpIPredicate::slt, x, zero));
        }
        Value negOrZero =
            arith::SelectOp::create(b, l, neg, cst(b, l, t, -1), zero);
        return arith::SelectOp::create(b, l, pos, one, negOrZero);
      },
      isUnsigned);
}

static LogicalResult convertSigmoid(NodeContext &ctx) {
  return floatUnary(ctx, [](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value negX = arith::NegFOp::create(b, l, x);
    Value e = math::ExpOp::create(b, l, negX);
    Value den = arith::AddFOp::create(b, l, cst(b, l, t, 1), e);
    return arith::DivFOp::create(b, l, cst(b, l, t, 1), den);
  });
}

static LogicalResult convertRelu(NodeContext &ctx) {
  Type t = ctx.mlirType(0);
  return emit(ctx, {0}, t,
              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                if (isa<FloatType>(t))
                  return arith::MaximumFOp::create(b, l, a[0], cst(b, l, t, 0));
                return arith::MaxSIOp::create(b, l, a[0], cst(b, l, t, 0));
              });
}

/// x < 0 (ordered) for a float scalar.
static Value isNegative(OpBuilder &b, Location l, Value x) {
  return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                               cst(b, l, x.getType(), 0));
}

static LogicalResult convertLeakyRelu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 0.01f);
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) -> Value {
    Value scaled =
        arith::MulFOp::create(b, l, x, cst(b, l, x.getType(), alpha));
    return arith::SelectOp::create(b, l, isNegative(b, l, x), scaled, x);
  });
}

static LogicalResult convertElu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.0f);
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value em1 = arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x),
                                      cst(b, l, t, 1));
    Value neg = arith::MulFOp::create(b, l, em1, cst(b, l, t, alpha));
    return arith::SelectOp::create(b, l, isNegative(b, l, x), neg, x);
  });
}

static LogicalResult convertSelu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.67326319217681884765625f);
  double gamma = ctx.attrFloat("gamma", 1.05070102214813232421875f);
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value e = math::ExpOp::create(b, l, x);
    Value neg = arith::SubFOp::create(
        b, l, arith::MulFOp::create(b, l, e, cst(b, l, t, alpha)),
        cst(b, l, t, alpha));
    Value le = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, x,
                                     cst(b, l, t, 0));
    Value v = arith::SelectOp::create(b, l, le, neg, x);
    return arith::MulFOp::create(b, l, v, cst(b, l, t, gamma));
  });
}

static LogicalResult convertCelu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.0f);
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value zero = cst(b, l, t, 0);
    Value scaled = arith::DivFOp::create(b, l, x, cst(b, l, t, alpha));
    Value em1 = arith::SubFOp::create(b, l, math::ExpOp::create(b, l, scaled),
                                      cst(b, l, t, 1));
    Value neg = arith::MinimumFOp::create(
        b, l, zero, arith::MulFOp::create(b, l, em1, cst(b, l, t, alpha)));
    return arith::AddFOp::create(b, l, arith::MaximumFOp::create(b, l, zero, x),
                                 neg);
  });
}

/// max(0, min(1, alpha * x + beta)).
static Value hardSigmoid(OpBuilder &b, Location l, Value x, double alpha,
                         double beta) {
  Type t = x.getType();
  Value lin = arith::AddFOp::create(
      b, l, arith::MulFOp::create(b, l, x, cst(b, l, t, alpha)),
      cst(b, l, t, beta));
  Value upper = arith::MinimumFOp::create(b, l, lin, cst(b, l, t, 1));
  return arith::MaximumFOp::create(b, l, upper, cst(b, l, t, 0));
}

static LogicalResult convertHardSigmoid(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 0.2f);
  double beta = ctx.attrFloat("beta", 0.5f);
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) {
    return hardSigmoid(b, l, x, alpha, beta);
  });
}

static LogicalResult convertHardSwish(NodeContext &ctx) {
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) -> Value {
    return arith::MulFOp::create(b, l, x, hardSigmoid(b, l, x, 1.0 / 6.0, 0.5));
  });
}

static LogicalResult convertSoftplus(NodeContext &ctx) {
  return floatUnary(ctx, [](OpBuilder &b, Location l, Value x) -> Value {
    Value e = math::ExpOp::create(b, l, x);
    return math::LogOp::create(
        b, l, arith::AddFOp::create(b, l, e, cst(b, l, x.getType(), 1)));
  });
}

static LogicalResult convertSoftsign(NodeContext &ctx) {
  return floatUnary(ctx, [](OpBuilder &b, Location l, Value x) -> Value {
    Value den = arith::AddFOp::create(b, l, math::AbsFOp::create(b, l, x),
                                      cst(b, l, x.getType(), 1));
    return arith::DivFOp::create(b, l, x, den);
  });
}

static LogicalResult convertThresholdedRelu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.0f);
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                     cst(b, l, t, alpha));
    return arith::SelectOp::create(b, l, gt, x, cst(b, l, t, 0));
  });
}

static LogicalResult convertGelu(NodeContext &ctx) {
  std::string approximate = ctx.attrString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.unsupported("approximate='" + approximate + "'");
  bool useTanh = approximate == "tanh";
  return floatUnary(ctx, [&](OpBuilder &b, Location l, Value x) {
    return GraphBuilder::geluScalar(b, l, x, useTanh);
  });
}

static LogicalResult convertNot(NodeContext &ctx) {
  if (!ctx.mlirType(0).isInteger(1))
    return ctx.error() << "expects a bool input";
  if (foldInts(ctx, ctx.mlirType(0),
               [](ArrayRef<int64_t> a) -> int64_t { return !a[0]; }))
    return success();
  return emit(ctx, {0}, ctx.mlirType(0),
              [](OpBuilder &b, Location l, ValueRange a) -> Value {
                return arith::XOrIOp::create(b, l, a[0],
                                             cst(b, l, b.getI1Type(), 1));
              });
}

static LogicalResult convertIsNaN(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)))
    return failure();
  return emit(ctx, {0}, ctx.gb.builder().getI1Type(),
              [](OpBuilder &b, Location l, ValueRange a) -> Value {
                return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                             a[0], a[0]);
              });
}

static LogicalResult convertIsInf(NodeContext &ctx) {
  bool negative = ctx.attrInt("detect_negative", 1);
  bool positive = ctx.attrInt("detect_positive", 1);
  if (failed(requireFloat(ctx, 0)))
    return failure();
  return emit(ctx, {0}, ctx.gb.builder().getI1Type(),
              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                Type t = a[0].getType();
                double inf = std::numeric_limits<double>::infinity();
                Value isPos = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, a[0], cst(b, l, t, inf));
                Value isNeg = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, a[0], cst(b, l, t, -inf));
                Value no = cst(b, l, b.getI1Type(), 0);
                return arith::OrIOp::create(b, l, positive ? isPos : no,
                                            negative ? isNeg : no);
              });
}

//===----------------------------------------------------------------------===//
// Binary and variadic arithmetic
//===----------------------------------------------------------------------===//

enum class Arith { Add, Sub, Mul, Div, Max, Min };

/// a <op> b for scalars of type `t` (unsigned integer semantics when
/// `isUnsigned`).
static Value arithScalar(OpBuilder &b, Location l, Arith op, Value x, Value y,
                         bool isUnsigned) {
  bool f = isa<FloatType>(x.getType());
  switch (op) {
  case Arith::Add:
    return f ? Value(arith::AddFOp::create(b, l, x, y))
             : Value(arith::AddIOp::create(b, l, x, y));
  case Arith::Sub:
    return f ? Value(arith::SubFOp::create(b, l, x, y))
             : Value(arith::SubIOp::create(b, l, x, y));
  case Arith::Mul:
    return f ? Value(arith::MulFOp::create(b, l, x, y))
             : Value(arith::MulIOp::create(b, l, x, y));
  case Arith::Div:
    if (f)
      return arith::DivFOp::create(b, l, x, y);
    return isUnsigned ? Value(arith::DivUIOp::create(b, l, x, y))
                      : Value(arith::DivSIOp::create(b, l, x, y));
  case Arith::Max:
    if (f)
      return arith::MaximumFOp::create(b, l, x, y);
    return isUnsigned ? Value(arith::MaxUIOp::create(b, l, x, y))
                      : Value(arith::MaxSIOp::create(b, l, x, y));
  case Arith::Min:
    if (f)
      return arith::MinimumFOp::create(b, l, x, y);
    return isUnsigned ? Value(arith::MinUIOp::create(b, l, x, y))
                      : Value(arith::MinSIOp::create(b, l, x, y));
  }
  llvm_unreachable("unknown arith op");
}

static int64_t arithHost(Arith op, int64_t x, int64_t y) {
  switch (op) {
  case Arith::Add:
    return x + y;
  case Arith::Sub:
    return x - y;
  case Arith::Mul:
    return x * y;
  case Arith::Div:
    return y == 0 ? 0 : x / y;
  case Arith::Max:
    return std::max(x, y);
  case Arith::Min:
    return std::min(x, y);
  }
  llvm_unreachable("unknown arith op");
}

/// Add, Sub, Mul, Div and the variadic Max, Min, Sum: folds all inputs
/// left to right with `op`.
template <Arith op> static LogicalResult convertArith(NodeContext &ctx) {
  if (failed(requireSameTypes(ctx)))
    return failure();
  Type t = ctx.mlirType(0);
  bool isUnsigned = ctx.isUnsigned(0);
  if (isa<IntegerType>(t) && foldInts(
                                 ctx, t,
                                 [](ArrayRef<int64_t> a) {
                                   int64_t r = a[0];
                                   for (int64_t v : a.drop_front())
                                     r = arithHost(op, r, v);
                                   return r;
                                 },
                                 isUnsigned))
    return success();
  return emit(
      ctx, givenInputs(ctx), t,
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value r = a[0];
        for (Value v : a.drop_front())
          r = arithScalar(b, l, op, r, v, isUnsigned);
        return r;
      },
      isUnsigned);
}

static LogicalResult convertSum(NodeContext &ctx) {
  return convertArith<Arith::Add>(ctx);
}

static LogicalResult convertMean(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)) || failed(requireSameTypes(ctx)))
    return failure();
  SmallVector<unsigned> idx = givenInputs(ctx);
  double n = idx.size();
  return emit(ctx, idx, ctx.mlirType(0),
              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                Value r = a[0];
                for (Value v : a.drop_front())
                  r = arith::AddFOp::create(b, l, r, v);
                return arith::DivFOp::create(b, l, r,
                                             cst(b, l, r.getType(), n));
              });
}

static LogicalResult convertPow(NodeContext &ctx) {
  Type base = ctx.mlirType(0), exp = ctx.mlirType(1);
  bool baseUnsigned = ctx.isUnsigned(0), expUnsigned = ctx.isUnsigned(1);
  return emit(
      ctx, {0, 1}, base,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isa<FloatType>(base)) {
          Value e = GraphBuilder::castScalar(b, l, a[1], base, expUnsigned);
          return math::PowFOp::create(b, l, a[0], e);
        }
        if (isa<IntegerType>(exp)) {
          Value e = GraphBuilder::castScalar(b, l, a[1], base, expUnsigned);
          return math::IPowIOp::create(b, l, a[0], e);
        }
        // Integer base, float exponent: compute in the exponent's type.
        Value x = GraphBuilder::castScalar(b, l, a[0], exp, baseUnsigned);
        Value p = math::PowFOp::create(b, l, x, a[1]);
        return GraphBuilder::castScalar(b, l, p, base, false, baseUnsigned);
      },
      baseUnsigned);
}

static LogicalResult convertMod(NodeContext &ctx) {
  if (failed(requireSameTypes(ctx)))
    return failure();
  bool fmod = ctx.attrInt("fmod", 0);
  Type t = ctx.mlirType(0);
  bool isUnsigned = ctx.isUnsigned(0);
  if (isa<FloatType>(t) && !fmod)
    return ctx.error() << "fmod=0 is invalid for floating-point inputs";
  return emit(
      ctx, {0, 1}, t,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isa<FloatType>(t))
          return arith::RemFOp::create(b, l, a[0], a[1]);
        if (isUnsigned)
          return arith::RemUIOp::create(b, l, a[0], a[1]);
        Value r = arith::RemSIOp::create(b, l, a[0], a[1]);
        if (fmod)
          return r;
        // Python-style modulo: the result takes the divisor's sign.
        Value zero = cst(b, l, t, 0);
        Value nonzero =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
        Value rNeg =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
        Value dNeg =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a[1], zero);
        Value differ = arith::XOrIOp::create(b, l, rNeg, dNeg);
        Value fix = arith::AndIOp::create(b, l, nonzero, differ);
        return arith::SelectOp::create(b, l, fix,
                                       arith::AddIOp::create(b, l, r, a[1]), r);
      },
      isUnsigned);
}

static LogicalResult convertPRelu(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)))
    return failure();
  return emit(ctx, {0, 1}, ctx.mlirType(0),
              [](OpBuilder &b, Location l, ValueRange a) -> Value {
                Value scaled = arith::MulFOp::create(b, l, a[0], a[1]);
                return arith::SelectOp::create(b, l, isNegative(b, l, a[0]),
                                               scaled, a[0]);
              });
}

//===----------------------------------------------------------------------===//
// Comparisons and logic
//===----------------------------------------------------------------------===//

enum class Cmp { Eq, Lt, Le, Gt, Ge };

template <Cmp cmp> static LogicalResult convertCompare(NodeContext &ctx) {
  if (failed(requireSameTypes(ctx)))
    return failure();
  Type t = ctx.mlirType(0);
  Type i1 = ctx.gb.builder().getI1Type();
  bool isUnsigned = ctx.isUnsigned(0);
  if (isa<IntegerType>(t) &&
      foldInts(ctx, i1, [](ArrayRef<int64_t> a) -> int64_t {
        switch (cmp) {
        case Cmp::Eq:
          return a[0] == a[1];
        case Cmp::Lt:
          return a[0] < a[1];
        case Cmp::Le:
          return a[0] <= a[1];
        case Cmp::Gt:
          return a[0] > a[1];
        case Cmp::Ge:
          return a[0] >= a[1];
        }
        return 0;
      }))
    return success();
  return emit(ctx, {0, 1}, i1,
              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                if (isa<FloatType>(t)) {
                  arith::CmpFPredicate p[] = {
                      arith::CmpFPredicate::OEQ, arith::CmpFPredicate::OLT,
                      arith::CmpFPredicate::OLE, arith::CmpFPredicate::OGT,
                      arith::CmpFPredicate::OGE};
                  return arith::CmpFOp::create(b, l, p[int(cmp)], a[0], a[1]);
                }
                arith::CmpIPredicate s[] = {
                    arith::CmpIPredicate::eq, arith::CmpIPredicate::slt,
                    arith::CmpIPredicate::sle, arith::CmpIPredicate::sgt,
                    arith::CmpIPredicate::sge};
                arith::CmpIPredicate u[] = {
                    arith::CmpIPredicate::eq, arith::CmpIPredicate::ult,
                    arith::CmpIPredicate::ule, arith::CmpIPredicate::ugt,
                    arith::CmpIPredicate::uge};
                return arith::CmpIOp::create(
                    b, l, isUnsigned ? u[int(cmp)] : s[int(cmp)], a[0], a[1]);
              });
}

template <typename LogicOp>
static LogicalResult convertLogic(NodeContext &ctx) {
  if (!ctx.mlirType(0).isInteger(1) || !ctx.mlirType(1).isInteger(1))
    return ctx.error() << "expects bool inputs";
  return emit(ctx, {0, 1}, ctx.mlirType(0),
              [](OpBuilder &b, Location l, ValueRange a) -> Value {
                return LogicOp::create(b, l, a[0], a[1]);
              });
}

static LogicalResult convertWhere(NodeContext &ctx) {
  if (!ctx.mlirType(0).isInteger(1))
    return ctx.error() << "expects a bool condition";
  if (ctx.elemType(1) != ctx.elemType(2))
    return ctx.error() << "expects X and Y of one element type";
  Type t = ctx.mlirType(1);
  bool isUnsigned = ctx.isUnsigned(1);
  if (isa<IntegerType>(t) &&
      foldInts(
          ctx, t, [](ArrayRef<int64_t> a) { return a[0] ? a[1] : a[2]; },
          isUnsigned))
    return success();
  return emit(
      ctx, {0, 1, 2}, t,
      [](OpBuilder &b, Location l, ValueRange a) -> Value {
        return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
      },
      isUnsigned);
}

static LogicalResult convertClip(NodeContext &ctx) {
  Type t = ctx.mlirType(0);
  bool isUnsigned = ctx.isUnsigned(0);
  if (ctx.opset < 11) {
    // min/max are attributes before opset 11.
    double lo = ctx.attrFloat("min", -std::numeric_limits<float>::max());
    double hi = ctx.attrFloat("max", std::numeric_limits<float>::max());
    if (failed(requireFloat(ctx, 0)))
      return failure();
    return emit(ctx, {0}, t, [&](OpBuilder &b, Location l, ValueRange a) {
      Value v = arithScalar(b, l, Arith::Max, a[0], cst(b, l, t, lo), false);
      return arithScalar(b, l, Arith::Min, v, cst(b, l, t, hi), false);
    });
  }
  for (unsigned i = 1; i < 3; ++i)
    if (ctx.hasInput(i) && ctx.rank(i) != 0)
      return ctx.error() << "expects scalar min/max, got rank " << ctx.rank(i);
  SmallVector<unsigned> idx = givenInputs(ctx);
  bool hasMin = ctx.hasInput(1), hasMax = ctx.hasInput(2);
  return emit(
      ctx, idx, t,
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value v = a[0];
        unsigned next = 1;
        if (hasMin)
          v = arithScalar(b, l, Arith::Max, v, a[next++], isUnsigned);
        if (hasMax)
          v = arithScalar(b, l, Arith::Min, v, a[next], isUnsigned);
        return v;
      },
      isUnsigned);
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

/// Casts input 0 to ONNX element type `to`.
static LogicalResult castTo(NodeContext &ctx, ElemType to) {
  Type target = toMLIRType(ctx.getContext(), to);
  if (!target || !ctx.mlirType(0))
    return ctx.unsupported("cast from " + typeName(ctx.elemType(0)) + " to " +
                           typeName(to));
  bool srcUnsigned = ctx.isUnsigned(0), dstUnsigned = isUnsignedType(to);
  if (DenseElementsAttr c = ctx.constant(0);
      c && c.getNumElements() <= kFoldLimit) {
    ctx.setConstantOutput(0, foldCast(c, target, srcUnsigned), dstUnsigned);
    return success();
  }
  Value in = ctx.value(0);
  ctx.setOutputTyped(0, ctx.gb.cast(in, target, srcUnsigned, dstUnsigned), to);
  return success();
}

static LogicalResult convertCast(NodeContext &ctx) {
  const onnx::AttributeProto *to = ctx.attr("to");
  if (!to)
    return ctx.error() << "missing attribute 'to'";
  ctx.ignoreAttr("saturate");
  return castTo(ctx, static_cast<ElemType>(to->i()));
}

static LogicalResult convertCastLike(NodeContext &ctx) {
  ctx.ignoreAttr("saturate");
  return castTo(ctx, ctx.elemType(1));
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

void onnx_import::addElementwiseConverters(ConverterTable &t) {
  t["Abs"] = convertAbs;
  t["Neg"] = convertNeg;
  t["Exp"] = mathUnary<math::ExpOp>;
  t["Log"] = mathUnary<math::LogOp>;
  t["Sqrt"] = mathUnary<math::SqrtOp>;
  t["Ceil"] = mathUnary<math::CeilOp>;
  t["Floor"] = mathUnary<math::FloorOp>;
  t["Round"] = convertRound;
  t["Sin"] = mathUnary<math::SinOp>;
  t["Cos"] = mathUnary<math::CosOp>;
  t["Tan"] = mathUnary<math::TanOp>;
  t["Asin"] = mathUnary<math::AsinOp>;
  t["Acos"] = mathUnary<math::AcosOp>;
  t["Atan"] = mathUnary<math::AtanOp>;
  t["Sinh"] = mathUnary<math::SinhOp>;
  t["Cosh"] = mathUnary<math::CoshOp>;
  t["Asinh"] = mathUnary<math::AsinhOp>;
  t["Acosh"] = mathUnary<math::AcoshOp>;
  t["Atanh"] = mathUnary<math::AtanhOp>;
  t["Erf"] = mathUnary<math::ErfOp>;
  t["Tanh"] = mathUnary<math::TanhOp>;
  t["Reciprocal"] = convertReciprocal;
  t["Sign"] = convertSign;
  t["Sigmoid"] = convertSigmoid;
  t["Relu"] = convertRelu;
  t["LeakyRelu"] = convertLeakyRelu;
  t["Elu"] = convertElu;
  t["Selu"] = convertSelu;
  t["Celu"] = convertCelu;
  t["HardSigmoid"] = convertHardSigmoid;
  t["HardSwish"] = convertHardSwish;
  t["Softplus"] = convertSoftplus;
  t["Softsign"] = convertSoftsign;
  t["ThresholdedRelu"] = convertThresholdedRelu;
  t["Gelu"] = convertGelu;
  t["Not"] = convertNot;
  t["IsNaN"] = convertIsNaN;
  t["IsInf"] = convertIsInf;
  t["Add"] = convertArith<Arith::Add>;
  t["Sub"] = convertArith<Arith::Sub>;
  t["Mul"] = convertArith<Arith::Mul>;
  t["Div"] = convertArith<Arith::Div>;
  t["Max"] = convertArith<Arith::Max>;
  t["Min"] = convertArith<Arith::Min>;
  t["Sum"] = convertSum;
  t["Mean"] = convertMean;
  t["Pow"] = convertPow;
  t["Mod"] = convertMod;
  t["PRelu"] = convertPRelu;
  t["Equal"] = convertCompare<Cmp::Eq>;
  t["Less"] = convertCompare<Cmp::Lt>;
  t["LessOrEqual"] = convertCompare<Cmp::Le>;
  t["Greater"] = convertCompare<Cmp::Gt>;
  t["GreaterOrEqual"] = convertCompare<Cmp::Ge>;
  t["And"] = convertLogic<arith::AndIOp>;
  t["Or"] = convertLogic<arith::OrIOp>;
  t["Xor"] = convertLogic<arith::XOrIOp>;
  t["Where"] = convertWhere;
  t["Clip"] = convertClip;
  t["Cast"] = convertCast;
  t["CastLike"] = convertCastLike;
}
