//===- DTypeTest.cpp - element types and scalar conversions ---------------===//
//
// Ensures every conversion rounds exactly as IEEE (checked against LLVM's
// APFloat on every bit pattern and on random values), that f8E4M3FN
// saturates, and that integer stores saturate or wrap as documented.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/DType.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/bit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace gaon::kernels;
using llvm::APFloat;

namespace {

/// `value` converted to `semantics` by APFloat (round to nearest even).
APFloat convertWithAPFloat(double value, const llvm::fltSemantics &semantics) {
  APFloat result(value);
  bool losesInfo;
  result.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

uint64_t bitsOf(const APFloat &value) {
  return value.bitcastToAPInt().getZExtValue();
}

/// Values that exercise every rounding path: random bit patterns over the
/// whole float range plus ties, subnormals and boundaries.
std::vector<float> interestingFloats() {
  std::vector<float> values = {0.0f,
                               -0.0f,
                               1.0f,
                               -1.0f,
                               448.0f,
                               464.0f,
                               480.0f,
                               57344.0f,
                               61440.0f,
                               65504.0f,
                               65519.0f,
                               65520.0f,
                               1e-8f,
                               6e-8f,
                               3e-8f,
                               2.98e-8f,
                               1e30f,
                               -1e30f,
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::denorm_min(),
                               std::numeric_limits<float>::infinity(),
                               -std::numeric_limits<float>::infinity()};
  std::mt19937 rng(1234); // fixed engine: bit patterns only, no distribution
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng());
    float value = llvm::bit_cast<float>(bits);
    if (!std::isnan(value))
      values.push_back(value);
    // Small magnitudes hit fp8/f16 rounding boundaries more often.
    values.push_back(
        std::ldexp(static_cast<float>(bits >> 8), -40 + (bits & 31)));
  }
  // Exact ties at every bf16/f16 mantissa boundary of [1, 2).
  for (uint32_t m = 0; m < 1024; ++m) {
    values.push_back(1.0f + (m + 0.5f) / 1024.0f);
    values.push_back(1.0f + (m + 0.5f) / 128.0f);
  }
  return values;
}

TEST(DTypeTest, NamesRoundTrip) {
  for (DType dtype : kAllDTypes) {
    std::optional<DType> parsed = parseDType(getDTypeName(dtype));
    ASSERT_TRUE(parsed.has_value()) << getDTypeName(dtype).str();
    EXPECT_EQ(*parsed, dtype);
  }
  EXPECT_EQ(getDTypeName(DType::F8E4M3FN), "f8E4M3FN");
  EXPECT_EQ(getDTypeName(DType::BF16), "bf16");
  EXPECT_FALSE(parseDType("f8e4m3").has_value());
  EXPECT_FALSE(parseDType("").has_value());
}

TEST(DTypeTest, ByteWidths) {
  EXPECT_EQ(getByteWidth(DType::F32), 4);
  EXPECT_EQ(getByteWidth(DType::F16), 2);
  EXPECT_EQ(getByteWidth(DType::BF16), 2);
  EXPECT_EQ(getByteWidth(DType::F8E4M3FN), 1);
  EXPECT_EQ(getByteWidth(DType::F8E5M2), 1);
  EXPECT_EQ(getByteWidth(DType::I8), 1);
  EXPECT_EQ(getByteWidth(DType::I32), 4);
  EXPECT_EQ(getByteWidth(DType::I64), 8);
  EXPECT_EQ(getByteWidth(DType::I1), 1);
  EXPECT_EQ(getByteWidth(DType::F64), 8);
  EXPECT_TRUE(isFloat(DType::F8E5M2));
  EXPECT_TRUE(isInteger(DType::I1));
}

TEST(DTypeTest, DecodeEveryBitPattern) {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    APFloat half(APFloat::IEEEhalf(), llvm::APInt(16, bits));
    APFloat bfloat(APFloat::BFloat(), llvm::APInt(16, bits));
    float f16 = f16ToFloat(static_cast<uint16_t>(bits));
    float bf16 = bf16ToFloat(static_cast<uint16_t>(bits));
    if (half.isNaN())
      EXPECT_TRUE(std::isnan(f16)) << bits;
    else
      EXPECT_EQ(f16, half.convertToFloat()) << bits;
    if (bfloat.isNaN())
      EXPECT_TRUE(std::isnan(bf16)) << bits;
    else
      EXPECT_EQ(bf16, bfloat.convertToFloat()) << bits;
  }
  for (uint32_t bits = 0; bits < 256; ++bits) {
    APFloat e4m3(APFloat::Float8E4M3FN(), llvm::APInt(8, bits));
    APFloat e5m2(APFloat::Float8E5M2(), llvm::APInt(8, bits));
    float a = f8E4M3FNToFloat(static_cast<uint8_t>(bits));
    float b = f8E5M2ToFloat(static_cast<uint8_t>(bits));
    if (e4m3.isNaN())
      EXPECT_TRUE(std::isnan(a)) << bits;
    else
      EXPECT_EQ(a, e4m3.convertToFloat()) << bits;
    if (e5m2.isNaN())
      EXPECT_TRUE(std::isnan(b)) << bits;
    else
      EXPECT_EQ(b, e5m2.convertToFloat()) << bits;
  }
}

TEST(DTypeTest, EncodeMatchesAPFloat) {
  for (float value : interestingFloats()) {
    EXPECT_EQ(floatToF16(value),
              bitsOf(convertWithAPFloat(value, APFloat::IEEEhalf())))
        << value;
    EXPECT_EQ(floatToBF16(value),
              bitsOf(convertWithAPFloat(value, APFloat::BFloat())))
        << value;
    EXPECT_EQ(floatToF8E5M2(value),
              bitsOf(convertWithAPFloat(value, APFloat::Float8E5M2())))
        << value;
    // f8E4M3FN agrees wherever the result is finite; beyond it saturates.
    APFloat e4m3 = convertWithAPFloat(value, APFloat::Float8E4M3FN());
    if (!e4m3.isNaN())
      EXPECT_EQ(floatToF8E4M3FN(value), bitsOf(e4m3)) << value;
    else
      EXPECT_EQ(floatToF8E4M3FN(value), value < 0 ? 0xfe : 0x7e) << value;
  }
}

TEST(DTypeTest, DoubleRoundsOnce) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 100000; ++i) {
    double value = llvm::bit_cast<double>(rng());
    if (std::isnan(value))
      continue;
    int exponent;
    value = std::ldexp(std::frexp(value, &exponent),
                       static_cast<int>(rng() % 60) - 30);
    EXPECT_EQ(doubleToBF16(value),
              bitsOf(convertWithAPFloat(value, APFloat::BFloat())))
        << value;
    EXPECT_EQ(doubleToF16(value),
              bitsOf(convertWithAPFloat(value, APFloat::IEEEhalf())))
        << value;
    EXPECT_EQ(doubleToF8E5M2(value),
              bitsOf(convertWithAPFloat(value, APFloat::Float8E5M2())))
        << value;
  }
  // Just above a bf16 tie: a float intermediate would round to the tie and
  // then to even (1.0); one exact rounding goes up.
  double aboveTie = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30);
  EXPECT_EQ(floatToBF16(static_cast<float>(aboveTie)), 0x3f80);
  EXPECT_EQ(doubleToBF16(aboveTie), 0x3f81);
}

TEST(DTypeTest, SpecialValues) {
  float inf = std::numeric_limits<float>::infinity();
  float nan = std::numeric_limits<float>::quiet_NaN();
  // f8E4M3FN saturates, including infinities; NaN has one encoding.
  EXPECT_EQ(floatToF8E4M3FN(1000.0f), 0x7e);
  EXPECT_EQ(floatToF8E4M3FN(-inf), 0xfe);
  EXPECT_EQ(floatToF8E4M3FN(464.0f), 0x7e); // tie between 448 and "512"
  EXPECT_EQ(floatToF8E4M3FN(nan), 0x7f);
  EXPECT_EQ(f8E4M3FNToFloat(0x7e), 448.0f);
  EXPECT_EQ(f8E4M3FNToFloat(0x01), std::ldexp(1.0f, -9));
  // f8E5M2, f16, bf16 overflow to infinity and keep NaN.
  EXPECT_EQ(floatToF8E5M2(1e6f), 0x7c);
  EXPECT_EQ(floatToF8E5M2(-1e6f), 0xfc);
  EXPECT_EQ(floatToF16(65520.0f), 0x7c00);
  EXPECT_EQ(floatToF16(65519.0f), 0x7bff);
  EXPECT_EQ(floatToBF16(-nan) & 0x8000, 0x8000);
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBF16(nan))));
  EXPECT_TRUE(std::isnan(f16ToFloat(floatToF16(nan))));
  EXPECT_TRUE(std::isnan(f8E5M2ToFloat(floatToF8E5M2(nan))));
  EXPECT_EQ(getMaxValue(DType::F8E4M3FN), 448.0);
  EXPECT_EQ(getMaxValue(DType::BF16), bf16ToFloat(0x7f7f));
}

TEST(DTypeTest, IntegerStores) {
  std::byte buffer[8];
  auto store = [&](DType dtype, double value) {
    storeElement(buffer, dtype, value);
    return loadElement(buffer, dtype);
  };
  EXPECT_EQ(store(DType::I8, 300.0), 127.0);
  EXPECT_EQ(store(DType::I8, -300.0), -128.0);
  EXPECT_EQ(store(DType::I8, -2.9), -2.0);
  EXPECT_EQ(store(DType::I32, std::nan("")), 0.0);
  EXPECT_EQ(store(DType::I32, 1e20), 2147483647.0);
  EXPECT_EQ(store(DType::I1, 0.25), 1.0);
  EXPECT_EQ(store(DType::I1, 0.0), 0.0);
  storeElement(buffer, DType::I64, 1e30);
  EXPECT_EQ(loadInt64(buffer, DType::I64), INT64_MAX);
  // Integer stores wrap.
  storeInt64(buffer, DType::I8, 300);
  EXPECT_EQ(loadInt64(buffer, DType::I8), 44);
  storeInt64(buffer, DType::I32, (int64_t(1) << 32) + 5);
  EXPECT_EQ(loadInt64(buffer, DType::I32), 5);
  storeInt64(buffer, DType::I1, 3);
  EXPECT_EQ(loadInt64(buffer, DType::I1), 1);
  // i64 is exact through the integer path.
  storeInt64(buffer, DType::I64, INT64_MAX - 1);
  EXPECT_EQ(loadInt64(buffer, DType::I64), INT64_MAX - 1);
  // Floats round through the integer path too.
  storeInt64(buffer, DType::BF16, 257);
  EXPECT_EQ(loadElement(buffer, DType::BF16), 256.0);
}

TEST(DTypeTest, RoundToDType) {
  EXPECT_EQ(roundToDType(0.1, DType::F32), static_cast<double>(0.1f));
  EXPECT_EQ(roundToDType(1.0 + 1.0 / 512, DType::BF16), 1.0);
  EXPECT_EQ(roundToDType(3.0 / 512, DType::F8E4M3FN), 3.0 / 512);
  EXPECT_EQ(roundToDType(3.0 / 1024, DType::F8E4M3FN), 4.0 / 1024); // tie
  EXPECT_EQ(roundToDType(1e9, DType::F16), INFINITY);
  EXPECT_EQ(roundToDType(-7.7, DType::I32), -7.0);
}

} // namespace
