// Ensures each verifier of the npu dialect rejects what it must, with a
// message that names the problem: one case per diagnostic.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics

// A chip needs a name.
// expected-error @below {{'name' must not be empty}}
module attributes {npu.target = #npu.target<name = "", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {}

// -----

// Every size and rate is positive.
// expected-error @below {{'cores' must be positive, got 0}}
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 0, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {}

// -----

// 
// expected-error @below {{'dma_bytes_per_cycle' must be positive, got -1}}
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = -1, dram_bytes_per_cycle = 128, dram_latency = 100>} {}

// -----

// DRAM latency may be zero (ideal memory) but not negative.
// expected-error @below {{'dram_latency' must not be negative, got -5}}
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = -5>} {}

// -----

// The DRAM row model is optional (0: not modeled) but not negative.
// expected-error @below {{'dram_row_switch_bytes' must not be negative, got -1}}
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100, dram_row_bytes = 2048, dram_row_switch_bytes = -1>} {}

// -----

// 
// expected-error @below {{'precisions' must list at least one type}}
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {}

// -----

// 
// expected-error @below {{'precisions' must hold types, got 1 : i64}}
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [1], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {}

// -----

// 
// expected-error @below {{'precisions' holds 'i32', which no tensor engine takes}}
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, i32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {}

// -----

// expected-error @below {{'npu.target' must be an #npu.target attribute}}
module attributes {npu.target = 1} {}

// -----

// expected-error @below {{unknown npu attribute 'npu.chip'}}
module attributes {npu.chip = 1} {}

// -----

// SRAM buffers have static shapes.
module {
func.func @f() {
  // expected-error @below {{result #0 must be statically shaped memref}}
  %a = npu.alloc : memref<?x4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// The NPU has no f64.
module {
func.func @f() {
  // expected-error @below {{has element type 'f64', which the NPU does not support}}
  %a = npu.alloc : memref<4xf64, #npu.memory_space<sram>>
  return
}
}

// -----

// Only npu memory spaces.
module {
func.func @f() {
  // expected-error @below {{is in memory space 3 : i64; expected #npu.memory_space<dram|sram>}}
  %a = npu.alloc : memref<4xf32, 3>
  return
}
}

// -----

// npu.alloc reserves SRAM, not DRAM.
module {
func.func @f() {
  // expected-error @below {{buffer must be in sram, got dram}}
  %a = npu.alloc : memref<4xf32, #npu.memory_space<dram>>
  return
}
}

// -----

// A buffer that cannot fit the target's SRAM.
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @f() {
  // expected-error @below {{buffer needs 131072 bytes of SRAM but target 't' has 65536 per core}}
  %a = npu.alloc : memref<256x128xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  // expected-error @below {{buffer must have the identity layout}}
  %a = npu.alloc : memref<4x4xf32, strided<[8, 1]>, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  // expected-error @below {{attribute 'address' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %a = npu.alloc address -4 : memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// An address that puts the buffer past the end of SRAM.
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @f() {
  // expected-error @below {{buffer [65532, 65548) lies outside the 65536-byte SRAM of target 't'}}
  %a = npu.alloc address 65532 : memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// Cores are numbered from 0 to cores - 1.
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @f() {
  // expected-error @below {{core 1 does not exist: target 't' has 1 core(s)}}
  %a = npu.alloc {core = 1} : memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  // expected-error @below {{attribute 'core' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %a = npu.alloc {core = -1} : memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  // expected-error @below {{attribute 'initial' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %s = npu.semaphore initial -1
  return
}
}

// -----

// DMA blocks have rank 1 to 4.
module {
func.func @f(%d: memref<2x2x2x2x2xf32>) {
  %a = npu.alloc : memref<2x2x2x2x2xf32, #npu.memory_space<sram>>
  // expected-error @below {{copies blocks of rank 1 to 4, got rank 5}}
  npu.dma %d -> %a : memref<2x2x2x2x2xf32> -> memref<2x2x2x2x2xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f(%d: memref<8x4xf32>) {
  %a = npu.alloc : memref<4x8xf32, #npu.memory_space<sram>>
  // expected-error @below {{source and target must have the same shape}}
  npu.dma %d -> %a : memref<8x4xf32> -> memref<4x8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// A DMA moves bytes; it does not convert them.
module {
func.func @f(%d: memref<4xf32>) {
  %a = npu.alloc : memref<4xbf16, #npu.memory_space<sram>>
  // expected-error @below {{cannot convert element types ('f32' to 'bf16'); use npu.vector.cast}}
  npu.dma %d -> %a : memref<4xf32> -> memref<4xbf16, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f(%d: memref<4xf32>, %e: memref<4xf32>) {
  // expected-error @below {{copies between DRAM and SRAM, but both sides are in DRAM}}
  npu.dma %d -> %e : memref<4xf32> -> memref<4xf32>
  return
}
}

// -----

// 
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @f(%d: memref<4xf32>) {
  %a = npu.alloc : memref<4xf32, #npu.memory_space<sram>>
  // expected-error @below {{DMA queue 2 does not exist: target 't' has 2 DMA engine(s) per core}}
  npu.dma %d -> %a {queue = 2} : memref<4xf32> -> memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// A DRAM operand in a foreign memory space.
module {
func.func @f(%d: memref<4xf32, 1>) {
  %a = npu.alloc : memref<4xf32, #npu.memory_space<sram>>
  // expected-error @below {{source is in memory space 1 : i64}}
  npu.dma %d -> %a : memref<4xf32, 1> -> memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// Tensor-engine operands live in SRAM.
module {
func.func @f(%l: memref<8x8xbf16>) {
  %r = npu.alloc : memref<8x8xbf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xf32, #npu.memory_space<sram>>
  // expected-error @below {{lhs must be in sram, got dram}}
  npu.matmul %l, %r -> %c : memref<8x8xbf16>, memref<8x8xbf16, #npu.memory_space<sram>> -> memref<8x8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %l = npu.alloc : memref<8x16xbf16, #npu.memory_space<sram>>
  %r = npu.alloc : memref<8x8xbf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xf32, #npu.memory_space<sram>>
  // expected-error @below {{contraction sizes differ: lhs has K = 16, rhs has K = 8}}
  npu.matmul %l, %r -> %c : memref<8x16xbf16, #npu.memory_space<sram>>, memref<8x8xbf16, #npu.memory_space<sram>> -> memref<8x8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// A transposed rhs is stored NxK.
module {
func.func @f() {
  %l = npu.alloc : memref<8x16xbf16, #npu.memory_space<sram>>
  %r = npu.alloc : memref<4x8xbf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x4xf32, #npu.memory_space<sram>>
  // expected-error @below {{contraction sizes differ: lhs has K = 16, rhs has K = 8}}
  npu.matmul %l, %r transposed -> %c : memref<8x16xbf16, #npu.memory_space<sram>>, memref<4x8xbf16, #npu.memory_space<sram>> -> memref<8x4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %l = npu.alloc : memref<8x16xbf16, #npu.memory_space<sram>>
  %r = npu.alloc : memref<16x4xbf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xf32, #npu.memory_space<sram>>
  // expected-error @below {{acc must be 8x4, got}}
  npu.matmul %l, %r -> %c : memref<8x16xbf16, #npu.memory_space<sram>>, memref<16x4xbf16, #npu.memory_space<sram>> -> memref<8x8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %l = npu.alloc : memref<8x8xbf16, #npu.memory_space<sram>>
  %r = npu.alloc : memref<8x8xf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xf32, #npu.memory_space<sram>>
  // expected-error @below {{lhs and rhs element types differ ('bf16' vs 'f16')}}
  npu.matmul %l, %r -> %c : memref<8x8xbf16, #npu.memory_space<sram>>, memref<8x8xf16, #npu.memory_space<sram>> -> memref<8x8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %l = npu.alloc : memref<8x8xi32, #npu.memory_space<sram>>
  %r = npu.alloc : memref<8x8xi32, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xi32, #npu.memory_space<sram>>
  // expected-error @below {{the tensor engine does not take i32 inputs}}
  npu.matmul %l, %r -> %c : memref<8x8xi32, #npu.memory_space<sram>>, memref<8x8xi32, #npu.memory_space<sram>> -> memref<8x8xi32, #npu.memory_space<sram>>
  return
}
}

// -----

// The target lists the tensor engine's precisions.
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @f() {
  %l = npu.alloc : memref<8x8xf16, #npu.memory_space<sram>>
  %r = npu.alloc : memref<8x8xf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xf32, #npu.memory_space<sram>>
  // expected-error @below {{target 't' has no tensor-engine support for 'f16' (supports [bf16, f32, i8])}}
  npu.matmul %l, %r -> %c : memref<8x8xf16, #npu.memory_space<sram>>, memref<8x8xf16, #npu.memory_space<sram>> -> memref<8x8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %l = npu.alloc : memref<8x8xi8, #npu.memory_space<sram>>
  %r = npu.alloc : memref<8x8xi8, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xf32, #npu.memory_space<sram>>
  // expected-error @below {{cannot accumulate 'i8' products in 'f32' (expected i32 for i8 inputs, f32 otherwise)}}
  npu.matmul %l, %r -> %c : memref<8x8xi8, #npu.memory_space<sram>>, memref<8x8xi8, #npu.memory_space<sram>> -> memref<8x8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %l = npu.alloc : memref<8x8xbf16, #npu.memory_space<sram>>
  %r = npu.alloc : memref<8x8xbf16, #npu.memory_space<sram>>
  %c = npu.alloc : memref<8x8xf16, #npu.memory_space<sram>>
  // expected-error @below {{cannot accumulate 'bf16' products in 'f16'}}
  npu.matmul %l, %r -> %c : memref<8x8xbf16, #npu.memory_space<sram>>, memref<8x8xbf16, #npu.memory_space<sram>> -> memref<8x8xf16, #npu.memory_space<sram>>
  return
}
}

// -----

// The vector engine computes in float.
module {
func.func @f() {
  %x = npu.alloc : memref<8xi8, #npu.memory_space<sram>>
  %y = npu.alloc : memref<8xi8, #npu.memory_space<sram>>
  // expected-error @below {{input must have a float element type, got 'i8'}}
  npu.vector.unary exp %x -> %y : memref<8xi8, #npu.memory_space<sram>> -> memref<8xi8, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %x = npu.alloc : memref<8xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<4xf32, #npu.memory_space<sram>>
  // expected-error @below {{input and output must have the same shape}}
  npu.vector.unary exp %x -> %y : memref<8xf32, #npu.memory_space<sram>> -> memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// Use npu.vector.cast to change element types.
module {
func.func @f() {
  %x = npu.alloc : memref<8xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<8xbf16, #npu.memory_space<sram>>
  // expected-error @below {{operands must share an element type, got 'f32' and 'bf16'; use npu.vector.cast to convert}}
  npu.vector.unary tanh %x -> %y : memref<8xf32, #npu.memory_space<sram>> -> memref<8xbf16, #npu.memory_space<sram>>
  return
}
}

// -----

// Broadcast operands keep the output's rank.
module {
func.func @f() {
  %x = npu.alloc : memref<8x4xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<4xf32, #npu.memory_space<sram>>
  %z = npu.alloc : memref<8x4xf32, #npu.memory_space<sram>>
  // expected-error @below {{rhs has rank 1 but the output has rank 2}}
  npu.vector.binary add %x, %y -> %z : memref<8x4xf32, #npu.memory_space<sram>>, memref<4xf32, #npu.memory_space<sram>> -> memref<8x4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %x = npu.alloc : memref<8x4xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<2x4xf32, #npu.memory_space<sram>>
  %z = npu.alloc : memref<8x4xf32, #npu.memory_space<sram>>
  // expected-error @below {{rhs dimension 0 is 2, which neither matches the output's 8 nor broadcasts (1)}}
  npu.vector.binary add %x, %y -> %z : memref<8x4xf32, #npu.memory_space<sram>>, memref<2x4xf32, #npu.memory_space<sram>> -> memref<8x4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %x = npu.alloc : memref<8xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<4xf32, #npu.memory_space<sram>>
  // expected-error @below {{input and output must have the same shape}}
  npu.vector.scalar mul %x, 2.0 -> %y : memref<8xf32, #npu.memory_space<sram>> -> memref<4xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %x = npu.alloc : memref<8x4xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<8x1xf32, #npu.memory_space<sram>>
  // expected-error @below {{axis 2 is out of range for rank 2}}
  npu.vector.reduce sum %x -> %y axis 2 : memref<8x4xf32, #npu.memory_space<sram>> -> memref<8x1xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// A reduction keeps the reduced dimension as 1.
module {
func.func @f() {
  %x = npu.alloc : memref<8x4xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<8xf32, #npu.memory_space<sram>>
  // expected-error @below {{output must have the input's shape with dimension 1 set to 1, got}}
  npu.vector.reduce sum %x -> %y axis 1 : memref<8x4xf32, #npu.memory_space<sram>> -> memref<8xf32, #npu.memory_space<sram>>
  return
}
}

// -----

// 
module {
func.func @f() {
  %x = npu.alloc : memref<8xf32, #npu.memory_space<sram>>
  %y = npu.alloc : memref<4xbf16, #npu.memory_space<sram>>
  // expected-error @below {{input and output must have the same shape}}
  npu.vector.cast %x -> %y : memref<8xf32, #npu.memory_space<sram>> -> memref<4xbf16, #npu.memory_space<sram>>
  return
}
}

// -----

// Vector ops work on SRAM.
module {
func.func @f(%d: memref<8xf32>) {
  // expected-error @below {{output must be in sram, got dram}}
  npu.vector.fill 1.0 -> %d : memref<8xf32>
  return
}
}

// -----

// An SRAM view whose extent exceeds the target's SRAM.
module attributes {npu.target = #npu.target<name = "t", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32, i8], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @f(%d: memref<2x1xf32, strided<[16384, 1]>, #npu.memory_space<sram>>) {
  // expected-error @below {{output needs 65540 bytes of SRAM but target 't' has 65536 per core}}
  npu.vector.fill 1.0 -> %d : memref<2x1xf32, strided<[16384, 1]>, #npu.memory_space<sram>>
  return
}
}
