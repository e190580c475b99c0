// Ensures gaon-convert-linalg-to-npu turns bufferized tile code into npu
// commands: DRAM<->SRAM copies become npu.dma, SRAM->SRAM copies
// npu.vector.unary copy, DRAM->DRAM copies a DMA pair through an SRAM
// staging buffer (in chunks of at most staging-bytes), fills
// npu.vector.fill, contractions npu.matmul ... accumulate (with the
// transposed flag for a transposed operand), elementwise bodies one
// npu.vector.* per body op (npu.vector.scalar for a constant operand), and
// reductions npu.vector.reduce ... accumulate; every command gets the core
// of its loop; operands outside SRAM, unbufferized ops and remaining windows
// are errors.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-convert-linalg-to-npu | FileCheck %s
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-convert-linalg-to-npu=staging-bytes=4096' | FileCheck %s --check-prefix=CHUNKS
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-convert-linalg-to-npu=staging-bytes=512' | FileCheck %s --check-prefix=ROWS
// RUN: not gaon-opt %s -split-input-file '--gaon-convert-linalg-to-npu=staging-bytes=0' -o /dev/null 2>&1 | FileCheck %s --check-prefix=STAGING
// STAGING: error: staging-bytes must be positive

// CHECK-LABEL: func @tile
// CHECK-SAME: (%[[A:.*]]: memref<64x64xbf16>, %[[B:.*]]: memref<64x64xbf16>, %[[C:.*]]: memref<64x64xf32>)
// CHECK: scf.for %[[T:.*]] =
// CHECK: %[[AS:.*]] = memref.subview %[[A]]
// CHECK: %[[BS:.*]] = memref.subview %[[B]]
// CHECK: %[[ACC:.*]] = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
// CHECK-NEXT: npu.vector.fill 0.000000e+00 -> %[[ACC]] {core = 1 : i64}
// CHECK: %[[AT:.*]] = memref.alloc() : memref<32x64xbf16, #npu.memory_space<sram>>
// CHECK-NEXT: npu.dma %[[AS]] -> %[[AT]] {core = 1 : i64} : memref<32x64xbf16, strided<[64, 1], offset: ?>> -> memref<32x64xbf16, #npu.memory_space<sram>>
// CHECK: %[[BT:.*]] = memref.alloc() : memref<64x32xbf16, #npu.memory_space<sram>>
// CHECK-NEXT: npu.dma %[[BS]] -> %[[BT]] {core = 1 : i64}
// CHECK-NEXT: npu.matmul %[[AT]], %[[BT]] -> %[[ACC]] accumulate {core = 1 : i64} : memref<32x64xbf16, #npu.memory_space<sram>>, memref<64x32xbf16, #npu.memory_space<sram>> -> memref<32x32xf32, #npu.memory_space<sram>>
// exp(acc) * 0.5: one vector command per body op, the product through an
// SRAM temporary, the constant as an immediate.
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
// CHECK: %[[TMP:.*]] = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
// CHECK-NEXT: npu.vector.unary exp %[[ACC]] -> %[[TMP]] {core = 1 : i64}
// CHECK-NEXT: npu.vector.scalar mul %[[TMP]], 5.000000e-01 -> %[[OUT]] {core = 1 : i64}
// Row sums reduce axis 1 into a 32x1 view of the output.
// CHECK: %[[SUM:.*]] = memref.alloc() : memref<32xf32, #npu.memory_space<sram>>
// CHECK-NEXT: npu.vector.fill 0.000000e+00 -> %[[SUM]]
// CHECK-NEXT: %[[SUM2D:.*]] = memref.expand_shape %[[SUM]] {{\[\[}}0, 1]] output_shape [32, 1]
// CHECK-NEXT: npu.vector.reduce sum %[[OUT]] -> %[[SUM2D]] axis 1 accumulate {core = 1 : i64}
// CHECK: %[[CS:.*]] = memref.subview %[[C]]
// CHECK-NEXT: npu.dma %[[OUT]] -> %[[CS]] {core = 1 : i64} : memref<32x32xf32, #npu.memory_space<sram>> -> memref<32x32xf32, strided<[64, 1], offset: ?>>
// CHECK: %[[COPY:.*]] = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
// CHECK-NEXT: npu.vector.unary copy %[[OUT]] -> %[[COPY]] {core = 1 : i64}
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
#sram = #npu.memory_space<sram>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @tile(%a: memref<64x64xbf16>, %b: memref<64x64xbf16>, %c: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  scf.for %t = %c0 to %c2 step %c1 {
    %as = memref.subview %a[%t, 0] [32, 64] [1, 1] : memref<64x64xbf16> to memref<32x64xbf16, strided<[64, 1], offset: ?>>
    %bs = memref.subview %b[0, 0] [64, 32] [1, 1] : memref<64x64xbf16> to memref<64x32xbf16, strided<[64, 1]>>
    %acc = memref.alloc() : memref<32x32xf32, #sram>
    linalg.fill ins(%zero : f32) outs(%acc : memref<32x32xf32, #sram>)
    %at = memref.alloc() : memref<32x64xbf16, #sram>
    linalg.copy ins(%as : memref<32x64xbf16, strided<[64, 1], offset: ?>>) outs(%at : memref<32x64xbf16, #sram>)
    %bt = memref.alloc() : memref<64x32xbf16, #sram>
    linalg.copy ins(%bs : memref<64x32xbf16, strided<[64, 1]>>) outs(%bt : memref<64x32xbf16, #sram>)
    linalg.matmul ins(%at, %bt : memref<32x64xbf16, #sram>, memref<64x32xbf16, #sram>) outs(%acc : memref<32x32xf32, #sram>)
    %out = memref.alloc() : memref<32x32xf32, #sram>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%acc : memref<32x32xf32, #sram>) outs(%out : memref<32x32xf32, #sram>) {
    ^bb0(%x: f32, %o: f32):
      %e = math.exp %x : f32
      %m = arith.mulf %e, %half : f32
      linalg.yield %m : f32
    }
    %sum = memref.alloc() : memref<32xf32, #sram>
    linalg.fill ins(%zero : f32) outs(%sum : memref<32xf32, #sram>)
    linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%out : memref<32x32xf32, #sram>) outs(%sum : memref<32xf32, #sram>) {
    ^bb0(%x: f32, %o: f32):
      %s = arith.addf %x, %o : f32
      linalg.yield %s : f32
    }
    %cs = memref.subview %c[%t, 0] [32, 32] [1, 1] : memref<64x64xf32> to memref<32x32xf32, strided<[64, 1], offset: ?>>
    memref.copy %out, %cs : memref<32x32xf32, #sram> to memref<32x32xf32, strided<[64, 1], offset: ?>>
    %copy = memref.alloc() : memref<32x32xf32, #sram>
    memref.copy %out, %copy : memref<32x32xf32, #sram> to memref<32x32xf32, #sram>
  } {npu.core = 1 : i64}
  return
}
}

// -----

// A transposed right operand sets the transposed flag instead of moving data.
// CHECK-LABEL: func @transposed_b
// CHECK: npu.matmul %{{.*}}, %{{.*}} transposed -> %{{.*}} accumulate : memref<32x64xbf16, #npu.memory_space<sram>>, memref<32x64xbf16, #npu.memory_space<sram>> -> memref<32x32xf32, #npu.memory_space<sram>>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @transposed_b(%a: memref<32x64xbf16, #npu.memory_space<sram>>, %b: memref<32x64xbf16, #npu.memory_space<sram>>, %c: memref<32x32xf32, #npu.memory_space<sram>>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%a, %b : memref<32x64xbf16, #npu.memory_space<sram>>, memref<32x64xbf16, #npu.memory_space<sram>>) outs(%c : memref<32x32xf32, #npu.memory_space<sram>>)
  return
}
}

// -----

// 64 KiB from DRAM to DRAM: by default one 64 KiB staging buffer; with
// staging-bytes=4096, a loop over 4-row (4 KiB) chunks; with 512, rows of
// 1 KiB do not fit, so each row is copied in 128-element halves.
// CHECK-LABEL: func @dram_to_dram
// CHECK-SAME: (%[[SRC:.*]]: memref<64x256xf32>, %[[DST:.*]]: memref<64x256xf32>)
// CHECK: %[[STAGE:.*]] = memref.alloc() : memref<64x256xf32, #npu.memory_space<sram>>
// CHECK-NEXT: npu.dma %[[SRC]] -> %[[STAGE]]
// CHECK-NEXT: npu.dma %[[STAGE]] -> %[[DST]]
// CHUNKS-LABEL: func @dram_to_dram
// CHUNKS-SAME: (%[[SRC:.*]]: memref<64x256xf32>, %[[DST:.*]]: memref<64x256xf32>)
// CHUNKS: %[[C0:.*]] = arith.constant 0 : index
// CHUNKS: %[[C64:.*]] = arith.constant 64 : index
// CHUNKS: %[[C4:.*]] = arith.constant 4 : index
// CHUNKS: scf.for %[[R:.*]] = %[[C0]] to %[[C64]] step %[[C4]] {
// CHUNKS-DAG: %[[D:.*]] = memref.subview %[[DST]][%[[R]], 0] [4, 256] [1, 1]
// CHUNKS-DAG: %[[S:.*]] = memref.subview %[[SRC]][%[[R]], 0] [4, 256] [1, 1]
// CHUNKS: %[[STAGE:.*]] = memref.alloc() : memref<4x256xf32, #npu.memory_space<sram>>
// CHUNKS-NEXT: npu.dma %[[S]] -> %[[STAGE]]
// CHUNKS-NEXT: npu.dma %[[STAGE]] -> %[[D]]
// ROWS-LABEL: func @dram_to_dram
// ROWS-SAME: (%[[SRC:.*]]: memref<64x256xf32>, %[[DST:.*]]: memref<64x256xf32>)
// ROWS: scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// ROWS-DAG: %[[DROW:.*]] = memref.subview %[[DST]][%[[R]], 0] [1, 256] [1, 1] : memref<64x256xf32> to memref<256xf32, strided<[1], offset: ?>>
// ROWS-DAG: %[[SROW:.*]] = memref.subview %[[SRC]][%[[R]], 0] [1, 256] [1, 1] : memref<64x256xf32> to memref<256xf32, strided<[1], offset: ?>>
// ROWS: %[[C0:.*]] = arith.constant 0 : index
// ROWS: %[[C256:.*]] = arith.constant 256 : index
// ROWS: %[[C128:.*]] = arith.constant 128 : index
// ROWS: scf.for %[[E:.*]] = %[[C0]] to %[[C256]] step %[[C128]] {
// ROWS-DAG: %[[D:.*]] = memref.subview %[[DROW]][%[[E]]] [128] [1]
// ROWS-DAG: %[[S:.*]] = memref.subview %[[SROW]][%[[E]]] [128] [1]
// ROWS: %[[STAGE:.*]] = memref.alloc() : memref<128xf32, #npu.memory_space<sram>>
// ROWS-NEXT: npu.dma %[[S]] -> %[[STAGE]]
// ROWS-NEXT: npu.dma %[[STAGE]] -> %[[D]]
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @dram_to_dram(%a: memref<64x256xf32>, %b: memref<64x256xf32>) {
  memref.copy %a, %b : memref<64x256xf32> to memref<64x256xf32>
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @operands_in_dram(%a: memref<32x64xbf16>, %b: memref<64x32xbf16>, %c: memref<32x32xf32>) {
  // expected-error @below {{'linalg.matmul' reads or writes 'memref<32x64xbf16>' outside SRAM; its tiles must be promoted to SRAM (gaon-promote-tiles) before NPU conversion}}
  linalg.matmul ins(%a, %b : memref<32x64xbf16>, memref<64x32xbf16>) outs(%c : memref<32x32xf32>)
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @on_tensors(%x: tensor<8xf32>) -> tensor<8xf32> {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{'linalg.fill' must be bufferized before NPU conversion}}
  %0 = linalg.fill ins(%z : f32) outs(%x : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @untiled_window(%x: memref<1x6x6x32xbf16, #npu.memory_space<sram>>, %w: memref<3x3x32x32xbf16, #npu.memory_space<sram>>, %o: memref<1x4x4x32xf32, #npu.memory_space<sram>>) {
  // expected-error @below {{'linalg.conv_2d_nhwc_hwcf' still slides a window; gaon-tile-linalg rewrites windows as taps}}
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x6x6x32xbf16, #npu.memory_space<sram>>, memref<3x3x32x32xbf16, #npu.memory_space<sram>>) outs(%o : memref<1x4x4x32xf32, #npu.memory_space<sram>>)
  return
}
}
