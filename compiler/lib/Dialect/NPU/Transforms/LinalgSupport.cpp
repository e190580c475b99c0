//===- LinalgSupport.cpp - what the NPU lowering accepts ------------------===//

#include "gaon/Dialect/NPU/Transforms/LinalgSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExprVisitor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace gaon::npu;

/// Prints anything MLIR can print into a string, for diagnostics.
template <typename T> static std::string toText(const T &value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value;
  return text;
}

//===----------------------------------------------------------------------===//
// Payload analysis
//===----------------------------------------------------------------------===//

/// Evaluates a binary op on two immediates.
static double foldBinary(BinaryKind kind, double a, double b) {
  switch (kind) {
  case BinaryKind::Add:
    return a + b;
  case BinaryKind::Sub:
    return a - b;
  case BinaryKind::Mul:
    return a * b;
  case BinaryKind::Div:
    return a / b;
  case BinaryKind::Max:
    return std::max(a, b);
  case BinaryKind::Min:
    return std::min(a, b);
  case BinaryKind::Pow:
    return std::pow(a, b);
  }
  llvm_unreachable("unknown binary kind");
}

/// Evaluates a unary op on an immediate.
static double foldUnary(UnaryKind kind, double x) {
  switch (kind) {
  case UnaryKind::Copy:
    return x;
  case UnaryKind::Neg:
    return -x;
  case UnaryKind::Abs:
    return std::fabs(x);
  case UnaryKind::Relu:
    return std::max(x, 0.0);
  case UnaryKind::Exp:
    return std::exp(x);
  case UnaryKind::Log:
    return std::log(x);
  case UnaryKind::Sqrt:
    return std::sqrt(x);
  case UnaryKind::Rsqrt:
    return 1.0 / std::sqrt(x);
  case UnaryKind::Reciprocal:
    return 1.0 / x;
  case UnaryKind::Tanh:
    return std::tanh(x);
  case UnaryKind::Erf:
    return std::erf(x);
  case UnaryKind::Sigmoid:
    return 1.0 / (1.0 + std::exp(-x));
  case UnaryKind::Gelu:
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  case UnaryKind::GeluTanh:
    return 0.5 * x *
           (1.0 +
            std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  case UnaryKind::Silu:
    return x / (1.0 + std::exp(-x));
  }
  llvm_unreachable("unknown unary kind");
}

/// The vector-engine binary kind of a body op, if it is one.
static std::optional<BinaryKind> getBinaryKind(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<BinaryKind>>(op)
      .Case<arith::AddFOp>([](auto) { return BinaryKind::Add; })
      .Case<arith::SubFOp>([](auto) { return BinaryKind::Sub; })
      .Case<arith::MulFOp>([](auto) { return BinaryKind::Mul; })
      .Case<arith::DivFOp>([](auto) { return BinaryKind::Div; })
      .Case<arith::MaximumFOp, arith::MaxNumFOp>(
          [](auto) { return BinaryKind::Max; })
      .Case<arith::MinimumFOp, arith::MinNumFOp>(
          [](auto) { return BinaryKind::Min; })
      .Case<math::PowFOp>([](auto) { return BinaryKind::Pow; })
      .Default([](Operation *) { return std::nullopt; });
}

/// The vector-engine unary kind of a body op, if it is one.
static std::optional<UnaryKind> getUnaryKind(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<UnaryKind>>(op)
      .Case<arith::NegFOp>([](auto) { return UnaryKind::Neg; })
      .Case<math::AbsFOp>([](auto) { return UnaryKind::Abs; })
      .Case<math::ExpOp>([](auto) { return UnaryKind::Exp; })
      .Case<math::LogOp>([](auto) { return UnaryKind::Log; })
      .Case<math::SqrtOp>([](auto) { return UnaryKind::Sqrt; })
      .Case<math::RsqrtOp>([](auto) { return UnaryKind::Rsqrt; })
      .Case<math::TanhOp>([](auto) { return UnaryKind::Tanh; })
      .Case<math::ErfOp>([](auto) { return UnaryKind::Erf; })
      .Default([](Operation *) { return std::nullopt; });
}

/// For `select(cmpf(pred, l, r), t, f)` with {t, f} == {l, r}: the max or
/// min it computes.
static std::optional<BinaryKind> matchSelectAsMinMax(arith::SelectOp select) {
  auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
  if (!cmp)
    return std::nullopt;
  Value l = cmp.getLhs(), r = cmp.getRhs();
  Value t = select.getTrueValue(), f = select.getFalseValue();
  bool sameOrder = t == l && f == r;
  bool swapped = t == r && f == l;
  if (!sameOrder && !swapped)
    return std::nullopt;
  bool greater;
  switch (cmp.getPredicate()) {
  case arith::CmpFPredicate::OGT:
  case arith::CmpFPredicate::OGE:
  case arith::CmpFPredicate::UGT:
  case arith::CmpFPredicate::UGE:
    greater = true;
    break;
  case arith::CmpFPredicate::OLT:
  case arith::CmpFPredicate::OLE:
  case arith::CmpFPredicate::ULT:
  case arith::CmpFPredicate::ULE:
    greater = false;
    break;
  default:
    return std::nullopt;
  }
  // select(l > r, l, r) = max; select(l > r, r, l) = min.
  return greater == sameOrder ? BinaryKind::Max : BinaryKind::Min;
}

/// True for element types the vector engine computes on or casts to.
static bool isVectorType(Type type) { return isSupportedElementType(type); }

FailureOr<Payload> gaon::npu::analyzePayload(linalg::LinalgOp op,
                                             bool emitErrors) {
  Payload payload;
  Block *body = op.getBlock();
  llvm::DenseMap<Value, PayloadOperand> values;
  for (BlockArgument arg : body->getArguments())
    values[arg] = PayloadOperand::argument(arg.getArgNumber());

  auto fail = [&](Operation *bodyOp, const Twine &why) -> FailureOr<Payload> {
    if (emitErrors)
      bodyOp->emitError() << "'" << bodyOp->getName() << "' in the body of '"
                          << op->getName() << "' " << why;
    return failure();
  };

  // A body value: a block argument, an earlier step, or a constant (also
  // one defined outside the body and captured).
  auto has = [&](Value value) {
    if (values.count(value))
      return true;
    Attribute constant;
    if (!matchPattern(value, m_Constant(&constant)))
      return false;
    if (auto floatAttr = dyn_cast<FloatAttr>(constant))
      values[value] = PayloadOperand::immediate(floatAttr.getValueAsDouble());
    else if (auto intAttr = dyn_cast<IntegerAttr>(constant))
      values[value] =
          PayloadOperand::immediate(double(intAttr.getValue().getSExtValue()));
    else
      return false;
    return true;
  };

  auto addStep = [&](PayloadStep step, Value result) {
    payload.steps.push_back(std::move(step));
    values[result] = PayloadOperand::step(payload.steps.size() - 1);
  };

  for (Operation &bodyOp : body->without_terminator()) {
    if (bodyOp.getNumResults() != 1)
      return fail(&bodyOp, "is not supported by the NPU vector engine");
    Value result = bodyOp.getResult(0);
    Type type = result.getType();

    if (auto constant = dyn_cast<arith::ConstantOp>(bodyOp)) {
      if (auto floatAttr = dyn_cast<FloatAttr>(constant.getValue()))
        values[result] =
            PayloadOperand::immediate(floatAttr.getValueAsDouble());
      else if (auto intAttr = dyn_cast<IntegerAttr>(constant.getValue()))
        values[result] = PayloadOperand::immediate(
            double(intAttr.getValue().getSExtValue()));
      else
        return fail(&bodyOp, "has a constant the NPU cannot use");
      continue;
    }
    // A comparison is consumed by the selects that use it (as max/min).
    if (auto cmp = dyn_cast<arith::CmpFOp>(bodyOp)) {
      for (Operation *user : cmp->getUsers()) {
        auto select = dyn_cast<arith::SelectOp>(user);
        if (!select || !matchSelectAsMinMax(select))
          return fail(&bodyOp, "is used other than as max/min in a select; "
                               "the NPU vector engine has no comparisons");
      }
      continue;
    }
    if (!isVectorType(type))
      return fail(&bodyOp, "produces " + toText(type) +
                               ", which the NPU vector engine does not "
                               "compute on");

    std::optional<BinaryKind> binary = getBinaryKind(&bodyOp);
    Value lhs, rhs;
    if (binary) {
      lhs = bodyOp.getOperand(0);
      rhs = bodyOp.getOperand(1);
    } else if (auto select = dyn_cast<arith::SelectOp>(bodyOp)) {
      binary = matchSelectAsMinMax(select);
      if (!binary)
        return fail(&bodyOp, "is not a max or min; the NPU vector engine has "
                             "no general select");
      auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
      lhs = cmp.getLhs();
      rhs = cmp.getRhs();
    }
    if (binary) {
      if (!isa<FloatType>(type))
        return fail(&bodyOp, "is not on floats");
      if (!has(lhs) || !has(rhs))
        return fail(&bodyOp, "uses a value defined outside the body");
      PayloadOperand a = values.lookup(lhs), b = values.lookup(rhs);
      if (a.isConstant() && b.isConstant()) {
        values[result] = PayloadOperand::immediate(
            foldBinary(*binary, a.constant, b.constant));
        continue;
      }
      PayloadStep step;
      step.kind = PayloadStep::Kind::Binary;
      step.binary = *binary;
      step.operands = {a, b};
      step.type = type;
      step.op = &bodyOp;
      addStep(std::move(step), result);
      continue;
    }

    if (std::optional<UnaryKind> unary = getUnaryKind(&bodyOp)) {
      if (!isa<FloatType>(type))
        return fail(&bodyOp, "is not on floats");
      if (!has(bodyOp.getOperand(0)))
        return fail(&bodyOp, "uses a value defined outside the body");
      PayloadOperand x = values.lookup(bodyOp.getOperand(0));
      if (x.isConstant()) {
        values[result] =
            PayloadOperand::immediate(foldUnary(*unary, x.constant));
        continue;
      }
      PayloadStep step;
      step.kind = PayloadStep::Kind::Unary;
      step.unary = *unary;
      step.operands = {x};
      step.type = type;
      step.op = &bodyOp;
      addStep(std::move(step), result);
      continue;
    }

    if (isa<arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp, arith::FPToSIOp>(
            bodyOp)) {
      Value input = bodyOp.getOperand(0);
      if (!isVectorType(input.getType()))
        return fail(&bodyOp, "casts from " + toText(input.getType()) +
                                 ", which the NPU does not store");
      if (!has(input))
        return fail(&bodyOp, "uses a value defined outside the body");
      PayloadOperand x = values.lookup(input);
      if (x.isConstant()) {
        values[result] = x;
        continue;
      }
      PayloadStep step;
      step.kind = PayloadStep::Kind::Cast;
      step.operands = {x};
      step.type = type;
      step.op = &bodyOp;
      addStep(std::move(step), result);
      continue;
    }
    return fail(&bodyOp, "is not supported by the NPU vector engine");
  }

  for (Value yielded : body->getTerminator()->getOperands()) {
    if (!has(yielded))
      return fail(body->getTerminator(),
                  "yields a value defined outside the body");
    payload.yields.push_back(values.lookup(yielded));
  }
  return payload;
}

/// True if payload operand `operand` is block argument `argument`.
static bool isArgument(const PayloadOperand &operand, unsigned argument) {
  return operand.kind == PayloadOperand::Kind::Argument &&
         operand.index == argument;
}

std::optional<ReduceKind>
gaon::npu::getReductionCombiner(linalg::LinalgOp op, const Payload &payload,
                                unsigned outputIndex, PayloadOperand &folded) {
  unsigned outArgument = op.getNumDpsInputs() + outputIndex;
  const PayloadOperand &yield = payload.yields[outputIndex];
  if (yield.kind != PayloadOperand::Kind::Step)
    return std::nullopt;
  const PayloadStep &combiner = payload.steps[yield.index];
  if (combiner.kind != PayloadStep::Kind::Binary)
    return std::nullopt;
  std::optional<ReduceKind> kind;
  switch (combiner.binary) {
  case BinaryKind::Add:
    kind = ReduceKind::Sum;
    break;
  case BinaryKind::Max:
    kind = ReduceKind::Max;
    break;
  case BinaryKind::Min:
    kind = ReduceKind::Min;
    break;
  default:
    return std::nullopt;
  }
  const PayloadOperand &a = combiner.operands[0], &b = combiner.operands[1];
  if (isArgument(b, outArgument))
    folded = a;
  else if (isArgument(a, outArgument))
    folded = b;
  else
    return std::nullopt;
  // The accumulator may feed nothing but the combiner.
  for (auto [index, step] : llvm::enumerate(payload.steps)) {
    if (index == yield.index)
      continue;
    if (llvm::any_of(step.operands, [&](const PayloadOperand &operand) {
          return isArgument(operand, outArgument);
        }))
      return std::nullopt;
  }
  if (isArgument(folded, outArgument))
    return std::nullopt;
  return kind;
}

//===----------------------------------------------------------------------===//
// Classification
//===----------------------------------------------------------------------===//

/// Adds the terms of `expr` to `index`; false if `expr` is not linear with
/// positive coefficients.
static bool addTerms(AffineExpr expr, LinearIndex &index) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    index.terms.push_back({dim.getPosition(), 1});
    return true;
  }
  if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
    index.constant += constant.getValue();
    return true;
  }
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  if (binary.getKind() == AffineExprKind::Add)
    return addTerms(binary.getLHS(), index) && addTerms(binary.getRHS(), index);
  if (binary.getKind() != AffineExprKind::Mul)
    return false;
  auto dim = dyn_cast<AffineDimExpr>(binary.getLHS());
  auto coefficient = dyn_cast<AffineConstantExpr>(binary.getRHS());
  if (!dim || !coefficient) {
    dim = dyn_cast<AffineDimExpr>(binary.getRHS());
    coefficient = dyn_cast<AffineConstantExpr>(binary.getLHS());
  }
  if (!dim || !coefficient || coefficient.getValue() <= 0)
    return false;
  index.terms.push_back({dim.getPosition(), coefficient.getValue()});
  return true;
}

std::optional<LinearIndex> gaon::npu::decomposeIndex(AffineExpr expr) {
  LinearIndex index;
  if (!addTerms(expr, index))
    return std::nullopt;
  return index;
}

SmallVector<AffineMap> gaon::npu::getTapIndexingMaps(linalg::LinalgOp op) {
  SmallVector<unsigned> window = getWindowLoops(op);
  SmallVector<AffineMap> maps;
  for (AffineMap map : op.getIndexingMapsArray()) {
    SmallVector<AffineExpr> results;
    for (AffineExpr expr : map.getResults()) {
      std::optional<LinearIndex> index = decomposeIndex(expr);
      if (!index) {
        results.push_back(expr);
        continue;
      }
      for (auto [dim, coefficient] : index->terms)
        if (!llvm::is_contained(window, dim))
          results.push_back(getAffineDimExpr(dim, op.getContext()));
    }
    maps.push_back(
        AffineMap::get(map.getNumDims(), 0, results, op.getContext()));
  }
  return maps;
}

FailureOr<linalg::ContractionDimensions>
gaon::npu::getContractionDims(linalg::LinalgOp op) {
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(
      getWindowLoops(op).empty() ? op.getIndexingMapsArray()
                                 : getTapIndexingMaps(op));
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  return dims;
}

SmallVector<unsigned> gaon::npu::getWindowLoops(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  llvm::SmallSetVector<unsigned, 4> window;
  for (OpOperand *input : op.getDpsInputOperands()) {
    for (AffineExpr expr : op.getMatchingIndexingMap(input).getResults()) {
      std::optional<LinearIndex> index = decomposeIndex(expr);
      if (!index || index->terms.size() < 2)
        continue;
      for (auto [dim, coefficient] : index->terms)
        if (iterators[dim] == utils::IteratorType::reduction)
          window.insert(dim);
    }
  }
  SmallVector<unsigned> result(window.begin(), window.end());
  llvm::sort(result);
  return result;
}

LinalgOpClass gaon::npu::classifyLinalgOp(linalg::LinalgOp op) {
  if (isa<linalg::FillOp>(op))
    return LinalgOpClass::Fill;
  if (isa<linalg::CopyOp>(op))
    return LinalgOpClass::Copy;
  if (!getWindowLoops(op).empty())
    return LinalgOpClass::Window;
  if (linalg::isaContractionOpInterface(op))
    return LinalgOpClass::Contraction;
  return LinalgOpClass::Elementwise;
}

//===----------------------------------------------------------------------===//
// Legality
//===----------------------------------------------------------------------===//

/// Checks that `type` is a statically shaped tensor of an NPU element type.
static LogicalResult verifyTensorType(Operation *op, Type type,
                                      StringRef what) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped)
    return success();
  if (!shaped.hasStaticShape())
    return op->emitError() << "'" << op->getName() << "' " << what
                           << " has dynamic shape " << type
                           << "; the NPU compiler needs static shapes";
  if (shaped.getNumElements() == 0)
    return op->emitError() << "'" << op->getName() << "' " << what
                           << " is empty (" << type
                           << "); the NPU compiler needs non-empty tensors";
  if (!isSupportedElementType(shaped.getElementType()))
    return op->emitError() << "'" << op->getName() << "' " << what
                           << " has element type " << shaped.getElementType()
                           << ", which the NPU does not store (expected f32, "
                              "f16, bf16, f8E4M3FN, f8E5M2, i8 or i32)";
  return success();
}

/// Checks that each compound index of a window op is one output loop (with a
/// stride) plus window loops (with a dilation).
static LogicalResult verifyWindowMaps(linalg::LinalgOp op) {
  SmallVector<unsigned> window = getWindowLoops(op);
  for (OpOperand *input : op.getDpsInputOperands()) {
    for (AffineExpr expr : op.getMatchingIndexingMap(input).getResults()) {
      std::optional<LinearIndex> index = decomposeIndex(expr);
      unsigned slidingLoops =
          index
              ? llvm::count_if(index->terms,
                               [&](auto term) {
                                 return !llvm::is_contained(window, term.first);
                               })
              : 0;
      if (!index || slidingLoops > 1)
        return op->emitError()
               << "'" << op->getName() << "' indexes operand "
               << input->getOperandNumber() << " with '" << toText(expr)
               << "', which is not an output loop times a stride plus "
                  "window loops; the NPU lowering does not support it";
    }
  }
  return success();
}

/// Checks that every indexing map is a projected permutation.
static LogicalResult verifyProjectedPermutations(linalg::LinalgOp op) {
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isProjectedPermutation())
      return op->emitError()
             << "'" << op->getName() << "' indexes operand "
             << operand.getOperandNumber() << " with " << toText(map)
             << ", which is not a projected permutation; the NPU lowering "
                "supports only permuted, broadcast and reduced operands";
  }
  return success();
}

/// Checks the body of a vector-engine op: an accepted payload, and a
/// recognised combiner for every output of a reduction.
static LogicalResult verifyVectorBody(linalg::LinalgOp op) {
  FailureOr<Payload> payload = analyzePayload(op, /*emitErrors=*/true);
  if (failed(payload))
    return failure();
  if (op.getNumReductionLoops() == 0)
    return success();
  for (unsigned i = 0, e = op.getNumDpsInits(); i < e; ++i) {
    PayloadOperand folded;
    if (!getReductionCombiner(op, *payload, i, folded))
      return op->emitError()
             << "'" << op->getName() << "' reduces output " << i
             << " with something other than a sum, max or min of the "
                "accumulator; the NPU vector engine cannot reduce it";
  }
  return success();
}

LogicalResult gaon::npu::verifyLinalgOpSupported(linalg::LinalgOp op) {
  for (Value operand : op->getOperands())
    if (failed(verifyTensorType(op, operand.getType(), "operand")))
      return failure();
  if (!op.hasPureTensorSemantics())
    return op->emitError() << "'" << op->getName()
                           << "' must work on tensors before NPU lowering";

  switch (classifyLinalgOp(op)) {
  case LinalgOpClass::Fill: {
    Value value = op.getDpsInputOperand(0)->get();
    if (!matchPattern(value, m_Constant()))
      return op->emitError() << "'" << op->getName()
                             << "' fills with a value that is not a "
                                "constant; the NPU fills with immediates";
    return success();
  }
  case LinalgOpClass::Copy:
    return verifyProjectedPermutations(op);
  case LinalgOpClass::Contraction: {
    if (failed(verifyProjectedPermutations(op)))
      return failure();
    if (failed(getContractionDims(op)))
      return op->emitError() << "'" << op->getName()
                             << "' is a contraction without distinct M, N and "
                                "K dimensions; the NPU lowering needs them";
    Type lhs = getElementTypeOrSelf(op.getDpsInputOperand(0)->get());
    Type rhs = getElementTypeOrSelf(op.getDpsInputOperand(1)->get());
    if (lhs != rhs)
      return op->emitError()
             << "'" << op->getName() << "' multiplies " << lhs << " by " << rhs
             << "; the tensor engine needs one input type";
    TargetAttr target = TargetAttr::lookup(op);
    if (target && !target.supportsPrecision(lhs))
      return op->emitError()
             << "'" << op->getName() << "' multiplies " << lhs
             << " but the tensor engine of target '" << target.getName()
             << "' supports " << target.getPrecisions()
             << "; cast the operands first";
    return success();
  }
  case LinalgOpClass::Window: {
    if (failed(verifyWindowMaps(op)))
      return failure();
    for (OpOperand &init : op.getDpsInitsMutable())
      if (!op.getMatchingIndexingMap(&init).isProjectedPermutation())
        return op->emitError() << "'" << op->getName()
                               << "' writes its output through a map that is "
                                  "not a projected permutation";
    // Integer convolutions run on the tensor engine; the rest need a body
    // the vector engine computes.
    if (linalg::isaConvolutionOpInterface(op) &&
        !isa<FloatType>(getElementTypeOrSelf(op.getDpsInits()[0])))
      return success();
    FailureOr<Payload> payload = analyzePayload(op, /*emitErrors=*/true);
    return failure(failed(payload));
  }
  case LinalgOpClass::Elementwise:
    if (failed(verifyProjectedPermutations(op)))
      return failure();
    return verifyVectorBody(op);
  }
  llvm_unreachable("unknown op class");
}

unsigned gaon::npu::verifyFunctionSupported(Operation *func) {
  unsigned unsupported = 0;
  func->walk<WalkOrder::PreOrder>([&](Operation *op) -> WalkResult {
    if (op == func)
      return WalkResult::advance();
    for (Type type : op->getResultTypes())
      if (failed(verifyTensorType(op, type, "result"))) {
        ++unsupported;
        return WalkResult::skip();
      }
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (failed(verifyLinalgOpSupported(linalgOp)))
        ++unsupported;
      return WalkResult::skip();
    }
    if (isa<tensor::EmptyOp, tensor::ExtractSliceOp, tensor::InsertSliceOp,
            tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::CastOp,
            arith::ConstantOp, func::ReturnOp>(op))
      return WalkResult::advance();
    op->emitError() << "'" << op->getName()
                    << "' is not supported by the NPU compiler";
    ++unsupported;
    return WalkResult::skip();
  });
  return unsupported;
}
