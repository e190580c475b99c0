// Ensures gaon-double-buffer gives every SRAM alloc of an scf.for body
// (trip count >= 2) a leading dimension of 'buffers' slots, hoisted before
// the loop, with iteration i using slot i mod buffers; a buffer already
// multi-buffered for an inner loop is not multiplied again by the outer
// loop, DRAM allocs and single-trip loops are left alone, and buffers=1
// disables the pass.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-double-buffer | FileCheck %s --check-prefixes=CHECK,TWO
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-double-buffer=buffers=3' | FileCheck %s --check-prefixes=CHECK,THREE
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-double-buffer=buffers=1' | FileCheck %s --check-prefixes=CHECK,ONE

// TWO-DAG: #[[TILESLOT:.*]] = affine_map<(d0) -> (d0 mod 2)>
// TWO-DAG: #[[KSLOT:.*]] = affine_map<(d0) -> ((d0 floordiv 64) mod 2)>
// THREE-DAG: #[[TILESLOT:.*]] = affine_map<(d0) -> (d0 mod 3)>
// THREE-DAG: #[[KSLOT:.*]] = affine_map<(d0) -> ((d0 floordiv 64) mod 3)>
// CHECK-LABEL: func @tile_and_k_loops
// CHECK-SAME: (%[[A:.*]]: memref<64x256xbf16>, %[[DST:.*]]: memref<64x32xf32>)
// TWO: %[[ACC:.*]] = memref.alloc() : memref<2x32x32xf32, #npu.memory_space<sram>>
// THREE: %[[ACC:.*]] = memref.alloc() : memref<3x32x32xf32, #npu.memory_space<sram>>
// ONE-NOT: memref.alloc
// CHECK: scf.for %[[T:.*]] =
// TWO: %[[SLOT:.*]] = affine.apply #[[TILESLOT]](%[[T]])
// TWO: %[[ACCT:.*]] = memref.subview %[[ACC]][%[[SLOT]], 0, 0] [1, 32, 32] [1, 1, 1]
// THREE: %[[SLOT:.*]] = affine.apply #[[TILESLOT]](%[[T]])
// THREE: %[[ACCT:.*]] = memref.subview %[[ACC]][%[[SLOT]], 0, 0] [1, 32, 32] [1, 1, 1]
// ONE: %[[ACCT:.*]] = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
// The DRAM buffer keeps its place and shape.
// CHECK: memref.alloc() : memref<32x32xf32>{{$}}
// The K-loop buffer is multi-buffered for the K loop only: the outer loop
// does not multiply it again.
// TWO: %[[KBUF:.*]] = memref.alloc() : memref<2x32x64xbf16, #npu.memory_space<sram>>
// THREE: %[[KBUF:.*]] = memref.alloc() : memref<3x32x64xbf16, #npu.memory_space<sram>>
// CHECK: scf.for %[[K:.*]] =
// TWO: %[[KS:.*]] = affine.apply #[[KSLOT]](%[[K]])
// TWO: %[[KT:.*]] = memref.subview %[[KBUF]][%[[KS]], 0, 0] [1, 32, 64] [1, 1, 1]
// THREE: %[[KS:.*]] = affine.apply #[[KSLOT]](%[[K]])
// THREE: %[[KT:.*]] = memref.subview %[[KBUF]][%[[KS]], 0, 0] [1, 32, 64] [1, 1, 1]
// ONE: %[[KT:.*]] = memref.alloc() : memref<32x64xbf16, #npu.memory_space<sram>>
// CHECK: memref.copy %{{.*}}, %[[KT]]
// CHECK: memref.copy %[[ACCT]], %{{.*}}
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @tile_and_k_loops(%a: memref<64x256xbf16>, %dst: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c256 = arith.constant 256 : index
  %c64 = arith.constant 64 : index
  scf.for %t = %c0 to %c2 step %c1 {
    %acc = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
    %dram = memref.alloc() : memref<32x32xf32>
    scf.for %k = %c0 to %c256 step %c64 {
      %tile = memref.alloc() : memref<32x64xbf16, #npu.memory_space<sram>>
      %s = memref.subview %a[0, %k] [32, 64] [1, 1] : memref<64x256xbf16> to memref<32x64xbf16, strided<[256, 1], offset: ?>>
      memref.copy %s, %tile : memref<32x64xbf16, strided<[256, 1], offset: ?>> to memref<32x64xbf16, #npu.memory_space<sram>>
    }
    %d = memref.subview %dst[%t, 0] [32, 32] [1, 1] : memref<64x32xf32> to memref<32x32xf32, strided<[32, 1], offset: ?>>
    memref.copy %acc, %d : memref<32x32xf32, #npu.memory_space<sram>> to memref<32x32xf32, strided<[32, 1], offset: ?>>
  }
  return
}
}

// -----

// A loop with one iteration has nothing to overlap.
// CHECK-LABEL: func @single_trip
// CHECK: scf.for
// CHECK-NEXT: memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @single_trip(%dst: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %u = %c0 to %c1 step %c1 {
    %single = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
    memref.copy %single, %dst : memref<16xf32, #npu.memory_space<sram>> to memref<16xf32>
  }
  return
}
}
