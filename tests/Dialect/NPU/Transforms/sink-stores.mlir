// Ensures gaon-sink-stores issues a store after the loads that follow it on
// its DMA queue, up to the first command that uses one of them; that a
// store never passes a command touching its SRAM bytes or DRAM elements
// (one of the two writing), another store of its queue, nor a load that
// waits for a command after the store's producer; that a store alone on
// its queue stays; and that loops and already synchronised commands are
// errors.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-sink-stores | FileCheck %s

// One DMA engine: the next tile's loads move ahead of the store, which
// lands before the matmul that uses them; the load after that matmul waits
// for the same compute as the store and stays behind it.
// CHECK-LABEL: func @next_tile
// CHECK-SAME: (%[[A:.*]]: memref<2x32x32xbf16>, %[[B:.*]]: memref<32x32xbf16>, %[[C:.*]]: memref<2x32x32xf32>)
// CHECK: npu.matmul %[[A0:.*]], %[[B0:.*]] -> %[[ACC0:.*]] :
// CHECK-NEXT: npu.dma %{{.*}} -> %[[A1:.*]] :
// CHECK-NEXT: npu.dma %[[ACC0]] -> %{{.*}} :
// CHECK-NEXT: npu.matmul %[[A1]], %[[B0]] -> %[[ACC1:.*]] :
// CHECK-NEXT: npu.dma %{{.*}} -> %[[A0]] :
// CHECK-NEXT: npu.dma %[[ACC1]] -> %{{.*}} :
// CHECK-NEXT: return
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "one-dma", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 1, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @next_tile(%a: memref<2x32x32xbf16>, %b: memref<32x32xbf16>, %c: memref<2x32x32xf32>) {
  %a0 = npu.alloc address 0 : memref<32x32xbf16, #sram>
  %a1 = npu.alloc address 2048 : memref<32x32xbf16, #sram>
  %b0 = npu.alloc address 4096 : memref<32x32xbf16, #sram>
  %acc0 = npu.alloc address 8192 : memref<32x32xf32, #sram>
  %acc1 = npu.alloc address 12288 : memref<32x32xf32, #sram>
  %a_0 = memref.subview %a[0, 0, 0] [1, 32, 32] [1, 1, 1] : memref<2x32x32xbf16> to memref<32x32xbf16, strided<[32, 1]>>
  %a_1 = memref.subview %a[1, 0, 0] [1, 32, 32] [1, 1, 1] : memref<2x32x32xbf16> to memref<32x32xbf16, strided<[32, 1], offset: 1024>>
  %c_0 = memref.subview %c[0, 0, 0] [1, 32, 32] [1, 1, 1] : memref<2x32x32xf32> to memref<32x32xf32, strided<[32, 1]>>
  %c_1 = memref.subview %c[1, 0, 0] [1, 32, 32] [1, 1, 1] : memref<2x32x32xf32> to memref<32x32xf32, strided<[32, 1], offset: 1024>>
  npu.matmul %a0, %b0 -> %acc0 : memref<32x32xbf16, #sram>, memref<32x32xbf16, #sram> -> memref<32x32xf32, #sram>
  npu.dma %acc0 -> %c_0 : memref<32x32xf32, #sram> -> memref<32x32xf32, strided<[32, 1]>>
  npu.dma %a_1 -> %a1 : memref<32x32xbf16, strided<[32, 1], offset: 1024>> -> memref<32x32xbf16, #sram>
  npu.matmul %a1, %b0 -> %acc1 : memref<32x32xbf16, #sram>, memref<32x32xbf16, #sram> -> memref<32x32xf32, #sram>
  npu.dma %a_0 -> %a0 : memref<32x32xbf16, strided<[32, 1]>> -> memref<32x32xbf16, #sram>
  npu.dma %acc1 -> %c_1 : memref<32x32xf32, #sram> -> memref<32x32xf32, strided<[32, 1], offset: 1024>>
  return
}
}

// -----

// The load reuses the stored buffer's SRAM bytes, and the next load reads
// the DRAM the store writes: neither may go first.
// CHECK-LABEL: func @conflicts
// CHECK: npu.dma %[[ACC:.*]] -> %[[C:.*]] :
// CHECK-NEXT: npu.dma %{{.*}} -> %[[ACC]] :
// CHECK-NEXT: npu.vector.unary exp
// CHECK-NEXT: npu.dma %{{.*}} -> %[[C]] :
// CHECK-NEXT: npu.dma %[[C]] -> %[[ACC]] :
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "one-dma", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 1, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @conflicts(%x: memref<32x32xf32>, %c: memref<32x32xf32>) {
  %acc = npu.alloc address 0 : memref<32x32xf32, #sram>
  %other = npu.alloc address 8192 : memref<32x32xf32, #sram>
  npu.dma %acc -> %c : memref<32x32xf32, #sram> -> memref<32x32xf32>
  npu.dma %x -> %acc : memref<32x32xf32> -> memref<32x32xf32, #sram>
  npu.vector.unary exp %acc -> %other : memref<32x32xf32, #sram> -> memref<32x32xf32, #sram>
  npu.dma %other -> %c : memref<32x32xf32, #sram> -> memref<32x32xf32>
  npu.dma %c -> %acc : memref<32x32xf32> -> memref<32x32xf32, #sram>
  return
}
}

// -----

// Two DMA engines: the store has a queue of its own and stays. A store
// does not pass the next store of its queue (which then passes the load).
// CHECK-LABEL: func @own_queue
// CHECK: npu.dma %[[ACC:.*]] -> %{{.*}} {queue = 1 : i64}
// CHECK-NEXT: npu.dma %{{.*}} -> %{{.*}} :
// CHECK-LABEL: func @next_store
// CHECK-SAME: (%[[X:.*]]: memref<32x32xf32>, %[[C0:.*]]: memref<32x32xf32>, %[[C1:.*]]: memref<32x32xf32>)
// CHECK: npu.dma %{{.*}} -> %[[C0]] :
// CHECK-NEXT: npu.dma %[[X]] -> %{{.*}} :
// CHECK-NEXT: npu.dma %{{.*}} -> %[[C1]] :
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "two-dma", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @own_queue(%x: memref<32x32xf32>, %c: memref<32x32xf32>) {
  %acc = npu.alloc address 0 : memref<32x32xf32, #sram>
  %in = npu.alloc address 8192 : memref<32x32xf32, #sram>
  npu.dma %acc -> %c {queue = 1} : memref<32x32xf32, #sram> -> memref<32x32xf32>
  npu.dma %x -> %in : memref<32x32xf32> -> memref<32x32xf32, #sram>
  return
}
func.func @next_store(%x: memref<32x32xf32>, %c0: memref<32x32xf32>, %c1: memref<32x32xf32>) {
  %acc = npu.alloc address 0 : memref<32x32xf32, #sram>
  %acc1 = npu.alloc address 4096 : memref<32x32xf32, #sram>
  %in = npu.alloc address 8192 : memref<32x32xf32, #sram>
  npu.dma %acc -> %c0 : memref<32x32xf32, #sram> -> memref<32x32xf32>
  npu.dma %acc1 -> %c1 : memref<32x32xf32, #sram> -> memref<32x32xf32>
  npu.dma %x -> %in : memref<32x32xf32> -> memref<32x32xf32, #sram>
  return
}
}

// -----

// The load overwrites what the vector op after the matmul (the store's
// producer) reads: it may be ready after the store, so the store stays in
// front of it.
// CHECK-LABEL: func @late_load
// CHECK: npu.matmul
// CHECK-NEXT: npu.vector.unary exp
// CHECK-NEXT: npu.dma %[[ACC:.*]] -> %{{.*}} :
// CHECK-NEXT: npu.dma %{{.*}} -> %{{.*}} :
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "one-dma", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 1, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @late_load(%x: memref<32x32xf32>, %c: memref<32x32xf32>) {
  %a = npu.alloc address 0 : memref<32x32xbf16, #sram>
  %acc = npu.alloc address 4096 : memref<32x32xf32, #sram>
  %t = npu.alloc address 8192 : memref<32x32xf32, #sram>
  %u = npu.alloc address 16384 : memref<32x32xf32, #sram>
  npu.matmul %a, %a -> %acc : memref<32x32xbf16, #sram>, memref<32x32xbf16, #sram> -> memref<32x32xf32, #sram>
  npu.vector.unary exp %t -> %u : memref<32x32xf32, #sram> -> memref<32x32xf32, #sram>
  npu.dma %acc -> %c : memref<32x32xf32, #sram> -> memref<32x32xf32>
  npu.dma %x -> %t : memref<32x32xf32> -> memref<32x32xf32, #sram>
  return
}
}

// -----

func.func @loop(%c: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{gaon-sink-stores needs straight-line code; run gaon-unroll-loops first}}
  scf.for %i = %c0 to %c2 step %c1 {
  }
  return
}

// -----

func.func @synchronised(%c: memref<32xf32>) {
  %s = npu.semaphore
  %acc = npu.alloc address 0 : memref<32xf32, #npu.memory_space<sram>>
  // expected-error @+1 {{already synchronised: gaon-sink-stores reorders commands before gaon-insert-sync}}
  npu.dma %acc -> %c signal(%s) : memref<32xf32, #npu.memory_space<sram>> -> memref<32xf32>
  return
}
