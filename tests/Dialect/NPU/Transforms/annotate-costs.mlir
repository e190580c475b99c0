// Ensures gaon-annotate-costs attaches to every linalg op on tensors an
// npu.cost with its FLOPs (2 per MAC on the tensor engine, one per body op
// per iteration on the vector engine), compulsory DRAM bytes (inputs, the
// output, and the output again if the body reads it) and intensity, and with
// a target in scope the modeled roofline: compute cycles (tensor engine
// 2 x rows x cols x cores FLOPs per cycle, vector engine lanes x cores),
// memory cycles (bytes / dram_bytes_per_cycle), their maximum and the bound.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-annotate-costs | FileCheck %s

// 64x16x32 matmul accumulating into its f32 output: 2*64*16*32 = 65536 FLOPs;
// 4096 + 1024 bytes of bf16 inputs, 4096 of output written and read = 13312
// bytes; 65536 / (2*32*32*2 cores) = 16 compute cycles, 13312 / 128 = 104
// memory cycles: memory bound.
// CHECK-LABEL: func @small_matmul
// CHECK: linalg.matmul {npu.cost = {bound = "memory", bytes = 13312 : i64, compute_cycles = 16 : i64, flops = 65536 : i64, intensity = 4.92{{[0-9]*}} : f64, memory_cycles = 104 : i64, roofline_cycles = 104 : i64}}
module attributes {npu.target = #npu.target<name = "two-core", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @small_matmul(%a: tensor<64x32xbf16>, %b: tensor<32x16xbf16>, %c: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<64x32xbf16>, tensor<32x16xbf16>) outs(%c : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %0 : tensor<64x16xf32>
}
}

// -----

// 256^3 matmul: 33554432 FLOPs over 4096 per cycle = 8192 compute cycles;
// (2 * 131072 + 2 * 262144) / 128 = 6144 memory cycles: compute bound. The
// fill writes 262144 bytes and computes nothing.
// CHECK-LABEL: func @large_matmul
// CHECK: linalg.fill {npu.cost = {bound = "memory", bytes = 262144 : i64, compute_cycles = 0 : i64, flops = 0 : i64, intensity = 0.000000e+00 : f64, memory_cycles = 2048 : i64, roofline_cycles = 2048 : i64}}
// CHECK: linalg.matmul {npu.cost = {bound = "compute", bytes = 786432 : i64, compute_cycles = 8192 : i64, flops = 33554432 : i64, intensity = 42.66{{[0-9]*}} : f64, memory_cycles = 6144 : i64, roofline_cycles = 8192 : i64}}
module attributes {npu.target = #npu.target<name = "two-core", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @large_matmul(%a: tensor<256x256xbf16>, %b: tensor<256x256xbf16>) -> tensor<256x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %c = linalg.fill ins(%z : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<256x256xbf16>, tensor<256x256xbf16>) outs(%c : tensor<256x256xf32>) -> tensor<256x256xf32>
  return %0 : tensor<256x256xf32>
}
}

// -----

// A fused exp-multiply generic: 2 body ops x 32 iterations = 64 FLOPs on the
// vector engine (32 lanes x 2 cores: 1 cycle); 3 x 128 bytes (the output is
// not read) over 128 per cycle = 3 cycles. A sum reduction reads its
// output: 128 + 2 x 16 bytes, 32 FLOPs.
// CHECK-LABEL: func @vector_ops
// CHECK: linalg.generic {{.*}} attrs =  {npu.cost = {bound = "memory", bytes = 384 : i64, compute_cycles = 1 : i64, flops = 64 : i64, intensity = 0.1666{{[0-9]*}} : f64, memory_cycles = 3 : i64, roofline_cycles = 3 : i64}}
// CHECK: linalg.generic {{.*}} attrs =  {npu.cost = {bound = "memory", bytes = 160 : i64, compute_cycles = 1 : i64, flops = 32 : i64, intensity = 2.000000e-01 : f64, memory_cycles = 2 : i64, roofline_cycles = 2 : i64}}
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
module attributes {npu.target = #npu.target<name = "two-core", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @vector_ops(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>, %acc: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %1 = math.exp %a : f32
    %2 = arith.mulf %1, %b : f32
    linalg.yield %2 : f32
  } -> tensor<4x8xf32>
  %3 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%0 : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %4 = arith.addf %a, %o : f32
    linalg.yield %4 : f32
  } -> tensor<4xf32>
  return %3 : tensor<4xf32>
}
}

// -----

// A convolution runs on the tensor engine (4x4x8 outputs x 3x3x4 taps =
// 4608 MACs; 576 + 1152 input bytes, 512 output bytes read and written),
// max pooling on the vector engine (one max per window tap:
// 2x2x8 x 2x2 = 128 FLOPs; the window operand counts its 16 bytes).
// CHECK-LABEL: func @conv_and_pool
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, npu.cost = {bound = "memory", bytes = 2752 : i64, compute_cycles = 3 : i64, flops = 9216 : i64, {{.*}}memory_cycles = 22 : i64, roofline_cycles = 22 : i64}, strides = dense<1>
// CHECK: linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, npu.cost = {bound = "memory", bytes = 784 : i64, compute_cycles = 2 : i64, flops = 128 : i64, {{.*}}memory_cycles = 7 : i64, roofline_cycles = 7 : i64}, strides = dense<2>
module attributes {npu.target = #npu.target<name = "two-core", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @conv_and_pool(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x8xf32>, %o: tensor<1x4x4x8xf32>, %p: tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x6x4xf32>, tensor<3x3x4x8xf32>) outs(%o : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %1 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%0, %win : tensor<1x4x4x8xf32>, tensor<2x2xf32>) outs(%p : tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32>
  return %1 : tensor<1x2x2x8xf32>
}
}

// -----

// Without a target only the target-independent figures are recorded.
// CHECK-LABEL: func @no_target
// CHECK: linalg.matmul {npu.cost = {bytes = 13312 : i64, flops = 65536 : i64, intensity = 4.92{{[0-9]*}} : f64}}
func.func @no_target(%a: tensor<64x32xbf16>, %b: tensor<32x16xbf16>, %c: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<64x32xbf16>, tensor<32x16xbf16>) outs(%c : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %0 : tensor<64x16xf32>
}

// -----

// Ops on buffers and dynamically shaped ops get no cost.
// CHECK-LABEL: func @not_annotated
// CHECK-NOT: npu.cost
module attributes {npu.target = #npu.target<name = "two-core", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @not_annotated(%m: memref<8xf32>, %x: tensor<?xf32>) -> tensor<?xf32> {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%m : memref<8xf32>)
  %0 = linalg.fill ins(%z : f32) outs(%x : tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
}
