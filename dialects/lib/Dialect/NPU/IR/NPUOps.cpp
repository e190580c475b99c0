//===- NPUOps.cpp - npu operations and their verifiers --------------------===//

#include "gaon/Dialect/NPU/IR/NPUOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace gaon::npu;

#include "gaon/Dialect/NPU/IR/NPUInterfaces.cpp.inc"

/// Makes `op` use the source of each memref.cast operand that only makes
/// the type less static (upstream's memref::foldMemRefCast also drops casts
/// to a more static type, which would give a command a dynamic shape).
static LogicalResult foldLessStaticCasts(Operation *op) {
  bool folded = false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto cast = operand.get().getDefiningOp<memref::CastOp>();
    if (cast && memref::CastOp::canFoldIntoConsumerOp(cast)) {
      operand.set(cast.getSource());
      folded = true;
    }
  }
  return success(folded);
}

#define GET_OP_CLASSES
#include "gaon/Dialect/NPU/IR/NPUOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

/// Checks that `value` is a statically shaped buffer of a type the NPU stores,
/// in memory space `space`, and (in SRAM) no larger than the target's SRAM.
static LogicalResult verifyBuffer(Operation *op, Value value, StringRef name,
                                  MemorySpace space) {
  auto type = cast<MemRefType>(value.getType());
  if (!type.hasStaticShape())
    return op->emitOpError()
           << name << " must have a static shape, got " << type;
  if (!isSupportedElementType(type.getElementType()))
    return op->emitOpError()
           << name << " has element type " << type.getElementType()
           << ", which the NPU does not support (expected f32, f16, bf16, "
              "f8E4M3FN, f8E5M2, i8 or i32)";
  std::optional<MemorySpace> actual = getMemorySpace(type);
  if (!actual)
    return op->emitOpError()
           << name << " is in memory space " << type.getMemorySpace()
           << "; expected #npu.memory_space<dram|sram>";
  if (*actual != space)
    return op->emitOpError()
           << name << " must be in " << stringifyMemorySpace(space) << ", got "
           << stringifyMemorySpace(*actual);
  if (space != MemorySpace::Sram)
    return success();
  TargetAttr target = TargetAttr::lookup(op);
  std::optional<int64_t> bytes = getStaticSizeInBytes(type);
  if (target && bytes && *bytes > target.getSramBytes())
    return op->emitOpError()
           << name << " needs " << *bytes << " bytes of SRAM but target '"
           << target.getName() << "' has " << target.getSramBytes()
           << " per core";
  return success();
}

/// Checks an elementwise operand's element type: the vector engine computes
/// in float.
static LogicalResult verifyFloatOperand(Operation *op, Value value,
                                        StringRef name) {
  Type elementType = cast<MemRefType>(value.getType()).getElementType();
  if (!isa<FloatType>(elementType))
    return op->emitOpError()
           << name << " must have a float element type, got " << elementType;
  return success();
}

/// Checks what every engine command shares: its core exists on the target.
static LogicalResult verifyCommand(Operation *op, uint64_t core) {
  TargetAttr target = TargetAttr::lookup(op);
  if (target && core >= uint64_t(target.getCores()))
    return op->emitOpError()
           << "core " << core << " does not exist: target '" << target.getName()
           << "' has " << target.getCores() << " core(s)";
  return success();
}

/// Checks that `operand` has the output's rank and each dimension equals the
/// output's or is 1.
static LogicalResult verifyBroadcastable(Operation *op, MemRefType operand,
                                         MemRefType output, StringRef name) {
  if (operand.getRank() != output.getRank())
    return op->emitOpError() << name << " has rank " << operand.getRank()
                             << " but the output has rank " << output.getRank();
  for (auto [i, dims] :
       llvm::enumerate(llvm::zip(operand.getShape(), output.getShape()))) {
    auto [in, out] = dims;
    if (in != out && in != 1)
      return op->emitOpError() << name << " dimension " << i << " is " << in
                               << ", which neither matches the output's " << out
                               << " nor broadcasts (1)";
  }
  return success();
}

static LogicalResult verifySameShape(Operation *op, MemRefType a, MemRefType b,
                                     StringRef what) {
  if (a.getShape() != b.getShape())
    return op->emitOpError()
           << what << " must have the same shape, got " << a << " and " << b;
  return success();
}

//===----------------------------------------------------------------------===//
// AllocOp, SemaphoreOp
//===----------------------------------------------------------------------===//

LogicalResult AllocOp::verify() {
  MemRefType type = getBuffer().getType();
  if (!type.getLayout().isIdentity())
    return emitOpError() << "buffer must have the identity layout, got "
                         << type;
  if (failed(verifyBuffer(*this, getBuffer(), "buffer", MemorySpace::Sram)) ||
      failed(verifyCommand(*this, getCore())))
    return failure();
  if (!getAddress())
    return success();
  int64_t address = *getAddress();
  TargetAttr target = TargetAttr::lookup(*this);
  int64_t bytes = *getStaticSizeInBytes(type);
  if (target && address + bytes > target.getSramBytes())
    return emitOpError() << "buffer [" << address << ", " << address + bytes
                         << ") lies outside the " << target.getSramBytes()
                         << "-byte SRAM of target '" << target.getName() << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// DmaOp
//===----------------------------------------------------------------------===//

LogicalResult DmaOp::verify() {
  auto sourceType = cast<MemRefType>(getSource().getType());
  auto targetType = cast<MemRefType>(getTarget().getType());
  if (sourceType.getRank() < 1 || sourceType.getRank() > 4)
    return emitOpError() << "copies blocks of rank 1 to 4, got rank "
                         << sourceType.getRank();
  if (failed(
          verifySameShape(*this, sourceType, targetType, "source and target")))
    return failure();
  if (sourceType.getElementType() != targetType.getElementType())
    return emitOpError() << "cannot convert element types ("
                         << sourceType.getElementType() << " to "
                         << targetType.getElementType()
                         << "); use npu.vector.cast";
  std::optional<MemorySpace> sourceSpace = getMemorySpace(sourceType);
  std::optional<MemorySpace> targetSpace = getMemorySpace(targetType);
  if (sourceSpace == MemorySpace::Dram && targetSpace == MemorySpace::Dram)
    return emitOpError() << "copies between DRAM and SRAM, but both sides "
                            "are in DRAM";
  if (failed(verifyBuffer(*this, getSource(), "source",
                          sourceSpace.value_or(MemorySpace::Dram))) ||
      failed(verifyBuffer(*this, getTarget(), "target",
                          targetSpace.value_or(MemorySpace::Dram))) ||
      failed(verifyCommand(*this, getCore())))
    return failure();
  TargetAttr target = TargetAttr::lookup(*this);
  if (target && getQueue() >= uint64_t(target.getDmaEngines()))
    return emitOpError() << "DMA queue " << getQueue() << " does not exist"
                         << (target
                                 ? ": target '" + target.getName().str() +
                                       "' has " +
                                       std::to_string(target.getDmaEngines()) +
                                       " DMA engine(s) per core"
                                 : std::string());
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  for (auto [value, name] : {std::pair<Value, StringRef>{getLhs(), "lhs"},
                             {getRhs(), "rhs"},
                             {getAcc(), "acc"}})
    if (failed(verifyBuffer(*this, value, name, MemorySpace::Sram)))
      return failure();
  if (failed(verifyCommand(*this, getCore())))
    return failure();

  auto lhsType = cast<MemRefType>(getLhs().getType());
  auto rhsType = cast<MemRefType>(getRhs().getType());
  auto accType = cast<MemRefType>(getAcc().getType());
  int64_t m = lhsType.getDimSize(getTransposeLhs() ? 1 : 0);
  int64_t kLhs = lhsType.getDimSize(getTransposeLhs() ? 0 : 1);
  int64_t kRhs = rhsType.getDimSize(getTransposeRhs() ? 1 : 0);
  int64_t n = rhsType.getDimSize(getTransposeRhs() ? 0 : 1);
  if (kLhs != kRhs)
    return emitOpError() << "contraction sizes differ: lhs has K = " << kLhs
                         << ", rhs has K = " << kRhs;
  if (accType.getDimSize(0) != m || accType.getDimSize(1) != n)
    return emitOpError() << "acc must be " << m << "x" << n << ", got "
                         << accType;

  Type inType = lhsType.getElementType();
  Type accElementType = accType.getElementType();
  if (rhsType.getElementType() != inType)
    return emitOpError() << "lhs and rhs element types differ (" << inType
                         << " vs " << rhsType.getElementType() << ")";
  if (inType.isSignlessInteger(32))
    return emitOpError() << "the tensor engine does not take i32 inputs";
  TargetAttr target = TargetAttr::lookup(*this);
  if (target && !target.supportsPrecision(inType))
    return emitOpError() << "target '" << target.getName()
                         << "' has no tensor-engine support for " << inType
                         << " (supports " << target.getPrecisions() << ")";
  bool accOk = inType.isSignlessInteger(8)
                   ? accElementType.isSignlessInteger(32)
                   : (accElementType.isF32() ||
                      (accElementType == inType &&
                       !isa<Float8E4M3FNType, Float8E5M2Type>(inType)));
  if (!accOk)
    return emitOpError() << "cannot accumulate " << inType << " products in "
                         << accElementType
                         << " (expected i32 for i8 inputs, f32 otherwise)";
  return success();
}

//===----------------------------------------------------------------------===//
// Vector engine ops
//===----------------------------------------------------------------------===//

/// Verifies SRAM placement and float element types of elementwise operands.
static LogicalResult
verifyVectorOperands(Operation *op,
                     ArrayRef<std::pair<Value, StringRef>> operands,
                     uint64_t core, bool requireFloat) {
  for (auto [value, name] : operands) {
    if (failed(verifyBuffer(op, value, name, MemorySpace::Sram)))
      return failure();
    if (requireFloat && failed(verifyFloatOperand(op, value, name)))
      return failure();
  }
  return verifyCommand(op, core);
}

/// Checks that all operands share one element type.
static LogicalResult verifySameElementType(Operation *op,
                                           ArrayRef<Value> values) {
  Type first = cast<MemRefType>(values.front().getType()).getElementType();
  for (Value value : values.drop_front()) {
    Type type = cast<MemRefType>(value.getType()).getElementType();
    if (type != first)
      return op->emitOpError()
             << "operands must share an element type, got " << first << " and "
             << type << "; use npu.vector.cast to convert";
  }
  return success();
}

LogicalResult VectorUnaryOp::verify() {
  bool isCopy = getKind() == UnaryKind::Copy;
  if (failed(verifyVectorOperands(
          *this, {{getInput(), "input"}, {getOutput(), "output"}}, getCore(),
          /*requireFloat=*/!isCopy)) ||
      failed(verifySameShape(*this, cast<MemRefType>(getInput().getType()),
                             cast<MemRefType>(getOutput().getType()),
                             "input and output")))
    return failure();
  return verifySameElementType(*this, {getInput(), getOutput()});
}

LogicalResult VectorBinaryOp::verify() {
  if (failed(verifyVectorOperands(
          *this,
          {{getLhs(), "lhs"}, {getRhs(), "rhs"}, {getOutput(), "output"}},
          getCore(), /*requireFloat=*/true)))
    return failure();
  auto outType = cast<MemRefType>(getOutput().getType());
  if (failed(verifyBroadcastable(*this, cast<MemRefType>(getLhs().getType()),
                                 outType, "lhs")) ||
      failed(verifyBroadcastable(*this, cast<MemRefType>(getRhs().getType()),
                                 outType, "rhs")))
    return failure();
  return verifySameElementType(*this, {getLhs(), getRhs(), getOutput()});
}

LogicalResult VectorScalarOp::verify() {
  if (failed(verifyVectorOperands(
          *this, {{getInput(), "input"}, {getOutput(), "output"}}, getCore(),
          /*requireFloat=*/true)) ||
      failed(verifySameShape(*this, cast<MemRefType>(getInput().getType()),
                             cast<MemRefType>(getOutput().getType()),
                             "input and output")))
    return failure();
  return verifySameElementType(*this, {getInput(), getOutput()});
}

LogicalResult VectorReduceOp::verify() {
  if (failed(verifyVectorOperands(
          *this, {{getInput(), "input"}, {getOutput(), "output"}}, getCore(),
          /*requireFloat=*/true)))
    return failure();
  auto inType = cast<MemRefType>(getInput().getType());
  auto outType = cast<MemRefType>(getOutput().getType());
  int64_t axis = getAxis();
  if (axis >= inType.getRank())
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << inType.getRank();
  SmallVector<int64_t> expected(inType.getShape());
  expected[axis] = 1;
  if (outType.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError() << "output must have the input's shape with "
                            "dimension "
                         << axis << " set to 1, got " << outType;
  return verifySameElementType(*this, {getInput(), getOutput()});
}

LogicalResult VectorCastOp::verify() {
  if (failed(verifyVectorOperands(
          *this, {{getInput(), "input"}, {getOutput(), "output"}}, getCore(),
          /*requireFloat=*/false)))
    return failure();
  return verifySameShape(*this, cast<MemRefType>(getInput().getType()),
                         cast<MemRefType>(getOutput().getType()),
                         "input and output");
}

LogicalResult VectorFillOp::verify() {
  return verifyVectorOperands(*this, {{getOutput(), "output"}}, getCore(),
                              /*requireFloat=*/false);
}
