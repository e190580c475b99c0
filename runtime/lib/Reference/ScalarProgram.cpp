//===- ScalarProgram.cpp - arith/math bodies evaluated over lanes ---------===//

#include "ScalarProgram.h"

#include "Internal.h"

#include "gaon/Kernels/Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace gaon::runtime;
namespace kernels = gaon::kernels;
using namespace gaon::runtime::reference::detail;
using gaon::kernels::DType;
using Opcode = ScalarProgram::Opcode;

//===----------------------------------------------------------------------===//
// Lane types and conversions
//===----------------------------------------------------------------------===//

llvm::Expected<LaneType> reference::detail::getLaneType(Type type) {
  type = getElementTypeOrSelf(type);
  LaneType lane;
  if (type.isIndex())
    return lane; // 64-bit integer
  if (auto intType = dyn_cast<IntegerType>(type)) {
    if (intType.getWidth() > 64 || intType.getWidth() == 0)
      return llvm::createStringError("integers wider than 64 bits are not "
                                     "supported");
    lane.width = intType.getWidth();
    return lane;
  }
  lane.isFloat = true;
  if (type.isF32())
    lane.floatType = DType::F32;
  else if (type.isF64())
    lane.floatType = DType::F64;
  else if (type.isF16())
    lane.floatType = DType::F16;
  else if (type.isBF16())
    lane.floatType = DType::BF16;
  else if (isa<Float8E4M3FNType>(type))
    lane.floatType = DType::F8E4M3FN;
  else if (isa<Float8E5M2Type>(type))
    lane.floatType = DType::F8E5M2;
  else {
    std::string name;
    llvm::raw_string_ostream os(name);
    type.print(os);
    return llvm::createStringError("element type '" + name +
                                   "' is not supported");
  }
  return lane;
}

/// `value` rounded to float type `dtype`.
static inline double roundTo(double value, DType dtype) {
  switch (dtype) {
  case DType::F64:
    return value;
  case DType::F32:
    return static_cast<double>(static_cast<float>(value));
  default:
    return kernels::roundToDType(value, dtype);
  }
}

/// `value` wrapped to a signed `width`-bit integer (sign-extended).
static inline int64_t wrapTo(int64_t value, unsigned width) {
  if (width >= 64)
    return value;
  unsigned shift = 64 - width;
  return static_cast<int64_t>(static_cast<uint64_t>(value) << shift) >> shift;
}

/// The unsigned reading of a sign-extended `width`-bit value.
static inline uint64_t toUnsigned(int64_t value, unsigned width) {
  if (width >= 64)
    return static_cast<uint64_t>(value);
  return static_cast<uint64_t>(value) & ((uint64_t(1) << width) - 1);
}

template <typename T> static T readAs(const std::byte *ptr) {
  T value;
  std::memcpy(&value, ptr, sizeof(T));
  return value;
}

void reference::detail::loadLanes(const std::byte *base, DType dtype,
                                  const int64_t *offsets, int64_t count,
                                  const LaneType &type, double *floats,
                                  int64_t *ints) {
  int64_t width = kernels::getByteWidth(dtype);
  if (type.isFloat) {
    if (dtype == DType::F32) {
      for (int64_t i = 0; i < count; ++i)
        floats[i] = readAs<float>(base + offsets[i] * 4);
      return;
    }
    for (int64_t i = 0; i < count; ++i)
      floats[i] = kernels::loadElement(base + offsets[i] * width, dtype);
    return;
  }
  if (dtype == DType::I1) { // i1 true is -1 sign-extended
    for (int64_t i = 0; i < count; ++i)
      ints[i] = readAs<uint8_t>(base + offsets[i]) ? -1 : 0;
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    ints[i] = wrapTo(kernels::loadInt64(base + offsets[i] * width, dtype),
                     type.width);
}

void reference::detail::storeLanes(std::byte *base, DType dtype,
                                   const int64_t *offsets, int64_t count,
                                   const LaneType &type, const double *floats,
                                   const int64_t *ints) {
  int64_t width = kernels::getByteWidth(dtype);
  if (type.isFloat) {
    if (dtype == DType::F32) {
      for (int64_t i = 0; i < count; ++i) {
        float value = static_cast<float>(floats[i]);
        std::memcpy(base + offsets[i] * 4, &value, 4);
      }
      return;
    }
    for (int64_t i = 0; i < count; ++i)
      kernels::storeElement(base + offsets[i] * width, dtype, floats[i]);
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    kernels::storeInt64(base + offsets[i] * width, dtype, ints[i]);
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

int ScalarProgram::addSlot(LaneType type) {
  Slot slot;
  slot.type = type;
  slot.offset = type.isFloat ? numFloatSlots++ : numIntSlots++;
  slots.push_back(slot);
  return static_cast<int>(slots.size()) - 1;
}

llvm::Expected<int> ScalarProgram::addInput(Value value, Type type) {
  llvm::Expected<LaneType> lane = getLaneType(type);
  if (!lane)
    return lane.takeError();
  int slot = addSlot(*lane);
  valueSlots[value] = slot;
  return slot;
}

llvm::Expected<int> ScalarProgram::getOperandSlot(Operation *user, Value value,
                                                  ExternalLookup lookup) {
  auto it = valueSlots.find(value);
  if (it != valueSlots.end())
    return it->second;
  // A scalar defined outside: a constant for the whole program.
  const HostTensor *external = lookup(value);
  if (!external || external->getNumElements() != 1 ||
      isa<ShapedType>(value.getType()))
    return opError(user, "uses a value the reference cannot evaluate here");
  llvm::Expected<LaneType> lane = getLaneType(value.getType());
  if (!lane)
    return opError(user, llvm::toString(lane.takeError()));
  int slot = addSlot(*lane);
  slots[slot].isConstant = true;
  if (lane->isFloat)
    slots[slot].floatConstant = external->getDouble(0);
  else if (external->getDType() == DType::I1)
    slots[slot].intConstant = external->getInt64(0) ? -1 : 0;
  else
    slots[slot].intConstant = wrapTo(external->getInt64(0), lane->width);
  valueSlots[value] = slot;
  return slot;
}

llvm::Expected<int> ScalarProgram::addOutput(Value value,
                                             ExternalLookup lookup) {
  return getOperandSlot(value.getDefiningOp()
                            ? value.getDefiningOp()
                            : value.getParentBlock()->getParentOp(),
                        value, lookup);
}

/// The opcode of a one-to-one arith/math op, if it is one.
static std::optional<Opcode> getSimpleOpcode(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<Opcode>>(op)
      .Case([](arith::NegFOp) { return Opcode::NegF; })
      .Case([](math::AbsFOp) { return Opcode::AbsF; })
      .Case([](math::ExpOp) { return Opcode::Exp; })
      .Case([](math::Exp2Op) { return Opcode::Exp2; })
      .Case([](math::ExpM1Op) { return Opcode::Expm1; })
      .Case([](math::LogOp) { return Opcode::Log; })
      .Case([](math::Log2Op) { return Opcode::Log2; })
      .Case([](math::Log10Op) { return Opcode::Log10; })
      .Case([](math::Log1pOp) { return Opcode::Log1p; })
      .Case([](math::SqrtOp) { return Opcode::Sqrt; })
      .Case([](math::RsqrtOp) { return Opcode::Rsqrt; })
      .Case([](math::CbrtOp) { return Opcode::Cbrt; })
      .Case([](math::TanhOp) { return Opcode::Tanh; })
      .Case([](math::SinhOp) { return Opcode::Sinh; })
      .Case([](math::CoshOp) { return Opcode::Cosh; })
      .Case([](math::SinOp) { return Opcode::Sin; })
      .Case([](math::CosOp) { return Opcode::Cos; })
      .Case([](math::TanOp) { return Opcode::Tan; })
      .Case([](math::AsinOp) { return Opcode::Asin; })
      .Case([](math::AcosOp) { return Opcode::Acos; })
      .Case([](math::AtanOp) { return Opcode::Atan; })
      .Case([](math::AsinhOp) { return Opcode::Asinh; })
      .Case([](math::AcoshOp) { return Opcode::Acosh; })
      .Case([](math::AtanhOp) { return Opcode::Atanh; })
      .Case([](math::ErfOp) { return Opcode::Erf; })
      .Case([](math::ErfcOp) { return Opcode::Erfc; })
      .Case([](math::FloorOp) { return Opcode::Floor; })
      .Case([](math::CeilOp) { return Opcode::Ceil; })
      .Case([](math::RoundOp) { return Opcode::Round; })
      .Case([](math::RoundEvenOp) { return Opcode::RoundEven; })
      .Case([](math::TruncOp) { return Opcode::Trunc; })
      .Case([](arith::AddFOp) { return Opcode::AddF; })
      .Case([](arith::SubFOp) { return Opcode::SubF; })
      .Case([](arith::MulFOp) { return Opcode::MulF; })
      .Case([](arith::DivFOp) { return Opcode::DivF; })
      .Case([](arith::RemFOp) { return Opcode::RemF; })
      .Case([](arith::MaximumFOp) { return Opcode::MaximumF; })
      .Case([](arith::MinimumFOp) { return Opcode::MinimumF; })
      .Case([](arith::MaxNumFOp) { return Opcode::MaxNumF; })
      .Case([](arith::MinNumFOp) { return Opcode::MinNumF; })
      .Case([](math::PowFOp) { return Opcode::PowF; })
      .Case([](math::Atan2Op) { return Opcode::Atan2; })
      .Case([](math::CopySignOp) { return Opcode::CopySign; })
      .Case([](math::FmaOp) { return Opcode::Fma; })
      .Case([](math::FPowIOp) { return Opcode::FPowI; })
      .Case([](math::AbsIOp) { return Opcode::AbsI; })
      .Case([](arith::AddIOp) { return Opcode::AddI; })
      .Case([](arith::SubIOp) { return Opcode::SubI; })
      .Case([](arith::MulIOp) { return Opcode::MulI; })
      .Case([](arith::DivSIOp) { return Opcode::DivSI; })
      .Case([](arith::DivUIOp) { return Opcode::DivUI; })
      .Case([](arith::RemSIOp) { return Opcode::RemSI; })
      .Case([](arith::RemUIOp) { return Opcode::RemUI; })
      .Case([](arith::CeilDivSIOp) { return Opcode::CeilDivSI; })
      .Case([](arith::CeilDivUIOp) { return Opcode::CeilDivUI; })
      .Case([](arith::FloorDivSIOp) { return Opcode::FloorDivSI; })
      .Case([](arith::MaxSIOp) { return Opcode::MaxSI; })
      .Case([](arith::MinSIOp) { return Opcode::MinSI; })
      .Case([](arith::MaxUIOp) { return Opcode::MaxUI; })
      .Case([](arith::MinUIOp) { return Opcode::MinUI; })
      .Case([](arith::AndIOp) { return Opcode::AndI; })
      .Case([](arith::OrIOp) { return Opcode::OrI; })
      .Case([](arith::XOrIOp) { return Opcode::XOrI; })
      .Case([](arith::ShLIOp) { return Opcode::ShLI; })
      .Case([](arith::ShRSIOp) { return Opcode::ShRSI; })
      .Case([](arith::ShRUIOp) { return Opcode::ShRUI; })
      .Case([](math::IPowIOp) { return Opcode::IPowI; })
      .Case([](arith::CmpFOp) { return Opcode::CmpF; })
      .Case([](arith::CmpIOp) { return Opcode::CmpI; })
      .Case([](arith::SelectOp) { return Opcode::Select; })
      .Case<arith::ExtFOp, arith::TruncFOp>(
          [](auto) { return Opcode::FloatToFloat; })
      .Case([](arith::SIToFPOp) { return Opcode::SIToFP; })
      .Case([](arith::UIToFPOp) { return Opcode::UIToFP; })
      .Case([](arith::FPToSIOp) { return Opcode::FPToSI; })
      .Case([](arith::FPToUIOp) { return Opcode::FPToUI; })
      .Case<arith::ExtSIOp, arith::TruncIOp, arith::IndexCastOp>(
          [](auto) { return Opcode::IntToIntSigned; })
      .Case<arith::ExtUIOp, arith::IndexCastUIOp>(
          [](auto) { return Opcode::IntToIntUnsigned; })
      .Case([](math::IsNaNOp) { return Opcode::IsNaN; })
      .Case([](math::IsInfOp) { return Opcode::IsInf; })
      .Case([](math::IsFiniteOp) { return Opcode::IsFinite; })
      .Default([](Operation *) { return std::nullopt; });
}

llvm::Error ScalarProgram::addOp(Operation *op, ExternalLookup lookup) {
  // Constants become constant slots.
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    llvm::Expected<LaneType> lane = getLaneType(constant.getType());
    if (!lane || isa<ShapedType>(constant.getType())) {
      if (!lane)
        llvm::consumeError(lane.takeError());
      return opError(op, "is not a scalar constant");
    }
    int slot = addSlot(*lane);
    slots[slot].isConstant = true;
    if (auto f = dyn_cast<FloatAttr>(constant.getValue()))
      slots[slot].floatConstant = f.getValueAsDouble();
    else if (auto i = dyn_cast<IntegerAttr>(constant.getValue()))
      slots[slot].intConstant =
          wrapTo(i.getValue().getSExtValue(), lane->width);
    else
      return opError(op, "has an unsupported constant value");
    valueSlots[constant.getResult()] = slot;
    return llvm::Error::success();
  }
  if (auto index = dyn_cast<linalg::IndexOp>(op)) {
    llvm::Expected<int> slot = addInput(index.getResult(), index.getType());
    if (!slot)
      return slot.takeError();
    indexInputs.emplace_back(*slot, static_cast<int64_t>(index.getDim()));
    return llvm::Error::success();
  }

  Instruction instruction;
  instruction.op = op;
  if (op->getNumResults() != 1)
    return opError(op, "is not supported inside a computation body");
  if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
    instruction.opcode = Opcode::Extract;
    instruction.tensor = lookup(extract.getTensor());
    if (!instruction.tensor)
      return opError(op, "extracts from a tensor the reference does not have");
    for (Value index : extract.getIndices()) {
      llvm::Expected<int> slot = getOperandSlot(op, index, lookup);
      if (!slot)
        return slot.takeError();
      instruction.indices.push_back(*slot);
    }
  } else if (auto bitcast = dyn_cast<arith::BitcastOp>(op)) {
    Type from = getElementTypeOrSelf(bitcast.getIn().getType());
    Type to = getElementTypeOrSelf(bitcast.getType());
    if (from.isIntOrIndex() == to.isIntOrIndex())
      return opError(op, "bitcasts between two integer or two float types are "
                         "not supported");
    instruction.opcode = from.isIntOrIndex() ? Opcode::BitcastIntToFloat
                                             : Opcode::BitcastFloatToInt;
  } else if (std::optional<Opcode> opcode = getSimpleOpcode(op)) {
    instruction.opcode = *opcode;
  } else {
    return opError(op, "is not supported by the CPU reference");
  }
  if (auto cmpf = dyn_cast<arith::CmpFOp>(op))
    instruction.predicate = static_cast<int>(cmpf.getPredicate());
  if (auto cmpi = dyn_cast<arith::CmpIOp>(op))
    instruction.predicate = static_cast<int>(cmpi.getPredicate());
  if (instruction.opcode != Opcode::Extract) {
    if (op->getNumOperands() > 3)
      return opError(op, "has too many operands");
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      llvm::Expected<int> slot = getOperandSlot(op, operand, lookup);
      if (!slot)
        return slot.takeError();
      instruction.operands[i] = *slot;
    }
  }
  llvm::Expected<LaneType> resultType = getLaneType(op->getResult(0).getType());
  if (!resultType)
    return opError(op, llvm::toString(resultType.takeError()));
  instruction.result = addSlot(*resultType);
  valueSlots[op->getResult(0)] = instruction.result;
  instructions.push_back(std::move(instruction));
  return llvm::Error::success();
}

ScalarProgram::Workspace
ScalarProgram::createWorkspace(int64_t capacity) const {
  Workspace workspace;
  workspace.capacity = capacity;
  workspace.floats.assign(numFloatSlots * capacity, 0.0);
  workspace.ints.assign(numIntSlots * capacity, 0);
  for (const Slot &slot : slots) {
    if (!slot.isConstant)
      continue;
    if (slot.type.isFloat)
      std::fill_n(workspace.floats.data() + slot.offset * capacity, capacity,
                  slot.floatConstant);
    else
      std::fill_n(workspace.ints.data() + slot.offset * capacity, capacity,
                  slot.intConstant);
  }
  return workspace;
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

/// Float comparison by arith::CmpFPredicate.
static bool compareFloat(arith::CmpFPredicate predicate, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (predicate) {
  case arith::CmpFPredicate::AlwaysFalse:
    return false;
  case arith::CmpFPredicate::OEQ:
    return !unordered && a == b;
  case arith::CmpFPredicate::OGT:
    return !unordered && a > b;
  case arith::CmpFPredicate::OGE:
    return !unordered && a >= b;
  case arith::CmpFPredicate::OLT:
    return !unordered && a < b;
  case arith::CmpFPredicate::OLE:
    return !unordered && a <= b;
  case arith::CmpFPredicate::ONE:
    return !unordered && a != b;
  case arith::CmpFPredicate::ORD:
    return !unordered;
  case arith::CmpFPredicate::UEQ:
    return unordered || a == b;
  case arith::CmpFPredicate::UGT:
    return unordered || a > b;
  case arith::CmpFPredicate::UGE:
    return unordered || a >= b;
  case arith::CmpFPredicate::ULT:
    return unordered || a < b;
  case arith::CmpFPredicate::ULE:
    return unordered || a <= b;
  case arith::CmpFPredicate::UNE:
    return unordered || a != b;
  case arith::CmpFPredicate::UNO:
    return unordered;
  case arith::CmpFPredicate::AlwaysTrue:
    return true;
  }
  return false;
}

/// Integer comparison by arith::CmpIPredicate on `width`-bit values.
static bool compareInt(arith::CmpIPredicate predicate, int64_t a, int64_t b,
                       unsigned width) {
  uint64_t ua = toUnsigned(a, width), ub = toUnsigned(b, width);
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return a == b;
  case arith::CmpIPredicate::ne:
    return a != b;
  case arith::CmpIPredicate::slt:
    return a < b;
  case arith::CmpIPredicate::sle:
    return a <= b;
  case arith::CmpIPredicate::sgt:
    return a > b;
  case arith::CmpIPredicate::sge:
    return a >= b;
  case arith::CmpIPredicate::ult:
    return ua < ub;
  case arith::CmpIPredicate::ule:
    return ua <= ub;
  case arith::CmpIPredicate::ugt:
    return ua > ub;
  case arith::CmpIPredicate::uge:
    return ua >= ub;
  }
  return false;
}

/// max/min that ignore a NaN operand (arith.maxnumf / minnumf).
static double maxNum(double a, double b) {
  if (std::isnan(a))
    return b;
  if (std::isnan(b))
    return a;
  return kernels::applyBinary(kernels::BinaryKind::Max, a, b);
}
static double minNum(double a, double b) {
  if (std::isnan(a))
    return b;
  if (std::isnan(b))
    return a;
  return kernels::applyBinary(kernels::BinaryKind::Min, a, b);
}

/// Saturating float -> signed integer of `width` bits (truncating).
static int64_t floatToSigned(double x, unsigned width) {
  if (std::isnan(x))
    return 0;
  double hi = std::ldexp(1.0, static_cast<int>(width) - 1);
  if (x >= hi)
    return wrapTo(static_cast<int64_t>((uint64_t(1) << (width - 1)) - 1),
                  width);
  if (x <= -hi)
    return wrapTo(static_cast<int64_t>(uint64_t(1) << (width - 1)), width);
  return static_cast<int64_t>(x);
}

/// Saturating float -> unsigned integer of `width` bits (truncating).
static int64_t floatToUnsigned(double x, unsigned width) {
  if (std::isnan(x) || x <= 0)
    return 0;
  double hi = std::ldexp(1.0, static_cast<int>(width));
  uint64_t value = x >= hi ? ~uint64_t(0) : static_cast<uint64_t>(x);
  return wrapTo(static_cast<int64_t>(value), width);
}

static int64_t intPower(int64_t base, int64_t exp, unsigned width) {
  if (exp < 0)
    return base == 1 ? 1 : base == -1 ? ((exp & 1) ? -1 : 1) : 0;
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  for (uint64_t e = static_cast<uint64_t>(exp); e; e >>= 1, b *= b)
    if (e & 1)
      result *= b;
  return wrapTo(static_cast<int64_t>(result), width);
}

/// The bits of a float lane value stored as `dtype`.
static int64_t floatBits(double value, DType dtype) {
  std::byte buffer[8] = {};
  kernels::storeElement(buffer, dtype, value);
  uint64_t bits = 0;
  std::memcpy(&bits, buffer, kernels::getByteWidth(dtype));
  return static_cast<int64_t>(bits);
}

/// The float value of `bits` read as `dtype`.
static double bitsToFloat(int64_t bits, DType dtype) {
  std::byte buffer[8];
  uint64_t raw = static_cast<uint64_t>(bits);
  std::memcpy(buffer, &raw, 8);
  return kernels::loadElement(buffer, dtype);
}

llvm::Error ScalarProgram::run(Workspace &w, int64_t lanes) const {
  for (const Instruction &in : instructions) {
    const LaneType &type = slots[in.result].type;
    auto F = [&](int i) { return getFloatLanes(w, in.operands[i]); };
    auto I = [&](int i) { return getIntLanes(w, in.operands[i]); };
    double *fr = type.isFloat ? getFloatLanes(w, in.result) : nullptr;
    int64_t *ir = type.isFloat ? nullptr : getIntLanes(w, in.result);
    unsigned width = type.width;
    auto unaryF = [&](auto fn) {
      const double *a = F(0);
      for (int64_t l = 0; l < lanes; ++l)
        fr[l] = roundTo(fn(a[l]), type.floatType);
    };
    auto binaryF = [&](auto fn) {
      const double *a = F(0), *b = F(1);
      for (int64_t l = 0; l < lanes; ++l)
        fr[l] = roundTo(fn(a[l], b[l]), type.floatType);
    };
    // Conversions: result lanes from one operand of the other kind.
    auto floatFromInt = [&](auto fn) {
      const int64_t *a = I(0);
      for (int64_t l = 0; l < lanes; ++l)
        fr[l] = roundTo(fn(a[l]), type.floatType);
    };
    auto intFromFloat = [&](auto fn) {
      const double *a = F(0);
      for (int64_t l = 0; l < lanes; ++l)
        ir[l] = fn(a[l]);
    };
    auto intFromInt = [&](auto fn) {
      const int64_t *a = I(0);
      for (int64_t l = 0; l < lanes; ++l)
        ir[l] = fn(a[l]);
    };
    auto binaryI = [&](auto fn) {
      const int64_t *a = I(0), *b = I(1);
      for (int64_t l = 0; l < lanes; ++l)
        ir[l] = wrapTo(fn(a[l], b[l]), width);
    };
    // Operand width for unsigned readings and comparisons.
    unsigned operandWidth =
        in.operands[0] >= 0 ? slots[in.operands[0]].type.width : 64;
    using U = uint64_t;
    switch (in.opcode) {
    case Opcode::NegF:
      unaryF([](double x) { return -x; });
      break;
    case Opcode::AbsF:
      unaryF([](double x) { return std::fabs(x); });
      break;
    case Opcode::Exp:
      unaryF([](double x) { return std::exp(x); });
      break;
    case Opcode::Exp2:
      unaryF([](double x) { return std::exp2(x); });
      break;
    case Opcode::Expm1:
      unaryF([](double x) { return std::expm1(x); });
      break;
    case Opcode::Log:
      unaryF([](double x) { return std::log(x); });
      break;
    case Opcode::Log2:
      unaryF([](double x) { return std::log2(x); });
      break;
    case Opcode::Log10:
      unaryF([](double x) { return std::log10(x); });
      break;
    case Opcode::Log1p:
      unaryF([](double x) { return std::log1p(x); });
      break;
    case Opcode::Sqrt:
      unaryF([](double x) { return std::sqrt(x); });
      break;
    case Opcode::Rsqrt:
      unaryF([](double x) { return 1.0 / std::sqrt(x); });
      break;
    case Opcode::Cbrt:
      unaryF([](double x) { return std::cbrt(x); });
      break;
    case Opcode::Tanh:
      unaryF([](double x) { return std::tanh(x); });
      break;
    case Opcode::Sinh:
      unaryF([](double x) { return std::sinh(x); });
      break;
    case Opcode::Cosh:
      unaryF([](double x) { return std::cosh(x); });
      break;
    case Opcode::Sin:
      unaryF([](double x) { return std::sin(x); });
      break;
    case Opcode::Cos:
      unaryF([](double x) { return std::cos(x); });
      break;
    case Opcode::Tan:
      unaryF([](double x) { return std::tan(x); });
      break;
    case Opcode::Asin:
      unaryF([](double x) { return std::asin(x); });
      break;
    case Opcode::Acos:
      unaryF([](double x) { return std::acos(x); });
      break;
    case Opcode::Atan:
      unaryF([](double x) { return std::atan(x); });
      break;
    case Opcode::Asinh:
      unaryF([](double x) { return std::asinh(x); });
      break;
    case Opcode::Acosh:
      unaryF([](double x) { return std::acosh(x); });
      break;
    case Opcode::Atanh:
      unaryF([](double x) { return std::atanh(x); });
      break;
    case Opcode::Erf:
      unaryF([](double x) { return std::erf(x); });
      break;
    case Opcode::Erfc:
      unaryF([](double x) { return std::erfc(x); });
      break;
    case Opcode::Floor:
      unaryF([](double x) { return std::floor(x); });
      break;
    case Opcode::Ceil:
      unaryF([](double x) { return std::ceil(x); });
      break;
    case Opcode::Round: // half away from zero
      unaryF([](double x) { return std::round(x); });
      break;
    case Opcode::RoundEven:
      unaryF([](double x) { return std::nearbyint(x); });
      break;
    case Opcode::Trunc:
      unaryF([](double x) { return std::trunc(x); });
      break;
    case Opcode::AddF:
      binaryF([](double a, double b) { return a + b; });
      break;
    case Opcode::SubF:
      binaryF([](double a, double b) { return a - b; });
      break;
    case Opcode::MulF:
      binaryF([](double a, double b) { return a * b; });
      break;
    case Opcode::DivF:
      binaryF([](double a, double b) { return a / b; });
      break;
    case Opcode::RemF:
      binaryF([](double a, double b) { return std::fmod(a, b); });
      break;
    case Opcode::MaximumF:
      binaryF([](double a, double b) {
        return kernels::applyBinary(kernels::BinaryKind::Max, a, b);
      });
      break;
    case Opcode::MinimumF:
      binaryF([](double a, double b) {
        return kernels::applyBinary(kernels::BinaryKind::Min, a, b);
      });
      break;
    case Opcode::MaxNumF:
      binaryF(maxNum);
      break;
    case Opcode::MinNumF:
      binaryF(minNum);
      break;
    case Opcode::PowF:
      binaryF([](double a, double b) { return std::pow(a, b); });
      break;
    case Opcode::Atan2:
      binaryF([](double a, double b) { return std::atan2(a, b); });
      break;
    case Opcode::CopySign:
      binaryF([](double a, double b) { return std::copysign(a, b); });
      break;
    case Opcode::Fma: {
      const double *a = F(0), *b = F(1), *c = F(2);
      for (int64_t l = 0; l < lanes; ++l)
        fr[l] = roundTo(std::fma(a[l], b[l], c[l]), type.floatType);
      break;
    }
    case Opcode::FPowI: {
      const double *a = F(0);
      const int64_t *b = I(1);
      for (int64_t l = 0; l < lanes; ++l)
        fr[l] =
            roundTo(std::pow(a[l], static_cast<double>(b[l])), type.floatType);
      break;
    }
    case Opcode::AbsI: {
      const int64_t *a = I(0);
      for (int64_t l = 0; l < lanes; ++l)
        ir[l] =
            wrapTo(a[l] < 0 ? static_cast<int64_t>(0 - U(a[l])) : a[l], width);
      break;
    }
    case Opcode::AddI:
      binaryI([](int64_t a, int64_t b) { return int64_t(U(a) + U(b)); });
      break;
    case Opcode::SubI:
      binaryI([](int64_t a, int64_t b) { return int64_t(U(a) - U(b)); });
      break;
    case Opcode::MulI:
      binaryI([](int64_t a, int64_t b) { return int64_t(U(a) * U(b)); });
      break;
    // Division by zero is undefined in arith; the reference returns 0.
    case Opcode::DivSI:
      binaryI([](int64_t a, int64_t b) {
        return b == 0 ? 0 : b == -1 ? int64_t(0 - U(a)) : a / b;
      });
      break;
    case Opcode::DivUI:
      binaryI([&](int64_t a, int64_t b) {
        U ub = toUnsigned(b, width);
        return ub == 0 ? 0 : int64_t(toUnsigned(a, width) / ub);
      });
      break;
    case Opcode::RemSI:
      binaryI(
          [](int64_t a, int64_t b) { return b == 0 || b == -1 ? 0 : a % b; });
      break;
    case Opcode::RemUI:
      binaryI([&](int64_t a, int64_t b) {
        U ub = toUnsigned(b, width);
        return ub == 0 ? 0 : int64_t(toUnsigned(a, width) % ub);
      });
      break;
    case Opcode::CeilDivSI:
      binaryI([](int64_t a, int64_t b) {
        if (b == 0)
          return int64_t(0);
        if (b == -1)
          return int64_t(0 - U(a));
        int64_t q = a / b;
        return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
      });
      break;
    case Opcode::CeilDivUI:
      binaryI([&](int64_t a, int64_t b) {
        U ua = toUnsigned(a, width), ub = toUnsigned(b, width);
        return ub == 0 ? 0 : int64_t(ua / ub + (ua % ub != 0));
      });
      break;
    case Opcode::FloorDivSI:
      binaryI([](int64_t a, int64_t b) {
        if (b == 0)
          return int64_t(0);
        if (b == -1)
          return int64_t(0 - U(a));
        int64_t q = a / b;
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
      });
      break;
    case Opcode::MaxSI:
      binaryI([](int64_t a, int64_t b) { return std::max(a, b); });
      break;
    case Opcode::MinSI:
      binaryI([](int64_t a, int64_t b) { return std::min(a, b); });
      break;
    case Opcode::MaxUI:
      binaryI([&](int64_t a, int64_t b) {
        return toUnsigned(a, width) >= toUnsigned(b, width) ? a : b;
      });
      break;
    case Opcode::MinUI:
      binaryI([&](int64_t a, int64_t b) {
        return toUnsigned(a, width) <= toUnsigned(b, width) ? a : b;
      });
      break;
    case Opcode::AndI:
      binaryI([](int64_t a, int64_t b) { return a & b; });
      break;
    case Opcode::OrI:
      binaryI([](int64_t a, int64_t b) { return a | b; });
      break;
    case Opcode::XOrI:
      binaryI([](int64_t a, int64_t b) { return a ^ b; });
      break;
    // Shifts by >= the width are poison in arith; the reference gives 0
    // (or the sign for shrsi).
    case Opcode::ShLI:
      binaryI([&](int64_t a, int64_t b) {
        U shift = toUnsigned(b, width);
        return shift >= width ? int64_t(0) : int64_t(U(a) << shift);
      });
      break;
    case Opcode::ShRSI:
      binaryI([&](int64_t a, int64_t b) {
        U shift = toUnsigned(b, width);
        return shift >= width ? (a < 0 ? int64_t(-1) : int64_t(0)) : a >> shift;
      });
      break;
    case Opcode::ShRUI:
      binaryI([&](int64_t a, int64_t b) {
        U shift = toUnsigned(b, width);
        return shift >= width ? int64_t(0)
                              : int64_t(toUnsigned(a, width) >> shift);
      });
      break;
    case Opcode::IPowI:
      binaryI([&](int64_t a, int64_t b) { return intPower(a, b, width); });
      break;
    case Opcode::CmpF: {
      auto predicate = static_cast<arith::CmpFPredicate>(in.predicate);
      const double *a = F(0), *b = F(1);
      for (int64_t l = 0; l < lanes; ++l)
        ir[l] = compareFloat(predicate, a[l], b[l]) ? -1 : 0;
      break;
    }
    case Opcode::CmpI: {
      auto predicate = static_cast<arith::CmpIPredicate>(in.predicate);
      const int64_t *a = I(0), *b = I(1);
      for (int64_t l = 0; l < lanes; ++l)
        ir[l] = compareInt(predicate, a[l], b[l], operandWidth) ? -1 : 0;
      break;
    }
    case Opcode::Select: {
      const int64_t *c = I(0);
      if (type.isFloat) {
        const double *a = F(1), *b = F(2);
        for (int64_t l = 0; l < lanes; ++l)
          fr[l] = c[l] ? a[l] : b[l];
      } else {
        const int64_t *a = I(1), *b = I(2);
        for (int64_t l = 0; l < lanes; ++l)
          ir[l] = c[l] ? a[l] : b[l];
      }
      break;
    }
    case Opcode::FloatToFloat:
      unaryF([](double x) { return x; });
      break;
    case Opcode::SIToFP:
      floatFromInt([](int64_t x) { return static_cast<double>(x); });
      break;
    case Opcode::UIToFP:
      floatFromInt([&](int64_t x) {
        return static_cast<double>(toUnsigned(x, operandWidth));
      });
      break;
    case Opcode::FPToSI:
      intFromFloat([&](double x) { return floatToSigned(x, width); });
      break;
    case Opcode::FPToUI:
      intFromFloat([&](double x) { return floatToUnsigned(x, width); });
      break;
    case Opcode::IntToIntSigned:
      intFromInt([&](int64_t x) { return wrapTo(x, width); });
      break;
    case Opcode::IntToIntUnsigned:
      intFromInt([&](int64_t x) {
        return wrapTo(static_cast<int64_t>(toUnsigned(x, operandWidth)), width);
      });
      break;
    case Opcode::BitcastFloatToInt: {
      DType from = slots[in.operands[0]].type.floatType;
      intFromFloat([&](double x) { return wrapTo(floatBits(x, from), width); });
      break;
    }
    case Opcode::BitcastIntToFloat:
      floatFromInt([&](int64_t x) {
        return bitsToFloat(static_cast<int64_t>(toUnsigned(x, operandWidth)),
                           type.floatType);
      });
      break;
    case Opcode::IsNaN:
      intFromFloat([](double x) { return std::isnan(x) ? int64_t(-1) : 0; });
      break;
    case Opcode::IsInf:
      intFromFloat([](double x) { return std::isinf(x) ? int64_t(-1) : 0; });
      break;
    case Opcode::IsFinite:
      intFromFloat([](double x) { return std::isfinite(x) ? int64_t(-1) : 0; });
      break;
    case Opcode::Extract: {
      const HostTensor &source = *in.tensor;
      llvm::ArrayRef<int64_t> shape = source.getShape();
      llvm::SmallVector<int64_t, 4> strides =
          kernels::View::getContiguousStrides(shape);
      for (int64_t l = 0; l < lanes; ++l) {
        int64_t offset = 0;
        for (auto [d, slot] : llvm::enumerate(in.indices)) {
          int64_t index = getIntLanes(w, slot)[l];
          if (index < 0 || index >= shape[d])
            return opError(in.op, "index " + llvm::Twine(index) +
                                      " is out of bounds for dimension " +
                                      llvm::Twine(d) + " of size " +
                                      llvm::Twine(shape[d]));
          offset += index * strides[d];
        }
        loadLanes(source.getData(), source.getDType(), &offset, 1, type,
                  type.isFloat ? fr + l : nullptr,
                  type.isFloat ? nullptr : ir + l);
      }
      break;
    }
    }
  }
  return llvm::Error::success();
}
