//===- OpsTest.cpp - kernels of the npu commands against plain loops ------===//
//
// Ensures every npu-command kernel computes what a straightforward loop
// computes: on odd shapes, every dtype path, broadcasting, strided, transposed
// and negative-stride views, aliasing, and that bad views are errors.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/Ops.h"

#include "KernelTestUtils.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace gaon::kernels;
using namespace gaon::kernels::testing;
using llvm::SmallVector;

namespace {

//===----------------------------------------------------------------------===//
// Kind names
//===----------------------------------------------------------------------===//

TEST(KernelOpsTest, KindNamesRoundTrip) {
  for (uint32_t i = 0; i <= 14; ++i) {
    auto kind = static_cast<UnaryKind>(i);
    EXPECT_EQ(symbolizeUnaryKind(stringifyUnaryKind(kind)), kind);
  }
  for (uint32_t i = 0; i <= 6; ++i) {
    auto kind = static_cast<BinaryKind>(i);
    EXPECT_EQ(symbolizeBinaryKind(stringifyBinaryKind(kind)), kind);
  }
  for (uint32_t i = 0; i <= 2; ++i) {
    auto kind = static_cast<ReduceKind>(i);
    EXPECT_EQ(symbolizeReduceKind(stringifyReduceKind(kind)), kind);
  }
  EXPECT_EQ(stringifyUnaryKind(UnaryKind::GeluTanh), "gelu_tanh");
  EXPECT_FALSE(symbolizeUnaryKind("softplus").has_value());
}

//===----------------------------------------------------------------------===//
// copy
//===----------------------------------------------------------------------===//

TEST(KernelOpsTest, CopyGathersAndTransposes) {
  Buffer src(DType::BF16, {6, 9});
  src.randomize(1);
  Buffer dst(DType::BF16, {8, 8});
  // A 5x3 window of src with step 2 in columns, written transposed into a
  // 3x5 window at dst[2, 1].
  View window = src.view().subview({1, 2}, {5, 3}, {1, 2});
  View target = dst.view().subview({2, 1}, {3, 5}, {1, 1}).permute({1, 0});
  ASSERT_OK(copy(window, target));
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 3; ++j)
      EXPECT_EQ(dst.at({2 + j, 1 + i}), src.at({1 + i, 2 + 2 * j}));
  EXPECT_EQ(dst.at({0, 0}), 0.0);
}

TEST(KernelOpsTest, CopyNegativeStridesAndOverlap) {
  Buffer buf(DType::I32, {4, 4});
  View all = buf.view();
  for (int64_t i = 0; i < 16; ++i)
    storeInt64(buf.bytes.data() + 4 * i, DType::I32, i);
  // Reverse each row into a fresh buffer through a negative stride.
  Buffer reversed(DType::I32, {4, 4});
  View mirrored(all.getElementPtr({0, 3}), DType::I32, {4, 4}, {4, -1});
  ASSERT_OK(copy(mirrored, reversed.view()));
  EXPECT_EQ(reversed.at({1, 0}), 7.0);
  EXPECT_EQ(reversed.at({2, 3}), 8.0);
  // In-place transpose: source and target are the same bytes.
  ASSERT_OK(copy(all, all.permute({1, 0})));
  EXPECT_EQ(buf.at({0, 1}), 4.0);
  EXPECT_EQ(buf.at({3, 2}), 11.0);
  EXPECT_EQ(buf.at({2, 2}), 10.0);
  // Overlapping contiguous shift.
  Buffer line(DType::I8, {8});
  for (int64_t i = 0; i < 8; ++i)
    storeInt64(line.bytes.data() + i, DType::I8, i);
  ASSERT_OK(copy(line.view().subview({0}, {7}, {1}),
                 line.view().subview({1}, {7}, {1})));
  EXPECT_EQ(line.at({0}), 0.0);
  EXPECT_EQ(line.at({7}), 6.0);
}

TEST(KernelOpsTest, CopyRejectsMismatches) {
  Buffer a(DType::F32, {2, 3}), b(DType::F32, {3, 2}), c(DType::F16, {2, 3});
  EXPECT_ERROR(copy(a.view(), b.view()), "differ in shape");
  EXPECT_ERROR(copy(a.view(), c.view()), "differ in element type");
  View broken = a.view();
  broken.strides.pop_back();
  EXPECT_ERROR(copy(broken, a.view()), "2 dimensions but 1 strides");
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatmulCase {
  DType input;
  DType acc;
  bool transposeLhs;
  bool transposeRhs;
  bool accumulate;
  bool strided; // operands are windows of larger buffers
};

std::string describeCase(const MatmulCase &c) {
  return (getDTypeName(c.input) + "->" + getDTypeName(c.acc) +
          (c.transposeLhs ? " lhsT" : "") + (c.transposeRhs ? " rhsT" : "") +
          (c.accumulate ? " acc" : "") + (c.strided ? " strided" : ""))
      .str();
}

/// Runs one matmul case of MxKxN and compares with a double-precision loop.
void checkMatmul(const MatmulCase &c, int64_t m, int64_t k, int64_t n) {
  SCOPED_TRACE(describeCase(c) + " " + std::to_string(m) + "x" +
               std::to_string(k) + "x" + std::to_string(n));
  int64_t pad = c.strided ? 3 : 0;
  SmallVector<int64_t> lhsShape =
      c.transposeLhs ? SmallVector<int64_t>{k, m} : SmallVector<int64_t>{m, k};
  SmallVector<int64_t> rhsShape =
      c.transposeRhs ? SmallVector<int64_t>{n, k} : SmallVector<int64_t>{k, n};
  bool isInt = isInteger(c.input);
  double lo = isInt ? -100 : -1, hi = isInt ? 100 : 1;
  Buffer lhsBuf(c.input, {lhsShape[0] + pad, lhsShape[1] + pad});
  Buffer rhsBuf(c.input, {rhsShape[0] + pad, rhsShape[1] + pad});
  Buffer accBuf(c.acc, {m + pad, n + pad});
  lhsBuf.randomize(11, lo, hi);
  rhsBuf.randomize(12, lo, hi);
  accBuf.randomize(13, lo, hi);
  View lhs = lhsBuf.view().subview({pad, pad / 2}, lhsShape, {1, 1});
  View rhs = rhsBuf.view().subview({pad / 2, pad}, rhsShape, {1, 1});
  View acc = accBuf.view().subview({pad, 0}, {m, n}, {1, 1});
  // Expected values before the kernel writes acc.
  std::vector<double> expected(m * n), scale(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = c.accumulate ? get(acc, {i, j}) : 0.0;
      double abs = std::fabs(sum);
      for (int64_t p = 0; p < k; ++p) {
        double a = c.transposeLhs ? get(lhs, {p, i}) : get(lhs, {i, p});
        double b = c.transposeRhs ? get(rhs, {j, p}) : get(rhs, {p, j});
        sum += a * b;
        abs += std::fabs(a * b);
      }
      expected[i * n + j] = sum;
      scale[i * n + j] = abs;
    }
  ASSERT_OK(
      matmul(lhs, c.transposeLhs, rhs, c.transposeRhs, acc, c.accumulate));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double want = expected[i * n + j];
      double got = get(acc, {i, j});
      if (isInt) {
        // Integer accumulation wraps into acc's width.
        int64_t wrapped = static_cast<int64_t>(want);
        if (c.acc == DType::I32)
          wrapped = static_cast<int32_t>(wrapped);
        else if (c.acc == DType::I8)
          wrapped = static_cast<int8_t>(wrapped);
        ASSERT_EQ(got, static_cast<double>(wrapped)) << i << "," << j;
        continue;
      }
      // f32 (or f64) accumulation error, then one rounding into acc.
      double accumulationError =
          (c.acc == DType::F64 || c.input == DType::F64 ? 0x1.0p-50
                                                        : 0x1.0p-22) *
          k * scale[i * n + j];
      double tolerance = accumulationError +
                         unitRoundoff(c.acc) * std::fabs(want) * 1.01 + 1e-300;
      ASSERT_NEAR(got, want, tolerance) << i << "," << j;
    }
  // Elements of the acc buffer outside the window are untouched.
  if (c.strided) {
    Buffer original(c.acc, {m + pad, n + pad});
    original.randomize(13, lo, hi);
    EXPECT_EQ(accBuf.at({0, 0}), original.at({0, 0}));
  }
}

TEST(KernelOpsTest, MatmulEveryDTypePath) {
  const std::pair<DType, DType> dtypes[] = {
      {DType::F32, DType::F32},     {DType::BF16, DType::F32},
      {DType::BF16, DType::BF16},   {DType::F16, DType::F16},
      {DType::F16, DType::F32},     {DType::F8E4M3FN, DType::F32},
      {DType::F8E5M2, DType::BF16}, {DType::F64, DType::F64},
      {DType::I8, DType::I32},      {DType::I32, DType::I32},
      {DType::I64, DType::I64},     {DType::I8, DType::I8}};
  for (auto [input, acc] : dtypes)
    for (int flags = 0; flags < 16; ++flags) {
      MatmulCase c{input,           acc,
                   bool(flags & 1), bool(flags & 2),
                   bool(flags & 4), bool(flags & 8)};
      checkMatmul(c, 7, 13, 5);
    }
}

TEST(KernelOpsTest, MatmulShapes) {
  MatmulCase plain{DType::F32, DType::F32, false, false, false, false};
  checkMatmul(plain, 1, 1, 1);
  checkMatmul(plain, 1, 64, 1);
  checkMatmul(plain, 33, 1, 17);
  checkMatmul(plain, 65, 129, 63);
  checkMatmul({DType::BF16, DType::F32, true, true, true, true}, 96, 200, 80);
  checkMatmul({DType::I8, DType::I32, false, true, false, false}, 40, 300, 24);
  // K = 0: the product is zero.
  checkMatmul(plain, 3, 0, 4);
}

TEST(KernelOpsTest, MatmulLargeRunsInParallelBlocks) {
  // Above the parallel threshold in both split directions; spot-check
  // entries against a double-precision dot product.
  for (auto [m, n] : {std::pair<int64_t, int64_t>{300, 100}, {90, 260}}) {
    int64_t k = 200;
    Buffer a(DType::F32, {m, k}), b(DType::BF16, {n, k}), c(DType::F32, {m, n});
    a.randomize(1);
    b.randomize(2);
    ASSERT_OK(matmul(a.view(), false, b.view(), true, c.view(), false));
    for (int64_t s = 0; s < 500; ++s) {
      int64_t i = (s * 7919) % m, j = (s * 104729) % n;
      double sum = 0;
      for (int64_t p = 0; p < k; ++p)
        sum += a.at({i, p}) * b.at({j, p});
      ASSERT_NEAR(c.at({i, j}), sum, 1e-4) << i << "," << j;
    }
  }
}

TEST(KernelOpsTest, MatmulAliasedAccumulator) {
  // acc is also the lhs: the kernel must read it before writing.
  Buffer buf(DType::F32, {3, 3});
  buf.randomize(5);
  Buffer identity(DType::F32, {3, 3});
  for (int64_t i = 0; i < 3; ++i)
    storeElement(identity.view().getElementPtr({i, i}), DType::F32, 2.0);
  std::vector<double> before;
  for (int64_t i = 0; i < 9; ++i)
    before.push_back(buf.at({i / 3, i % 3}));
  ASSERT_OK(matmul(buf.view(), false, identity.view(), false, buf.view(),
                   /*accumulate=*/true));
  for (int64_t i = 0; i < 9; ++i)
    EXPECT_FLOAT_EQ(buf.at({i / 3, i % 3}), 3.0 * before[i]);
}

TEST(KernelOpsTest, MatmulRejectsBadShapes) {
  Buffer a(DType::F32, {4, 5}), b(DType::F32, {6, 3}), c(DType::F32, {4, 3});
  EXPECT_ERROR(matmul(a.view(), false, b.view(), false, c.view(), false),
               "shapes do not chain");
  Buffer i8(DType::I8, {5, 3});
  EXPECT_ERROR(matmul(a.view(), false, i8.view(), false, c.view(), false),
               "mix float and integer");
  Buffer i32(DType::I32, {4, 3}), f(DType::F32, {5, 3});
  EXPECT_ERROR(matmul(a.view(), false, f.view(), false, i32.view(), false),
               "must be a float type");
  Buffer rank3(DType::F32, {1, 4, 5});
  EXPECT_ERROR(matmul(rank3.view(), false, f.view(), false, c.view(), false),
               "must have rank 2");
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// The textbook formula of each unary kind, written independently of the
/// kernel library.
double expectedUnary(UnaryKind kind, double x) {
  switch (kind) {
  case UnaryKind::Copy:
    return x;
  case UnaryKind::Neg:
    return -x;
  case UnaryKind::Abs:
    return x < 0 ? -x : x;
  case UnaryKind::Relu:
    return x > 0 ? x : 0;
  case UnaryKind::Exp:
    return std::exp(x);
  case UnaryKind::Log:
    return std::log(x);
  case UnaryKind::Sqrt:
    return std::sqrt(x);
  case UnaryKind::Rsqrt:
    return 1 / std::sqrt(x);
  case UnaryKind::Reciprocal:
    return 1 / x;
  case UnaryKind::Tanh:
    return std::tanh(x);
  case UnaryKind::Erf:
    return std::erf(x);
  case UnaryKind::Sigmoid:
    return std::exp(x) / (1 + std::exp(x));
  case UnaryKind::Gelu:
    return x * 0.5 * std::erfc(-x / std::sqrt(2.0));
  case UnaryKind::GeluTanh:
    return 0.5 * x *
           (1 +
            std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * std::pow(x, 3))));
  case UnaryKind::Silu:
    return x * std::exp(x) / (1 + std::exp(x));
  }
  return 0;
}

TEST(KernelOpsTest, UnaryEveryKind) {
  for (uint32_t k = 0; k <= 14; ++k) {
    auto kind = static_cast<UnaryKind>(k);
    bool positive = kind == UnaryKind::Log || kind == UnaryKind::Sqrt ||
                    kind == UnaryKind::Rsqrt;
    for (auto [inType, outType] : {std::pair{DType::F32, DType::F32},
                                   std::pair{DType::BF16, DType::BF16},
                                   std::pair{DType::F16, DType::F32},
                                   std::pair{DType::F32, DType::F8E4M3FN}}) {
      SCOPED_TRACE(stringifyUnaryKind(kind).str() + " " +
                   getDTypeName(inType).str() + "->" +
                   getDTypeName(outType).str());
      Buffer in(inType, {5, 7}), out(outType, {7, 5});
      in.randomize(k + 1, positive ? 0.05 : -4.0, 4.0);
      View outView = out.view().permute({1, 0});
      ASSERT_OK(unary(kind, in.view(), outView));
      forEachIndex({5, 7}, [&](llvm::ArrayRef<int64_t> index) {
        double want = roundToDType(expectedUnary(kind, in.at(index)), outType);
        double got = get(outView, index);
        // The reference formulas differ from the kernel's in the last f64
        // bit at most, which can flip one rounding.
        ASSERT_NEAR(got, want,
                    2 * unitRoundoff(outType) * std::fabs(want) + 1e-12);
      });
    }
  }
}

TEST(KernelOpsTest, UnaryIntegersAndInPlace) {
  Buffer ints(DType::I32, {6});
  for (int64_t i = 0; i < 6; ++i)
    storeInt64(ints.bytes.data() + 4 * i, DType::I32, i - 3);
  Buffer out(DType::I8, {6});
  ASSERT_OK(unary(UnaryKind::Relu, ints.view(), out.view()));
  EXPECT_EQ(out.at({0}), 0.0);
  EXPECT_EQ(out.at({5}), 2.0);
  ASSERT_OK(unary(UnaryKind::Abs, ints.view(), ints.view()));
  EXPECT_EQ(ints.at({0}), 3.0);
  EXPECT_ERROR(unary(UnaryKind::Exp, ints.view(), ints.view()),
               "exp needs float input and output");
  // copy converts when the dtypes differ.
  Buffer f(DType::F32, {6});
  ASSERT_OK(unary(UnaryKind::Copy, ints.view(), f.view()));
  EXPECT_EQ(f.at({1}), 2.0);
  // relu propagates NaN.
  Buffer nan(DType::F32, {1});
  storeElement(nan.bytes.data(), DType::F32, std::nan(""));
  ASSERT_OK(unary(UnaryKind::Relu, nan.view(), nan.view()));
  EXPECT_TRUE(std::isnan(nan.at({0})));
}

double expectedBinary(BinaryKind kind, double a, double b) {
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
    return a > b ? a : b;
  case BinaryKind::Min:
    return a < b ? a : b;
  case BinaryKind::Pow:
    return std::pow(a, b);
  }
  return 0;
}

TEST(KernelOpsTest, BinaryBroadcasts) {
  for (uint32_t k = 0; k <= 6; ++k) {
    auto kind = static_cast<BinaryKind>(k);
    SCOPED_TRACE(stringifyBinaryKind(kind).str());
    Buffer lhs(DType::F32, {3, 1, 5}), rhs(DType::BF16, {1, 4, 5});
    lhs.randomize(k, 0.5, 3.0);
    rhs.randomize(k + 10, -2.0, 2.0);
    Buffer out(DType::F32, {3, 4, 5});
    ASSERT_OK(binary(kind, lhs.view(), rhs.view(), out.view()));
    forEachIndex({3, 4, 5}, [&](llvm::ArrayRef<int64_t> i) {
      double want = static_cast<float>(expectedBinary(
          kind, lhs.at({i[0], 0, i[2]}), rhs.at({0, i[1], i[2]})));
      ASSERT_EQ(out.at(i), want) << i[0] << "," << i[1] << "," << i[2];
    });
  }
}

TEST(KernelOpsTest, BinaryIntegersAndNaN) {
  Buffer a(DType::I32, {2, 3}), b(DType::I32, {2, 1}), out(DType::I32, {2, 3});
  int32_t as[] = {7, -7, 5, 100, 2147483647, -1};
  int32_t bs[] = {2, 0};
  std::memcpy(a.bytes.data(), as, sizeof(as));
  std::memcpy(b.bytes.data(), bs, sizeof(bs));
  ASSERT_OK(binary(BinaryKind::Div, a.view(), b.view(), out.view()));
  EXPECT_EQ(out.at({0, 0}), 3.0);
  EXPECT_EQ(out.at({0, 1}), -3.0); // truncates toward zero
  EXPECT_EQ(out.at({1, 0}), 0.0);  // x / 0 == 0
  ASSERT_OK(binary(BinaryKind::Add, a.view(), a.view(), out.view()));
  EXPECT_EQ(out.at({1, 1}), -2.0); // wraps
  ASSERT_OK(binary(BinaryKind::Pow, a.view(), b.view(), out.view()));
  EXPECT_EQ(out.at({0, 1}), 49.0);
  EXPECT_EQ(out.at({1, 2}), 1.0);
  // max/min propagate NaN.
  Buffer x(DType::F32, {2}), y(DType::F32, {2}), z(DType::F32, {2});
  float xs[] = {1.0f, NAN}, ys[] = {NAN, 2.0f};
  std::memcpy(x.bytes.data(), xs, sizeof(xs));
  std::memcpy(y.bytes.data(), ys, sizeof(ys));
  ASSERT_OK(binary(BinaryKind::Max, x.view(), y.view(), z.view()));
  EXPECT_TRUE(std::isnan(z.at({0})) && std::isnan(z.at({1})));
  Buffer bad(DType::F32, {3, 2});
  EXPECT_ERROR(binary(BinaryKind::Add, a.view(), bad.view(), out.view()),
               "does not broadcast");
  Buffer rank1(DType::I32, {3});
  EXPECT_ERROR(binary(BinaryKind::Add, rank1.view(), a.view(), out.view()),
               "must have rank 2");
}

TEST(KernelOpsTest, ScalarOps) {
  Buffer in(DType::F32, {4, 3});
  in.randomize(3, -2, 2);
  Buffer out(DType::BF16, {4, 3});
  ASSERT_OK(
      scalar(BinaryKind::Sub, in.view(), 1.0, /*reversed=*/true, out.view()));
  forEachIndex({4, 3}, [&](llvm::ArrayRef<int64_t> i) {
    ASSERT_EQ(out.at(i), roundToDType(1.0 - in.at(i), DType::BF16));
  });
  ASSERT_OK(scalar(BinaryKind::Mul, in.view(), 0.125, false, in.view()));
  ASSERT_OK(scalar(BinaryKind::Max, in.view(), 0.0, false, out.view()));
  forEachIndex({4, 3}, [&](llvm::ArrayRef<int64_t> i) {
    ASSERT_GE(out.at(i), 0.0);
    ASSERT_LE(out.at(i), 0.25);
  });
  Buffer ints(DType::I8, {3});
  int8_t values[] = {-7, 9, 100};
  std::memcpy(ints.bytes.data(), values, 3);
  ASSERT_OK(scalar(BinaryKind::Div, ints.view(), 2.0, false, ints.view()));
  EXPECT_EQ(ints.at({0}), -3.0);
  EXPECT_EQ(ints.at({2}), 50.0);
  ASSERT_OK(scalar(BinaryKind::Div, ints.view(), 100.0, true, ints.view()));
  EXPECT_EQ(ints.at({0}), -33.0);
  EXPECT_EQ(ints.at({1}), 25.0);
}

//===----------------------------------------------------------------------===//
// reduce, cast, fill
//===----------------------------------------------------------------------===//

TEST(KernelOpsTest, ReduceEveryAxis) {
  SmallVector<int64_t> shape = {4, 6, 5};
  Buffer in(DType::BF16, shape);
  in.randomize(21, -3, 3);
  for (int64_t axis = 0; axis < 3; ++axis)
    for (uint32_t k = 0; k <= 2; ++k)
      for (bool accumulate : {false, true}) {
        auto kind = static_cast<ReduceKind>(k);
        SCOPED_TRACE(stringifyReduceKind(kind).str() + " axis " +
                     std::to_string(axis) + (accumulate ? " acc" : ""));
        SmallVector<int64_t> outShape = shape;
        outShape[axis] = 1;
        Buffer out(DType::F32, outShape);
        out.randomize(22, -1, 1);
        Buffer before = out;
        ASSERT_OK(reduce(kind, in.view(), out.view(), axis, accumulate));
        forEachIndex(outShape, [&](llvm::ArrayRef<int64_t> o) {
          double want = accumulate                ? before.at(o)
                        : kind == ReduceKind::Sum ? 0.0
                        : kind == ReduceKind::Max ? -INFINITY
                                                  : INFINITY;
          SmallVector<int64_t> i(o.begin(), o.end());
          for (i[axis] = 0; i[axis] < shape[axis]; ++i[axis]) {
            double x = in.at(i);
            want = kind == ReduceKind::Sum   ? want + x
                   : kind == ReduceKind::Max ? std::max(want, x)
                                             : std::min(want, x);
          }
          ASSERT_EQ(out.at(o), static_cast<float>(want));
        });
      }
}

TEST(KernelOpsTest, ReduceIntegersNaNAndErrors) {
  Buffer in(DType::I8, {2, 3}), out(DType::I32, {2, 1});
  int8_t values[] = {100, 100, 100, -5, 7, -128};
  std::memcpy(in.bytes.data(), values, 6);
  ASSERT_OK(reduce(ReduceKind::Sum, in.view(), out.view(), 1, false));
  EXPECT_EQ(out.at({0, 0}), 300.0);
  EXPECT_EQ(out.at({1, 0}), -126.0);
  ASSERT_OK(reduce(ReduceKind::Min, in.view(), out.view(), 1, true));
  EXPECT_EQ(out.at({0, 0}), 100.0);
  EXPECT_EQ(out.at({1, 0}), -128.0);
  Buffer f(DType::F32, {3}), m(DType::F32, {1});
  float fs[] = {1, NAN, 3};
  std::memcpy(f.bytes.data(), fs, sizeof(fs));
  ASSERT_OK(reduce(ReduceKind::Max, f.view(), m.view(), 0, false));
  EXPECT_TRUE(std::isnan(m.at({0})));
  EXPECT_ERROR(reduce(ReduceKind::Sum, in.view(), out.view(), 0, false),
               "dimension 0 set to 1");
  EXPECT_ERROR(reduce(ReduceKind::Sum, in.view(), out.view(), 2, false),
               "out of range");
}

TEST(KernelOpsTest, CastEveryPair) {
  const double samples[] = {0.0,   -0.0,     1.0,       -1.5,    2.5,   100.7,
                            -300., 448.,     500.,      1e6,     -1e10, 1e-5,
                            NAN,   INFINITY, -INFINITY, 0.333333};
  int64_t n = std::size(samples);
  for (DType from : kAllDTypes)
    for (DType to : kAllDTypes) {
      SCOPED_TRACE(getDTypeName(from).str() + "->" + getDTypeName(to).str());
      Buffer in(from, {n}), out(to, {n});
      for (int64_t i = 0; i < n; ++i)
        storeElement(in.bytes.data() + i * getByteWidth(from), from,
                     samples[i]);
      ASSERT_OK(cast(in.view(), out.view()));
      for (int64_t i = 0; i < n; ++i) {
        double source = in.at({i});
        double want = roundToDType(source, to);
        if (isInteger(from) && isInteger(to) && to != DType::I1)
          want = std::clamp(source, getMinValue(to), getMaxValue(to));
        double got = out.at({i});
        if (std::isnan(want))
          EXPECT_TRUE(std::isnan(got)) << samples[i];
        else
          EXPECT_EQ(got, want) << samples[i];
      }
    }
}

TEST(KernelOpsTest, FillStridedWindow) {
  Buffer buf(DType::F8E4M3FN, {4, 6});
  View window = buf.view().subview({1, 1}, {2, 2}, {2, 3});
  ASSERT_OK(fill(-1000.0, window));
  EXPECT_EQ(buf.at({1, 1}), -448.0); // saturates
  EXPECT_EQ(buf.at({3, 4}), -448.0);
  EXPECT_EQ(buf.at({2, 1}), 0.0);
  EXPECT_EQ(buf.at({1, 2}), 0.0);
  Buffer ints(DType::I32, {2});
  ASSERT_OK(fill(-INFINITY, ints.view()));
  EXPECT_EQ(ints.at({0}), -2147483648.0);
}

} // namespace
