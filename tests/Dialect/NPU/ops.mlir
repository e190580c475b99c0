// Ensures every npu op and attribute parses, verifies and prints back in the
// same form, and that printing twice gives the same text (round trip).
// RUN: gaon-opt %s -split-input-file | FileCheck %s
// RUN: gaon-opt %s -split-input-file | gaon-opt -split-input-file | FileCheck %s

// CHECK-LABEL: module attributes {npu.target = #npu.target<name = "systolic-32x32", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f16, f32, i8], vector_lanes = 32, sram_bytes = 8388608, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>}
module attributes {npu.target = #npu.target<name = "systolic-32x32", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f16, f32, i8], vector_lanes = 32, sram_bytes = 8388608, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {}

// -----

// The contraction-array dataflow and fp8 precisions of an RNGD-style chip.
// CHECK: dataflow = contraction, precisions = [bf16, f8E4M3FN, i8]
module attributes {npu.target = #npu.target<name = "rngd-like", clock_mhz = 1000, cores = 8, tensor_rows = 8, tensor_cols = 32, dataflow = contraction, precisions = [bf16, f8E4M3FN, i8], vector_lanes = 64, sram_bytes = 33554432, sram_banks = 16, sram_bytes_per_cycle = 128, dma_engines = 1, dma_bytes_per_cycle = 256, dram_bytes_per_cycle = 1536, dram_latency = 500>} {}

// -----

// The optional DRAM row model of a GDDR6 chip prints when it is set.
// CHECK: dram_latency = 300, dram_row_bytes = 2048, dram_row_switch_bytes = 640>
module attributes {npu.target = #npu.target<name = "atom-like", clock_mhz = 1000, cores = 8, tensor_rows = 32, tensor_cols = 64, dataflow = ws, precisions = [bf16], vector_lanes = 64, sram_bytes = 4194304, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 128, dram_bytes_per_cycle = 256, dram_latency = 300, dram_row_bytes = 2048, dram_row_switch_bytes = 640>} {}

// -----

// CHECK-LABEL: func @buffers
func.func @buffers() {
  // CHECK: %{{.*}} = npu.alloc : memref<64x64xbf16, #npu.memory_space<sram>>
  %a = npu.alloc : memref<64x64xbf16, #npu.memory_space<sram>>
  // CHECK: %{{.*}} = npu.alloc address 8192 {core = 1 : i64} : memref<64xf32, #npu.memory_space<sram>>
  %b = npu.alloc address 8192 {core = 1} : memref<64xf32, #npu.memory_space<sram>>
  // CHECK: %{{.*}} = npu.semaphore{{$}}
  %s = npu.semaphore
  // CHECK: %{{.*}} = npu.semaphore initial 2
  %t = npu.semaphore initial 2
  return
}

// -----

// CHECK-LABEL: func @dma
// CHECK-SAME: (%[[W:.*]]: memref<256x256xbf16>)
func.func @dma(%w: memref<256x256xbf16>) {
  // CHECK: %[[TILE:.*]] = npu.alloc
  %tile = npu.alloc : memref<64x64xbf16, #npu.memory_space<sram>>
  %full = npu.semaphore
  %free = npu.semaphore initial 1
  // CHECK: %[[SV:.*]] = memref.subview %[[W]]
  %sv = memref.subview %w[0, 64] [64, 64] [1, 1]
      : memref<256x256xbf16> to memref<64x64xbf16, strided<[256, 1], offset: 64>>
  // CHECK: npu.dma %[[SV]] -> %[[TILE]] wait(%{{.*}}) signal(%{{.*}}) {queue = 1 : i64} : memref<64x64xbf16, strided<[256, 1], offset: 64>> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %sv -> %tile wait(%free) signal(%full) {queue = 1}
      : memref<64x64xbf16, strided<[256, 1], offset: 64>>
      -> memref<64x64xbf16, #npu.memory_space<sram>>
  // CHECK: npu.dma %[[TILE]] -> %[[SV]] : memref<64x64xbf16, #npu.memory_space<sram>> -> memref<64x64xbf16, strided<[256, 1], offset: 64>>
  npu.dma %tile -> %sv
      : memref<64x64xbf16, #npu.memory_space<sram>>
      -> memref<64x64xbf16, strided<[256, 1], offset: 64>>
  // A 4-D block, explicit DRAM memory space.
  %x = npu.alloc : memref<2x3x4x5xf32, #npu.memory_space<sram>>
  %d = memref.alloc() : memref<2x3x4x5xf32, #npu.memory_space<dram>>
  // CHECK: npu.dma %{{.*}} -> %{{.*}} : memref<2x3x4x5xf32, #npu.memory_space<dram>> -> memref<2x3x4x5xf32, #npu.memory_space<sram>>
  npu.dma %d -> %x : memref<2x3x4x5xf32, #npu.memory_space<dram>> -> memref<2x3x4x5xf32, #npu.memory_space<sram>>
  return
}

// -----

// CHECK-LABEL: func @matmul
func.func @matmul() {
  %a = npu.alloc : memref<64x32xbf16, #npu.memory_space<sram>>
  %at = npu.alloc : memref<32x64xbf16, #npu.memory_space<sram>>
  %b = npu.alloc : memref<32x48xbf16, #npu.memory_space<sram>>
  %bt = npu.alloc : memref<48x32xbf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<64x48xf32, #npu.memory_space<sram>>
  %s = npu.semaphore
  // CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} : memref<64x32xbf16, #npu.memory_space<sram>>, memref<32x48xbf16, #npu.memory_space<sram>> -> memref<64x48xf32, #npu.memory_space<sram>>
  npu.matmul %a, %b -> %c
      : memref<64x32xbf16, #npu.memory_space<sram>>, memref<32x48xbf16, #npu.memory_space<sram>> -> memref<64x48xf32, #npu.memory_space<sram>>
  // CHECK: npu.matmul %{{.*}}, %{{.*}} transposed -> %{{.*}} accumulate wait(%{{.*}})
  npu.matmul %a, %bt transposed -> %c accumulate wait(%s)
      : memref<64x32xbf16, #npu.memory_space<sram>>, memref<48x32xbf16, #npu.memory_space<sram>> -> memref<64x48xf32, #npu.memory_space<sram>>
  // CHECK: npu.matmul %{{.*}} transposed, %{{.*}} -> %{{.*}} signal(%{{.*}})
  npu.matmul %at transposed, %b -> %c signal(%s)
      : memref<32x64xbf16, #npu.memory_space<sram>>, memref<32x48xbf16, #npu.memory_space<sram>> -> memref<64x48xf32, #npu.memory_space<sram>>
  // int8 with i32 accumulation, bf16 accumulating in bf16.
  %i = npu.alloc : memref<16x16xi8, #npu.memory_space<sram>>
  %o = npu.alloc : memref<16x16xi32, #npu.memory_space<sram>>
  // CHECK: npu.matmul {{.*}} -> memref<16x16xi32, #npu.memory_space<sram>>
  npu.matmul %i, %i -> %o : memref<16x16xi8, #npu.memory_space<sram>>, memref<16x16xi8, #npu.memory_space<sram>> -> memref<16x16xi32, #npu.memory_space<sram>>
  %h = npu.alloc : memref<16x16xbf16, #npu.memory_space<sram>>
  // CHECK: npu.matmul {{.*}} -> memref<16x16xbf16, #npu.memory_space<sram>>
  npu.matmul %h, %h -> %h : memref<16x16xbf16, #npu.memory_space<sram>>, memref<16x16xbf16, #npu.memory_space<sram>> -> memref<16x16xbf16, #npu.memory_space<sram>>
  return
}

// -----

// CHECK-LABEL: func @vector
func.func @vector() {
  %x = npu.alloc : memref<64x128xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<64x128xf32, #npu.memory_space<sram>>
  %m = npu.alloc : memref<64x1xf32, #npu.memory_space<sram>>
  %g = npu.alloc : memref<1x128xf32, #npu.memory_space<sram>>
  %h = npu.alloc : memref<64x128xbf16, #npu.memory_space<sram>>
  %s = npu.semaphore
  // CHECK: npu.vector.unary exp %{{.*}} -> %{{.*}} : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  npu.vector.unary exp %x -> %y : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.unary rsqrt
  npu.vector.unary rsqrt %m -> %m : memref<64x1xf32, #npu.memory_space<sram>> -> memref<64x1xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.unary gelu
  npu.vector.unary gelu %x -> %y : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.unary gelu_tanh
  npu.vector.unary gelu_tanh %x -> %y : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.unary reciprocal
  npu.vector.unary reciprocal %x -> %y : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // The default core (0) is not printed.
  // CHECK: npu.vector.unary silu %{{.*}} -> %{{.*}} wait(%{{.*}}) signal(%{{.*}}) :
  npu.vector.unary silu %x -> %y wait(%s) signal(%s) {core = 0} : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.binary sub %{{.*}}, %{{.*}} -> %{{.*}} : memref<64x128xf32, #npu.memory_space<sram>>, memref<64x1xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  npu.vector.binary sub %x, %m -> %y : memref<64x128xf32, #npu.memory_space<sram>>, memref<64x1xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.binary mul %{{.*}}, %{{.*}} -> %{{.*}} : memref<1x128xf32, #npu.memory_space<sram>>, memref<64x128xf32
  npu.vector.binary mul %g, %x -> %y : memref<1x128xf32, #npu.memory_space<sram>>, memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.scalar mul %{{.*}}, 1.250000e-01 -> %{{.*}} :
  npu.vector.scalar mul %x, 0.125 -> %y : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.scalar sub reversed %{{.*}}, 1.000000e+00 -> %{{.*}} :
  npu.vector.scalar sub reversed %x, 1.0 -> %y : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.reduce max %{{.*}} -> %{{.*}} axis 1 : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x1xf32, #npu.memory_space<sram>>
  npu.vector.reduce max %x -> %m axis 1 : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x1xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.reduce sum %{{.*}} -> %{{.*}} axis 0 accumulate :
  npu.vector.reduce sum %x -> %g axis 0 accumulate : memref<64x128xf32, #npu.memory_space<sram>> -> memref<1x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.cast %{{.*}} -> %{{.*}} : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xbf16, #npu.memory_space<sram>>
  npu.vector.cast %x -> %h : memref<64x128xf32, #npu.memory_space<sram>> -> memref<64x128xbf16, #npu.memory_space<sram>>
  // CHECK: npu.vector.fill 0.000000e+00 -> %{{.*}} : memref<64x128xf32, #npu.memory_space<sram>>
  npu.vector.fill 0.0 -> %x : memref<64x128xf32, #npu.memory_space<sram>>
  // CHECK: npu.vector.fill 0xFFF0000000000000 -> %{{.*}} : memref<64x1xf32
  npu.vector.fill 0xFFF0000000000000 -> %m : memref<64x1xf32, #npu.memory_space<sram>>
  return
}

// -----

// Ops on a strided SRAM view (a column slice of a larger SRAM buffer).
// CHECK-LABEL: func @strided_sram
func.func @strided_sram() {
  %x = npu.alloc : memref<64x128xf32, #npu.memory_space<sram>>
  %v = memref.subview %x[0, 64] [64, 64] [1, 1] : memref<64x128xf32, #npu.memory_space<sram>> to memref<64x64xf32, strided<[128, 1], offset: 64>, #npu.memory_space<sram>>
  // CHECK: npu.vector.unary tanh %{{.*}} -> %{{.*}} : memref<64x64xf32, strided<[128, 1], offset: 64>, #npu.memory_space<sram>>
  npu.vector.unary tanh %v -> %v : memref<64x64xf32, strided<[128, 1], offset: 64>, #npu.memory_space<sram>> -> memref<64x64xf32, strided<[128, 1], offset: 64>, #npu.memory_space<sram>>
  return
}
