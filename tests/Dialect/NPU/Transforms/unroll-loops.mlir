// Ensures gaon-unroll-loops fully unrolls every scf.for (nested ones too)
// into straight-line npu commands in iteration order and folds the index
// arithmetic, so that every view has a static offset (double-buffer slots
// and tile rows alike) that the commands take directly (the npu ops fold
// the memref.cast back to the dynamic-offset type), and that a loop with
// non-constant bounds is an error.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-unroll-loops | FileCheck %s

// Two tiles of 16 rows, double-buffered: iteration 0 uses slot 0 and rows
// 0-15, iteration 1 slot 1 (offset 1024) and rows 16-31.
// CHECK-LABEL: func @two_tiles
// CHECK-SAME: (%[[X:.*]]: memref<32x64xf32>, %[[Y:.*]]: memref<32x64xf32>)
// CHECK-NOT: scf.for
// CHECK-NOT: affine.apply
// CHECK: %[[IN:.*]] = memref.alloc() : memref<2x16x64xf32, #npu.memory_space<sram>>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x16x64xf32, #npu.memory_space<sram>>
// CHECK: %[[IN0:.*]] = memref.subview %[[IN]][0, 0, 0] [1, 16, 64] [1, 1, 1]
// CHECK: %[[OUT0:.*]] = memref.subview %[[OUT]][0, 0, 0] [1, 16, 64] [1, 1, 1]
// CHECK: %[[X0:.*]] = memref.subview %[[X]][0, 0] [16, 64] [1, 1]
// CHECK: %[[Y0:.*]] = memref.subview %[[Y]][0, 0] [16, 64] [1, 1]
// CHECK: npu.dma %[[X0]] -> %[[IN0]]
// CHECK-NEXT: npu.vector.unary exp %[[IN0]] -> %[[OUT0]]
// CHECK-NEXT: npu.dma %[[OUT0]] -> %[[Y0]]
// CHECK: %[[IN1:.*]] = memref.subview %[[IN]][1, 0, 0] [1, 16, 64] [1, 1, 1] : memref<2x16x64xf32, #npu.memory_space<sram>> to memref<16x64xf32, strided<[64, 1], offset: 1024>, #npu.memory_space<sram>>
// CHECK: %[[OUT1:.*]] = memref.subview %[[OUT]][1, 0, 0] [1, 16, 64] [1, 1, 1]
// CHECK: %[[X1:.*]] = memref.subview %[[X]][16, 0] [16, 64] [1, 1] : memref<32x64xf32> to memref<16x64xf32, strided<[64, 1], offset: 1024>>
// CHECK: %[[Y1:.*]] = memref.subview %[[Y]][16, 0] [16, 64] [1, 1]
// CHECK: npu.dma %[[X1]] -> %[[IN1]]
// CHECK-NEXT: npu.vector.unary exp %[[IN1]] -> %[[OUT1]]
// CHECK-NEXT: npu.dma %[[OUT1]] -> %[[Y1]]
// CHECK-NEXT: return
#slot = affine_map<(d0) -> (d0 mod 2)>
#row = affine_map<(d0) -> (d0 * 16)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @two_tiles(%x: memref<32x64xf32>, %y: memref<32x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %in = memref.alloc() : memref<2x16x64xf32, #npu.memory_space<sram>>
  %out = memref.alloc() : memref<2x16x64xf32, #npu.memory_space<sram>>
  scf.for %t = %c0 to %c2 step %c1 {
    %s = affine.apply #slot(%t)
    %r = affine.apply #row(%t)
    %a = memref.subview %in[%s, 0, 0] [1, 16, 64] [1, 1, 1] : memref<2x16x64xf32, #npu.memory_space<sram>> to memref<16x64xf32, strided<[64, 1], offset: ?>, #npu.memory_space<sram>>
    %b = memref.subview %out[%s, 0, 0] [1, 16, 64] [1, 1, 1] : memref<2x16x64xf32, #npu.memory_space<sram>> to memref<16x64xf32, strided<[64, 1], offset: ?>, #npu.memory_space<sram>>
    %xs = memref.subview %x[%r, 0] [16, 64] [1, 1] : memref<32x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
    %ys = memref.subview %y[%r, 0] [16, 64] [1, 1] : memref<32x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
    npu.dma %xs -> %a : memref<16x64xf32, strided<[64, 1], offset: ?>> -> memref<16x64xf32, strided<[64, 1], offset: ?>, #npu.memory_space<sram>>
    npu.vector.unary exp %a -> %b : memref<16x64xf32, strided<[64, 1], offset: ?>, #npu.memory_space<sram>> -> memref<16x64xf32, strided<[64, 1], offset: ?>, #npu.memory_space<sram>>
    npu.dma %b -> %ys : memref<16x64xf32, strided<[64, 1], offset: ?>, #npu.memory_space<sram>> -> memref<16x64xf32, strided<[64, 1], offset: ?>>
  }
  return
}
}

// -----

// Tile loops around K loops on a 2-core target: 2 x 3 matmuls per core,
// in (tile, k) order, each keeping its core (core 0 is not printed).
// CHECK-LABEL: func @nested
// CHECK-NOT: scf.for
// CHECK: memref.subview %{{.*}}[0, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} accumulate : 
// CHECK: memref.subview %{{.*}}[16, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} accumulate : 
// CHECK: memref.subview %{{.*}}[32, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} accumulate : 
// CHECK: memref.subview %{{.*}}[0, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} accumulate : 
// CHECK: memref.subview %{{.*}}[16, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} accumulate : 
// CHECK: memref.subview %{{.*}}[32, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} accumulate : 
// CHECK: memref.subview %{{.*}}[0, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul {{.*}} {core = 1 : i64}
// CHECK: memref.subview %{{.*}}[16, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul {{.*}} {core = 1 : i64}
// CHECK: memref.subview %{{.*}}[32, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul {{.*}} {core = 1 : i64}
// CHECK: memref.subview %{{.*}}[0, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul {{.*}} {core = 1 : i64}
// CHECK: memref.subview %{{.*}}[16, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul {{.*}} {core = 1 : i64}
// CHECK: memref.subview %{{.*}}[32, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>>
// CHECK: npu.matmul {{.*}} {core = 1 : i64}
// CHECK-NOT: npu.matmul
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @nested(%b: memref<48x16xbf16, #npu.memory_space<sram>>, %a: memref<16x16xbf16, #npu.memory_space<sram>>, %c: memref<16x16xf32, #npu.memory_space<sram>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c48 = arith.constant 48 : index
  scf.for %t = %c0 to %c2 step %c1 {
    scf.for %k = %c0 to %c48 step %c16 {
      %bk = memref.subview %b[%k, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>> to memref<16x16xbf16, strided<[16, 1], offset: ?>, #npu.memory_space<sram>>
      npu.matmul %a, %bk -> %c accumulate {core = 0 : i64} : memref<16x16xbf16, #npu.memory_space<sram>>, memref<16x16xbf16, strided<[16, 1], offset: ?>, #npu.memory_space<sram>> -> memref<16x16xf32, #npu.memory_space<sram>>
    }
  }
  scf.for %t = %c0 to %c2 step %c1 {
    scf.for %k = %c0 to %c48 step %c16 {
      %bk = memref.subview %b[%k, 0] [16, 16] [1, 1] : memref<48x16xbf16, #npu.memory_space<sram>> to memref<16x16xbf16, strided<[16, 1], offset: ?>, #npu.memory_space<sram>>
      npu.matmul %a, %bk -> %c accumulate {core = 1 : i64} : memref<16x16xbf16, #npu.memory_space<sram>>, memref<16x16xbf16, strided<[16, 1], offset: ?>, #npu.memory_space<sram>> -> memref<16x16xf32, #npu.memory_space<sram>>
    } {npu.core = 1 : i64}
  } {npu.core = 1 : i64}
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @dynamic_bound(%n: index, %c: memref<16xf32, #npu.memory_space<sram>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{cannot unroll a loop with non-constant bounds}}
  scf.for %i = %c0 to %n step %c1 {
    npu.vector.fill 1.0 -> %c : memref<16xf32, #npu.memory_space<sram>>
  }
  return
}
}
