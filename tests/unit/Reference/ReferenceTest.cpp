//===- ReferenceTest.cpp - the CPU reference executor on MLIR snippets ----===//
//
// Ensures the executor computes what hand-written loops compute on the
// graph-level IR that frontends emit: an MLP, an attention block with
// softmax spelled as generics (as torch-mlir emits it), layer norm, a conv
// + pool block, contraction forms, a TOSA function, tensor ops, control
// flow and globals, integer semantics, dynamic shapes; and that an op it
// cannot run is an error naming the op and its location.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include "gaon/Kernels/DType.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace gaon::runtime;
using namespace gaon::runtime::testing;
using gaon::kernels::DType;

namespace {

class ReferenceTest : public ReferenceFixture {};

/// Row-major element of a rank-2 or rank-3 tensor.
double at2(const HostTensor &t, int64_t i, int64_t j) {
  return t.getDouble(i * t.getShape()[1] + j);
}
double at3(const HostTensor &t, int64_t a, int64_t i, int64_t j) {
  return t.getDouble((a * t.getShape()[1] + i) * t.getShape()[2] + j);
}

constexpr const char *kMlp = R"mlir(
#id = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
func.func @mlp(%x: tensor<4x8xf32>, %w1: tensor<8x16xf32>, %b1: tensor<16xf32>,
               %w2: tensor<16x3xf32>) -> tensor<4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>)
                     outs(%z1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #col, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h, %b1 : tensor<4x16xf32>, tensor<16xf32>) outs(%e1 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x3xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<4x16xf32>, tensor<16x3xf32>)
                     outs(%z2 : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
)mlir";

TEST_F(ReferenceTest, Mlp) {
  HostTensor x = HostTensor::random(DType::F32, {4, 8}, 1);
  HostTensor w1 = HostTensor::random(DType::F32, {8, 16}, 2);
  HostTensor b1 = HostTensor::random(DType::F32, {16}, 3);
  HostTensor w2 = HostTensor::random(DType::F32, {16, 3}, 4);
  reference::ExecuteStats stats;
  reference::ExecuteOptions options;
  options.stats = &stats;
  ASSERT_EXPECTED(results, run(kMlp, "mlp", {x, w1, b1, w2}, options));
  // Fills and matmuls on the kernels, the bias+relu generic interpreted.
  EXPECT_EQ(stats.ops, 8);
  EXPECT_EQ(stats.linalgOnKernels, 4);
  EXPECT_EQ(stats.linalgInterpreted, 1);
  ASSERT_EQ(results.size(), 1u);
  std::vector<double> want;
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 3; ++k) {
      double y = 0;
      for (int j = 0; j < 16; ++j) {
        double h = b1.getDouble(j);
        for (int p = 0; p < 8; ++p)
          h += at2(x, i, p) * at2(w1, p, j);
        y += std::max(h, 0.0) * at2(w2, j, k);
      }
      want.push_back(y);
    }
  EXPECT_EQ(results[0].getTypeString(), "f32[4x3]");
  expectClose(results[0], want, 1e-5);
}

constexpr const char *kAttention = R"mlir(
#id = affine_map<(b, i, j) -> (b, i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
func.func @attention(%q: tensor<2x5x4xf32>, %k: tensor<2x5x4xf32>,
                     %v: tensor<2x5x4xf32>) -> tensor<2x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant 0.5 : f32
  %kt0 = tensor.empty() : tensor<2x4x5xf32>
  %kt = linalg.transpose ins(%k : tensor<2x5x4xf32>)
                         outs(%kt0 : tensor<2x4x5xf32>) permutation = [0, 2, 1]
  %s0 = tensor.empty() : tensor<2x5x5xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x5x4xf32>, tensor<2x4x5xf32>)
                           outs(%sz : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %ss = linalg.generic {indexing_maps = [#id, #id],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x5x5xf32>) outs(%s0 : tensor<2x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.mulf %in, %scale : f32
    linalg.yield %r : f32
  } -> tensor<2x5x5xf32>
  %m0 = tensor.empty() : tensor<2x5xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%m0 : tensor<2x5xf32>) -> tensor<2x5xf32>
  %m = linalg.generic {indexing_maps = [#id, #row],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ss : tensor<2x5x5xf32>) outs(%mi : tensor<2x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<2x5xf32>
  %e = linalg.generic {indexing_maps = [#id, #row, #id],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ss, %m : tensor<2x5x5xf32>, tensor<2x5xf32>) outs(%s0 : tensor<2x5x5xf32>) {
  ^bb0(%in: f32, %max: f32, %out: f32):
    %d = arith.subf %in, %max : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<2x5x5xf32>
  %zi = linalg.fill ins(%zero : f32) outs(%m0 : tensor<2x5xf32>) -> tensor<2x5xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row],
                         iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%e : tensor<2x5x5xf32>) outs(%zi : tensor<2x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<2x5xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%e, %sum : tensor<2x5x5xf32>, tensor<2x5xf32>) outs(%s0 : tensor<2x5x5xf32>) {
  ^bb0(%in: f32, %total: f32, %out: f32):
    %r = arith.divf %in, %total : f32
    linalg.yield %r : f32
  } -> tensor<2x5x5xf32>
  %o0 = tensor.empty() : tensor<2x5x4xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x5x4xf32>) -> tensor<2x5x4xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x5x5xf32>, tensor<2x5x4xf32>)
                           outs(%oz : tensor<2x5x4xf32>) -> tensor<2x5x4xf32>
  return %o : tensor<2x5x4xf32>
}
)mlir";

TEST_F(ReferenceTest, AttentionWithSoftmaxAsGenerics) {
  HostTensor q = HostTensor::random(DType::F32, {2, 5, 4}, 10, {-2, 2});
  HostTensor k = HostTensor::random(DType::F32, {2, 5, 4}, 11, {-2, 2});
  HostTensor v = HostTensor::random(DType::F32, {2, 5, 4}, 12);
  ASSERT_EXPECTED(results, run(kAttention, "attention", {q, k, v}));
  std::vector<double> want;
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 5; ++i) {
      double scores[5], max = -INFINITY, sum = 0;
      for (int j = 0; j < 5; ++j) {
        scores[j] = 0;
        for (int d = 0; d < 4; ++d)
          scores[j] += at3(q, b, i, d) * at3(k, b, j, d);
        scores[j] *= 0.5;
        max = std::max(max, scores[j]);
      }
      for (double &s : scores)
        sum += (s = std::exp(s - max));
      for (int d = 0; d < 4; ++d) {
        double o = 0;
        for (int j = 0; j < 5; ++j)
          o += scores[j] / sum * at3(v, b, j, d);
        want.push_back(o);
      }
    }
  expectClose(results[0], want, 1e-5);
}

TEST_F(ReferenceTest, SoftmaxOpAndDumpCallback) {
  const char *source = R"mlir(
func.func @softmax(%x: tensor<3x7xf32>) -> tensor<3x7xf32> {
  %e = tensor.empty() : tensor<3x7xf32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<3x7xf32>)
                                   outs(%e : tensor<3x7xf32>) -> tensor<3x7xf32>
  return %s : tensor<3x7xf32>
}
)mlir";
  HostTensor x = HostTensor::random(DType::F32, {3, 7}, 5, {-5, 5});
  std::vector<std::string> names;
  reference::ExecuteOptions options;
  options.onOpExecuted = [&](mlir::Operation *op,
                             llvm::ArrayRef<HostTensor> values) {
    names.push_back(op->getName().getStringRef().str() + ":" +
                    (values.empty() ? "" : values[0].getTypeString()));
  };
  ASSERT_EXPECTED(results, run(source, "softmax", {x}, options));
  EXPECT_EQ(names, (std::vector<std::string>{"tensor.empty:f32[3x7]",
                                             "linalg.softmax:f32[3x7]"}));
  for (int i = 0; i < 3; ++i) {
    double max = -INFINITY, sum = 0;
    for (int j = 0; j < 7; ++j)
      max = std::max(max, at2(x, i, j));
    for (int j = 0; j < 7; ++j)
      sum += std::exp(at2(x, i, j) - max);
    for (int j = 0; j < 7; ++j)
      ASSERT_NEAR(at2(results[0], i, j), std::exp(at2(x, i, j) - max) / sum,
                  1e-6);
  }
}

constexpr const char *kLayerNorm = R"mlir(
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#col = affine_map<(i, j) -> (j)>
#vec = affine_map<(i) -> (i)>
func.func @layer_norm(%x: tensor<3x8xf32>, %gamma: tensor<8xf32>,
                      %beta: tensor<8xf32>) -> tensor<3x8xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 8.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %r0 = tensor.empty() : tensor<3xf32>
  %rz = linalg.fill ins(%zero : f32) outs(%r0 : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.reduce ins(%x : tensor<3x8xf32>) outs(%rz : tensor<3xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]}
      ins(%sum : tensor<3xf32>) outs(%r0 : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.divf %in, %n : f32
    linalg.yield %m : f32
  } -> tensor<3xf32>
  %e = tensor.empty() : tensor<3x8xf32>
  %centered = linalg.generic {indexing_maps = [#id, #row, #id],
                              iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean : tensor<3x8xf32>, tensor<3xf32>) outs(%e : tensor<3x8xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %c = arith.subf %in, %m : f32
    linalg.yield %c : f32
  } -> tensor<3x8xf32>
  %var = linalg.generic {indexing_maps = [#id, #row],
                         iterator_types = ["parallel", "reduction"]}
      ins(%centered : tensor<3x8xf32>) outs(%rz : tensor<3xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #col, #col, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%centered, %var, %gamma, %beta : tensor<3x8xf32>, tensor<3xf32>,
          tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<3x8xf32>) {
  ^bb0(%c: f32, %v: f32, %g: f32, %b: f32, %out: f32):
    %vn = arith.divf %v, %n : f32
    %ve = arith.addf %vn, %eps : f32
    %rs = math.rsqrt %ve : f32
    %t = arith.mulf %c, %rs : f32
    %tg = arith.mulf %t, %g : f32
    %r = arith.addf %tg, %b : f32
    linalg.yield %r : f32
  } -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}
)mlir";

TEST_F(ReferenceTest, LayerNorm) {
  HostTensor x = HostTensor::random(DType::F32, {3, 8}, 21, {-3, 3});
  HostTensor gamma = HostTensor::random(DType::F32, {8}, 22);
  HostTensor beta = HostTensor::random(DType::F32, {8}, 23);
  ASSERT_EXPECTED(results, run(kLayerNorm, "layer_norm", {x, gamma, beta}));
  std::vector<double> want;
  for (int i = 0; i < 3; ++i) {
    double mean = 0, var = 0;
    for (int j = 0; j < 8; ++j)
      mean += at2(x, i, j) / 8;
    for (int j = 0; j < 8; ++j)
      var += (at2(x, i, j) - mean) * (at2(x, i, j) - mean) / 8;
    for (int j = 0; j < 8; ++j)
      want.push_back((at2(x, i, j) - mean) / std::sqrt(var + 1e-5) *
                         gamma.getDouble(j) +
                     beta.getDouble(j));
  }
  expectClose(results[0], want, 1e-5);
}

constexpr const char *kConvPool = R"mlir(
#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @conv_pool(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                     %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %bias = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<1x4x8x8xf32>)
                           dimensions = [0, 2, 3]
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                                    strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>)
      outs(%bias : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %relu = linalg.generic {indexing_maps = [#id4, #id4],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %pe = tensor.empty() : tensor<1x4x4x4xf32>
  %pi = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>,
                                   strides = dense<2> : tensor<2xi64>}
      ins(%relu, %window : tensor<1x4x8x8xf32>, tensor<2x2xf32>)
      outs(%pi : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %pool : tensor<1x4x4x4xf32>
}
)mlir";

TEST_F(ReferenceTest, ConvPoolBlock) {
  HostTensor x = HostTensor::random(DType::F32, {1, 3, 8, 8}, 31);
  HostTensor w = HostTensor::random(DType::F32, {4, 3, 3, 3}, 32);
  HostTensor b = HostTensor::random(DType::F32, {4}, 33);
  reference::ExecuteStats stats;
  reference::ExecuteOptions options;
  options.stats = &stats;
  ASSERT_EXPECTED(results, run(kConvPool, "conv_pool", {x, w, b}, options));
  // broadcast, conv, fill and pool on the kernels; relu interpreted.
  EXPECT_EQ(stats.linalgOnKernels, 4);
  EXPECT_EQ(stats.linalgInterpreted, 1);
  auto input = [&](int c, int h, int wi) {
    return (h < 0 || h >= 8 || wi < 0 || wi >= 8)
               ? 0.0
               : x.getDouble((c * 8 + h) * 8 + wi);
  };
  auto conv = [&](int f, int h, int wi) {
    double s = b.getDouble(f);
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          s += input(c, h + i - 1, wi + j - 1) *
               w.getDouble(((f * 3 + c) * 3 + i) * 3 + j);
    return std::max(s, 0.0);
  };
  std::vector<double> want;
  for (int f = 0; f < 4; ++f)
    for (int h = 0; h < 4; ++h)
      for (int wi = 0; wi < 4; ++wi)
        want.push_back(std::max(
            {conv(f, 2 * h, 2 * wi), conv(f, 2 * h + 1, 2 * wi),
             conv(f, 2 * h, 2 * wi + 1), conv(f, 2 * h + 1, 2 * wi + 1)}));
  expectClose(results[0], want, 1e-5);
}

constexpr const char *kConvForms = R"mlir(
#in = affine_map<(n, oh, ow, c, kh, kw) -> (n, oh * 2 + kh * 2, ow * 2 + kw * 2, c)>
#fil = affine_map<(n, oh, ow, c, kh, kw) -> (kh, kw, c)>
#out = affine_map<(n, oh, ow, c, kh, kw) -> (n, oh, ow, c)>
func.func @depthwise(%x: tensor<2x9x9x5xf32>, %w: tensor<2x2x5xf32>)
    -> (tensor<2x4x4x5xf32>, tensor<2x4x4x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4x5xf32>) -> tensor<2x4x4x5xf32>
  %named = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<2> : tensor<2xi64>,
                                              strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<2x9x9x5xf32>, tensor<2x2x5xf32>)
      outs(%z : tensor<2x4x4x5xf32>) -> tensor<2x4x4x5xf32>
  %generic = linalg.generic {indexing_maps = [#in, #fil, #out],
      iterator_types = ["parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction"]}
      ins(%x, %w : tensor<2x9x9x5xf32>, tensor<2x2x5xf32>)
      outs(%z : tensor<2x4x4x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x4x5xf32>
  return %named, %generic : tensor<2x4x4x5xf32>, tensor<2x4x4x5xf32>
}
)mlir";

TEST_F(ReferenceTest, DepthwiseNamedAndGenericAgree) {
  HostTensor x = HostTensor::random(DType::F32, {2, 9, 9, 5}, 41);
  HostTensor w = HostTensor::random(DType::F32, {2, 2, 5}, 42);
  reference::ExecuteStats stats;
  reference::ExecuteOptions options;
  options.stats = &stats;
  ASSERT_EXPECTED(results, run(kConvForms, "depthwise", {x, w}, options));
  // The fill and the named op on kernels, the generic interpreted.
  EXPECT_EQ(stats.linalgOnKernels, 2);
  EXPECT_EQ(stats.linalgInterpreted, 1);
  std::vector<double> want;
  for (int n = 0; n < 2; ++n)
    for (int oh = 0; oh < 4; ++oh)
      for (int ow = 0; ow < 4; ++ow)
        for (int c = 0; c < 5; ++c) {
          double s = 0;
          for (int kh = 0; kh < 2; ++kh)
            for (int kw = 0; kw < 2; ++kw)
              s += x.getDouble(
                       ((n * 9 + oh * 2 + kh * 2) * 9 + ow * 2 + kw * 2) * 5 +
                       c) *
                   w.getDouble((kh * 2 + kw) * 5 + c);
          want.push_back(s);
        }
  expectClose(results[0], want, 1e-5);
  expectClose(results[1], want, 1e-5);
}

constexpr const char *kContractions = R"mlir(
#a = affine_map<(m, n, k) -> (k, m)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @forms(%at: tensor<6x5xf32>, %bt: tensor<7x6xf32>,
                 %x8: tensor<5x6xi8>, %y8: tensor<6x7xi8>,
                 %xb: tensor<5x6xbf16>, %yb: tensor<6x7xbf16>)
    -> (tensor<5x7xf32>, tensor<5x7xf32>, tensor<5x7xi32>, tensor<5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %izero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<5x7xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<5x7xf32>) -> tensor<5x7xf32>
  // Both operands transposed through indexing_maps.
  %t = linalg.matmul indexing_maps = [#a, #b, #c]
      ins(%at, %bt : tensor<6x5xf32>, tensor<7x6xf32>)
      outs(%z : tensor<5x7xf32>) -> tensor<5x7xf32>
  // The same contraction as a generic.
  %g = linalg.generic {indexing_maps = [#a, #b, #c],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%at, %bt : tensor<6x5xf32>, tensor<7x6xf32>) outs(%z : tensor<5x7xf32>) {
  ^bb0(%l: f32, %r: f32, %acc: f32):
    %p = arith.mulf %l, %r : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<5x7xf32>
  // i8 x i8 -> i32 with sign extension in the payload.
  %ei = tensor.empty() : tensor<5x7xi32>
  %zi = linalg.fill ins(%izero : i32) outs(%ei : tensor<5x7xi32>) -> tensor<5x7xi32>
  %i = linalg.matmul ins(%x8, %y8 : tensor<5x6xi8>, tensor<6x7xi8>)
                     outs(%zi : tensor<5x7xi32>) -> tensor<5x7xi32>
  // bf16 inputs widened to an f32 accumulator.
  %f = linalg.matmul ins(%xb, %yb : tensor<5x6xbf16>, tensor<6x7xbf16>)
                     outs(%z : tensor<5x7xf32>) -> tensor<5x7xf32>
  return %t, %g, %i, %f : tensor<5x7xf32>, tensor<5x7xf32>, tensor<5x7xi32>, tensor<5x7xf32>
}
)mlir";

TEST_F(ReferenceTest, ContractionForms) {
  HostTensor at = HostTensor::random(DType::F32, {6, 5}, 51);
  HostTensor bt = HostTensor::random(DType::F32, {7, 6}, 52);
  HostTensor x8 = HostTensor::random(DType::I8, {5, 6}, 53, {-128, 127});
  HostTensor y8 = HostTensor::random(DType::I8, {6, 7}, 54, {-128, 127});
  HostTensor xb = HostTensor::random(DType::BF16, {5, 6}, 55);
  HostTensor yb = HostTensor::random(DType::BF16, {6, 7}, 56);
  reference::ExecuteStats stats;
  reference::ExecuteOptions options;
  options.stats = &stats;
  ASSERT_EXPECTED(
      results, run(kContractions, "forms", {at, bt, x8, y8, xb, yb}, options));
  // Two fills and all four contractions (the generic too) on the GEMM.
  EXPECT_EQ(stats.linalgOnKernels, 6);
  EXPECT_EQ(stats.linalgInterpreted, 0);
  std::vector<double> wantF, wantI, wantB;
  for (int m = 0; m < 5; ++m)
    for (int n = 0; n < 7; ++n) {
      double f = 0, b = 0;
      int64_t i = 0;
      for (int k = 0; k < 6; ++k) {
        f += at2(at, k, m) * at2(bt, n, k);
        i += x8.getInt64(m * 6 + k) * y8.getInt64(k * 7 + n);
        b += at2(xb, m, k) * at2(yb, k, n);
      }
      wantF.push_back(f);
      wantI.push_back(static_cast<double>(i));
      wantB.push_back(b);
    }
  expectClose(results[0], wantF, 1e-5);
  expectClose(results[1], wantF, 1e-5);
  expectClose(results[2], wantI, 0);
  expectClose(results[3], wantB, 1e-5);
}

constexpr const char *kTosa = R"mlir(
func.func @tosa(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %w: tensor<1x3x4xf32>)
    -> (tensor<2x1xf32>, tensor<1x2x4xf32>) {
  %0 = tosa.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = tosa.exp %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = tosa.reduce_sum %1 {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %shape = tosa.const_shape {values = dense<[1, 2, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %3 = tosa.reshape %0, %shape : (tensor<2x3xf32>, !tosa.shape<3>) -> tensor<1x2x3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %4 = tosa.matmul %3, %w, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x4xf32>,
      tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %5 = tosa.clamp %4 {min_val = 0.0 : f32, max_val = 0.5 : f32}
      : (tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  return %2, %5 : tensor<2x1xf32>, tensor<1x2x4xf32>
}
)mlir";

TEST_F(ReferenceTest, TosaFunctionThroughUpstreamLowering) {
  HostTensor a = HostTensor::random(DType::F32, {2, 3}, 61);
  HostTensor b = HostTensor::random(DType::F32, {2, 3}, 62);
  HostTensor w = HostTensor::random(DType::F32, {1, 3, 4}, 63);
  // Unlowered TOSA is an error that says what to do.
  llvm::Expected<llvm::SmallVector<HostTensor>> raw =
      run(kTosa, "tosa", {a, b, w});
  ASSERT_FALSE(static_cast<bool>(raw));
  EXPECT_NE(llvm::toString(raw.takeError()).find("lowerTosaToLinalg"),
            std::string::npos);
  ASSERT_TRUE(mlir::succeeded(reference::lowerTosaToLinalg(*module)));
  bool sawTosa = false;
  module->walk([&](mlir::Operation *op) {
    sawTosa |= op->getDialect() && op->getDialect()->getNamespace() == "tosa";
  });
  EXPECT_FALSE(sawTosa);
  auto func = module->lookupSymbol<mlir::func::FuncOp>("tosa");
  ASSERT_EXPECTED(results, reference::execute(func, {a, b, w}));
  std::vector<double> wantSum, wantClamp;
  for (int i = 0; i < 2; ++i) {
    double s = 0;
    for (int j = 0; j < 3; ++j)
      s += std::exp(at2(a, i, j) + at2(b, i, j));
    wantSum.push_back(s);
  }
  for (int i = 0; i < 2; ++i)
    for (int n = 0; n < 4; ++n) {
      double s = 0;
      for (int j = 0; j < 3; ++j)
        s += (at2(a, i, j) + at2(b, i, j)) * w.getDouble(j * 4 + n);
      wantClamp.push_back(std::clamp(s, 0.0, 0.5));
    }
  EXPECT_EQ(results[0].getTypeString(), "f32[2x1]");
  expectClose(results[0], wantSum, 1e-5);
  expectClose(results[1], wantClamp, 1e-5);
}

constexpr const char *kTensorOps = R"mlir(
func.func @tensors(%x: tensor<4x6xf32>, %y: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<4x6xf32>, tensor<6x3xf32>, tensor<3x8xf32>,
        tensor<2x2x3xf32>, tensor<3xi64>, tensor<2x4xindex>, tensor<6x8xf32>,
        f32, index) {
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  // Every other column of rows 1..2: a strided slice.
  %s = tensor.extract_slice %x[1, 0] [2, 3] [1, 2] : tensor<4x6xf32> to tensor<2x3xf32>
  // Write y into x at [2, 3].
  %ins = tensor.insert_slice %y into %x[2, 3] [2, 3] [1, 1]
      : tensor<2x3xf32> into tensor<4x6xf32>
  %cat = tensor.concat dim(0) %y, %s, %y : (tensor<2x3xf32>, tensor<2x3xf32>,
                                           tensor<2x3xf32>) -> tensor<6x3xf32>
  %flat = tensor.collapse_shape %x [[0, 1]] : tensor<4x6xf32> into tensor<24xf32>
  %re = tensor.expand_shape %flat [[0, 1]] output_shape [3, 8]
      : tensor<24xf32> into tensor<3x8xf32>
  %row = tensor.extract_slice %x[3, 0] [1, 6] [1, 1] : tensor<4x6xf32> to tensor<6xf32>
  %shape = arith.constant dense<[2, 1, 3]> : tensor<3xi64>
  %r3 = tensor.reshape %row(%shape) : (tensor<6xf32>, tensor<3xi64>) -> tensor<2x1x3xf32>
  %two = tensor.concat dim(1) %r3, %r3 : (tensor<2x1x3xf32>, tensor<2x1x3xf32>) -> tensor<2x2x3xf32>
  %elems = tensor.from_elements %c1, %c5, %c1 : tensor<3xindex>
  %elems64 = arith.index_cast %elems : tensor<3xindex> to tensor<3xi64>
  %gen = tensor.generate {
  ^bb0(%i: index, %j: index):
    %t = arith.muli %i, %c5 : index
    %v = arith.addi %t, %j : index
    tensor.yield %v : index
  } : tensor<2x4xindex>
  %cf = arith.constant 7.0 : f32
  %pad = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    %ij = arith.addi %i, %j : index
    %ii = arith.index_cast %ij : index to i32
    %f = arith.sitofp %ii : i32 to f32
    tensor.yield %f : f32
  } : tensor<4x6xf32> to tensor<6x8xf32>
  %e = tensor.extract %x[%c1, %c5] : tensor<4x6xf32>
  %d = tensor.dim %pad, %c1 : tensor<6x8xf32>
  return %s, %ins, %cat, %re, %two, %elems64, %gen, %pad, %e, %d
      : tensor<2x3xf32>, tensor<4x6xf32>, tensor<6x3xf32>, tensor<3x8xf32>,
        tensor<2x2x3xf32>, tensor<3xi64>, tensor<2x4xindex>, tensor<6x8xf32>,
        f32, index
}
)mlir";

TEST_F(ReferenceTest, TensorOps) {
  std::vector<double> xs, ys;
  for (int i = 0; i < 24; ++i)
    xs.push_back(i);
  for (int i = 0; i < 6; ++i)
    ys.push_back(100 + i);
  HostTensor x = HostTensor::fromDoubles(DType::F32, {4, 6}, xs);
  HostTensor y = HostTensor::fromDoubles(DType::F32, {2, 3}, ys);
  ASSERT_EXPECTED(r, run(kTensorOps, "tensors", {x, y}));
  expectClose(r[0], {6, 8, 10, 12, 14, 16}, 0);
  EXPECT_EQ(at2(r[1], 2, 3), 100.0);
  EXPECT_EQ(at2(r[1], 3, 5), 105.0);
  EXPECT_EQ(at2(r[1], 2, 2), 14.0);
  expectClose(r[2],
              {100, 101, 102, 103, 104, 105, 6, 8, 10, 12, 14, 16, 100, 101,
               102, 103, 104, 105},
              0);
  EXPECT_EQ(r[3].getTypeString(), "f32[3x8]");
  EXPECT_EQ(at2(r[3], 2, 7), 23.0);
  expectClose(r[4], {18, 19, 20, 18, 19, 20, 21, 22, 23, 21, 22, 23}, 0);
  EXPECT_EQ(r[5].getTypeString(), "i64[3]");
  expectClose(r[5], {1, 5, 1}, 0);
  EXPECT_EQ(r[6].getTypeString(), "i64[2x4]");
  expectClose(r[6], {0, 1, 2, 3, 5, 6, 7, 8}, 0);
  EXPECT_EQ(at2(r[7], 0, 0), 0.0);
  EXPECT_EQ(at2(r[7], 5, 7), 12.0);
  EXPECT_EQ(at2(r[7], 1, 1), 0.0); // x[0][0]
  EXPECT_EQ(at2(r[7], 4, 6), 23.0);
  EXPECT_EQ(r[8].getTypeString(), "f32[]");
  EXPECT_EQ(r[8].getDouble(0), 11.0);
  EXPECT_EQ(r[9].getInt64(0), 8);
}

constexpr const char *kControl = R"mlir(
module {
  ml_program.global private @weights(dense<[1.0, 2.0, 3.0]> : tensor<3xf32>) : tensor<3xf32>
  ml_program.global private mutable @counter(dense<5> : tensor<i64>) : tensor<i64>
  func.func private @scale(%x: tensor<3xf32>, %s: f32) -> tensor<3xf32> {
    %e = tensor.splat %s : tensor<3xf32>
    %r = arith.mulf %x, %e : tensor<3xf32>
    return %r : tensor<3xf32>
  }
  func.func @main(%x: tensor<3xf32>) -> (tensor<3xf32>, i64, tensor<2xf32>, tensor<i64>) {
    %w = ml_program.global_load_const @weights : tensor<3xf32>
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %x) -> (tensor<3xf32>) {
      %y = arith.addf %acc, %w : tensor<3xf32>
      scf.yield %y : tensor<3xf32>
    }
    %two = arith.constant 2.0 : f32
    %s = func.call @scale(%r, %two) : (tensor<3xf32>, f32) -> tensor<3xf32>
    %n = arith.constant 7 : i64
    %m = arith.muli %n, %n : i64
    %big = arith.cmpi sgt, %m, %n : i64
    %picked = scf.if %big -> (i64) {
      scf.yield %m : i64
    } else {
      scf.yield %n : i64
    }
    %blob = arith.constant dense_resource<blob1> : tensor<2xf32>
    %count = ml_program.global_load @counter : tensor<i64>
    %inc = arith.addi %count, %count : tensor<i64>
    ml_program.global_store @counter = %inc : tensor<i64>
    %again = ml_program.global_load @counter : tensor<i64>
    return %s, %picked, %blob, %again : tensor<3xf32>, i64, tensor<2xf32>, tensor<i64>
  }
}
{-#
  dialect_resources: {
    builtin: {
      blob1: "0x040000000000803F00000040"
    }
  }
#-}
)mlir";

TEST_F(ReferenceTest, ControlFlowGlobalsAndResources) {
  HostTensor x = HostTensor::fromDoubles(DType::F32, {3}, {0.5, -1, 10});
  ASSERT_EXPECTED(r, run(kControl, "main", {x}));
  expectClose(r[0], {2 * (0.5 + 4), 2 * (-1 + 8), 2 * (10 + 12)}, 0);
  EXPECT_EQ(r[1].getTypeString(), "i64[]");
  EXPECT_EQ(r[1].getInt64(0), 49);
  expectClose(r[2], {1, 2}, 0);
  EXPECT_EQ(r[3].getInt64(0), 10);
}

constexpr const char *kIntegers = R"mlir(
#id = affine_map<(i) -> (i)>
func.func @ints(%a: tensor<6xi8>, %b: tensor<6xi8>, %f: tensor<6xf32>)
    -> (tensor<6xi8>, tensor<6xi8>, tensor<6xi32>, tensor<6xi1>, tensor<6xi8>,
        tensor<6xf32>) {
  %e8 = tensor.empty() : tensor<6xi8>
  %e32 = tensor.empty() : tensor<6xi32>
  %e1 = tensor.empty() : tensor<6xi1>
  %ef = tensor.empty() : tensor<6xf32>
  %r:6 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id, #id, #id, #id, #id],
                         iterator_types = ["parallel"]}
      ins(%a, %b, %f : tensor<6xi8>, tensor<6xi8>, tensor<6xf32>)
      outs(%e8, %e8, %e32, %e1, %e8, %ef
           : tensor<6xi8>, tensor<6xi8>, tensor<6xi32>, tensor<6xi1>, tensor<6xi8>,
             tensor<6xf32>) {
  ^bb0(%x: i8, %y: i8, %z: f32, %o0: i8, %o1: i8, %o2: i32, %o3: i1, %o4: i8, %o5: f32):
    %divu = arith.divui %x, %y : i8
    %rems = arith.remsi %x, %y : i8
    %wide = arith.extui %x : i8 to i32
    %ult = arith.cmpi ult, %x, %y : i8
    %sat = arith.fptosi %z : f32 to i8
    %b1 = arith.extui %ult : i1 to i32
    %bf = arith.uitofp %b1 : i32 to f32
    %s = arith.select %ult, %z, %bf : f32
    linalg.yield %divu, %rems, %wide, %ult, %sat, %s : i8, i8, i32, i1, i8, f32
  } -> (tensor<6xi8>, tensor<6xi8>, tensor<6xi32>, tensor<6xi1>, tensor<6xi8>,
        tensor<6xf32>)
  return %r#0, %r#1, %r#2, %r#3, %r#4, %r#5
      : tensor<6xi8>, tensor<6xi8>, tensor<6xi32>, tensor<6xi1>, tensor<6xi8>,
        tensor<6xf32>
}
)mlir";

TEST_F(ReferenceTest, IntegerSemantics) {
  HostTensor a =
      HostTensor::fromInt64s(DType::I8, {6}, {-1, 7, -7, 100, 5, -128});
  HostTensor b = HostTensor::fromInt64s(DType::I8, {6}, {2, 2, 2, -1, 0, 3});
  HostTensor f = HostTensor::fromDoubles(DType::F32, {6},
                                         {1.9, -1.9, 300, -300, NAN, 2.5});
  ASSERT_EXPECTED(r, run(kIntegers, "ints", {a, b, f}));
  // divui reads -1 as 255; x / 0 is 0 by the reference's definition.
  expectClose(r[0], {127, 3, 124, 0, 0, 42}, 0);
  expectClose(r[1], {-1, 1, -1, 0, 0, -2}, 0);
  expectClose(r[2], {255, 7, 249, 100, 5, 128}, 0);
  expectClose(r[3], {0, 0, 0, 1, 0, 0}, 0); // 100 <u 255
  expectClose(r[4], {1, -1, 127, -128, 0, 2}, 0);
  expectClose(r[5], {0, 0, 0, -300, 0, 0}, 0);
}

TEST_F(ReferenceTest, BitcastsAndClassificationOnTensors) {
  const char *source = R"mlir(
func.func @bits(%f: tensor<4xf32>, %h: tensor<4xi8>)
    -> (tensor<4xi32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>, tensor<4xi64>) {
  %b = arith.bitcast %f : tensor<4xf32> to tensor<4xi32>
  %back = arith.bitcast %b : tensor<4xi32> to tensor<4xf32>
  %nan = math.isnan %f : tensor<4xf32>
  %u = arith.uitofp %h : tensor<4xi8> to tensor<4xf32>
  %z = arith.extui %h : tensor<4xi8> to tensor<4xi64>
  return %b, %back, %nan, %u, %z
      : tensor<4xi32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>, tensor<4xi64>
}
)mlir";
  HostTensor f = HostTensor::fromDoubles(DType::F32, {4}, {1.0, -2.0, NAN, 0});
  HostTensor h = HostTensor::fromInt64s(DType::I8, {4}, {-1, 5, -128, 0});
  ASSERT_EXPECTED(r, run(source, "bits", {f, h}));
  EXPECT_EQ(r[0].getInt64(0), 0x3f800000);
  EXPECT_EQ(r[0].getInt64(1), static_cast<int32_t>(0xc0000000));
  EXPECT_EQ(r[1].getDouble(1), -2.0);
  EXPECT_TRUE(std::isnan(r[1].getDouble(2)));
  expectClose(r[2], {0, 0, 1, 0}, 0);
  expectClose(r[3], {255, 5, 128, 0}, 0);
  expectClose(r[4], {255, 5, 128, 0}, 0);
}

constexpr const char *kDynamic = R"mlir(
#id = affine_map<(i, j) -> (i, j)>
#idx = affine_map<(i) -> (i floordiv 2)>
#out = affine_map<(i) -> (i)>
func.func @dynamic(%x: tensor<?x4xf32>, %v: tensor<3xf32>) -> (tensor<?x4xf32>, tensor<6xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %ij = arith.muli %i, %j : index
    %k = arith.index_cast %ij : index to i32
    %kf = arith.sitofp %k : i32 to f32
    %r = arith.addf %in, %kf : f32
    linalg.yield %r : f32
  } -> tensor<?x4xf32>
  %e6 = tensor.empty() : tensor<6xf32>
  %rep = linalg.generic {indexing_maps = [#idx, #out], iterator_types = ["parallel"]}
      ins(%v : tensor<3xf32>) outs(%e6 : tensor<6xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<6xf32>
  return %y, %rep : tensor<?x4xf32>, tensor<6xf32>
}
)mlir";

TEST_F(ReferenceTest, DynamicShapesIndexAndNonLinearMaps) {
  HostTensor x(DType::F32, {3, 4});
  HostTensor v = HostTensor::fromDoubles(DType::F32, {3}, {1, 2, 3});
  ASSERT_EXPECTED(r, run(kDynamic, "dynamic", {x, v}));
  EXPECT_EQ(r[0].getTypeString(), "f32[3x4]");
  expectClose(r[0], {0, 0, 0, 0, 0, 1, 2, 3, 0, 2, 4, 6}, 0);
  expectClose(r[1], {1, 1, 2, 2, 3, 3}, 0);
  HostTensor big(DType::F32, {7, 4});
  ASSERT_EXPECTED(
      r2, reference::execute(
              module->lookupSymbol<mlir::func::FuncOp>("dynamic"), {big, v}));
  EXPECT_EQ(r2[0].getTypeString(), "f32[7x4]");
  EXPECT_EQ(at2(r2[0], 6, 3), 18.0);
}

TEST_F(ReferenceTest, EmbeddingLookupThroughExtractInBody) {
  const char *source = R"mlir(
#id = affine_map<(i, j) -> (i)>
#out = affine_map<(i, j) -> (i, j)>
func.func @embed(%ids: tensor<3xi64>, %table: tensor<5x2xf32>) -> tensor<3x2xf32> {
  %e = tensor.empty() : tensor<3x2xf32>
  %r = linalg.generic {indexing_maps = [#id, #out], iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<3xi64>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%id: i64, %out: f32):
    %row = arith.index_cast %id : i64 to index
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%row, %col] : tensor<5x2xf32>
    linalg.yield %v : f32
  } -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}
)mlir";
  std::vector<double> table;
  for (int i = 0; i < 10; ++i)
    table.push_back(i);
  HostTensor ids = HostTensor::fromInt64s(DType::I64, {3}, {4, 0, 2});
  HostTensor t = HostTensor::fromDoubles(DType::F32, {5, 2}, table);
  ASSERT_EXPECTED(r, run(source, "embed", {ids, t}));
  expectClose(r[0], {8, 9, 0, 1, 4, 5}, 0);
  // An id past the table is an error at the extract, not a crash.
  HostTensor bad = HostTensor::fromInt64s(DType::I64, {3}, {4, 9, 2});
  llvm::Expected<llvm::SmallVector<HostTensor>> failed = reference::execute(
      module->lookupSymbol<mlir::func::FuncOp>("embed"), {bad, t});
  ASSERT_FALSE(static_cast<bool>(failed));
  std::string message = llvm::toString(failed.takeError());
  EXPECT_NE(message.find("test.mlir:11:10: 'tensor.extract' op index 9 is out "
                         "of bounds for dimension 0 of size 5"),
            std::string::npos)
      << message;
}

TEST_F(ReferenceTest, UnsupportedOpsAreErrorsWithLocations) {
  const char *source = R"mlir(
func.func @scalar(%x: i32) -> i32 {
  %0 = math.ctlz %x : i32
  return %0 : i32
}
#id = affine_map<(i) -> (i)>
func.func @body(%x: tensor<4xi32>) -> tensor<4xi32> {
  %e = tensor.empty() : tensor<4xi32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4xi32>) outs(%e : tensor<4xi32>) {
  ^bb0(%in: i32, %out: i32):
    %c = math.ctpop %in : i32
    linalg.yield %c : i32
  } -> tensor<4xi32>
  return %r : tensor<4xi32>
}
func.func @buffers(%x: memref<4xf32>) {
  return
}
func.func @strange(%x: tensor<4xi16>) -> tensor<4xi16> {
  return %x : tensor<4xi16>
}
func.func @mismatch(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%y : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @huge(%n: index) -> tensor<?x?xf32> {
  %e = tensor.empty(%n, %n) : tensor<?x?xf32>
  return %e : tensor<?x?xf32>
}
)mlir";
  ASSERT_TRUE(parse(source)) << diagnostics;
  auto expectError = [&](llvm::StringRef name, llvm::ArrayRef<HostTensor> in,
                         llvm::StringRef needle) {
    auto func = module->lookupSymbol<mlir::func::FuncOp>(name);
    llvm::Expected<llvm::SmallVector<HostTensor>> result =
        reference::execute(func, in);
    ASSERT_FALSE(static_cast<bool>(result)) << name.str();
    std::string message = llvm::toString(result.takeError());
    EXPECT_NE(message.find(needle), std::string::npos) << message;
  };
  expectError("scalar", {HostTensor::getScalar(DType::I32, 3)},
              "test.mlir:3:8: 'math.ctlz' op is not supported by the CPU "
              "reference");
  expectError("body", {HostTensor(DType::I32, {4})},
              "test.mlir:12:10: 'math.ctpop' op is not supported by the CPU "
              "reference");
  expectError("buffers", {HostTensor(DType::F32, {4})},
              "argument 0 expects 'memref<4xf32>', got f32[4]");
  expectError("strange", {HostTensor(DType::F32, {4})},
              "argument 0 expects 'tensor<4xi16>', got f32[4]");
  expectError("mismatch",
              {HostTensor(DType::F32, {3}), HostTensor(DType::F32, {4})},
              "'linalg.generic' op has loop dimension 0 sized both 3 and 4");
  expectError("huge", {HostTensor::getScalar(DType::I64, int64_t(1) << 30)},
              "more than the CPU reference allocates");
  // Wrong inputs are errors too.
  expectError("body", {HostTensor(DType::I32, {5})},
              "argument 0 expects 'tensor<4xi32>', got i32[5]");
  expectError("body", {}, "takes 1 arguments, got 0");
}

TEST_F(ReferenceTest, LargeGenericsSplitAcrossThreads) {
  // Big enough that the interpreter splits the rows (elementwise) and the
  // lanes of a row reduction across threads; results must not change.
  const char *source = R"mlir(
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @big(%x: tensor<1024x96xf32>) -> (tensor<1024x96xf32>, tensor<1024xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x96xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1024x96xf32>) outs(%e : tensor<1024x96xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.tanh %in : f32
    linalg.yield %r : f32
  } -> tensor<1024x96xf32>
  %r0 = tensor.empty() : tensor<1024xf32>
  %rz = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1024xf32>) -> tensor<1024xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%t : tensor<1024x96xf32>) outs(%rz : tensor<1024xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %r = arith.addf %sq, %acc : f32
    linalg.yield %r : f32
  } -> tensor<1024xf32>
  return %t, %s : tensor<1024x96xf32>, tensor<1024xf32>
}
)mlir";
  HostTensor x = HostTensor::random(DType::F32, {1024, 96}, 81, {-3, 3});
  ASSERT_EXPECTED(r, run(source, "big", {x}));
  for (int i = 0; i < 1024; ++i) {
    float sum = 0; // the payload's own f32 arithmetic, in loop order
    for (int j = 0; j < 96; ++j) {
      float t = static_cast<float>(std::tanh(at2(x, i, j)));
      ASSERT_EQ(at2(r[0], i, j), t);
      sum = t * t + sum;
    }
    ASSERT_EQ(r[1].getDouble(i), sum) << i;
  }
}

TEST_F(ReferenceTest, LargeMatmulUsesTheGemm) {
  const char *source = R"mlir(
func.func @mm(%a: tensor<256x320xbf16>, %b: tensor<320x192xbf16>) -> tensor<256x192xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x192xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<256x192xf32>) -> tensor<256x192xf32>
  %r = linalg.matmul ins(%a, %b : tensor<256x320xbf16>, tensor<320x192xbf16>)
                     outs(%z : tensor<256x192xf32>) -> tensor<256x192xf32>
  return %r : tensor<256x192xf32>
}
)mlir";
  HostTensor a = HostTensor::random(DType::BF16, {256, 320}, 71);
  HostTensor b = HostTensor::random(DType::BF16, {320, 192}, 72);
  ASSERT_EXPECTED(r, run(source, "mm", {a, b}));
  for (int s = 0; s < 200; ++s) {
    int i = (s * 37) % 256, j = (s * 91) % 192;
    double want = 0;
    for (int k = 0; k < 320; ++k)
      want += at2(a, i, k) * at2(b, k, j);
    ASSERT_NEAR(at2(r[0], i, j), want, 1e-4);
  }
}

} // namespace
