//===- BlocksTest.cpp - composed model blocks, end to end -----------------===//
//
// An MLP, a transformer decoder layer with attention and a ResNet
// bottleneck, at small sizes: compiled for a tiled test chip, simulated in
// functional mode, compared with the CPU reference on the input IR.
//
//===----------------------------------------------------------------------===//

#include "NPUTestHarness.h"

#include "gtest/gtest.h"

using namespace gaon;
using namespace gaon::testing;

namespace {

void expectMatches(llvm::StringRef source, double tolerance,
                   CheckOptions options = {}) {
  options.tolerance = tolerance;
  Comparison result = compileAndCompare(source, options);
  EXPECT_TRUE(result.failure.empty()) << result.failure;
  EXPECT_LE(result.maxRelError, tolerance);
}

/// Two linear layers with a bias and GELU (tanh form) in between, bf16
/// activations and weights, f32 accumulation.
constexpr llvm::StringLiteral kMlp = R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @mlp(%x: tensor<32x128xbf16>, %w1: tensor<128x256xbf16>, %b1: tensor<256xf32>,
               %w2: tensor<256x128xbf16>) -> tensor<32x128xf32> {
  %z = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0.7978845608 : f32
  %c1 = arith.constant 0.044715 : f32
  %e1 = tensor.empty() : tensor<32x256xf32>
  %f1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<32x256xf32>) -> tensor<32x256xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<32x128xbf16>, tensor<128x256xbf16>)
                     outs(%f1 : tensor<32x256xf32>) -> tensor<32x256xf32>
  %e2 = tensor.empty() : tensor<32x256xbf16>
  %a = linalg.generic {indexing_maps = [#map, #col, #map], iterator_types = ["parallel", "parallel"]}
      ins(%h, %b1 : tensor<32x256xf32>, tensor<256xf32>) outs(%e2 : tensor<32x256xbf16>) {
  ^bb0(%v: f32, %b: f32, %o: bf16):
    %s = arith.addf %v, %b : f32
    %s3 = arith.mulf %s, %s : f32
    %s4 = arith.mulf %s3, %s : f32
    %t0 = arith.mulf %s4, %c1 : f32
    %t1 = arith.addf %s, %t0 : f32
    %t2 = arith.mulf %t1, %c0 : f32
    %t3 = math.tanh %t2 : f32
    %t4 = arith.addf %t3, %one : f32
    %t5 = arith.mulf %s, %half : f32
    %g = arith.mulf %t5, %t4 : f32
    %r = arith.truncf %g : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<32x256xbf16>
  %e3 = tensor.empty() : tensor<32x128xf32>
  %f3 = linalg.fill ins(%z : f32) outs(%e3 : tensor<32x128xf32>) -> tensor<32x128xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<32x256xbf16>, tensor<256x128xbf16>)
                     outs(%f3 : tensor<32x128xf32>) -> tensor<32x128xf32>
  return %y : tensor<32x128xf32>
})mlir";

TEST(NPUBlocks, Mlp) { expectMatches(kMlp, 2e-2); }

TEST(NPUBlocks, MlpWithoutFusionOrDoubleBuffering) {
  CheckOptions options;
  options.pipeline.fuse = false;
  options.pipeline.buffers = 1;
  expectMatches(kMlp, 2e-2, options);
}

/// A Llama-style decoder layer: RMSNorm, Q/K/V projections, 4-head causal
/// attention (additive mask input), output projection and residual,
/// RMSNorm, SiLU-gated MLP and residual. f32, sequence 16, model 64.
constexpr llvm::StringLiteral kDecoder = R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @decoder(%x: tensor<16x64xf32>, %norm1: tensor<64xf32>,
                   %wq: tensor<64x64xf32>, %wk: tensor<64x64xf32>,
                   %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>,
                   %mask: tensor<16x16xf32>, %norm2: tensor<64xf32>,
                   %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>,
                   %wd: tensor<128x64xf32>) -> tensor<16x64xf32> {
  %z = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = arith.constant 64.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %scale = arith.constant 0.25 : f32
  %one = arith.constant 1.0 : f32
  %e16 = tensor.empty() : tensor<16xf32>
  %f16 = linalg.fill ins(%z : f32) outs(%e16 : tensor<16xf32>) -> tensor<16xf32>
  %e64 = tensor.empty() : tensor<16x64xf32>
  %f64 = linalg.fill ins(%z : f32) outs(%e64 : tensor<16x64xf32>) -> tensor<16x64xf32>

  // RMSNorm 1.
  %ss1 = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<16x64xf32>) outs(%f16 : tensor<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %h1 = linalg.generic {indexing_maps = [#map, #row, #col, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss1, %norm1 : tensor<16x64xf32>, tensor<16xf32>, tensor<64xf32>) outs(%e64 : tensor<16x64xf32>) {
  ^bb0(%a: f32, %s: f32, %g: f32, %o: f32):
    %m = arith.divf %s, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %t = arith.mulf %a, %r : f32
    %u = arith.mulf %t, %g : f32
    linalg.yield %u : f32
  } -> tensor<16x64xf32>

  // Projections.
  %q = linalg.matmul ins(%h1, %wq : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f64 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %k = linalg.matmul ins(%h1, %wk : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f64 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %v = linalg.matmul ins(%h1, %wv : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f64 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %q4 = tensor.expand_shape %q [[0], [1, 2]] output_shape [16, 4, 16] : tensor<16x64xf32> into tensor<16x4x16xf32>
  %k4 = tensor.expand_shape %k [[0], [1, 2]] output_shape [16, 4, 16] : tensor<16x64xf32> into tensor<16x4x16xf32>
  %v4 = tensor.expand_shape %v [[0], [1, 2]] output_shape [16, 4, 16] : tensor<16x64xf32> into tensor<16x4x16xf32>

  // scores[h, i, j] = sum_d q[i, h, d] k[j, h, d] * scale + mask[i, j]
  %es = tensor.empty() : tensor<4x16x16xf32>
  %fs = linalg.fill ins(%z : f32) outs(%es : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %qk = linalg.generic {indexing_maps = [affine_map<(h, i, j, d) -> (i, h, d)>,
                                         affine_map<(h, i, j, d) -> (j, h, d)>,
                                         affine_map<(h, i, j, d) -> (h, i, j)>],
                        iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q4, %k4 : tensor<16x4x16xf32>, tensor<16x4x16xf32>) outs(%fs : tensor<4x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x16x16xf32>
  %scores = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>,
                                             affine_map<(h, i, j) -> (i, j)>,
                                             affine_map<(h, i, j) -> (h, i, j)>],
                            iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%qk, %mask : tensor<4x16x16xf32>, tensor<16x16xf32>) outs(%es : tensor<4x16x16xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %s = arith.mulf %a, %scale : f32
    %t = arith.addf %s, %m : f32
    linalg.yield %t : f32
  } -> tensor<4x16x16xf32>
  %probs = linalg.softmax dimension(2) ins(%scores : tensor<4x16x16xf32>) outs(%es : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>

  // attn[i, h, d] = sum_j probs[h, i, j] v[j, h, d]
  %ea = tensor.empty() : tensor<16x4x16xf32>
  %fa = linalg.fill ins(%z : f32) outs(%ea : tensor<16x4x16xf32>) -> tensor<16x4x16xf32>
  %attn = linalg.generic {indexing_maps = [affine_map<(h, i, d, j) -> (h, i, j)>,
                                           affine_map<(h, i, d, j) -> (j, h, d)>,
                                           affine_map<(h, i, d, j) -> (i, h, d)>],
                          iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%probs, %v4 : tensor<4x16x16xf32>, tensor<16x4x16xf32>) outs(%fa : tensor<16x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x4x16xf32>
  %attn2 = tensor.collapse_shape %attn [[0], [1, 2]] : tensor<16x4x16xf32> into tensor<16x64xf32>
  %o = linalg.matmul ins(%attn2, %wo : tensor<16x64xf32>, tensor<64x64xf32>) outs(%f64 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %r1 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x, %o : tensor<16x64xf32>, tensor<16x64xf32>) outs(%e64 : tensor<16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>

  // RMSNorm 2 and the gated MLP.
  %ss2 = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]}
      ins(%r1 : tensor<16x64xf32>) outs(%f16 : tensor<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %h2 = linalg.generic {indexing_maps = [#map, #row, #col, #map], iterator_types = ["parallel", "parallel"]}
      ins(%r1, %ss2, %norm2 : tensor<16x64xf32>, tensor<16xf32>, tensor<64xf32>) outs(%e64 : tensor<16x64xf32>) {
  ^bb0(%a: f32, %s: f32, %g: f32, %o2: f32):
    %m = arith.divf %s, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %t = arith.mulf %a, %r : f32
    %u = arith.mulf %t, %g : f32
    linalg.yield %u : f32
  } -> tensor<16x64xf32>
  %e128 = tensor.empty() : tensor<16x128xf32>
  %f128 = linalg.fill ins(%z : f32) outs(%e128 : tensor<16x128xf32>) -> tensor<16x128xf32>
  %gate = linalg.matmul ins(%h2, %wg : tensor<16x64xf32>, tensor<64x128xf32>) outs(%f128 : tensor<16x128xf32>) -> tensor<16x128xf32>
  %up = linalg.matmul ins(%h2, %wu : tensor<16x64xf32>, tensor<64x128xf32>) outs(%f128 : tensor<16x128xf32>) -> tensor<16x128xf32>
  %act = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%gate, %up : tensor<16x128xf32>, tensor<16x128xf32>) outs(%e128 : tensor<16x128xf32>) {
  ^bb0(%g: f32, %u: f32, %o3: f32):
    %ng = arith.negf %g : f32
    %ex = math.exp %ng : f32
    %d = arith.addf %ex, %one : f32
    %silu = arith.divf %g, %d : f32
    %m = arith.mulf %silu, %u : f32
    linalg.yield %m : f32
  } -> tensor<16x128xf32>
  %down = linalg.matmul ins(%act, %wd : tensor<16x128xf32>, tensor<128x64xf32>) outs(%f64 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %y = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%r1, %down : tensor<16x64xf32>, tensor<16x64xf32>) outs(%e64 : tensor<16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
})mlir";

TEST(NPUBlocks, DecoderLayer) { expectMatches(kDecoder, 1e-4); }

/// A ResNet bottleneck: 1x1 conv (64 -> 16), ReLU, 3x3 conv (16 -> 16,
/// padding 1), ReLU, 1x1 conv (16 -> 64), residual add, ReLU. NHWC, f32.
constexpr llvm::StringLiteral kBottleneck = R"mlir(
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @bottleneck(%x: tensor<1x8x8x64xf32>, %w1: tensor<1x1x64x16xf32>,
                      %w2: tensor<3x3x16x16xf32>, %w3: tensor<1x1x16x64xf32>) -> tensor<1x8x8x64xf32> {
  %z = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x8x8x16xf32>
  %f16 = linalg.fill ins(%z : f32) outs(%e16 : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %c1 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w1 : tensor<1x8x8x64xf32>, tensor<1x1x64x16xf32>) outs(%f16 : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %r1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1 : tensor<1x8x8x16xf32>) outs(%e16 : tensor<1x8x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x16xf32>
  %p = tensor.pad %r1 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %z : f32
  } : tensor<1x8x8x16xf32> to tensor<1x10x10x16xf32>
  %c2 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w2 : tensor<1x10x10x16xf32>, tensor<3x3x16x16xf32>) outs(%f16 : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %r2 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c2 : tensor<1x8x8x16xf32>) outs(%e16 : tensor<1x8x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x16xf32>
  %e64 = tensor.empty() : tensor<1x8x8x64xf32>
  %f64 = linalg.fill ins(%z : f32) outs(%e64 : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  %c3 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%r2, %w3 : tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>) outs(%f64 : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  %y = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c3, %x : tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>) outs(%e64 : tensor<1x8x8x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x64xf32>
  return %y : tensor<1x8x8x64xf32>
})mlir";

TEST(NPUBlocks, ResNetBottleneck) { expectMatches(kBottleneck, 1e-4); }

TEST(NPUBlocks, MlpOnContractionChip) {
  // The bf16 MLP on an RNGD-style contraction array (2 PEs, small SRAM).
  llvm::Expected<sim::ChipConfig> chip = sim::loadChipConfig(
      "rngd", {"cores=2", "core.sram.bytes=524288"});
  ASSERT_TRUE(bool(chip)) << llvm::toString(chip.takeError());
  CheckOptions options;
  options.chip = *chip;
  expectMatches(kMlp, 2e-2, options);
}

TEST(NPUBlocks, DecoderLayerOnWeightStationaryChip) {
  // The f32 layer on a 4-core weight-stationary array with one DMA engine.
  CheckOptions options;
  options.chip = getTestChip({"cores=4", "core.tensor.dataflow=ws",
                              "core.dma.engines=1"});
  expectMatches(kDecoder, 1e-4, options);
}

} // namespace
