// Ensures gaon-promote-tiles gives every operand of a linalg op inside a
// tile loop a home in SRAM: DRAM inputs are copied into
// #npu.memory_space<sram> alloc_tensors where they are sliced (inside the K
// loop for K slices, once per tile for a value read twice), outputs the body
// reads are copied in, outputs it only writes get a fresh SRAM tensor,
// results of on-chip ops stay on chip, function arguments become
// non-writable, and a linalg op outside any tile loop is an error.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-promote-tiles | FileCheck %s

// A matmul accumulating into its (DRAM) output: A, B and C tiles are loaded.
// CHECK-LABEL: func @accumulate
// CHECK-SAME: (%{{.*}}: tensor<64x128xbf16> {bufferization.writable = false}, %{{.*}}: tensor<128x64xbf16> {bufferization.writable = false}, %{{.*}}: tensor<64x64xf32> {bufferization.writable = false})
// CHECK: %[[AS:.*]] = tensor.extract_slice %{{.*}} : tensor<64x128xbf16> to tensor<32x128xbf16>
// CHECK: %[[BS:.*]] = tensor.extract_slice %{{.*}} : tensor<128x64xbf16> to tensor<128x32xbf16>
// CHECK: %[[CS:.*]] = tensor.extract_slice %{{.*}} : tensor<64x64xf32> to tensor<32x32xf32>
// CHECK: %[[ABUF:.*]] = bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<32x128xbf16>
// CHECK: %[[A:.*]] = linalg.copy ins(%[[AS]] : tensor<32x128xbf16>) outs(%[[ABUF]] : tensor<32x128xbf16>)
// CHECK: %[[BBUF:.*]] = bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<128x32xbf16>
// CHECK: %[[B:.*]] = linalg.copy ins(%[[BS]] : tensor<128x32xbf16>) outs(%[[BBUF]] : tensor<128x32xbf16>)
// CHECK: %[[CBUF:.*]] = bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<32x32xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[CS]] : tensor<32x32xf32>) outs(%[[CBUF]] : tensor<32x32xf32>)
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<32x128xbf16>, tensor<128x32xbf16>) outs(%[[C]] : tensor<32x32xf32>)
// CHECK: tensor.parallel_insert_slice %[[M]]
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @accumulate(%arg0: tensor<64x128xbf16>, %arg1: tensor<128x64xbf16>, %arg2: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = scf.forall (%i, %j) = (0, 0) to (64, 64) step (32, 32) shared_outs(%out = %arg2) -> (tensor<64x64xf32>) {
    %a = tensor.extract_slice %arg0[%i, 0] [32, 128] [1, 1] : tensor<64x128xbf16> to tensor<32x128xbf16>
    %b = tensor.extract_slice %arg1[0, %j] [128, 32] [1, 1] : tensor<128x64xbf16> to tensor<128x32xbf16>
    %c = tensor.extract_slice %out[%i, %j] [32, 32] [1, 1] : tensor<64x64xf32> to tensor<32x32xf32>
    %1 = linalg.matmul ins(%a, %b : tensor<32x128xbf16>, tensor<128x32xbf16>) outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %1 into %out[%i, %j] [32, 32] [1, 1] : tensor<32x32xf32> into tensor<64x64xf32>
    }
  }
  return %0 : tensor<64x64xf32>
}
}

// -----

// A filled accumulator is not loaded: the fill writes a fresh SRAM tensor
// and the K loop carries it on chip; the K slices are loaded inside the
// loop; the epilogue reads the bias from DRAM and writes a fresh SRAM tile.
// CHECK-LABEL: func @k_loop_epilogue
// CHECK: scf.forall
// CHECK: %[[ACCBUF:.*]] = bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<32x32xf32>
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[ACCBUF]] : tensor<32x32xf32>)
// CHECK: %[[ACC:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ITER:.*]] = %[[FILL]])
// CHECK: %[[AK:.*]] = tensor.extract_slice %{{.*}} : tensor<32x256xbf16> to tensor<32x64xbf16>
// CHECK: %[[BK:.*]] = tensor.extract_slice %{{.*}} : tensor<256x32xbf16> to tensor<64x32xbf16>
// CHECK: %[[ITERS:.*]] = tensor.extract_slice %[[ITER]]
// CHECK: alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<32x64xbf16>
// CHECK: %[[A:.*]] = linalg.copy ins(%[[AK]] :
// CHECK: alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<64x32xbf16>
// CHECK: %[[B:.*]] = linalg.copy ins(%[[BK]] :
// CHECK-NOT: linalg.copy
// CHECK: linalg.matmul ins(%[[A]], %[[B]] : tensor<32x64xbf16>, tensor<64x32xbf16>) outs(%[[ITERS]] : tensor<32x32xf32>)
// CHECK: scf.yield
// CHECK: %[[BIASS:.*]] = tensor.extract_slice %{{.*}} : tensor<256xf32> to tensor<32xf32>
// CHECK: %[[BIASBUF:.*]] = bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<32xf32>
// CHECK: %[[BIAS:.*]] = linalg.copy ins(%[[BIASS]] : tensor<32xf32>) outs(%[[BIASBUF]] : tensor<32xf32>)
// CHECK: %[[OUTBUF:.*]] = bufferization.alloc_tensor() {memory_space = #npu.memory_space<sram>} : tensor<32x32xf32>
// CHECK-NOT: linalg.copy
// CHECK: %[[EPI:.*]] = linalg.generic {{.*}} ins(%[[ACC]], %[[BIAS]] : tensor<32x32xf32>, tensor<32xf32>) outs(%[[OUTBUF]] : tensor<32x32xf32>)
// CHECK: tensor.parallel_insert_slice %[[EPI]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @k_loop_epilogue(%arg0: tensor<256x256xbf16>, %arg1: tensor<256x256xbf16>, %arg2: tensor<256xf32>) -> tensor<256x256xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<256x256xf32>
  %1 = scf.forall (%i, %j) = (0, 0) to (256, 256) step (32, 32) shared_outs(%out = %0) -> (tensor<256x256xf32>) {
    %a = tensor.extract_slice %arg0[%i, 0] [32, 256] [1, 1] : tensor<256x256xbf16> to tensor<32x256xbf16>
    %b = tensor.extract_slice %arg1[0, %j] [256, 32] [1, 1] : tensor<256x256xbf16> to tensor<256x32xbf16>
    %c = tensor.extract_slice %0[%i, %j] [32, 32] [1, 1] : tensor<256x256xf32> to tensor<32x32xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
    %c0 = arith.constant 0 : index
    %c256 = arith.constant 256 : index
    %c64 = arith.constant 64 : index
    %3 = scf.for %k = %c0 to %c256 step %c64 iter_args(%acc = %2) -> (tensor<32x32xf32>) {
      %ak = tensor.extract_slice %a[0, %k] [32, 64] [1, 1] : tensor<32x256xbf16> to tensor<32x64xbf16>
      %bk = tensor.extract_slice %b[%k, 0] [64, 32] [1, 1] : tensor<256x32xbf16> to tensor<64x32xbf16>
      %accs = tensor.extract_slice %acc[0, 0] [32, 32] [1, 1] : tensor<32x32xf32> to tensor<32x32xf32>
      %5 = linalg.matmul ins(%ak, %bk : tensor<32x64xbf16>, tensor<64x32xbf16>) outs(%accs : tensor<32x32xf32>) -> tensor<32x32xf32>
      %ins = tensor.insert_slice %5 into %acc[0, 0] [32, 32] [1, 1] : tensor<32x32xf32> into tensor<32x32xf32>
      scf.yield %ins : tensor<32x32xf32>
    }
    %bias = tensor.extract_slice %arg2[%j] [32] [1] : tensor<256xf32> to tensor<32xf32>
    %o = tensor.extract_slice %out[%i, %j] [32, 32] [1, 1] : tensor<256x256xf32> to tensor<32x32xf32>
    %4 = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%3, %bias : tensor<32x32xf32>, tensor<32xf32>) outs(%o : tensor<32x32xf32>) {
    ^bb0(%x: f32, %y: f32, %z: f32):
      %s = arith.addf %x, %y : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %4 into %out[%i, %j] [32, 32] [1, 1] : tensor<32x32xf32> into tensor<256x256xf32>
    }
  }
  return %1 : tensor<256x256xf32>
}
}

// -----

// A slice read by two ops of the tile is loaded once.
// CHECK-LABEL: func @read_twice
// CHECK: %[[XS:.*]] = tensor.extract_slice
// CHECK: %[[X:.*]] = linalg.copy ins(%[[XS]] : tensor<8x32xf32>)
// CHECK-NOT: linalg.copy
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<8x32xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[E]], %[[X]] : tensor<8x32xf32>, tensor<8x32xf32>)
// CHECK: arith.mulf
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @read_twice(%arg0: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %e = tensor.empty() : tensor<64x32xf32>
  %0 = scf.forall (%i) = (0) to (64) step (8) shared_outs(%out = %e) -> (tensor<64x32xf32>) {
    %x = tensor.extract_slice %arg0[%i, 0] [8, 32] [1, 1] : tensor<64x32xf32> to tensor<8x32xf32>
    %t = tensor.empty() : tensor<8x32xf32>
    %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x32xf32>) outs(%t : tensor<8x32xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = math.exp %a : f32
      linalg.yield %r : f32
    } -> tensor<8x32xf32>
    %o = tensor.extract_slice %out[%i, 0] [8, 32] [1, 1] : tensor<64x32xf32> to tensor<8x32xf32>
    %2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%1, %x : tensor<8x32xf32>, tensor<8x32xf32>) outs(%o : tensor<8x32xf32>) {
    ^bb0(%a: f32, %b: f32, %z: f32):
      %r = arith.mulf %a, %b : f32
      linalg.yield %r : f32
    } -> tensor<8x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %2 into %out[%i, 0] [8, 32] [1, 1] : tensor<8x32xf32> into tensor<64x32xf32>
    }
  }
  return %0 : tensor<64x32xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @untiled(%x: tensor<8xf32>) -> tensor<8xf32> {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{'linalg.fill' is not inside a tile loop; run gaon-tile-linalg before gaon-promote-tiles}}
  %0 = linalg.fill ins(%z : f32) outs(%x : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
}
