//===- DType.cpp - element types and scalar conversions -------------------===//

#include "gaon/Kernels/DType.h"

#include "Common.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/ErrorHandling.h"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

using namespace gaon::kernels;
using gaon::kernels::detail::readScalar;
using gaon::kernels::detail::writeScalar;

int64_t gaon::kernels::getByteWidth(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::F8E4M3FN:
  case DType::F8E5M2:
  case DType::I8:
  case DType::I1:
    return 1;
  }
  llvm_unreachable("unknown DType");
}

llvm::StringRef gaon::kernels::getDTypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F8E4M3FN:
    return "f8E4M3FN";
  case DType::F8E5M2:
    return "f8E5M2";
  case DType::I8:
    return "i8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::I1:
    return "i1";
  case DType::F64:
    return "f64";
  }
  llvm_unreachable("unknown DType");
}

std::optional<DType> gaon::kernels::parseDType(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<DType>>(name)
      .Case("f32", DType::F32)
      .Case("f16", DType::F16)
      .Case("bf16", DType::BF16)
      .Case("f8E4M3FN", DType::F8E4M3FN)
      .Case("f8E5M2", DType::F8E5M2)
      .Case("i8", DType::I8)
      .Case("i32", DType::I32)
      .Case("i64", DType::I64)
      .Case("i1", DType::I1)
      .Case("f64", DType::F64)
      .Default(std::nullopt);
}

bool gaon::kernels::isFloat(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::F16:
  case DType::BF16:
  case DType::F8E4M3FN:
  case DType::F8E5M2:
  case DType::F64:
    return true;
  case DType::I8:
  case DType::I32:
  case DType::I64:
  case DType::I1:
    return false;
  }
  llvm_unreachable("unknown DType");
}

double gaon::kernels::getMaxValue(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return std::numeric_limits<float>::max();
  case DType::F64:
    return std::numeric_limits<double>::max();
  case DType::F16:
    return 65504.0;
  case DType::BF16:
    return std::ldexp(255.0, 120); // (2 - 2^-7) * 2^127
  case DType::F8E4M3FN:
    return 448.0;
  case DType::F8E5M2:
    return 57344.0;
  case DType::I8:
    return 127.0;
  case DType::I32:
    return 2147483647.0;
  case DType::I64:
    return 9223372036854775807.0;
  case DType::I1:
    return 1.0;
  }
  llvm_unreachable("unknown DType");
}

double gaon::kernels::getMinValue(DType dtype) {
  switch (dtype) {
  case DType::I8:
    return -128.0;
  case DType::I32:
    return -2147483648.0;
  case DType::I64:
    return -9223372036854775808.0;
  case DType::I1:
    return 0.0;
  default:
    return -getMaxValue(dtype);
  }
}

//===----------------------------------------------------------------------===//
// Generic exact rounding
//===----------------------------------------------------------------------===//

namespace {
/// A binary float format narrower than double.
struct FloatFormat {
  int precision; // significand bits including the implicit one
  int minExp;    // exponent of the smallest normal number
  double maxFinite;
  double minNormal; // 2^minExp
};
} // namespace

static constexpr FloatFormat kF16{11, -14, 65504.0, 0x1p-14};
static constexpr FloatFormat kBF16{8, -126, 0x1.fep127, 0x1p-126};
static constexpr FloatFormat kF8E4M3FN{4, -6, 448.0, 0x1p-6};
static constexpr FloatFormat kF8E5M2{3, -14, 57344.0, 0x1p-14};

/// Rounds finite `x` to `format`'s precision with an unbounded exponent
/// range above (ties to even; overflow is the caller's business).
static double roundToPrecision(double x, const FloatFormat &format) {
  if (x == 0.0 || !std::isfinite(x))
    return x;
  if (std::fabs(x) >= format.minNormal) {
    // Normal in the format: round double's mantissa to precision-1 stored
    // bits in place; a carry ripples into the exponent as it should.
    uint64_t bits = llvm::bit_cast<uint64_t>(x);
    int drop = 53 - format.precision;
    uint64_t lsb = (bits >> drop) & 1;
    bits += (uint64_t(1) << (drop - 1)) - 1 + lsb;
    bits &= ~((uint64_t(1) << drop) - 1);
    return llvm::bit_cast<double>(bits);
  }
  // Subnormal in the format: multiples of the fixed smallest quantum.
  // x / quantum is exact (a power-of-two scaling); nearbyint rounds to
  // nearest even in the default rounding mode.
  double quantum = std::ldexp(1.0, format.minExp - (format.precision - 1));
  return std::nearbyint(x / quantum) * quantum;
}

//===----------------------------------------------------------------------===//
// bf16
//===----------------------------------------------------------------------===//

uint16_t gaon::kernels::floatToBF16(float value) {
  uint32_t bits = llvm::bit_cast<uint32_t>(value);
  if (std::isnan(value))
    return static_cast<uint16_t>((bits >> 16) | 0x0040);
  uint32_t lsb = (bits >> 16) & 1;
  return static_cast<uint16_t>((bits + 0x7fff + lsb) >> 16);
}

float gaon::kernels::bf16ToFloat(uint16_t bits) {
  return llvm::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

uint16_t gaon::kernels::doubleToBF16(double value) {
  if (std::isnan(value))
    return floatToBF16(static_cast<float>(value));
  double rounded = roundToPrecision(value, kBF16);
  if (std::fabs(rounded) > kBF16.maxFinite)
    return std::signbit(value) ? 0xff80 : 0x7f80;
  // `rounded` is a bf16 value, hence exact as a float.
  return static_cast<uint16_t>(
      llvm::bit_cast<uint32_t>(static_cast<float>(rounded)) >> 16);
}

//===----------------------------------------------------------------------===//
// f16
//===----------------------------------------------------------------------===//

uint16_t gaon::kernels::floatToF16(float value) {
  uint32_t bits = llvm::bit_cast<uint32_t>(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) // NaN
    return sign | 0x7e00;
  if (abs >= 0x477ff000) // >= 65520 rounds to inf
    return sign | 0x7c00;
  if (abs >= 0x38800000) { // normal f16: >= 2^-14
    uint32_t lsb = (abs >> 13) & 1;
    // Rebias the exponent (127 -> 15) and round the 13 dropped bits.
    return sign |
           static_cast<uint16_t>(
               (abs + 0xfff + lsb - (static_cast<uint32_t>(112) << 23)) >> 13);
  }
  // Subnormal or zero: adding 0.5 (whose ulp is 2^-24, the f16 subnormal
  // quantum) lets the FPU do the round-to-nearest-even.
  float rounded = llvm::bit_cast<float>(abs) + 0.5f;
  return sign | static_cast<uint16_t>(llvm::bit_cast<uint32_t>(rounded) -
                                      llvm::bit_cast<uint32_t>(0.5f));
}

float gaon::kernels::f16ToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exp = (bits >> 10) & 0x1f;
  uint32_t mant = bits & 0x3ff;
  if (exp == 0x1f)
    return llvm::bit_cast<float>(sign | 0x7f800000 | (mant << 13));
  if (exp == 0) {
    float magnitude = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -magnitude : magnitude;
  }
  return llvm::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t gaon::kernels::doubleToF16(double value) {
  if (std::isnan(value))
    return std::signbit(value) ? 0xfe00 : 0x7e00;
  double rounded = roundToPrecision(value, kF16);
  // `rounded` is an f16 value (or overflows), so the float path is exact.
  return floatToF16(static_cast<float>(rounded));
}

//===----------------------------------------------------------------------===//
// fp8
//===----------------------------------------------------------------------===//

/// Decodes an fp8 bit pattern with `mantBits` mantissa bits and bias `bias`
/// (NaN/inf handled by the caller).
static float decodeF8(uint8_t bits, int mantBits, int bias) {
  int expBits = 7 - mantBits;
  int exp = (bits >> mantBits) & ((1 << expBits) - 1);
  int mant = bits & ((1 << mantBits) - 1);
  float magnitude =
      exp == 0 ? std::ldexp(static_cast<float>(mant), 1 - bias - mantBits)
               : std::ldexp(static_cast<float>(mant + (1 << mantBits)),
                            exp - bias - mantBits);
  return (bits & 0x80) ? -magnitude : magnitude;
}

float gaon::kernels::f8E4M3FNToFloat(uint8_t bits) {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> values{};
    for (int i = 0; i < 256; ++i)
      values[i] = (i & 0x7f) == 0x7f ? std::numeric_limits<float>::quiet_NaN()
                                     : decodeF8(static_cast<uint8_t>(i), 3, 7);
    return values;
  }();
  return table[bits];
}

float gaon::kernels::f8E5M2ToFloat(uint8_t bits) {
  // f8E5M2 is the top byte of an f16.
  return f16ToFloat(static_cast<uint16_t>(bits) << 8);
}

uint8_t gaon::kernels::doubleToF8E4M3FN(double value) {
  uint8_t sign = std::signbit(value) ? 0x80 : 0;
  if (std::isnan(value))
    return sign | 0x7f;
  double rounded = roundToPrecision(value, kF8E4M3FN);
  if (std::fabs(rounded) > kF8E4M3FN.maxFinite) // saturate (inf included)
    return sign | 0x7e;
  double a = std::fabs(rounded);
  if (a == 0.0)
    return sign;
  int exp = std::ilogb(a);
  if (exp < kF8E4M3FN.minExp) // subnormal: multiples of 2^-9
    return sign | static_cast<uint8_t>(std::ldexp(a, 9));
  uint8_t mant = static_cast<uint8_t>(std::ldexp(a, 3 - exp) - 8.0);
  return sign | static_cast<uint8_t>(((exp + 7) << 3) | mant);
}

uint8_t gaon::kernels::floatToF8E4M3FN(float value) {
  return doubleToF8E4M3FN(static_cast<double>(value));
}

uint8_t gaon::kernels::doubleToF8E5M2(double value) {
  if (std::isnan(value))
    return std::signbit(value) ? 0xfe : 0x7e;
  double rounded = roundToPrecision(value, kF8E5M2);
  if (std::fabs(rounded) > kF8E5M2.maxFinite)
    return std::signbit(value) ? 0xfc : 0x7c;
  // An f8E5M2 value is an f16 whose low byte is 0.
  return static_cast<uint8_t>(floatToF16(static_cast<float>(rounded)) >> 8);
}

uint8_t gaon::kernels::floatToF8E5M2(float value) {
  return doubleToF8E5M2(static_cast<double>(value));
}

//===----------------------------------------------------------------------===//
// Elements
//===----------------------------------------------------------------------===//

double gaon::kernels::loadElement(const std::byte *ptr, DType dtype) {
  switch (dtype) {
  case DType::F32:
    return readScalar<float>(ptr);
  case DType::F64:
    return readScalar<double>(ptr);
  case DType::F16:
    return f16ToFloat(readScalar<uint16_t>(ptr));
  case DType::BF16:
    return bf16ToFloat(readScalar<uint16_t>(ptr));
  case DType::F8E4M3FN:
    return f8E4M3FNToFloat(readScalar<uint8_t>(ptr));
  case DType::F8E5M2:
    return f8E5M2ToFloat(readScalar<uint8_t>(ptr));
  case DType::I8:
    return readScalar<int8_t>(ptr);
  case DType::I32:
    return readScalar<int32_t>(ptr);
  case DType::I64:
    return static_cast<double>(readScalar<int64_t>(ptr));
  case DType::I1:
    return readScalar<uint8_t>(ptr) != 0 ? 1.0 : 0.0;
  }
  llvm_unreachable("unknown DType");
}

/// Truncates toward zero and saturates to [lo, hi]; NaN becomes 0.
template <typename T> static T saturatingToInt(double value) {
  if (std::isnan(value))
    return 0;
  double lo = static_cast<double>(std::numeric_limits<T>::min());
  // 2^(bits-1) exactly, one past the largest value.
  double hiExclusive = -lo;
  if (value <= lo)
    return std::numeric_limits<T>::min();
  if (value >= hiExclusive)
    return std::numeric_limits<T>::max();
  return static_cast<T>(value); // truncates toward zero
}

void gaon::kernels::storeElement(std::byte *ptr, DType dtype, double value) {
  switch (dtype) {
  case DType::F32:
    return writeScalar<float>(ptr, static_cast<float>(value));
  case DType::F64:
    return writeScalar<double>(ptr, value);
  case DType::F16:
    return writeScalar<uint16_t>(ptr, doubleToF16(value));
  case DType::BF16:
    return writeScalar<uint16_t>(ptr, doubleToBF16(value));
  case DType::F8E4M3FN:
    return writeScalar<uint8_t>(ptr, doubleToF8E4M3FN(value));
  case DType::F8E5M2:
    return writeScalar<uint8_t>(ptr, doubleToF8E5M2(value));
  case DType::I8:
    return writeScalar<int8_t>(ptr, saturatingToInt<int8_t>(value));
  case DType::I32:
    return writeScalar<int32_t>(ptr, saturatingToInt<int32_t>(value));
  case DType::I64:
    return writeScalar<int64_t>(ptr, saturatingToInt<int64_t>(value));
  case DType::I1:
    return writeScalar<uint8_t>(ptr, value != 0.0 ? 1 : 0);
  }
  llvm_unreachable("unknown DType");
}

int64_t gaon::kernels::loadInt64(const std::byte *ptr, DType dtype) {
  switch (dtype) {
  case DType::I8:
    return readScalar<int8_t>(ptr);
  case DType::I32:
    return readScalar<int32_t>(ptr);
  case DType::I64:
    return readScalar<int64_t>(ptr);
  case DType::I1:
    return readScalar<uint8_t>(ptr) != 0 ? 1 : 0;
  default:
    return saturatingToInt<int64_t>(loadElement(ptr, dtype));
  }
}

void gaon::kernels::storeInt64(std::byte *ptr, DType dtype, int64_t value) {
  switch (dtype) {
  case DType::I8:
    return writeScalar<int8_t>(ptr, static_cast<int8_t>(value));
  case DType::I32:
    return writeScalar<int32_t>(ptr, static_cast<int32_t>(value));
  case DType::I64:
    return writeScalar<int64_t>(ptr, value);
  case DType::I1:
    return writeScalar<uint8_t>(ptr, static_cast<uint8_t>(value & 1));
  default:
    return storeElement(ptr, dtype, static_cast<double>(value));
  }
}

double gaon::kernels::roundToDType(double value, DType dtype) {
  std::byte buffer[8];
  storeElement(buffer, dtype, value);
  return loadElement(buffer, dtype);
}
