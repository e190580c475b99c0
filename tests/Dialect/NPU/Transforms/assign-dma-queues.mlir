// Ensures gaon-assign-dma-queues puts every store (SRAM to DRAM) on the last
// DMA queue of its core and every load on whichever of the other queues of
// its core has the fewest bytes queued so far (ties to the lowest), counting
// each core separately, and leaves everything on queue 0 with one DMA
// engine.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-assign-dma-queues | FileCheck %s

// Three engines: loads share queues 0 and 1, stores use queue 2.
// CHECK-LABEL: func @three_engines
// A (8 KiB) goes to queue 0, B (2 KiB) to the empty queue 1, C (2 KiB) to
// queue 1 again (2 KiB < 8 KiB), D (8 KiB) to queue 1 (4 KiB < 8 KiB).
// CHECK: npu.dma %{{.*}} -> %[[A:.*]] : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
// CHECK: npu.dma %{{.*}} -> %{{.*}} {queue = 1 : i64} : memref<32x32xbf16>
// CHECK: npu.dma %{{.*}} -> %{{.*}} {queue = 1 : i64} : memref<32x32xbf16>
// CHECK: npu.dma %{{.*}} -> %{{.*}} {queue = 1 : i64} : memref<64x64xbf16>
// CHECK: npu.dma %{{.*}} -> %{{.*}} {queue = 2 : i64} : memref<64x64xf32, #npu.memory_space<sram>> -> memref<64x64xf32>
// Core 1 keeps its own byte counts: its first load is on queue 0 again.
// CHECK: npu.dma %{{.*}} -> %{{.*}} {core = 1 : i64} : memref<64x64xbf16>
// CHECK: npu.dma %{{.*}} -> %{{.*}} {core = 1 : i64, queue = 1 : i64} : memref<32x32xbf16>
// CHECK: npu.dma %{{.*}} -> %{{.*}} {core = 1 : i64, queue = 2 : i64} : memref<64x64xf32, #npu.memory_space<sram>>
module attributes {npu.target = #npu.target<name = "three-dma", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 3, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @three_engines(%a: memref<64x64xbf16>, %b: memref<32x32xbf16>, %c: memref<64x64xf32>) {
  %sa = npu.alloc : memref<64x64xbf16, #npu.memory_space<sram>>
  %sb = npu.alloc : memref<32x32xbf16, #npu.memory_space<sram>>
  %sc = npu.alloc : memref<64x64xf32, #npu.memory_space<sram>>
  npu.dma %a -> %sa : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %b -> %sb : memref<32x32xbf16> -> memref<32x32xbf16, #npu.memory_space<sram>>
  npu.dma %b -> %sb : memref<32x32xbf16> -> memref<32x32xbf16, #npu.memory_space<sram>>
  npu.dma %a -> %sa : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %sc -> %c : memref<64x64xf32, #npu.memory_space<sram>> -> memref<64x64xf32>
  %ta = npu.alloc {core = 1} : memref<64x64xbf16, #npu.memory_space<sram>>
  %tb = npu.alloc {core = 1} : memref<32x32xbf16, #npu.memory_space<sram>>
  %tc = npu.alloc {core = 1} : memref<64x64xf32, #npu.memory_space<sram>>
  npu.dma %a -> %ta {core = 1} : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %b -> %tb {core = 1} : memref<32x32xbf16> -> memref<32x32xbf16, #npu.memory_space<sram>>
  npu.dma %tc -> %c {core = 1} : memref<64x64xf32, #npu.memory_space<sram>> -> memref<64x64xf32>
  return
}
}

// -----

// One engine: loads and stores all on queue 0 (not printed).
// CHECK-LABEL: func @one_engine
// CHECK-NOT: queue
module attributes {npu.target = #npu.target<name = "one-dma", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 1, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @one_engine(%a: memref<64x64xbf16>, %c: memref<64x64xbf16>) {
  %sa = npu.alloc : memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %a -> %sa {queue = 0} : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %a -> %sa : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %sa -> %c : memref<64x64xbf16, #npu.memory_space<sram>> -> memref<64x64xbf16>
  return
}
}
