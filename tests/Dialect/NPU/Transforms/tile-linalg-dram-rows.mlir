// Ensures gaon-tile-linalg picks GEMM tiles from the target's cost model:
// with the DRAM row model (dram_row_bytes, dram_row_switch_bytes) tiles keep
// contiguous runs of a row or more where SRAM allows (tall 1024x512 output
// tiles, which the weight-stationary array runs at 89% of its peak, with one
// output buffer and K steps of 128: 1024-byte runs of B); without it, K steps
// of 32 look as cheap although their 64-byte runs of A each open a DRAM row.
// RUN: gaon-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(gaon-tile-linalg))' | FileCheck %s

#atom = #npu.target<name = "atom", clock_mhz = 1000, cores = 8,
    tensor_rows = 32, tensor_cols = 64, dataflow = ws,
    precisions = [i8, bf16, f16], vector_lanes = 64, sram_bytes = 4194304,
    sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2,
    dma_bytes_per_cycle = 128, dram_bytes_per_cycle = 256,
    dram_latency = 300, dma_startup_cycles = 200, dram_row_bytes = 2048,
    dram_row_switch_bytes = 640>
module attributes {npu.target = #atom} {
// CHECK-LABEL: func.func @gemm_rows
// CHECK: scf.forall ({{.*}}) = (0, 0) to (4096, 4096) step (1024, 512)
// CHECK: scf.for {{.*}} step %c128
// CHECK: linalg.matmul {{.*}} : tensor<1024x128xbf16>, tensor<128x512xbf16>) outs({{.*}} : tensor<1024x512xf32>)
func.func @gemm_rows(%a: tensor<4096x4096xbf16>, %b: tensor<4096x4096xbf16>) -> tensor<4096x4096xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4096x4096xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4096x4096xf32>) -> tensor<4096x4096xf32>
  %c = linalg.matmul ins(%a, %b : tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) outs(%f : tensor<4096x4096xf32>) -> tensor<4096x4096xf32>
  return %c : tensor<4096x4096xf32>
}
}

// -----

#atom_no_rows = #npu.target<name = "atom", clock_mhz = 1000, cores = 8,
    tensor_rows = 32, tensor_cols = 64, dataflow = ws,
    precisions = [i8, bf16, f16], vector_lanes = 64, sram_bytes = 4194304,
    sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2,
    dma_bytes_per_cycle = 128, dram_bytes_per_cycle = 256,
    dram_latency = 300, dma_startup_cycles = 200>
module attributes {npu.target = #atom_no_rows} {
// CHECK-LABEL: func.func @gemm_no_rows
// CHECK: scf.forall ({{.*}}) = (0, 0) to (4096, 4096) step (1024, 256)
// CHECK: scf.for {{.*}} step %c32
// CHECK: linalg.matmul {{.*}} : tensor<1024x32xbf16>, tensor<32x256xbf16>) outs({{.*}} : tensor<1024x256xf32>)
func.func @gemm_no_rows(%a: tensor<4096x4096xbf16>, %b: tensor<4096x4096xbf16>) -> tensor<4096x4096xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4096x4096xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4096x4096xf32>) -> tensor<4096x4096xf32>
  %c = linalg.matmul ins(%a, %b : tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) outs(%f : tensor<4096x4096xf32>) -> tensor<4096x4096xf32>
  return %c : tensor<4096x4096xf32>
}
}
