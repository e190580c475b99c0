// Ensures gaon-emit-npu-program serialises scheduled npu IR to the
// simulator's program format: arguments become input buffers, returned
// allocations output buffers, other DRAM allocations scratch buffers,
// semaphores and commands keep their order, each command names the MLIR op
// and location it came from, the IR is left unchanged, and IR that is not
// a scheduled NPU program is rejected with an error at the offending op.
// emit-npu-program-options.mlir covers the options.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-emit-npu-program -o %t.mlir | FileCheck %s
// RUN: FileCheck %s --input-file=%t.mlir --check-prefix=UNCHANGED

// CHECK: gaon-npu-program 1
// CHECK-NEXT: buffer 0 "arg0" input 0 : f32[32, 64] address 0 size 8192
// CHECK-NEXT: buffer 1 "result0" output 0 : f32[32, 64] address 8192 size 8192
// CHECK-NEXT: buffer 2 "scratch0" scratch : bf16[16] address 16384 size 32
// CHECK-NEXT: semaphore 0
// CHECK-NEXT: semaphore 1
// CHECK-NEXT: op 0 "npu.dma" "loc(\"exp.mlir\":3:5)"
// CHECK-NEXT: op 1 "npu.vector.unary" "loc(\"exp.mlir\":4:5)"
// CHECK-NEXT: op 2 "npu.dma" "loc(\"exp.mlir\":5:5)"
// CHECK-NEXT: op 3 "npu.dma" "loc(\"exp.mlir\":6:5)"
// CHECK-NEXT: dma dram(0, 0) : f32[32, 64] -> sram(0, 0) : f32[32, 64] signal(0) op 0
// CHECK-NEXT: vector.unary exp sram(0, 0) : f32[32, 64] -> sram(0, 8192) : f32[32, 64] wait(0) signal(1) op 1
// CHECK-NEXT: dma sram(0, 8192) : f32[32, 64] -> dram(1, 0) : f32[32, 64] queue 1 wait(1) op 2
// CHECK-NEXT: dma sram(0, 16384) : bf16[16] -> dram(2, 0) : bf16[16] queue 1 op 3
// UNCHANGED: func.func @exp
// UNCHANGED: npu.vector.unary exp
#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @exp(%x: memref<32x64xf32>) -> memref<32x64xf32> {
  %s0 = npu.semaphore
  %s1 = npu.semaphore
  %y = memref.alloc() : memref<32x64xf32>
  %scratch = memref.alloc() : memref<16xbf16>
  %a = npu.alloc address 0 : memref<32x64xf32, #sram>
  %b = npu.alloc address 8192 : memref<32x64xf32, #sram>
  %c = npu.alloc address 16384 : memref<16xbf16, #sram>
  npu.dma %x -> %a signal(%s0) : memref<32x64xf32> -> memref<32x64xf32, #sram> loc("exp.mlir":3:5)
  npu.vector.unary exp %a -> %b wait(%s0) signal(%s1) : memref<32x64xf32, #sram> -> memref<32x64xf32, #sram> loc("exp.mlir":4:5)
  npu.dma %b -> %y wait(%s1) {queue = 1} : memref<32x64xf32, #sram> -> memref<32x64xf32> loc("exp.mlir":5:5)
  npu.dma %c -> %scratch {queue = 1} : memref<16xbf16, #sram> -> memref<16xbf16> loc("exp.mlir":6:5)
  return %y : memref<32x64xf32>
}
}

// -----

#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @unallocated(%x: memref<16xf32>) {
  // expected-error @below {{SRAM buffer has no address; run gaon-allocate-sram first}}
  %a = memref.alloc() : memref<16xf32, #sram>
  npu.dma %x -> %a : memref<16xf32> -> memref<16xf32, #sram>
  return
}
}

// -----

#sram = #npu.memory_space<sram>
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @not_lowered(%x: memref<16xf32>) {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{'linalg.fill' cannot be serialised: an NPU program holds only npu commands (run the NPU pipeline first)}}
  linalg.fill ins(%z : f32) outs(%x : memref<16xf32>)
  return
}
}

// -----

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
// expected-error @below {{argument 0 is not a memref; serialise after bufferization}}
func.func @tensors(%x: tensor<16xf32>) -> tensor<16xf32> {
  return %x : tensor<16xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @returns_argument(%x: memref<16xf32>) -> memref<16xf32> {
  // expected-error @below {{result 0 must be a whole buffer the function allocates (it is not an argument, a global or a strided view)}}
  return %x : memref<16xf32>
}
}
