//===- ElementsTest.cpp - Test inputs and element decoding ----------------===//
//
// Ensures test inputs are deterministic per seed and hold k/16 in every
// element type, and that element decoding agrees with LLVM's APFloat on
// every f16 and f8 bit pattern.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/CUDA/Elements.h"

#include "llvm/ADT/APFloat.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>

using namespace gaon::runtime::cuda;
using namespace llvm;

namespace {

TEST(ElementsTest, TestInputsAreSeededSixteenths) {
  for (ElementType type :
       {ElementType::F32, ElementType::F16, ElementType::BF16,
        ElementType::F8E4M3FN, ElementType::I8, ElementType::I32,
        ElementType::I64}) {
    std::vector<uint8_t> a(64 * getElementBytes(type)), b(a.size()),
        c(a.size());
    fillTestElements(type, a, 7);
    fillTestElements(type, b, 7);
    fillTestElements(type, c, 8);
    EXPECT_EQ(a, b) << stringifyElementType(type).str();
    EXPECT_NE(a, c) << stringifyElementType(type).str();
    bool integer = type == ElementType::I8 || type == ElementType::I32 ||
                   type == ElementType::I64;
    for (size_t i = 0; i < 64; ++i) {
      double value = readElement(type, a, i) * (integer ? 1 : 16);
      EXPECT_EQ(value, std::round(value)) << stringifyElementType(type).str();
      EXPECT_LE(std::abs(value), 16) << stringifyElementType(type).str();
    }
  }
}

/// Every bit pattern decodes as APFloat decodes it.
void expectMatchesAPFloat(ElementType type, const fltSemantics &semantics,
                          unsigned bits) {
  unsigned bytes = getElementBytes(type);
  for (uint32_t pattern = 0; pattern < (1u << bits); ++pattern) {
    uint8_t raw[2];
    std::memcpy(raw, &pattern, bytes);
    double ours = readElement(type, ArrayRef(raw, bytes), 0);
    APFloat reference(semantics, APInt(bits, pattern));
    double theirs = reference.convertToDouble();
    if (std::isnan(theirs))
      EXPECT_TRUE(std::isnan(ours)) << pattern;
    else
      EXPECT_EQ(ours, theirs)
          << stringifyElementType(type).str() << " " << pattern;
  }
}

TEST(ElementsTest, DecodingMatchesAPFloat) {
  expectMatchesAPFloat(ElementType::F16, APFloat::IEEEhalf(), 16);
  expectMatchesAPFloat(ElementType::BF16, APFloat::BFloat(), 16);
  expectMatchesAPFloat(ElementType::F8E4M3FN, APFloat::Float8E4M3FN(), 8);
  expectMatchesAPFloat(ElementType::F8E5M2, APFloat::Float8E5M2(), 8);
}

TEST(ElementsTest, SummaryCountsNonFiniteValues) {
  std::vector<float> values = {1.5f, -2.0f, NAN, 4.0f, INFINITY};
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  ElementSummary summary = summarizeElements(ElementType::F32, bytes);
  EXPECT_EQ(summary.count, 5u);
  EXPECT_EQ(summary.nonFinite, 2u);
  EXPECT_DOUBLE_EQ(summary.sum, 3.5);
  EXPECT_DOUBLE_EQ(summary.minimum, -2.0);
  EXPECT_DOUBLE_EQ(summary.maximum, 4.0);
}

} // namespace
