//===- GraphOpsTest.cpp - graph-level kernels against plain loops ---------===//
//
// Ensures batched matmul, conv2d (every layout, strides, padding, dilation,
// groups, depthwise), pool2d, transpose and softmax compute what direct
// loops compute, on odd shapes and several dtypes, and reject bad shapes.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/GraphOps.h"

#include "KernelTestUtils.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace gaon::kernels;
using namespace gaon::kernels::testing;
using llvm::ArrayRef;
using llvm::SmallVector;

namespace {

TEST(GraphOpsTest, BatchMatmulBroadcastsBatches) {
  Buffer lhs(DType::BF16, {2, 1, 3, 4}), rhs(DType::F32, {1, 3, 5, 4});
  lhs.randomize(1);
  rhs.randomize(2);
  Buffer out(DType::F32, {2, 3, 3, 5});
  out.randomize(3);
  Buffer before = out;
  // rhs is stored [..., N, K]: pass it transposed through a view.
  View rhsT = rhs.view().permute({0, 1, 3, 2});
  ASSERT_OK(batchMatmul(lhs.view(), rhsT, out.view(), /*accumulate=*/true));
  forEachIndex({2, 3, 3, 5}, [&](ArrayRef<int64_t> i) {
    double sum = before.at(i);
    for (int64_t k = 0; k < 4; ++k)
      sum += lhs.at({i[0], 0, i[2], k}) * rhs.at({0, i[1], i[3], k});
    ASSERT_NEAR(out.at(i), sum, 1e-5);
  });
  Buffer ints(DType::I8, {3, 2, 2}), intOut(DType::I32, {3, 2, 2});
  ints.randomize(4, -100, 100);
  ASSERT_OK(batchMatmul(ints.view(), ints.view(), intOut.view(), false));
  forEachIndex({3, 2, 2}, [&](ArrayRef<int64_t> i) {
    double sum = 0;
    for (int64_t k = 0; k < 2; ++k)
      sum += ints.at({i[0], i[1], k}) * ints.at({i[0], k, i[2]});
    ASSERT_EQ(intOut.at(i), sum);
  });
  Buffer bad(DType::F32, {3, 1, 3, 4});
  EXPECT_ERROR(batchMatmul(bad.view(), rhsT, out.view(), false),
               "batch dimension 0 of lhs");
}

/// A convolution case in canonical terms.
struct ConvCase {
  ConvLayout layout;
  int64_t n, h, w, c, f, kh, kw, groups;
  Window2D window;
  DType input = DType::F32, output = DType::F32;
  bool accumulate = false;
};

/// Runs conv2d and compares with a direct 7-deep loop.
void checkConv(const ConvCase &t) {
  int64_t cg = t.c / t.groups, fg = t.f / t.groups;
  auto outSize = [](int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0,
                    int64_t p1) {
    return (in + p0 + p1 - d * (k - 1) - 1) / s + 1;
  };
  int64_t oh = outSize(t.h, t.kh, t.window.strides[0], t.window.dilations[0],
                       t.window.padding[0], t.window.padding[2]);
  int64_t ow = outSize(t.w, t.kw, t.window.strides[1], t.window.dilations[1],
                       t.window.padding[1], t.window.padding[3]);
  bool nchw = t.layout == ConvLayout::NCHW_FCHW;
  SmallVector<int64_t> inShape = nchw
                                     ? SmallVector<int64_t>{t.n, t.c, t.h, t.w}
                                     : SmallVector<int64_t>{t.n, t.h, t.w, t.c};
  SmallVector<int64_t> filterShape =
      t.layout == ConvLayout::NHWC_HWCF
          ? SmallVector<int64_t>{t.kh, t.kw, cg, t.f}
      : t.layout == ConvLayout::NHWC_FHWC
          ? SmallVector<int64_t>{t.f, t.kh, t.kw, cg}
          : SmallVector<int64_t>{t.f, cg, t.kh, t.kw};
  SmallVector<int64_t> outShape = nchw ? SmallVector<int64_t>{t.n, t.f, oh, ow}
                                       : SmallVector<int64_t>{t.n, oh, ow, t.f};
  bool isInt = isInteger(t.input);
  Buffer in(t.input, inShape), filter(t.input, filterShape),
      out(t.output, outShape);
  in.randomize(7, isInt ? -50 : -1, isInt ? 50 : 1);
  filter.randomize(8, isInt ? -50 : -1, isInt ? 50 : 1);
  out.randomize(9, isInt ? -50 : -1, isInt ? 50 : 1);
  Buffer before = out;
  auto input = [&](int64_t n, int64_t y, int64_t x, int64_t c) {
    return nchw ? in.at({n, c, y, x}) : in.at({n, y, x, c});
  };
  auto weight = [&](int64_t i, int64_t j, int64_t c, int64_t f) {
    switch (t.layout) {
    case ConvLayout::NHWC_HWCF:
      return filter.at({i, j, c, f});
    case ConvLayout::NHWC_FHWC:
      return filter.at({f, i, j, c});
    default:
      return filter.at({f, c, i, j});
    }
  };
  auto outAt = [&](Buffer &b, int64_t n, int64_t y, int64_t x, int64_t f) {
    return nchw ? b.at({n, f, y, x}) : b.at({n, y, x, f});
  };
  ASSERT_OK(conv2d(t.layout, in.view(), filter.view(), out.view(), t.window,
                   t.groups, t.accumulate));
  for (int64_t n = 0; n < t.n; ++n)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t f = 0; f < t.f; ++f) {
          int64_t g = f / fg;
          double sum = t.accumulate ? outAt(before, n, y, x, f) : 0.0;
          double scale = std::fabs(sum);
          for (int64_t i = 0; i < t.kh; ++i)
            for (int64_t j = 0; j < t.kw; ++j)
              for (int64_t c = 0; c < cg; ++c) {
                int64_t iy = y * t.window.strides[0] - t.window.padding[0] +
                             i * t.window.dilations[0];
                int64_t ix = x * t.window.strides[1] - t.window.padding[1] +
                             j * t.window.dilations[1];
                if (iy < 0 || iy >= t.h || ix < 0 || ix >= t.w)
                  continue;
                double p = input(n, iy, ix, g * cg + c) * weight(i, j, c, f);
                sum += p;
                scale += std::fabs(p);
              }
          double got = outAt(out, n, y, x, f);
          if (isInt)
            ASSERT_EQ(got, sum);
          else
            ASSERT_NEAR(got, sum,
                        1e-6 * scale + unitRoundoff(t.output) * std::fabs(sum))
                << n << "," << y << "," << x << "," << f;
        }
}

TEST(GraphOpsTest, Conv2DLayoutsAndWindows) {
  Window2D plain;
  Window2D strided{{2, 3}, {1, 1}, {1, 2, 0, 1}};
  Window2D dilated{{1, 2}, {2, 3}, {2, 2, 1, 3}};
  for (ConvLayout layout :
       {ConvLayout::NHWC_HWCF, ConvLayout::NHWC_FHWC, ConvLayout::NCHW_FCHW}) {
    SCOPED_TRACE(static_cast<int>(layout));
    checkConv({layout, 2, 7, 9, 3, 5, 3, 2, 1, plain});
    checkConv({layout, 1, 11, 8, 4, 6, 3, 3, 1, strided});
    checkConv({layout, 2, 10, 13, 6, 4, 2, 3, 2, dilated});
    checkConv({layout, 1, 5, 5, 2, 3, 1, 1, 1, plain});
  }
}

TEST(GraphOpsTest, Conv2DGroupsDtypesAccumulate) {
  Window2D pad1{{1, 1}, {1, 1}, {1, 1, 1, 1}};
  // Depthwise: groups == channels.
  checkConv({ConvLayout::NHWC_HWCF, 2, 6, 7, 8, 8, 3, 3, 8, pad1});
  checkConv(
      {ConvLayout::NCHW_FCHW, 1, 6, 7, 4, 12, 3, 3, 4, pad1}); // multiplier 3
  checkConv({ConvLayout::NCHW_FCHW, 1, 9, 9, 6, 9, 3, 3, 3,
             Window2D{{2, 2}, {1, 1}, {1, 1, 1, 1}}});
  checkConv({ConvLayout::NHWC_HWCF, 1, 6, 6, 4, 4, 3, 3, 1, pad1, DType::BF16,
             DType::F32, true});
  checkConv({ConvLayout::NHWC_FHWC, 1, 6, 6, 4, 4, 3, 3, 2, pad1, DType::F16,
             DType::F16});
  checkConv({ConvLayout::NHWC_HWCF, 2, 5, 6, 3, 4, 3, 2, 1, pad1, DType::I8,
             DType::I32, true});
  // A ResNet-shaped layer (im2col + parallel GEMM path).
  checkConv({ConvLayout::NHWC_HWCF, 1, 28, 28, 32, 48, 3, 3, 1, pad1});
}

TEST(GraphOpsTest, Conv2DDepthwiseMultiplierThroughGroupedForm) {
  // linalg.depthwise_conv_2d_nhwc_hwcm: filter [KH, KW, C, M], output
  // [N, OH, OW, C, M] are views of the grouped form.
  int64_t c = 3, m = 2;
  Buffer in(DType::F32, {1, 5, 5, c}), filter(DType::F32, {3, 3, c, m}),
      out(DType::F32, {1, 3, 3, c, m});
  in.randomize(1);
  filter.randomize(2);
  View groupedIn = in.view().splitDim(3, {c, 1});
  View groupedFilter = filter.view().permute({2, 0, 1, 3}).insertUnitDim(3);
  ASSERT_OK(
      conv2dGrouped(groupedIn, groupedFilter, out.view(), Window2D(), false));
  forEachIndex({1, 3, 3, c, m}, [&](ArrayRef<int64_t> o) {
    double sum = 0;
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 3; ++j)
        sum += in.at({0, o[1] + i, o[2] + j, o[3]}) *
               filter.at({i, j, o[3], o[4]});
    ASSERT_NEAR(out.at(o), sum, 1e-5);
  });
}

TEST(GraphOpsTest, Conv2DRejectsBadShapes) {
  Buffer in(DType::F32, {1, 5, 5, 4}), filter(DType::F32, {3, 3, 4, 2}),
      out(DType::F32, {1, 4, 4, 2});
  EXPECT_ERROR(conv2d(ConvLayout::NHWC_HWCF, in.view(), filter.view(),
                      out.view(), Window2D(), 1, false),
               "expected output [1x3x3x1x2]");
  Buffer out3(DType::F32, {1, 3, 3, 2});
  EXPECT_ERROR(conv2d(ConvLayout::NHWC_HWCF, in.view(), filter.view(),
                      out3.view(), Window2D(), 3, false),
               "3 groups do not fit");
  EXPECT_ERROR(conv2d(ConvLayout::NHWC_HWCF, in.view(), filter.view(),
                      out3.view(), Window2D{{0, 1}, {1, 1}, {0, 0, 0, 0}}, 1,
                      false),
               "strides and dilations must be positive");
}

/// Runs pool2d and compares with direct loops.
void checkPool(PoolKind kind, PoolLayout layout, int64_t n, int64_t h,
               int64_t w, int64_t c, PoolOptions options, bool ceil = false,
               bool accumulate = false) {
  SCOPED_TRACE(static_cast<int>(kind));
  const Window2D &win = options.window;
  auto outSize = [&](int64_t d, int64_t in) {
    int64_t span = in + win.padding[d] + win.padding[d + 2] -
                   win.dilations[d] * (options.size[d] - 1) - 1;
    return span / win.strides[d] + 1 + (ceil ? 1 : 0);
  };
  int64_t oh = outSize(0, h), ow = outSize(1, w);
  bool nchw = layout == PoolLayout::NCHW;
  Buffer in(DType::F32, nchw ? SmallVector<int64_t>{n, c, h, w}
                             : SmallVector<int64_t>{n, h, w, c});
  Buffer out(DType::F32, nchw ? SmallVector<int64_t>{n, c, oh, ow}
                              : SmallVector<int64_t>{n, oh, ow, c});
  in.randomize(31, -5, 5);
  out.randomize(32, -5, 5);
  Buffer before = out;
  ASSERT_OK(pool2d(kind, layout, in.view(), out.view(), options, accumulate));
  auto at = [&](Buffer &b, int64_t i, int64_t y, int64_t x, int64_t ch) {
    return nchw ? b.at({i, ch, y, x}) : b.at({i, y, x, ch});
  };
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t ch = 0; ch < c; ++ch) {
          double best = kind == PoolKind::Max   ? -INFINITY
                        : kind == PoolKind::Min ? INFINITY
                                                : 0;
          int64_t count = 0, padded = 0;
          for (int64_t a = 0; a < options.size[0]; ++a)
            for (int64_t b = 0; b < options.size[1]; ++b) {
              int64_t iy =
                  y * win.strides[0] - win.padding[0] + a * win.dilations[0];
              int64_t ix =
                  x * win.strides[1] - win.padding[1] + b * win.dilations[1];
              if (iy < h + win.padding[2] && ix < w + win.padding[3])
                ++padded;
              if (iy < 0 || ix < 0 || iy >= h || ix >= w)
                continue;
              double v = at(in, i, iy, ix, ch);
              ++count;
              best = kind == PoolKind::Max   ? std::max(best, v)
                     : kind == PoolKind::Min ? std::min(best, v)
                                             : best + v;
            }
          if (kind == PoolKind::Avg)
            best /= options.countIncludePad ? padded : count;
          if (accumulate) {
            double old = at(before, i, y, x, ch);
            best = kind == PoolKind::Max   ? std::max(best, old)
                   : kind == PoolKind::Min ? std::min(best, old)
                                           : best + old;
          }
          ASSERT_NEAR(at(out, i, y, x, ch), best, 1e-5)
              << i << "," << y << "," << x << "," << ch;
        }
}

TEST(GraphOpsTest, Pool2D) {
  PoolOptions simple{{2, 2}, Window2D{{2, 2}, {1, 1}, {0, 0, 0, 0}}, false};
  PoolOptions padded{{3, 3}, Window2D{{2, 1}, {1, 1}, {1, 1, 1, 1}}, false};
  PoolOptions dilated{{2, 3}, Window2D{{1, 2}, {2, 2}, {0, 1, 2, 0}}, false};
  for (PoolKind kind :
       {PoolKind::Max, PoolKind::Min, PoolKind::Sum, PoolKind::Avg})
    for (PoolLayout layout : {PoolLayout::NHWC, PoolLayout::NCHW}) {
      checkPool(kind, layout, 2, 6, 7, 3, simple);
      checkPool(kind, layout, 1, 9, 8, 2, padded);
      checkPool(kind, layout, 2, 9, 10, 3, dilated);
    }
  PoolOptions includePad = padded;
  includePad.countIncludePad = true;
  checkPool(PoolKind::Avg, PoolLayout::NCHW, 1, 7, 7, 2, includePad);
  // Ceil mode: one more window that hangs over the end.
  checkPool(PoolKind::Max, PoolLayout::NCHW, 1, 7, 7, 2, simple, true);
  checkPool(PoolKind::Avg, PoolLayout::NHWC, 1, 7, 7, 2, simple, true);
  checkPool(PoolKind::Max, PoolLayout::NHWC, 2, 6, 6, 3, padded, false, true);
  checkPool(PoolKind::Sum, PoolLayout::NHWC, 2, 6, 6, 3, padded, false, true);
  Buffer in(DType::F32, {1, 4, 4, 1}), out(DType::F32, {1, 4, 4, 1});
  EXPECT_ERROR(pool2d(PoolKind::Max, PoolLayout::NHWC, in.view(), out.view(),
                      simple, false),
               "does not match input");
}

TEST(GraphOpsTest, Transpose) {
  Buffer in(DType::I32, {2, 3, 4, 5});
  in.randomize(1, -1000, 1000);
  Buffer out(DType::F32, {4, 2, 5, 3});
  ASSERT_OK(transpose(in.view(), out.view(), {2, 0, 3, 1}));
  forEachIndex({4, 2, 5, 3}, [&](ArrayRef<int64_t> i) {
    ASSERT_EQ(out.at(i), in.at({i[1], i[3], i[0], i[2]}));
  });
  EXPECT_ERROR(transpose(in.view(), out.view(), {2, 0, 3, 3}),
               "not a permutation");
  EXPECT_ERROR(transpose(in.view(), out.view(), {0, 1, 2, 3}),
               "differ in shape");
}

TEST(GraphOpsTest, SoftmaxEveryAxis) {
  SmallVector<int64_t> shape = {3, 4, 5};
  Buffer in(DType::F32, shape);
  in.randomize(3, -50, 1000); // large values: needs the max subtraction
  for (int64_t axis = 0; axis < 3; ++axis) {
    Buffer out(DType::BF16, shape);
    ASSERT_OK(softmax(in.view(), out.view(), axis));
    forEachIndex(shape, [&](ArrayRef<int64_t> index) {
      SmallVector<int64_t> i(index.begin(), index.end());
      double max = -INFINITY;
      for (i[axis] = 0; i[axis] < shape[axis]; ++i[axis])
        max = std::max(max, in.at(i));
      double sum = 0;
      for (i[axis] = 0; i[axis] < shape[axis]; ++i[axis])
        sum += std::exp(in.at(i) - max);
      double want = std::exp(in.at(index) - max) / sum;
      ASSERT_EQ(out.at(index), roundToDType(want, DType::BF16));
      ASSERT_FALSE(std::isnan(out.at(index)));
    });
  }
  Buffer out(DType::F32, shape);
  EXPECT_ERROR(softmax(in.view(), out.view(), 3), "out of range");
}

} // namespace
