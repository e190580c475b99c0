// Ensures gaon-gpu-outline-kernels forms the kernels the emitters expect and
// outlines each into a private function called in destination-passing style:
// a contraction with its zero fill and elementwise epilogue; a row
// reduction with the per-row and elementwise ops that read it; one kernel
// per remaining op; groups stay convex (an op that depends on another kernel
// does not join a row group); every kernel carries its kind, source op,
// FLOPs and bytes.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics \
// RUN:   --gaon-gpu-outline-kernels | FileCheck %s

// CHECK-LABEL: func.func private @linear_k0
// CHECK-SAME: (%[[A:.*]]: tensor<64x32xbf16>, %[[B:.*]]: tensor<32x16xbf16>, %[[BIAS:.*]]: tensor<16xf32>, %[[OUT:.*]]: tensor<64x16xf32>) -> tensor<64x16xf32>
// CHECK-SAME: gaon.gpu.bytes = 9280 : i64
// 2*64*16*32 for the GEMM, 64*16 for the bias add.
// CHECK-SAME: gaon.gpu.flops = 66560 : i64
// CHECK-SAME: gaon.gpu.kernel = "contraction"
// CHECK-SAME: gaon.gpu.source = "linalg.matmul"
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[FILL]] :
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[MM]], %[[BIAS]] : {{.*}}) outs(%[[OUT]] :
// CHECK: return %[[R]]
// CHECK-LABEL: func.func @linear
// CHECK: %[[E:.*]] = tensor.empty() : tensor<64x16xf32>
// CHECK: %[[C:.*]] = call @linear_k0(%arg0, %arg1, %arg2, %[[E]])
// CHECK: return %[[C]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @linear(%a: tensor<64x32xbf16>, %b: tensor<32x16xbf16>, %bias: tensor<16xf32>) -> tensor<64x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x16xf32>) -> tensor<64x16xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<64x32xbf16>, tensor<32x16xbf16>) outs(%f : tensor<64x16xf32>) -> tensor<64x16xf32>
  %e1 = tensor.empty() : tensor<64x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<64x16xf32>, tensor<16xf32>) outs(%e1 : tensor<64x16xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    linalg.yield %s : f32
  } -> tensor<64x16xf32>
  return %r : tensor<64x16xf32>
}

// -----

// Mean and variance reductions, the per-row reciprocal and the normalising
// elementwise op form one row kernel; only its result leaves it.
// CHECK-LABEL: func.func private @norm_k0
// CHECK-SAME: (%{{.*}}: tensor<16x64xf32>, %{{.*}}: tensor<16x64xf32>) -> tensor<16x64xf32>
// CHECK-SAME: gaon.gpu.bytes = 8192 : i64
// CHECK-SAME: gaon.gpu.kernel = "reduction"
// CHECK-COUNT-2: iterator_types = ["parallel", "reduction"]
// CHECK: iterator_types = ["parallel"]
// CHECK: math.rsqrt
// CHECK: iterator_types = ["parallel", "parallel"]
// CHECK-LABEL: func.func @norm
// CHECK-COUNT-1: call @norm_k0
// CHECK-NOT: call
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#r1 = affine_map<(d0) -> (d0)>
func.func @norm(%x: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 64.0 : f32
  %e0 = tensor.empty() : tensor<16xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<16xf32>) -> tensor<16xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<16x64xf32>) outs(%f0 : tensor<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %e1 = tensor.empty() : tensor<16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16xf32>) -> tensor<16xf32>
  %sq = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x, %sum : tensor<16x64xf32>, tensor<16xf32>) outs(%f1 : tensor<16xf32>) {
  ^bb0(%a: f32, %s: f32, %acc: f32):
    %m = arith.divf %s, %n : f32
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %t = arith.addf %d2, %acc : f32
    linalg.yield %t : f32
  } -> tensor<16xf32>
  %e2 = tensor.empty() : tensor<16xf32>
  %rstd = linalg.generic {indexing_maps = [#r1, #r1], iterator_types = ["parallel"]}
      ins(%sq : tensor<16xf32>) outs(%e2 : tensor<16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.divf %v, %n : f32
    %r = math.rsqrt %m : f32
    linalg.yield %r : f32
  } -> tensor<16xf32>
  %e3 = tensor.empty() : tensor<16x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum, %rstd : tensor<16x64xf32>, tensor<16xf32>, tensor<16xf32>) outs(%e3 : tensor<16x64xf32>) {
  ^bb0(%a: f32, %s: f32, %r: f32, %o: f32):
    %m = arith.divf %s, %n : f32
    %d = arith.subf %a, %m : f32
    %t = arith.mulf %d, %r : f32
    linalg.yield %t : f32
  } -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}

// -----

// The op after the GEMM reads the row sum, but also the GEMM, which depends
// on the row kernel: it cannot join the row kernel, it becomes the GEMM's
// epilogue. The row kernel runs first.
// CHECK-LABEL: func.func private @not_convex_k0
// CHECK-SAME: gaon.gpu.kernel = "contraction"
// CHECK: linalg.matmul
// CHECK: arith.mulf
// CHECK-LABEL: func.func private @not_convex_k1
// CHECK-SAME: -> (tensor<4xf32>, tensor<4x8xf32>)
// CHECK-SAME: gaon.gpu.kernel = "reduction"
// CHECK-LABEL: func.func @not_convex
// CHECK: %[[ROW:.*]]:2 = call @not_convex_k1(
// CHECK: call @not_convex_k0(%[[ROW]]#1, %arg1, %[[ROW]]#0,
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @not_convex(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%f0 : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %a, %acc : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %n = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : tensor<4x8xf32>, tensor<4xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.divf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.matmul ins(%n, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e3 = tensor.empty() : tensor<4x8xf32>
  %v = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %s : tensor<4x8xf32>, tensor<4xf32>) outs(%e3 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.mulf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %v : tensor<4x8xf32>
}

// -----

// A GEMM whose result has two users keeps it: no epilogue, three kernels.
// CHECK-LABEL: func.func @shared_result
// CHECK-COUNT-3: call @shared_result_k
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @shared_result(%a: tensor<16x16xf16>, %b: tensor<16x16xf16>) -> (tensor<16x16xf32>, tensor<16x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x16xf32>) -> tensor<16x16xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<16x16xf16>, tensor<16x16xf16>) outs(%f : tensor<16x16xf32>) -> tensor<16x16xf32>
  %e1 = tensor.empty() : tensor<16x16xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<16x16xf32>) outs(%e1 : tensor<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<16x16xf32>
  %e2 = tensor.empty() : tensor<16x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<16x16xf32>) outs(%e2 : tensor<16x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = math.absf %v : f32
    linalg.yield %n : f32
  } -> tensor<16x16xf32>
  return %x, %y : tensor<16x16xf32>, tensor<16x16xf32>
}

// -----

// Every other op is its own one-thread-per-point kernel.
// CHECK-LABEL: func.func private @transpose_k0
// CHECK-SAME: gaon.gpu.bytes = 512 : i64
// CHECK-SAME: gaon.gpu.flops = 0 : i64
// CHECK-SAME: gaon.gpu.kernel = "loop"
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @transpose(%x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<8x8xf32>
  return %t : tensor<8x8xf32>
}

// -----

func.func @dynamic(%x: tensor<?xf32>, %e: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @below {{the GPU path needs static shapes, got 'tensor<?xf32>'}}
  %r = linalg.exp ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
