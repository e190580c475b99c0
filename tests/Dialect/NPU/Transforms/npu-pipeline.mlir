// Ensures gaon-npu-pipeline composes the NPU passes for the target inline on
// the module: a matmul with a bias+ReLU epilogue on a 2-core chip becomes
// straight-line npu commands with no linalg, scf or unplaced SRAM alloc
// left; each core runs two 32x32 tiles (fill, two loads, matmul, bias load,
// add, max, store on DMA queue 1) in double-buffered SRAM at addresses of
// its own, ordered by semaphores; stop-after stops after the named pass,
// buffers=1 turns double buffering off, target= replaces the inline target,
// the result serialises to an NPU program, and an unsupported op fails the
// pipeline at its location.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-npu-pipeline | FileCheck %s
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-npu-pipeline=stop-after=gaon-tile-linalg' | FileCheck %s --check-prefix=TILED
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-npu-pipeline=buffers=1' | FileCheck %s --check-prefix=SINGLE
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-npu-pipeline=target=systolic-32x32 set=cores=1' | FileCheck %s --check-prefix=PRESET
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-npu-pipeline --gaon-emit-npu-program=output=%t.npu -o /dev/null
// RUN: FileCheck %s --input-file=%t.npu --check-prefix=PROGRAM

// CHECK-LABEL: func @mlp
// CHECK-SAME: (%{{.*}}: memref<64x64xbf16>, %{{.*}}: memref<64x64xbf16>, %{{.*}}: memref<64xf32>) -> memref<64x64xf32>
// CHECK-NOT: linalg.
// CHECK-NOT: scf.
// CHECK-NOT: memref.alloc(){{.*}}sram
// CHECK-COUNT-10: npu.semaphore
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x64xf32>
// Core 0: double-buffered accumulator, A, B, bias and result tiles.
// CHECK: npu.alloc address 0 : memref<2x32x32xf32, #npu.memory_space<sram>>
// CHECK: npu.alloc address 8192 : memref<2x32x64xbf16, #npu.memory_space<sram>>
// CHECK: npu.alloc address 16384 : memref<2x64x32xbf16, #npu.memory_space<sram>>
// CHECK: npu.alloc address 24576 : memref<2x32xf32, #npu.memory_space<sram>>
// CHECK: npu.alloc address 28928 : memref<2x32x32xf32, #npu.memory_space<sram>>
// Tile 0 of core 0.
// CHECK: npu.vector.fill 0.000000e+00 -> %{{.*}} signal(%[[FILLED:.*]]) :
// CHECK: npu.dma %{{.*}} -> %{{.*}} : memref<32x64xbf16, strided<[64, 1], offset: ?>> -> memref<32x64xbf16, strided<[64, 1], offset: ?>, #npu.memory_space<sram>>
// CHECK: npu.dma %{{.*}} -> %{{.*}} signal(%[[LOADED:.*]]) : memref<64x32xbf16, strided<[64, 1], offset: ?>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %{{.*}} accumulate wait(%[[LOADED]], %[[FILLED]]) signal(%[[MULTIPLIED:.*]]) :
// CHECK: npu.dma %{{.*}} -> %{{.*}} signal(%[[BIAS:.*]]) : memref<32xf32, strided<[1], offset: ?>>
// The add's temporary reuses no live buffer: 24832 is past the bias tiles.
// CHECK: %[[TMP:.*]] = npu.alloc address 24832 : memref<32x32xf32, #npu.memory_space<sram>>
// CHECK: npu.vector.binary add %{{.*}}, %{{.*}} -> %[[TMP]] wait(%[[BIAS]], %[[MULTIPLIED]])
// CHECK: npu.vector.scalar max %[[TMP]], 0.000000e+00 -> %{{.*}} signal(%[[DONE:.*]]) :
// CHECK: npu.dma %{{.*}} -> %{{.*}} wait(%[[DONE]]) {queue = 1 : i64} : memref<32x32xf32, strided<[32, 1], offset: ?>, #npu.memory_space<sram>> -> memref<32x32xf32, strided<[64, 1], offset: ?>>
// Tile 1 of core 0: the other slots; its add temporary reuses the dead A
// tiles' space (8192).
// CHECK: npu.vector.fill
// CHECK: npu.matmul {{.*}} accumulate wait(%[[LOADED]], %[[FILLED]])
// CHECK: npu.alloc address 8192 : memref<32x32xf32, #npu.memory_space<sram>>
// CHECK: npu.vector.binary add
// CHECK: npu.dma {{.*}} {queue = 1 : i64}
// Core 1: the same addresses in its own SRAM, its own semaphores.
// CHECK: npu.alloc address 0 {core = 1 : i64} : memref<2x32x32xf32, #npu.memory_space<sram>>
// CHECK: npu.alloc address 28928 {core = 1 : i64} : memref<2x32x32xf32, #npu.memory_space<sram>>
// CHECK: npu.vector.fill 0.000000e+00 -> %{{.*}} signal(%[[FILLED1:.*]]) {core = 1 : i64}
// CHECK-NOT: signal(%[[FILLED]])
// CHECK: npu.matmul {{.*}} accumulate wait(%{{.*}}, %[[FILLED1]]) signal(%{{.*}}) {core = 1 : i64}
// CHECK-COUNT-2: npu.dma {{.*}} {core = 1 : i64, queue = 1 : i64}
// CHECK-NOT: {{^ *npu\.}}
// CHECK: return %[[OUT]]

// TILED-LABEL: func @mlp
// TILED: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 64) step (32, 32)
// TILED: linalg.fill {{.*}} -> tensor<32x32xf32>
// TILED: linalg.matmul {{.*}} -> tensor<32x32xf32>
// TILED: linalg.generic
// TILED: } {npu.cost = {bound = "memory", {{.*}}flops = 532480 : i64
// TILED-NOT: npu.alloc
// TILED-NOT: bufferization

// SINGLE-LABEL: func @mlp
// SINGLE-NOT: memref<2x
// SINGLE: npu.alloc address 0 : memref<32x32xf32, #npu.memory_space<sram>>
// SINGLE: npu.alloc address 4096 : memref<32x64xbf16, #npu.memory_space<sram>>
// SINGLE: npu.alloc address 8192 : memref<64x32xbf16, #npu.memory_space<sram>>
// The bias tile reuses the dead A tile's address, after the matmul.
// SINGLE: npu.matmul {{.*}} signal(%[[MM:.*]]) :
// SINGLE: npu.alloc address 4096 : memref<32xf32, #npu.memory_space<sram>>
// SINGLE-NEXT: npu.dma %{{.*}} -> %{{.*}} wait(%[[MM]])

// PRESET: module attributes {npu.target = #npu.target<name = "systolic-32x32", clock_mhz = 1000, cores = 1,
// PRESET-LABEL: func @mlp
// PRESET-NOT: core = 1
// PRESET-COUNT-4: npu.matmul

// PROGRAM: gaon-npu-program 1
// PROGRAM-NEXT: buffer 0 "arg0" input 0 : bf16[64, 64]
// PROGRAM-NEXT: buffer 1 "arg1" input 1 : bf16[64, 64]
// PROGRAM-NEXT: buffer 2 "arg2" input 2 : f32[64]
// PROGRAM-NEXT: buffer 3 "result0" output 0 : f32[64, 64]
// PROGRAM-COUNT-10: semaphore
// PROGRAM: op {{[0-9]+}} "linalg.matmul" "loc(\"{{.*}}npu-pipeline.mlir\":{{[0-9]+}}:{{[0-9]+}})"
// PROGRAM-COUNT-4: matmul sram
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @mlp(%x: tensor<64x64xbf16>, %w: tensor<64x64xbf16>, %b: tensor<64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%x, %w : tensor<64x64xbf16>, tensor<64x64xbf16>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  %bb = linalg.broadcast ins(%b : tensor<64xf32>) outs(%e : tensor<64x64xf32>) dimensions = [0]
  %s = arith.addf %m, %bb : tensor<64x64xf32>
  %r = arith.maximumf %s, %f : tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}
}

// -----

// An unsupported op stops the pipeline with an error at its location.
module attributes {npu.target = #npu.target<name = "dual", clock_mhz = 1000, cores = 2, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @gather(%x: tensor<16xf32>, %i: index) -> f32 {
  // expected-error @below {{'tensor.extract' is not supported by the NPU compiler}}
  %0 = tensor.extract %x[%i] : tensor<16xf32>
  return %0 : f32
}
}
