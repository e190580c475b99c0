// Ensures gaon-tile-linalg tiles each group of linalg ops into one
// scf.forall over tiles whose sizes come from the target (tensor-engine
// multiples for M and N, K split to fit sram-fraction of the SRAM, at least
// one tile per core), fuses the fill and the elementwise epilogue of a
// matmul into its tile, splits K into an scf.for, rewrites convolution taps
// as strided contractions, keeps reduced loops whole, and reports a tile
// that cannot fit and a missing target.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-tile-linalg | FileCheck %s

// On a 64 KiB, 1-core target: 64x32 output tiles (two folds of the 32x32
// tensor engine; with one output buffer the tile's operands, accumulator,
// epilogue temporary and result take the whole 48 KiB budget), K in steps
// of 64; fill, matmul and the bias+ReLU epilogue share one tile.
// CHECK-LABEL: func @matmul_bias_relu
// CHECK-SAME: (%[[A:.*]]: tensor<256x256xbf16>, %[[B:.*]]: tensor<256x256xbf16>, %[[BIAS:.*]]: tensor<256xf32>)
// CHECK: %[[R:.*]] = scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (256, 256) step (64, 32) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<256x256xf32>)
// CHECK-DAG: %[[AROWS:.*]] = tensor.extract_slice %[[A]][%[[I]], 0] [64, 256] [1, 1]
// CHECK-DAG: %[[BCOLS:.*]] = tensor.extract_slice %[[B]][0, %[[J]]] [256, 32] [1, 1]
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64x32xf32>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[ACC:.*]] = scf.for %[[K:.*]] = %[[C0]] to %[[C256]] step %[[C64]] iter_args(%{{.*}} = %[[FILL]]) -> (tensor<64x32xf32>)
// CHECK: tensor.extract_slice %[[AROWS]][0, %[[K]]] [64, 64] [1, 1]
// CHECK: tensor.extract_slice %[[BCOLS]][%[[K]], 0] [64, 32] [1, 1]
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<64x64xbf16>, tensor<64x32xbf16>) outs(%{{.*}} : tensor<64x32xf32>)
// CHECK: scf.yield
// CHECK: %[[BIASTILE:.*]] = tensor.extract_slice %[[BIAS]][%[[J]]] [32] [1]
// CHECK: %[[EPI:.*]] = linalg.generic {{.*}} ins(%[[ACC]], %[[BIASTILE]] : tensor<64x32xf32>, tensor<32xf32>)
// CHECK: arith.maximumf
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[EPI]] into %[[OUT]][%[[I]], %[[J]]] [64, 32] [1, 1]
// CHECK: return %[[R]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @matmul_bias_relu(%a: tensor<256x256xbf16>, %b: tensor<256x256xbf16>, %bias: tensor<256xf32>) -> tensor<256x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<256x256xbf16>, tensor<256x256xbf16>) outs(%f : tensor<256x256xf32>) -> tensor<256x256xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%m, %bias : tensor<256x256xf32>, tensor<256xf32>) outs(%e : tensor<256x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = arith.maximumf %s, %z : f32
    linalg.yield %t : f32
  } -> tensor<256x256xf32>
  return %r : tensor<256x256xf32>
}
}

// -----

// The same graph on an 8 MiB, 4-core target: larger 128x128 tiles, K in
// steps of 128, one tile per core (with two per core, the store of one would
// share the core's DRAM bandwidth with the next one's loads).
// CHECK-LABEL: func @matmul_bias_relu
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (256, 256) step (128, 128)
// CHECK: linalg.fill {{.*}} -> tensor<128x128xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[STEP:.*]] iter_args
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<128x128xbf16>, tensor<128x128xbf16>) outs(%{{.*}} : tensor<128x128xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<128x128xf32>, tensor<128xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
module attributes {npu.target = #npu.target<name = "big", clock_mhz = 1000, cores = 4, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 8388608, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @matmul_bias_relu(%a: tensor<256x256xbf16>, %b: tensor<256x256xbf16>, %bias: tensor<256xf32>) -> tensor<256x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<256x256xbf16>, tensor<256x256xbf16>) outs(%f : tensor<256x256xf32>) -> tensor<256x256xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%m, %bias : tensor<256x256xf32>, tensor<256xf32>) outs(%e : tensor<256x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = arith.maximumf %s, %z : f32
    linalg.yield %t : f32
  } -> tensor<256x256xf32>
  return %r : tensor<256x256xf32>
}
}

// -----

// A stride-2 3x3 convolution: one tile holds the whole 4x4x32 output, its
// 9x9 input window and all filters; the window loops become two scf.for
// loops and each tap is a contraction on a stride-2 slice of the input.
// CHECK-LABEL: func @conv_stride2
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0, 0) to (1, 4, 4, 32) step (1, 4, 4, 32)
// CHECK: %[[WINDOW:.*]] = tensor.extract_slice %{{.*}} [1, 9, 9, 32] [1, 1, 1, 1] : tensor<1x10x10x32xbf16> to tensor<1x9x9x32xbf16>
// CHECK: scf.for %[[KH:.*]] = %{{.*}} to %[[C3:.*]] step
// CHECK: scf.for %[[KW:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[SHIFTED:.*]] = tensor.extract_slice %[[WINDOW]][0, %[[KH]], %[[KW]], 0] [1, 7, 7, 32] [1, 1, 1, 1]
// CHECK: %[[TAPW:.*]] = tensor.extract_slice %{{.*}}[%[[KH]], %[[KW]], 0, 0] [1, 1, 32, 32] [1, 1, 1, 1]
// CHECK: %[[TAPX:.*]] = tensor.extract_slice %[[SHIFTED]][0, 0, 0, 0] [1, 4, 4, 32] [1, 2, 2, 1] : tensor<1x7x7x32xbf16> to tensor<1x4x4x32xbf16>
// CHECK: %[[FILTER:.*]] = tensor.extract_slice %[[TAPW]][0, 0, 0, 0] [1, 1, 32, 32] [1, 1, 1, 1] : tensor<1x1x32x32xbf16> to tensor<32x32xbf16>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[TAPX]], %[[FILTER]] : tensor<1x4x4x32xbf16>, tensor<32x32xbf16>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.conv_2d
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @conv_stride2(%x: tensor<1x10x10x32xbf16>, %w: tensor<3x3x32x32xbf16>, %o: tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x10x10x32xbf16>, tensor<3x3x32x32xbf16>) outs(%o : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %0 : tensor<1x4x4x32xf32>
}
}

// -----

// A row sum keeps its reduced loop whole and tiles the rows: 49152 budget
// bytes / (2 x 16 bytes per point) / 128 points per row = 12 rows at most,
// so tiles of 8 rows (a divisor of 64).
// CHECK-LABEL: func @row_sum
// CHECK: scf.forall (%[[I:.*]]) = (0) to (64) step (8)
// CHECK: tensor.extract_slice %{{.*}}[%[[I]], 0] [8, 128] [1, 1]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%{{.*}} : tensor<8x128xf32>) outs(%{{.*}} : tensor<8xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @row_sum(%x: tensor<64x128xf32>, %acc: tensor<64xf32>) -> tensor<64xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<64x128xf32>) outs(%acc : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %0 : tensor<64xf32>
}
}

// -----

// A 65536-element row does not split and needs 2 MiB with double buffering.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @row_too_long(%x: tensor<4x65536xf32>, %acc: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{a tile of this op needs 65536 points along the loops it cannot split, 1048576 bytes of SRAM even single-buffered; target 'tiny' offers 49152 (sram-fraction of 65536)}}
  %0 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x65536xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
}

// -----

// expected-error @below {{gaon-tile-linalg needs an #npu.target in scope (set npu.target on the module)}}
func.func @no_target(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = math.exp %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
