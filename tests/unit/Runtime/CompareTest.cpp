//===- CompareTest.cpp - The numeric check against a reference ------------===//
//
// compareTensors's figures (max-abs, max-rel, cosine) and its pass/fail
// decision, including NaN/inf, shape and dtype mismatches, and the
// documented per-dtype tolerances.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/Compare.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace gaon::runtime;

namespace {

HostTensor f32(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<double> values) {
  return HostTensor::fromDoubles(DType::F32, shape, values);
}

TEST(CompareTest, IdenticalTensorsPass) {
  HostTensor a = HostTensor::random(DType::F32, {3, 5}, 1);
  TensorCheck check = compareTensors(a, a);
  EXPECT_TRUE(check.passed);
  EXPECT_EQ(check.elements, 15);
  EXPECT_EQ(check.maxAbsError, 0);
  EXPECT_EQ(check.maxRelError, 0);
  EXPECT_DOUBLE_EQ(check.cosine, 1);
  EXPECT_EQ(check.mismatches, 0);
  EXPECT_EQ(check.firstMismatch, -1);
}

TEST(CompareTest, FiguresOfAKnownDifference) {
  HostTensor reference = f32({4}, {1, -2, 4, 0});
  HostTensor actual = f32({4}, {1, -2, 4.5, 0});
  TensorCheck check = compareTensors(actual, reference);
  EXPECT_DOUBLE_EQ(check.maxAbsError, 0.5);
  EXPECT_DOUBLE_EQ(check.maxRelError, 0.5 / 4);
  double dot = 1 + 4 + 18, na = std::sqrt(1 + 4 + 20.25),
         nr = std::sqrt(1 + 4 + 16.0);
  EXPECT_NEAR(check.cosine, dot / (na * nr), 1e-12);
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.mismatches, 1);
  EXPECT_EQ(check.firstMismatch, 2);
  EXPECT_EQ(check.firstMismatchActual, 4.5);
  EXPECT_EQ(check.firstMismatchExpected, 4);
  EXPECT_NE(check.getSummary().find("1 of 4 outside tolerance"),
            std::string::npos);
}

TEST(CompareTest, WithinTolerancePasses) {
  HostTensor reference = f32({3}, {1000, 1, 0});
  // rtol 1e-3 of 1000 is 1; atol 1e-4 near zero.
  HostTensor actual = f32({3}, {1000.9, 1.0009, 0.00009});
  TensorCheck check = compareTensors(actual, reference);
  EXPECT_TRUE(check.passed) << check.getSummary();
  // Relative error near zero divides by atol, not by |r| = 0.
  EXPECT_NEAR(check.maxRelError, 0.9, 1e-3);
}

TEST(CompareTest, LowCosineFailsEvenWithinElementTolerance) {
  HostTensor reference = f32({2}, {1, 1});
  HostTensor actual = f32({2}, {1.5, 0.5});
  TensorCheck check =
      compareTensors(actual, reference, Tolerance{1.0, 0, 0.9999});
  EXPECT_EQ(check.mismatches, 0);
  EXPECT_LT(check.cosine, 0.9999);
  EXPECT_FALSE(check.passed);
}

TEST(CompareTest, NaNMatchesOnlyNaN) {
  HostTensor reference = f32({3}, {NAN, 1, INFINITY});
  EXPECT_TRUE(compareTensors(f32({3}, {NAN, 1, INFINITY}), reference).passed);
  TensorCheck check = compareTensors(f32({3}, {0, 1, INFINITY}), reference);
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.firstMismatch, 0);
  EXPECT_TRUE(std::isinf(check.maxAbsError));
  EXPECT_FALSE(compareTensors(f32({3}, {NAN, 1, -INFINITY}), reference).passed);
}

TEST(CompareTest, ShapeOrDTypeMismatchFails) {
  HostTensor reference = f32({2, 2}, {1, 2, 3, 4});
  TensorCheck check = compareTensors(f32({4}, {1, 2, 3, 4}), reference);
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.error, "got f32[4], expected f32[2x2]");
  HostTensor other = HostTensor::fromDoubles(DType::F16, {2, 2}, {1, 2, 3, 4});
  EXPECT_FALSE(compareTensors(other, reference).passed);
}

TEST(CompareTest, IntegersMustBeExact) {
  HostTensor reference = HostTensor::fromInt64s(DType::I32, {3}, {1, 2, 3});
  EXPECT_TRUE(compareTensors(reference, reference).passed);
  HostTensor actual = HostTensor::fromInt64s(DType::I32, {3}, {1, 2, 4});
  EXPECT_FALSE(compareTensors(actual, reference).passed);
}

TEST(CompareTest, AllZeroTensorsHaveCosineOne) {
  HostTensor zero(DType::F32, {8});
  TensorCheck check = compareTensors(zero, zero);
  EXPECT_DOUBLE_EQ(check.cosine, 1);
  EXPECT_TRUE(check.passed);
}

TEST(CompareTest, DefaultTolerancesFollowPrecision) {
  // Looser for narrower types, exact for integers.
  EXPECT_LT(Tolerance::getDefault(DType::F32).rtol,
            Tolerance::getDefault(DType::F16).rtol);
  EXPECT_LE(Tolerance::getDefault(DType::F16).rtol,
            Tolerance::getDefault(DType::BF16).rtol);
  EXPECT_LT(Tolerance::getDefault(DType::BF16).rtol,
            Tolerance::getDefault(DType::F8E4M3FN).rtol);
  EXPECT_EQ(Tolerance::getDefault(DType::I8).atol, 0);
  // One bf16 rounding of a value passes the bf16 tolerance.
  HostTensor reference = HostTensor::random(DType::F32, {64}, 3);
  HostTensor rounded(DType::BF16, {64});
  for (int64_t i = 0; i < 64; ++i)
    rounded.setDouble(i, reference.getDouble(i));
  HostTensor referenceBF16(DType::BF16, {64});
  for (int64_t i = 0; i < 64; ++i)
    referenceBF16.setDouble(i, reference.getDouble(i) * (1 + 1.0 / 256));
  EXPECT_TRUE(compareTensors(rounded, referenceBF16).passed);
}

} // namespace
