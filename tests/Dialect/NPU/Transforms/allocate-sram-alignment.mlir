// Ensures gaon-allocate-sram's diagnostic for a bad alignment option quotes
// the value as a number.
// RUN: not gaon-opt %s '--gaon-allocate-sram=alignment=100' -o /dev/null 2>&1 | FileCheck %s
// CHECK: error: alignment must be a positive power of two, got 100

module attributes {npu.target = #npu.target<name = "small", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 16384, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @bad_alignment(%x: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
  npu.dma %x -> %a : memref<16xf32> -> memref<16xf32, #npu.memory_space<sram>>
  return
}
}
