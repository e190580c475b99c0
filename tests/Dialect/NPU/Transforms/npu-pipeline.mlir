// Ensures gaon-npu-pipeline composes the NPU passes for the target inline on
// the module: a matmul with a bias+ReLU epilogue on a 2-core chip becomes
// straight-line npu commands with no linalg, scf or unplaced SRAM alloc
// left; each core runs one 64x32 tile (fill, two loads, matmul, bias load,
// add, max, store on DMA queue 1: the tiler's model prefers one tile per
// core to two 32x32 ones here, so nothing is double-buffered) in SRAM at
// addresses of its own, reusing dead buffers' space, ordered by semaphores;
// stop-after stops after the named pass, buffers=1 changes nothing for
// loops of one iteration, target= replaces the inline target, the result
// serialises to an NPU program, and an unsupported op fails the pipeline at
// its location. tests/Dialect/NPU/Transforms/double-buffer-pipeline.mlir
// covers double buffering through the pipeline.
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
// Core 0: the accumulator, all of x and 32 columns of w.
// CHECK: %[[ACC:.*]] = npu.alloc address 0 : memref<64x32xf32, #npu.memory_space<sram>>
// CHECK: npu.vector.fill 0.000000e+00 -> %[[ACC]] signal(%[[FILLED:.*]]) :
// CHECK: npu.alloc address 8192 : memref<64x64xbf16, #npu.memory_space<sram>>
// CHECK: npu.dma %{{.*}} -> %{{.*}} : memref<64x64xbf16> -> memref<64x64xbf16, #npu.memory_space<sram>>
// CHECK: npu.alloc address 16384 : memref<64x32xbf16, #npu.memory_space<sram>>
// CHECK: npu.dma %{{.*}} -> %{{.*}} signal(%[[LOADED:.*]]) : memref<64x32xbf16, strided<[64, 1]>>
// CHECK: npu.matmul %{{.*}}, %{{.*}} -> %[[ACC]] accumulate wait(%[[LOADED]], %[[FILLED]]) signal(%[[MULTIPLIED:.*]]) :
// The bias tile reuses the dead x tile's space once the matmul is done.
// CHECK: npu.alloc address 8192 : memref<32xf32, #npu.memory_space<sram>>
// CHECK: npu.dma %{{.*}} -> %{{.*}} wait(%[[MULTIPLIED]]) signal(%[[BIAS:.*]]) : memref<32xf32, strided<[1]>>
// The result takes the accumulator's space, the add's temporary the space
// past the bias tile.
// CHECK: %[[RES:.*]] = npu.alloc address 0 : memref<64x32xf32, #npu.memory_space<sram>>
// CHECK: %[[TMP:.*]] = npu.alloc address 8320 : memref<64x32xf32, #npu.memory_space<sram>>
// CHECK: npu.vector.binary add %[[ACC]], %{{.*}} -> %[[TMP]] wait(%[[BIAS]])
// CHECK: npu.vector.scalar max %[[TMP]], 0.000000e+00 -> %[[RES]] signal(%[[DONE:.*]]) :
// CHECK: npu.dma %[[RES]] -> %{{.*}} wait(%[[DONE]]) {queue = 1 : i64} : memref<64x32xf32, #npu.memory_space<sram>> -> memref<64x32xf32, strided<[64, 1]>>
// Core 1: the same addresses in its own SRAM, its own semaphores.
// CHECK: npu.alloc address 0 {core = 1 : i64} : memref<64x32xf32, #npu.memory_space<sram>>
// CHECK: npu.vector.fill 0.000000e+00 -> %{{.*}} signal(%[[FILLED1:.*]]) {core = 1 : i64}
// CHECK-NOT: signal(%[[FILLED]])
// CHECK: npu.matmul {{.*}} accumulate wait(%{{.*}}, %[[FILLED1]]) signal(%{{.*}}) {core = 1 : i64}
// CHECK: npu.dma {{.*}} {core = 1 : i64, queue = 1 : i64}
// CHECK-NOT: {{^ *npu\.}}
// CHECK: return %[[OUT]]

// TILED-LABEL: func @mlp
// TILED: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 64) step (64, 32)
// TILED: linalg.fill {{.*}} -> tensor<64x32xf32>
// TILED: linalg.matmul {{.*}} -> tensor<64x32xf32>
// TILED: linalg.generic
// TILED: } {npu.cost = {bound = "memory", {{.*}}flops = 532480 : i64
// TILED-NOT: npu.alloc
// TILED-NOT: bufferization

// SINGLE-LABEL: func @mlp
// SINGLE-NOT: memref<2x
// SINGLE: npu.alloc address 0 : memref<64x32xf32, #npu.memory_space<sram>>
// SINGLE: npu.alloc address 8192 : memref<64x64xbf16, #npu.memory_space<sram>>
// SINGLE: npu.alloc address 16384 : memref<64x32xbf16, #npu.memory_space<sram>>
// The bias tile reuses the dead x tile's address, after the matmul.
// SINGLE: npu.matmul {{.*}} signal(%[[MM:.*]]) :
// SINGLE: npu.alloc address 8192 : memref<32xf32, #npu.memory_space<sram>>
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
// PROGRAM-COUNT-2: matmul sram
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
