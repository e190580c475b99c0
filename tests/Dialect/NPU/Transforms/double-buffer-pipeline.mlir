// Ensures gaon-double-buffer gives every SRAM buffer of a loop of two or
// more iterations two slots, innermost loops first: the operand tiles of the
// K loop get two slots once (they stay in the core's tile loop, not
// multiplied again by it), the output tile two slots in the tile loop; with
// buffers=1 nothing changes; a buffer whose second copy would not fit the
// SRAM (a 2 MiB output tile next to 0.75 MiB of operand tiles in 4 MiB)
// keeps one.
// RUN: gaon-opt %s -split-input-file --pass-pipeline='builtin.module(gaon-npu-pipeline{stop-after=gaon-double-buffer})' | FileCheck %s
// RUN: gaon-opt %s -split-input-file --pass-pipeline='builtin.module(gaon-npu-pipeline{stop-after=gaon-double-buffer buffers=1})' | FileCheck %s --check-prefix=SINGLE

#t = #npu.target<name = "small", clock_mhz = 1000, cores = 1,
    tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16],
    vector_lanes = 32, sram_bytes = 65536, sram_banks = 16,
    sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64,
    dram_bytes_per_cycle = 128, dram_latency = 100>
module attributes {npu.target = #t} {
// CHECK-LABEL: func.func @tiles_and_k_steps
// CHECK: memref.alloc() {{.*}} : memref<2x64x64xf32, #npu.memory_space<sram>>
// CHECK-NEXT: scf.for
// CHECK: memref.alloc() {{.*}} : memref<2x64x64xbf16, #npu.memory_space<sram>>
// CHECK-NEXT: memref.alloc() {{.*}} : memref<2x64x64xbf16, #npu.memory_space<sram>>
// CHECK-NEXT: scf.for
// CHECK-NOT: memref.alloc
// CHECK: linalg.matmul
// SINGLE-LABEL: func.func @tiles_and_k_steps
// SINGLE: scf.for
// SINGLE: memref.alloc() {{.*}} : memref<64x64xf32, #npu.memory_space<sram>>
// SINGLE: scf.for
// SINGLE: memref.alloc() {{.*}} : memref<64x64xbf16, #npu.memory_space<sram>>
// SINGLE: memref.alloc() {{.*}} : memref<64x64xbf16, #npu.memory_space<sram>>
// SINGLE: linalg.matmul
func.func @tiles_and_k_steps(%a: tensor<128x256xbf16>, %b: tensor<256x128xbf16>) -> tensor<128x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<128x128xf32>) -> tensor<128x128xf32>
  %c = linalg.matmul ins(%a, %b : tensor<128x256xbf16>, tensor<256x128xbf16>) outs(%f : tensor<128x128xf32>) -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
}

// -----

#atom = #npu.target<name = "atom", clock_mhz = 1000, cores = 8,
    tensor_rows = 32, tensor_cols = 64, dataflow = ws,
    precisions = [i8, bf16, f16], vector_lanes = 64, sram_bytes = 4194304,
    sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2,
    dma_bytes_per_cycle = 128, dram_bytes_per_cycle = 256,
    dram_latency = 300, dma_startup_cycles = 200, dram_row_bytes = 2048,
    dram_row_switch_bytes = 640>
module attributes {npu.target = #atom} {
// CHECK-LABEL: func.func @output_too_large
// CHECK: scf.for
// CHECK-NOT: memref<2x1024x512xf32
// CHECK: memref.alloc() {{.*}} : memref<1024x512xf32, #npu.memory_space<sram>>
// CHECK: memref.alloc() {{.*}} : memref<2x1024x128xbf16, #npu.memory_space<sram>>
// CHECK-NEXT: memref.alloc() {{.*}} : memref<2x128x512xbf16, #npu.memory_space<sram>>
// CHECK-NEXT: scf.for
func.func @output_too_large(%a: tensor<4096x4096xbf16>, %b: tensor<4096x4096xbf16>) -> tensor<4096x4096xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4096x4096xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4096x4096xf32>) -> tensor<4096x4096xf32>
  %c = linalg.matmul ins(%a, %b : tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) outs(%f : tensor<4096x4096xf32>) -> tensor<4096x4096xf32>
  return %c : tensor<4096x4096xf32>
}
}
