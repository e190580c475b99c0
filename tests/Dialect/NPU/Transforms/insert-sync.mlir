// Ensures gaon-insert-sync makes each command wait for the last conflicting
// command (same SRAM bytes of the core, or overlapping DRAM, at least one
// writing) of every other queue, with one semaphore per ordered queue pair
// signalled by the producer and waited on by the consumer; commands of one
// queue need no semaphore, dependencies implied by earlier waits are left
// out, SRAM address reuse orders a DMA after the last reader of the old
// buffer, each core's SRAM is separate while DRAM is shared, and disjoint
// DRAM tiles do not wait on each other. Loops, already synchronised
// commands, SRAM buffers without an address and views with dynamic offsets
// are errors.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-insert-sync | FileCheck %s

// CHECK-LABEL: func @matmul_tile
// CHECK-SAME: (%[[A:.*]]: memref<32x32xbf16>, %[[B:.*]]: memref<32x32xbf16>, %[[C:.*]]: memref<32x32xf32>)
// Vector -> tensor, DMA queue 0 -> tensor, tensor -> DMA queue 1 and
// tensor -> DMA queue 0.
// CHECK: %[[VEC2TE:.*]] = npu.semaphore{{$}}
// CHECK: %[[DMA2TE:.*]] = npu.semaphore{{$}}
// CHECK: %[[TE2STORE:.*]] = npu.semaphore{{$}}
// CHECK: %[[TE2DMA:.*]] = npu.semaphore{{$}}
// CHECK-NOT: npu.semaphore
// The load of A needs no signal: the matmul waits for the later load of B
// on the same queue.
// CHECK: npu.dma %[[A]] -> %{{.*}} : memref<32x32xbf16>
// CHECK: npu.dma %[[B]] -> %{{.*}} signal(%[[DMA2TE]])
// CHECK: npu.vector.fill 0.000000e+00 -> %{{.*}} signal(%[[VEC2TE]])
// CHECK: npu.matmul {{.*}} accumulate wait(%[[VEC2TE]], %[[DMA2TE]]) signal(%[[TE2STORE]], %[[TE2DMA]])
// CHECK: npu.dma %{{.*}} -> %[[C]] wait(%[[TE2STORE]]) {queue = 1 : i64}
// The next load reuses A's address: it waits for the matmul that read A.
// CHECK: npu.dma %[[B]] -> %{{.*}} wait(%[[TE2DMA]]) : memref<32x32xbf16>
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @matmul_tile(%a: memref<32x32xbf16>, %b: memref<32x32xbf16>, %c: memref<32x32xf32>) {
  %sa = npu.alloc address 0 : memref<32x32xbf16, #sram>
  %sb = npu.alloc address 2048 : memref<32x32xbf16, #sram>
  %sc = npu.alloc address 4096 : memref<32x32xf32, #sram>
  npu.dma %a -> %sa : memref<32x32xbf16> -> memref<32x32xbf16, #sram>
  npu.dma %b -> %sb : memref<32x32xbf16> -> memref<32x32xbf16, #sram>
  npu.vector.fill 0.0 -> %sc : memref<32x32xf32, #sram>
  npu.matmul %sa, %sb -> %sc accumulate : memref<32x32xbf16, #sram>, memref<32x32xbf16, #sram> -> memref<32x32xf32, #sram>
  npu.dma %sc -> %c {queue = 1} : memref<32x32xf32, #sram> -> memref<32x32xf32>
  %sd = npu.alloc address 0 : memref<32x32xbf16, #sram>
  npu.dma %b -> %sd : memref<32x32xbf16> -> memref<32x32xbf16, #sram>
  return
}
}

// -----

// The matmul reads the DMA's and the vector engine's outputs, but the
// vector engine already waited for the DMA: one wait suffices.
// CHECK-LABEL: func @implied_wait
// CHECK: %[[S0:.*]] = npu.semaphore
// CHECK: %[[S1:.*]] = npu.semaphore
// CHECK-NOT: npu.semaphore
// CHECK: npu.dma {{.*}} signal(%[[S0]])
// CHECK: npu.vector.unary exp {{.*}} wait(%[[S0]]) signal(%[[S1]])
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} wait(%[[S1]]) :
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @implied_wait(%a: memref<32x32xf32>) {
  %sa = npu.alloc address 0 : memref<32x32xf32, #sram>
  %sb = npu.alloc address 4096 : memref<32x32xf32, #sram>
  %sc = npu.alloc address 8192 : memref<32x32xf32, #sram>
  npu.dma %a -> %sa : memref<32x32xf32> -> memref<32x32xf32, #sram>
  npu.vector.unary exp %sa -> %sb : memref<32x32xf32, #sram> -> memref<32x32xf32, #sram>
  npu.matmul %sa, %sb -> %sc : memref<32x32xf32, #sram>, memref<32x32xf32, #sram> -> memref<32x32xf32, #sram>
  return
}
}

// -----

// Core 0 stores y; core 1 then overwrites its own SRAM address 0 (no
// conflict with core 0's address 0) and loads y (a DRAM conflict: it waits).
// CHECK-LABEL: func @cores
// CHECK-SAME: (%[[X:.*]]: memref<32xf32>, %[[Y:.*]]: memref<32xf32>)
// CHECK: %[[LOAD2STORE:.*]] = npu.semaphore
// CHECK: %[[STORE2CORE1:.*]] = npu.semaphore
// CHECK-NOT: npu.semaphore
// CHECK: npu.dma %[[X]] -> %{{.*}} signal(%[[LOAD2STORE]])
// CHECK: npu.dma %{{.*}} -> %[[Y]] wait(%[[LOAD2STORE]]) signal(%[[STORE2CORE1]]) {queue = 1 : i64}
// CHECK: npu.dma %[[X]] -> %{{.*}} {core = 1 : i64}
// CHECK: npu.dma %[[Y]] -> %{{.*}} wait(%[[STORE2CORE1]]) {core = 1 : i64}
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @cores(%x: memref<32xf32>, %y: memref<32xf32>) {
  %s0 = npu.alloc address 0 : memref<32xf32, #sram>
  %s1 = npu.alloc address 0 {core = 1} : memref<32xf32, #sram>
  npu.dma %x -> %s0 : memref<32xf32> -> memref<32xf32, #sram>
  npu.dma %s0 -> %y {queue = 1} : memref<32xf32, #sram> -> memref<32xf32>
  npu.dma %x -> %s1 {core = 1} : memref<32xf32> -> memref<32xf32, #sram>
  npu.dma %y -> %s1 {core = 1} : memref<32xf32> -> memref<32xf32, #sram>
  return
}
}

// -----

// Core 0 stores columns 0-15 of y, core 1 loads columns 16-31: the strided
// tiles are disjoint, so no semaphore; the load of columns 8-23 overlaps.
// CHECK-LABEL: func @disjoint_tiles
// CHECK: %[[S:.*]] = npu.semaphore
// CHECK-NOT: npu.semaphore
// CHECK: npu.dma %{{.*}} -> %{{.*}} signal(%[[S]]) {queue = 1 : i64}
// CHECK: npu.dma %{{.*}} -> %{{.*}} {core = 1 : i64} :
// CHECK: npu.dma %{{.*}} -> %{{.*}} wait(%[[S]]) {core = 1 : i64} :
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @disjoint_tiles(%y: memref<16x32xf32>) {
  %s0 = npu.alloc address 0 : memref<16x16xf32, #sram>
  %s1 = npu.alloc address 0 {core = 1} : memref<16x16xf32, #sram>
  %left = memref.subview %y[0, 0] [16, 16] [1, 1] : memref<16x32xf32> to memref<16x16xf32, strided<[32, 1]>>
  %right = memref.subview %y[0, 16] [16, 16] [1, 1] : memref<16x32xf32> to memref<16x16xf32, strided<[32, 1], offset: 16>>
  %middle = memref.subview %y[0, 8] [16, 16] [1, 1] : memref<16x32xf32> to memref<16x16xf32, strided<[32, 1], offset: 8>>
  npu.dma %s0 -> %left {queue = 1} : memref<16x16xf32, #sram> -> memref<16x16xf32, strided<[32, 1]>>
  npu.dma %right -> %s1 {core = 1} : memref<16x16xf32, strided<[32, 1], offset: 16>> -> memref<16x16xf32, #sram>
  npu.dma %middle -> %s1 {core = 1} : memref<16x16xf32, strided<[32, 1], offset: 8>> -> memref<16x16xf32, #sram>
  return
}
}

// -----

// Through a transposed view, core 1 reads y[16:32, 16:32] (disjoint from
// the tile core 0 stores: no wait), then every other row of y (rows 1, 3,
// ... overlap the stored tile: it waits).
// CHECK-LABEL: func @transposed_and_strided_views
// CHECK: %[[S:.*]] = npu.semaphore
// CHECK-NOT: npu.semaphore
// CHECK: npu.dma %{{.*}} -> %{{.*}} signal(%[[S]]) {queue = 1 : i64}
// CHECK: npu.dma %{{.*}} -> %{{.*}} {core = 1 : i64} : memref<16x16xf32, strided<[1, 32], offset: 528>>
// CHECK: npu.dma %{{.*}} -> %{{.*}} wait(%[[S]]) {core = 1 : i64} : memref<8x32xf32, strided<[64, 1], offset: 32>>
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @transposed_and_strided_views(%y: memref<32x32xf32>) {
  %s0 = npu.alloc address 0 : memref<16x16xf32, #sram>
  %s1 = npu.alloc address 0 {core = 1} : memref<16x16xf32, #sram>
  %s2 = npu.alloc address 8192 {core = 1} : memref<8x32xf32, #sram>
  %tile = memref.subview %y[0, 0] [16, 16] [1, 1] : memref<32x32xf32> to memref<16x16xf32, strided<[32, 1]>>
  npu.dma %s0 -> %tile {queue = 1} : memref<16x16xf32, #sram> -> memref<16x16xf32, strided<[32, 1]>>
  %t = memref.transpose %y (i, j) -> (j, i) : memref<32x32xf32> to memref<32x32xf32, strided<[1, 32]>>
  %corner = memref.subview %t[16, 16] [16, 16] [1, 1] : memref<32x32xf32, strided<[1, 32]>> to memref<16x16xf32, strided<[1, 32], offset: 528>>
  npu.dma %corner -> %s1 {core = 1} : memref<16x16xf32, strided<[1, 32], offset: 528>> -> memref<16x16xf32, #sram>
  %odd = memref.subview %y[1, 0] [8, 32] [2, 1] : memref<32x32xf32> to memref<8x32xf32, strided<[64, 1], offset: 32>>
  npu.dma %odd -> %s2 {core = 1} : memref<8x32xf32, strided<[64, 1], offset: 32>> -> memref<8x32xf32, #sram>
  return
}
}

// -----

#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @loop(%x: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %s = npu.alloc address 0 : memref<32xf32, #sram>
  // expected-error @below {{gaon-insert-sync needs straight-line code; run gaon-unroll-loops first}}
  scf.for %i = %c0 to %c2 step %c1 {
    npu.dma %x -> %s : memref<32xf32> -> memref<32xf32, #sram>
  }
  return
}
}

// -----

#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @already_synchronised(%x: memref<32xf32>) {
  %sem = npu.semaphore
  %s = npu.alloc address 0 : memref<32xf32, #sram>
  // expected-error @below {{already synchronised; gaon-insert-sync expects commands without semaphores}}
  npu.dma %x -> %s signal(%sem) : memref<32xf32> -> memref<32xf32, #sram>
  return
}
}

// -----

#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @no_address(%x: memref<32xf32>) {
  %s = npu.alloc : memref<32xf32, #sram>
  // expected-error @below {{SRAM operand has no address; run gaon-allocate-sram first}}
  npu.dma %x -> %s : memref<32xf32> -> memref<32xf32, #sram>
  return
}
}

// -----

#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @dynamic_offset(%x: memref<64xf32>, %i: index) {
  %s = npu.alloc address 0 : memref<32xf32, #sram>
  %v = memref.subview %x[%i] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1], offset: ?>>
  // expected-error @below {{cannot resolve operand of type 'memref<32xf32, strided<[1], offset: ?>>' to a buffer with static offsets; run gaon-unroll-loops first}}
  npu.dma %v -> %s : memref<32xf32, strided<[1], offset: ?>> -> memref<32xf32, #sram>
  return
}
}
