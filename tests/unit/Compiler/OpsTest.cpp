//===- OpsTest.cpp - every op class, compiled, simulated, compared --------===//
//
// Each case compiles a small function with the NPU pipeline for a tiled test
// chip, runs it in the simulator's functional mode and compares every output
// with the CPU reference executor run on the input IR.
//
//===----------------------------------------------------------------------===//

#include "NPUTestHarness.h"

#include "gtest/gtest.h"

using namespace gaon;
using namespace gaon::testing;

namespace {

/// Asserts that `source` compiles, runs and matches within `tolerance`.
void expectMatches(llvm::StringRef source, double tolerance = 1e-4,
                   CheckOptions options = {}) {
  options.tolerance = tolerance;
  Comparison result = compileAndCompare(source, options);
  EXPECT_TRUE(result.failure.empty()) << result.failure;
  EXPECT_LE(result.maxRelError, tolerance);
}

constexpr double kF32 = 1e-4, kBf16 = 2e-2, kF16 = 5e-3;

TEST(NPUOps, MatmulF32) {
  expectMatches(R"mlir(
func.func @f(%a: tensor<96x160xf32>, %b: tensor<160x128xf32>) -> tensor<96x128xf32> {
  %e = tensor.empty() : tensor<96x128xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<96x128xf32>) -> tensor<96x128xf32>
  %m = linalg.matmul ins(%a, %b : tensor<96x160xf32>, tensor<160x128xf32>)
                     outs(%f : tensor<96x128xf32>) -> tensor<96x128xf32>
  return %m : tensor<96x128xf32>
})mlir",
                kF32);
}

TEST(NPUOps, MatmulBf16TiledK) {
  // 128 KiB + 256 KiB of operands do not fit the 256 KiB SRAM: K is split.
  expectMatches(R"mlir(
func.func @f(%a: tensor<128x512xbf16>, %b: tensor<512x256xbf16>) -> tensor<128x256xf32> {
  %e = tensor.empty() : tensor<128x256xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<128x512xbf16>, tensor<512x256xbf16>)
                     outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %m : tensor<128x256xf32>
})mlir",
                kBf16);
}

TEST(NPUOps, MatmulBf16Result) {
  expectMatches(R"mlir(
func.func @f(%a: tensor<64x96xbf16>, %b: tensor<96x64xbf16>) -> tensor<64x64xbf16> {
  %e = tensor.empty() : tensor<64x64xbf16>
  %z = arith.constant 0.0 : bf16
  %f = linalg.fill ins(%z : bf16) outs(%e : tensor<64x64xbf16>) -> tensor<64x64xbf16>
  %m = linalg.matmul ins(%a, %b : tensor<64x96xbf16>, tensor<96x64xbf16>)
                     outs(%f : tensor<64x64xbf16>) -> tensor<64x64xbf16>
  return %m : tensor<64x64xbf16>
})mlir",
                kBf16);
}

TEST(NPUOps, MatmulTransposedB) {
  expectMatches(R"mlir(
func.func @f(%a: tensor<64x80xf32>, %bt: tensor<48x80xf32>) -> tensor<64x48xf32> {
  %e = tensor.empty() : tensor<64x48xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x48xf32>) -> tensor<64x48xf32>
  %m = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                      affine_map<(m, n, k) -> (n, k)>,
                                      affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %bt : tensor<64x80xf32>, tensor<48x80xf32>)
      outs(%f : tensor<64x48xf32>) -> tensor<64x48xf32>
  return %m : tensor<64x48xf32>
})mlir",
                kF32);
}

TEST(NPUOps, MatmulTransposedA) {
  expectMatches(R"mlir(
func.func @f(%at: tensor<80x64xf32>, %b: tensor<80x48xf32>) -> tensor<64x48xf32> {
  %e = tensor.empty() : tensor<64x48xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x48xf32>) -> tensor<64x48xf32>
  %m = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                      affine_map<(m, n, k) -> (k, n)>,
                                      affine_map<(m, n, k) -> (m, n)>]
      ins(%at, %b : tensor<80x64xf32>, tensor<80x48xf32>)
      outs(%f : tensor<64x48xf32>) -> tensor<64x48xf32>
  return %m : tensor<64x48xf32>
})mlir",
                kF32);
}

TEST(NPUOps, BatchMatmul) {
  expectMatches(R"mlir(
func.func @f(%a: tensor<4x64x96xf32>, %b: tensor<4x96x80xf32>) -> tensor<4x64x80xf32> {
  %e = tensor.empty() : tensor<4x64x80xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x64x80xf32>) -> tensor<4x64x80xf32>
  %m = linalg.batch_matmul ins(%a, %b : tensor<4x64x96xf32>, tensor<4x96x80xf32>)
                           outs(%f : tensor<4x64x80xf32>) -> tensor<4x64x80xf32>
  return %m : tensor<4x64x80xf32>
})mlir",
                kF32);
}

TEST(NPUOps, MatmulAccumulatesIntoInput) {
  // C + A * B with C an argument: the accumulator is loaded, not filled.
  expectMatches(R"mlir(
func.func @f(%a: tensor<32x64xf32>, %b: tensor<64x32xf32>, %c: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<32x64xf32>, tensor<64x32xf32>)
                     outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %m : tensor<32x32xf32>
})mlir",
                kF32);
}

TEST(NPUOps, Conv2dNhwcPadded) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<1x16x16x8xf32>, %w: tensor<3x3x8x16xf32>) -> tensor<1x16x16x16xf32> {
  %z = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %z : f32
  } : tensor<1x16x16x8xf32> to tensor<1x18x18x8xf32>
  %e = tensor.empty() : tensor<1x16x16x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<1x18x18x8xf32>, tensor<3x3x8x16xf32>)
      outs(%f : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %c : tensor<1x16x16x16xf32>
})mlir",
                kF32);
}

TEST(NPUOps, Conv2dNchwStridedDilated) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<2x8x17x17xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<2x16x7x7xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x7x7xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x16x7x7xf32>) -> tensor<2x16x7x7xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<2x8x17x17xf32>, tensor<16x8x3x3xf32>)
      outs(%f : tensor<2x16x7x7xf32>) -> tensor<2x16x7x7xf32>
  return %c : tensor<2x16x7x7xf32>
})mlir",
                kF32);
}

TEST(NPUOps, DepthwiseConv) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<1x18x18x32xf32>, %w: tensor<3x3x32xf32>) -> tensor<1x16x16x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x18x18x32xf32>, tensor<3x3x32xf32>)
      outs(%f : tensor<1x16x16x32xf32>) -> tensor<1x16x16x32xf32>
  return %c : tensor<1x16x16x32xf32>
})mlir",
                kF32);
}

TEST(NPUOps, GroupedConv) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<1x2x8x10x10xf32>, %w: tensor<2x8x8x3x3xf32>) -> tensor<1x2x8x8x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x8x8x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x2x8x8x8xf32>) -> tensor<1x2x8x8x8xf32>
  %c = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x2x8x10x10xf32>, tensor<2x8x8x3x3xf32>)
      outs(%f : tensor<1x2x8x8x8xf32>) -> tensor<1x2x8x8x8xf32>
  return %c : tensor<1x2x8x8x8xf32>
})mlir",
                kF32);
}

TEST(NPUOps, MaxPool) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<1x16x16x8xf32>) -> tensor<1x8x8x8xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x8x8x8xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %window : tensor<1x16x16x8xf32>, tensor<2x2xf32>)
      outs(%f : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  return %p : tensor<1x8x8x8xf32>
})mlir",
                kF32);
}

TEST(NPUOps, AvgPoolNchw) {
  expectMatches(R"mlir(
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @f(%x: tensor<1x8x12x12xf32>) -> tensor<1x8x4x4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %s = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<3> : tensor<2xi64>}
      ins(%x, %window : tensor<1x8x12x12xf32>, tensor<3x3xf32>)
      outs(%f : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %nine = arith.constant 9.0 : f32
  %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<1x8x4x4xf32>) outs(%e : tensor<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %nine : f32
    linalg.yield %d : f32
  } -> tensor<1x8x4x4xf32>
  return %a : tensor<1x8x4x4xf32>
})mlir",
                kF32);
}

TEST(NPUOps, ElementwiseArithmetic) {
  expectMatches(R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<64x96xf32>, %y: tensor<64x96xf32>) -> tensor<64x96xf32> {
  %e = tensor.empty() : tensor<64x96xf32>
  %two = arith.constant 2.0 : f32
  %r = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<64x96xf32>, tensor<64x96xf32>) outs(%e : tensor<64x96xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.addf %a, %b : f32
    %1 = arith.mulf %0, %a : f32
    %2 = arith.subf %1, %b : f32
    %3 = arith.maximumf %2, %a : f32
    %4 = arith.divf %3, %two : f32
    %5 = arith.subf %two, %4 : f32
    linalg.yield %5 : f32
  } -> tensor<64x96xf32>
  return %r : tensor<64x96xf32>
})mlir",
                kF32);
}

TEST(NPUOps, ElementwiseTranscendental) {
  expectMatches(R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<48x64xf32>) -> (tensor<48x64xf32>, tensor<48x64xf32>) {
  %e = tensor.empty() : tensor<48x64xf32>
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %rsqrt2 = arith.constant 0.70710678118654752 : f32
  %r:2 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<48x64xf32>) outs(%e, %e : tensor<48x64xf32>, tensor<48x64xf32>) {
  ^bb0(%a: f32, %o: f32, %p: f32):
    // sigmoid(x) * tanh(exp(x))
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %s = arith.divf %one, %d : f32
    %t = math.tanh %a : f32
    %st = arith.mulf %s, %t : f32
    // gelu(x) = 0.5 x (1 + erf(x / sqrt 2))
    %xs = arith.mulf %a, %rsqrt2 : f32
    %er = math.erf %xs : f32
    %ep = arith.addf %er, %one : f32
    %hx = arith.mulf %a, %half : f32
    %g = arith.mulf %hx, %ep : f32
    linalg.yield %st, %g : f32, f32
  } -> (tensor<48x64xf32>, tensor<48x64xf32>)
  return %r#0, %r#1 : tensor<48x64xf32>, tensor<48x64xf32>
})mlir",
                kF32);
}

TEST(NPUOps, SiluRsqrtAndCasts) {
  CheckOptions options;
  options.ranges = {runtime::RandomRange{0.25, 4.0}};
  expectMatches(R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<32x128xf32>) -> (tensor<32x128xbf16>, tensor<32x128xf16>) {
  %e = tensor.empty() : tensor<32x128xbf16>
  %h = tensor.empty() : tensor<32x128xf16>
  %one = arith.constant 1.0 : f32
  %r:2 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<32x128xf32>) outs(%e, %h : tensor<32x128xbf16>, tensor<32x128xf16>) {
  ^bb0(%a: f32, %o: bf16, %p: f16):
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %silu = arith.divf %a, %d : f32
    %b = arith.truncf %silu : f32 to bf16
    %rs = math.rsqrt %a : f32
    %c = arith.truncf %rs : f32 to f16
    linalg.yield %b, %c : bf16, f16
  } -> (tensor<32x128xbf16>, tensor<32x128xf16>)
  return %r#0, %r#1 : tensor<32x128xbf16>, tensor<32x128xf16>
})mlir",
                kBf16, options);
}

TEST(NPUOps, ReluAndBroadcastBias) {
  expectMatches(R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @f(%x: tensor<64x80xf32>, %bias: tensor<80xf32>) -> tensor<64x80xf32> {
  %e = tensor.empty() : tensor<64x80xf32>
  %z = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x, %bias : tensor<64x80xf32>, tensor<80xf32>) outs(%e : tensor<64x80xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %c = arith.cmpf ugt, %s, %z : f32
    %m = arith.select %c, %s, %z : f32
    linalg.yield %m : f32
  } -> tensor<64x80xf32>
  return %r : tensor<64x80xf32>
})mlir",
                kF32);
}

TEST(NPUOps, ReduceSumAndMax) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<64x96xf32>) -> (tensor<64xf32>, tensor<96xf32>) {
  %z = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<64xf32>
  %f0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<64xf32>) -> tensor<64xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x96xf32>) outs(%f0 : tensor<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %e1 = tensor.empty() : tensor<96xf32>
  %f1 = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<96xf32>) -> tensor<96xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x96xf32>) outs(%f1 : tensor<96xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %a, %acc : f32
    linalg.yield %m : f32
  } -> tensor<96xf32>
  return %sum, %max : tensor<64xf32>, tensor<96xf32>
})mlir",
                kF32);
}

TEST(NPUOps, Softmax) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<32x96xf32>) -> tensor<32x96xf32> {
  %e = tensor.empty() : tensor<32x96xf32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<32x96xf32>) outs(%e : tensor<32x96xf32>) -> tensor<32x96xf32>
  return %s : tensor<32x96xf32>
})mlir",
                kF32);
}

TEST(NPUOps, LayerNorm) {
  expectMatches(R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @f(%x: tensor<32x128xf32>, %gamma: tensor<128xf32>, %beta: tensor<128xf32>) -> tensor<32x128xf32> {
  %z = arith.constant 0.0 : f32
  %n = arith.constant 128.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e1 = tensor.empty() : tensor<32xf32>
  %f1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<32xf32>) -> tensor<32xf32>
  %sum = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<32x128xf32>) outs(%f1 : tensor<32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  %e2 = tensor.empty() : tensor<32x128xf32>
  %centered = linalg.generic {indexing_maps = [#map, #red, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : tensor<32x128xf32>, tensor<32xf32>) outs(%e2 : tensor<32x128xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %mean = arith.divf %s, %n : f32
    %c = arith.subf %a, %mean : f32
    linalg.yield %c : f32
  } -> tensor<32x128xf32>
  %var = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["parallel", "reduction"]}
      ins(%centered : tensor<32x128xf32>) outs(%f1 : tensor<32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  %y = linalg.generic {indexing_maps = [#map, #red, #col, #col, #map], iterator_types = ["parallel", "parallel"]}
      ins(%centered, %var, %gamma, %beta : tensor<32x128xf32>, tensor<32xf32>, tensor<128xf32>, tensor<128xf32>)
      outs(%e2 : tensor<32x128xf32>) {
  ^bb0(%c: f32, %v: f32, %g: f32, %b: f32, %o: f32):
    %vm = arith.divf %v, %n : f32
    %ve = arith.addf %vm, %eps : f32
    %r = math.rsqrt %ve : f32
    %t = arith.mulf %c, %r : f32
    %u = arith.mulf %t, %g : f32
    %w = arith.addf %u, %b : f32
    linalg.yield %w : f32
  } -> tensor<32x128xf32>
  return %y : tensor<32x128xf32>
})mlir",
                kF32);
}

TEST(NPUOps, RmsNormBf16) {
  expectMatches(R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @f(%x: tensor<16x256xbf16>, %w: tensor<256xbf16>) -> tensor<16x256xbf16> {
  %z = arith.constant 0.0 : f32
  %n = arith.constant 256.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %e1 = tensor.empty() : tensor<16xf32>
  %f1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<16xf32>) -> tensor<16xf32>
  %ss = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<16x256xbf16>) outs(%f1 : tensor<16xf32>) {
  ^bb0(%a: bf16, %acc: f32):
    %af = arith.extf %a : bf16 to f32
    %sq = arith.mulf %af, %af : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %e2 = tensor.empty() : tensor<16x256xbf16>
  %y = linalg.generic {indexing_maps = [#map, #red, #col, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %w : tensor<16x256xbf16>, tensor<16xf32>, tensor<256xbf16>) outs(%e2 : tensor<16x256xbf16>) {
  ^bb0(%a: bf16, %s: f32, %g: bf16, %o: bf16):
    %af = arith.extf %a : bf16 to f32
    %gf = arith.extf %g : bf16 to f32
    %m = arith.divf %s, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %t = arith.mulf %af, %r : f32
    %u = arith.mulf %t, %gf : f32
    %b = arith.truncf %u : f32 to bf16
    linalg.yield %b : bf16
  } -> tensor<16x256xbf16>
  return %y : tensor<16x256xbf16>
})mlir",
                kBf16);
}

TEST(NPUOps, TransposeAndBroadcast) {
  expectMatches(R"mlir(
func.func @f(%x: tensor<48x64xf32>, %v: tensor<64xf32>) -> (tensor<64x48xf32>, tensor<32x64xf32>) {
  %e = tensor.empty() : tensor<64x48xf32>
  %t = linalg.transpose ins(%x : tensor<48x64xf32>) outs(%e : tensor<64x48xf32>) permutation = [1, 0]
  %b0 = tensor.empty() : tensor<32x64xf32>
  %b = linalg.broadcast ins(%v : tensor<64xf32>) outs(%b0 : tensor<32x64xf32>) dimensions = [0]
  return %t, %b : tensor<64x48xf32>, tensor<32x64xf32>
})mlir",
                kF32);
}

TEST(NPUOps, ReshapeConcatSlice) {
  expectMatches(R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<32x16xf32>, %y: tensor<32x24xf32>, %z: tensor<4x8x16xf32>) -> (tensor<32x40xf32>, tensor<32x16xf32>, tensor<16x24xf32>) {
  %c = tensor.concat dim(1) %x, %y : (tensor<32x16xf32>, tensor<32x24xf32>) -> tensor<32x40xf32>
  %r = tensor.collapse_shape %z [[0, 1], [2]] : tensor<4x8x16xf32> into tensor<32x16xf32>
  %e = tensor.empty() : tensor<32x16xf32>
  %a = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%r, %x : tensor<32x16xf32>, tensor<32x16xf32>) outs(%e : tensor<32x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<32x16xf32>
  %s = tensor.extract_slice %y[8, 0] [16, 24] [1, 1] : tensor<32x24xf32> to tensor<16x24xf32>
  %e2 = tensor.empty() : tensor<16x24xf32>
  %n = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<16x24xf32>) outs(%e2 : tensor<16x24xf32>) {
  ^bb0(%p: f32, %o: f32):
    %q = arith.negf %p : f32
    linalg.yield %q : f32
  } -> tensor<16x24xf32>
  return %c, %a, %n : tensor<32x40xf32>, tensor<32x16xf32>, tensor<16x24xf32>
})mlir",
                kF32);
}

} // namespace
