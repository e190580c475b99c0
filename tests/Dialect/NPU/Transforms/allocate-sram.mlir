// Ensures gaon-allocate-sram replaces every SRAM memref.alloc used by a
// command with an npu.alloc at a byte address on its core: buffers live from
// their first to their last use, are placed first-fit in order of first use
// at 'alignment'-byte boundaries, reuse the space of dead buffers, and each
// core has its own address space; unused allocs are dropped. A buffer that
// does not fit, a buffer shared by two cores, loops, a missing target and a
// bad alignment are errors.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-allocate-sram | FileCheck %s
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-allocate-sram=alignment=256' | FileCheck %s --check-prefix=ALIGN
// RUN: not gaon-opt %s -split-input-file '--gaon-allocate-sram=alignment=3' -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADALIGN
// The value after 'got' is checked by allocate-sram-alignment.mlir.
// BADALIGN: error: alignment must be a positive power of two, got

// A (8 KiB) is last used by the second command; C (8 KiB) is first used by
// the third, when A is dead: it takes A's place. B (4 KiB) goes after C.
// D (10 bytes, live to the end) is padded to 64 (256 with alignment=256)
// and placed after B; E follows D. The DRAM alloc and the unused SRAM alloc are not placed.
// CHECK-LABEL: func @reuse
// CHECK: %[[A:.*]] = npu.alloc address 0 : memref<64x64xbf16, #npu.memory_space<sram>>
// CHECK: %[[B:.*]] = npu.alloc address 8192 : memref<32x32xf32, #npu.memory_space<sram>>
// CHECK: %[[C:.*]] = npu.alloc address 0 : memref<64x64xbf16, #npu.memory_space<sram>>
// CHECK: %[[D:.*]] = npu.alloc address 12288 : memref<5xbf16, #npu.memory_space<sram>>
// CHECK: %[[E:.*]] = npu.alloc address 12352 : memref<16xf32, #npu.memory_space<sram>>
// CHECK: memref.alloc() : memref<64x64xbf16>
// CHECK-NOT: memref.alloc() : {{.*}}sram
// CHECK-NOT: memref<8xf32, #npu.memory_space<sram>>
// CHECK: npu.dma %{{.*}} -> %[[A]]
// ALIGN-LABEL: func @reuse
// ALIGN: npu.alloc address 12288 : memref<5xbf16, #npu.memory_space<sram>>
// ALIGN: npu.alloc address 12544 : memref<16xf32, #npu.memory_space<sram>>
module attributes {npu.target = #npu.target<name = "small", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 16384, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @reuse(%x: memref<64x64xbf16>, %y: memref<32x32xf32>, %z: memref<5xbf16>, %w: memref<16xf32>) {
  %a = memref.alloc() : memref<64x64xbf16, #npu.memory_space<sram>>
  %b = memref.alloc() : memref<32x32xf32, #npu.memory_space<sram>>
  %c = memref.alloc() : memref<64x64xbf16, #npu.memory_space<sram>>
  %d = memref.alloc() : memref<5xbf16, #npu.memory_space<sram>>
  %e = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
  %dram = memref.alloc() : memref<64x64xbf16>
  %unused = memref.alloc() : memref<8xf32, #npu.memory_space<sram>>
  npu.dma %x -> %a : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %a -> %dram : memref<64x64xbf16, #npu.memory_space<sram>> -> memref<64x64xbf16>
  npu.dma %x -> %c : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
  npu.dma %y -> %b : memref<32x32xf32> -> memref<32x32xf32, #npu.memory_space<sram>>
  npu.dma %z -> %d : memref<5xbf16> -> memref<5xbf16, #npu.memory_space<sram>>
  npu.dma %w -> %e : memref<16xf32> -> memref<16xf32, #npu.memory_space<sram>>
  npu.dma %b -> %y : memref<32x32xf32, #npu.memory_space<sram>> -> memref<32x32xf32>
  npu.dma %c -> %x : memref<64x64xbf16, #npu.memory_space<sram>> -> memref<64x64xbf16>
  npu.dma %d -> %z : memref<5xbf16, #npu.memory_space<sram>> -> memref<5xbf16>
  return
}
}

// -----

// Here each core has its own SRAM: both 16 KiB buffers start at address 0.
// CHECK-LABEL: func @per_core
// CHECK: npu.alloc address 0 : memref<64x64xf32, #npu.memory_space<sram>>
// CHECK: npu.alloc address 0 {core = 1 : i64} : memref<64x64xf32, #npu.memory_space<sram>>
module attributes {npu.target = #npu.target<name = "small", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 16384, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @per_core(%x: memref<64x64xf32>) {
  %a = memref.alloc() : memref<64x64xf32, #npu.memory_space<sram>>
  %b = memref.alloc() : memref<64x64xf32, #npu.memory_space<sram>>
  npu.dma %x -> %a : memref<64x64xf32> -> memref<64x64xf32, #npu.memory_space<sram>>
  npu.dma %x -> %b {core = 1} : memref<64x64xf32> -> memref<64x64xf32, #npu.memory_space<sram>>
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "small", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 16384, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @full(%x: memref<64x32xf32>) {
  %a = memref.alloc() : memref<64x32xf32, #npu.memory_space<sram>>
  // expected-error @below {{SRAM of core 0 is full: this 8448-byte buffer does not fit while 1 buffers (8192 bytes) are live; target 'small' has 16384 bytes per core}}
  %b = memref.alloc() : memref<64x33xf32, #npu.memory_space<sram>>
  npu.dma %x -> %a : memref<64x32xf32> -> memref<64x32xf32, #npu.memory_space<sram>>
  npu.vector.unary exp %a -> %a : memref<64x32xf32, #npu.memory_space<sram>> -> memref<64x32xf32, #npu.memory_space<sram>>
  npu.vector.fill 0.0 -> %b : memref<64x33xf32, #npu.memory_space<sram>>
  npu.dma %a -> %x : memref<64x32xf32, #npu.memory_space<sram>> -> memref<64x32xf32>
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "small", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 16384, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @two_cores(%x: memref<16xf32>) {
  // expected-note @below {{buffer allocated here}}
  %a = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
  npu.dma %x -> %a : memref<16xf32> -> memref<16xf32, #npu.memory_space<sram>>
  // expected-error @below {{an SRAM buffer is used on core 1 and on core 0; each core has its own SRAM}}
  npu.dma %a -> %x {core = 1} : memref<16xf32, #npu.memory_space<sram>> -> memref<16xf32>
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "small", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 16384, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @loop(%x: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
  // expected-error @below {{gaon-allocate-sram needs straight-line code; run gaon-unroll-loops first}}
  scf.for %i = %c0 to %c2 step %c1 {
    npu.dma %x -> %a : memref<16xf32> -> memref<16xf32, #npu.memory_space<sram>>
  }
  return
}
}

// -----

// expected-error @below {{gaon-allocate-sram needs an #npu.target in scope}}
func.func @no_target(%x: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32, #npu.memory_space<sram>>
  npu.dma %x -> %a : memref<16xf32> -> memref<16xf32, #npu.memory_space<sram>>
  return
}
