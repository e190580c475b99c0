// Ensures gaon-convert-linalg-to-npu picks the tensor engine's operand
// order with the cost model: a weight-stationary array streams the M side in
// time, so a GEMV (M = 1) runs as C^T = W^T x^T (the weight tile is the
// transposed left operand, x the right one, the 1xN output read as Nx1);
// an output-stationary array gains nothing from the swap and a GEMM cannot
// swap without transposing its output.
// RUN: gaon-opt %s -split-input-file --pass-pipeline='builtin.module(gaon-npu-pipeline{stop-after=gaon-convert-linalg-to-npu})' | FileCheck %s

#ws = #npu.target<name = "ws-1core", clock_mhz = 1000, cores = 1,
    tensor_rows = 32, tensor_cols = 64, dataflow = ws, precisions = [bf16],
    vector_lanes = 64, sram_bytes = 4194304, sram_banks = 16,
    sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 128,
    dram_bytes_per_cycle = 256, dram_latency = 300, dma_startup_cycles = 200>
module attributes {npu.target = #ws} {
// CHECK-LABEL: func.func @gemv_ws
// CHECK: npu.matmul %{{.*}} transposed, %{{.*}} -> %{{.*}} accumulate : memref<{{[0-9]+}}x512xbf16, {{.*}}>, memref<{{[0-9]+}}x1xbf16, {{.*}}> -> memref<512x1xf32, {{.*}}>
func.func @gemv_ws(%x: tensor<1x256xbf16>, %w: tensor<256x512xbf16>) -> tensor<1x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x512xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x512xf32>) -> tensor<1x512xf32>
  %c = linalg.matmul ins(%x, %w : tensor<1x256xbf16>, tensor<256x512xbf16>) outs(%f : tensor<1x512xf32>) -> tensor<1x512xf32>
  return %c : tensor<1x512xf32>
}
}

// -----

#os = #npu.target<name = "os-1core", clock_mhz = 1000, cores = 1,
    tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16],
    vector_lanes = 32, sram_bytes = 4194304, sram_banks = 16,
    sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64,
    dram_bytes_per_cycle = 128, dram_latency = 100>
module attributes {npu.target = #os} {
// CHECK-LABEL: func.func @gemv_os
// CHECK: npu.matmul %{{[^ ]*}}, %{{[^ ]*}} -> %{{.*}} accumulate : memref<1x{{[0-9]+}}xbf16, {{.*}}>, memref<{{[0-9]+}}x{{[0-9]+}}xbf16, {{.*}}> -> memref<1x{{[0-9]+}}xf32, {{.*}}>
func.func @gemv_os(%x: tensor<1x256xbf16>, %w: tensor<256x512xbf16>) -> tensor<1x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x512xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x512xf32>) -> tensor<1x512xf32>
  %c = linalg.matmul ins(%x, %w : tensor<1x256xbf16>, tensor<256x512xbf16>) outs(%f : tensor<1x512xf32>) -> tensor<1x512xf32>
  return %c : tensor<1x512xf32>
}
}

// -----

#ws2 = #npu.target<name = "ws-1core", clock_mhz = 1000, cores = 1,
    tensor_rows = 32, tensor_cols = 64, dataflow = ws, precisions = [bf16],
    vector_lanes = 64, sram_bytes = 4194304, sram_banks = 16,
    sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 128,
    dram_bytes_per_cycle = 256, dram_latency = 300, dma_startup_cycles = 200>
module attributes {npu.target = #ws2} {
// CHECK-LABEL: func.func @gemm_ws
// CHECK: npu.matmul %{{[^ ]*}}, %{{[^ ]*}} -> %{{.*}} accumulate : memref<64x{{[0-9]+}}xbf16, {{.*}}>, memref<{{[0-9]+}}x{{[0-9]+}}xbf16, {{.*}}> -> memref<64x{{[0-9]+}}xf32, {{.*}}>
func.func @gemm_ws(%a: tensor<64x256xbf16>, %b: tensor<256x128xbf16>) -> tensor<64x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x128xf32>) -> tensor<64x128xf32>
  %c = linalg.matmul ins(%a, %b : tensor<64x256xbf16>, tensor<256x128xbf16>) outs(%f : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %c : tensor<64x128xf32>
}
}
