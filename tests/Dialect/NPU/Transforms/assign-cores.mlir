// Ensures gaon-assign-cores replaces each bufferized scf.forall tile loop by
// one scf.for per core over a contiguous block of ceil(tiles / cores)
// linear tile indices, tagged npu.core, whose body recovers the forall's
// indices by delinearisation; cores without tiles get no loop, a target-less
// function runs on core 0, and loops with non-constant bounds or tensor
// results are errors.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-assign-cores | FileCheck %s

// A 2x2 grid of 32x32 tiles on 2 cores: tiles 0-1 on core 0, 2-3 on core 1;
// tile t covers rows ((t floordiv 2) mod 2) * 32 and columns (t mod 2) * 32.
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0) -> (((d0 floordiv 2) mod 2) * 32)>
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0) -> ((d0 mod 2) * 32)>
// CHECK-LABEL: func @grid
// CHECK-NOT: scf.forall
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: scf.for %[[T:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK: %[[I:.*]] = affine.apply #[[ROWS]](%[[T]])
// CHECK: %[[J:.*]] = affine.apply #[[COLS]](%[[T]])
// CHECK: memref.subview %{{.*}}[%[[I]], %[[J]]] [32, 32]
// CHECK: memref.copy
// CHECK: } {npu.core = 0 : i64, npu.cost = {flops = 7 : i64}}
// CHECK: %[[C2B:.*]] = arith.constant 2 : index
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[T1:.*]] = %[[C2B]] to %[[C4]] step %{{.*}} {
// CHECK: affine.apply #[[ROWS]](%[[T1]])
// CHECK: affine.apply #[[COLS]](%[[T1]])
// CHECK: memref.copy
// CHECK: } {npu.core = 1 : i64, npu.cost = {flops = 7 : i64}}
// CHECK-NOT: scf.for
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @grid(%src: memref<64x64xf32>, %dst: memref<64x64xf32>) {
  scf.forall (%i, %j) = (0, 0) to (64, 64) step (32, 32) {
    %buf = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
    %s = memref.subview %src[%i, %j] [32, 32] [1, 1] : memref<64x64xf32> to memref<32x32xf32, strided<[64, 1], offset: ?>>
    memref.copy %s, %buf : memref<32x32xf32, strided<[64, 1], offset: ?>> to memref<32x32xf32, #npu.memory_space<sram>>
    %d = memref.subview %dst[%i, %j] [32, 32] [1, 1] : memref<64x64xf32> to memref<32x32xf32, strided<[64, 1], offset: ?>>
    memref.copy %buf, %d : memref<32x32xf32, #npu.memory_space<sram>> to memref<32x32xf32, strided<[64, 1], offset: ?>>
  } {npu.cost = {flops = 7 : i64}}
  return
}
}

// -----

// 3 tiles on 2 cores: core 0 gets 2, core 1 the last one. The forall's
// lower bound (8) and step (16) are applied to the linear index.
// CHECK-DAG: #[[MAP:.*]] = affine_map<(d0) -> ((d0 mod 3) * 16 + 8)>
// CHECK-LABEL: func @uneven
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.for %[[T:.*]] = %[[C0]] to %[[C2]]
// CHECK: affine.apply #[[MAP]](%[[T]])
// CHECK: } {npu.core = 0 : i64}
// CHECK: %[[C2B:.*]] = arith.constant 2 : index
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: scf.for %[[T1:.*]] = %[[C2B]] to %[[C3]]
// CHECK: affine.apply #[[MAP]](%[[T1]])
// CHECK: } {npu.core = 1 : i64}
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @uneven(%src: memref<56xf32>) {
  scf.forall (%i) = (8) to (56) step (16) {
    %buf = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
    %s = memref.subview %src[%i] [16] [1] : memref<56xf32> to memref<16xf32, strided<[1], offset: ?>>
    memref.copy %s, %buf : memref<16xf32, strided<[1], offset: ?>> to memref<16xf32, #npu.memory_space<sram>>
  }
  return
}
}

// -----

// One tile on 4 cores: only core 0 gets a loop.
// CHECK-LABEL: func @idle_cores
// CHECK-COUNT-1: scf.for
// CHECK-NOT: scf.for
// CHECK: } {npu.core = 0 : i64}
module attributes {npu.target = #npu.target<name = "quad", clock_mhz = 1000, cores = 4, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @idle_cores(%src: memref<16xf32>) {
  scf.forall (%i) = (0) to (16) step (16) {
    %buf = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
    %s = memref.subview %src[%i] [16] [1] : memref<16xf32> to memref<16xf32, strided<[1], offset: ?>>
    memref.copy %s, %buf : memref<16xf32, strided<[1], offset: ?>> to memref<16xf32, #npu.memory_space<sram>>
  }
  return
}
}

// -----

// Without a target every tile runs on core 0.
// CHECK-LABEL: func @no_target
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[C4]]
// CHECK: } {npu.core = 0 : i64}
// CHECK-NOT: scf.for
func.func @no_target(%src: memref<64xf32>) {
  scf.forall (%i) = (0) to (64) step (16) {
    %buf = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
    %s = memref.subview %src[%i] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: ?>>
    memref.copy %s, %buf : memref<16xf32, strided<[1], offset: ?>> to memref<16xf32, #npu.memory_space<sram>>
  }
  return
}

// -----

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @dynamic_bounds(%src: memref<64xf32>, %n: index) {
  // expected-error @below {{tile loop bounds must be constants}}
  scf.forall (%i) = (0) to (%n) step (16) {
    %buf = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
  }
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @tensor_results(%x: tensor<64xf32>) -> tensor<64xf32> {
  // expected-error @below {{tile loop still has tensor results; bufferize first}}
  %0 = scf.forall (%i) = (0) to (64) step (16) shared_outs(%o = %x) -> (tensor<64xf32>) {
    %s = tensor.extract_slice %o[%i] [16] [1] : tensor<64xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i] [16] [1] : tensor<16xf32> into tensor<64xf32>
    }
  }
  return %0 : tensor<64xf32>
}
}
