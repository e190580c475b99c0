// Single-head causal self-attention in the linalg-on-tensors form torch-mlir
// emits for a module whose parameters are passed as arguments (weights as
// function arguments): projections by linalg.matmul, K transposed with
// linalg.transpose, the causal mask as a generic on linalg.index, softmax as
// max/sub-exp/sum/div generics. Checks gaon-import takes it unchanged.
// RUN: gaon-import %s | FileCheck %s
// RUN: gaon-import %s --stats --weights-from-arg 1 | FileCheck %s --check-prefix=STATS
// RUN: gaon-import %s --weights-from-arg 1 | FileCheck %s --check-prefix=TAGS

// CHECK-LABEL: func.func @main(%{{.*}}: tensor<4x8xf32>, %{{.*}}: tensor<8x8xf32>, %{{.*}}: tensor<8x8xf32>, %{{.*}}: tensor<8x8xf32>) -> tensor<4x8xf32>
// CHECK-COUNT-3: linalg.matmul
// CHECK: linalg.transpose
// CHECK: linalg.matmul
// CHECK: linalg.index
// CHECK: math.exp
// CHECK: linalg.matmul
// --weights-from-arg 1 tags the three 8x8 projections as weights.
// STATS: parameters            192
// Three 4x8x8 projections and two 4x4x8 attention matmuls: 3 * 512 + 2 * 256.
// STATS: FLOPs (contraction)   2,048
// TAGS: func.func @main(%{{.*}}: tensor<4x8xf32> {gaon.kind = "input"}, %{{.*}}: tensor<8x8xf32> {gaon.kind = "weight"}

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
module {
  func.func @main(%x: tensor<4x8xf32>, %wq: tensor<8x8xf32>, %wk: tensor<8x8xf32>, %wv: tensor<8x8xf32>) -> tensor<4x8xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_ninf = arith.constant 0xFF800000 : f32
    %scale = arith.constant 0.353553385 : f32
    %e48 = tensor.empty() : tensor<4x8xf32>
    %z48 = linalg.fill ins(%cst : f32) outs(%e48 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %q = linalg.matmul ins(%x, %wq : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z48 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %k = linalg.matmul ins(%x, %wk : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z48 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %v = linalg.matmul ins(%x, %wv : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z48 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %e84 = tensor.empty() : tensor<8x4xf32>
    %kt = linalg.transpose ins(%k : tensor<4x8xf32>) outs(%e84 : tensor<8x4xf32>) permutation = [1, 0]
    %e44 = tensor.empty() : tensor<4x4xf32>
    %z44 = linalg.fill ins(%cst : f32) outs(%e44 : tensor<4x4xf32>) -> tensor<4x4xf32>
    %s = linalg.matmul ins(%q, %kt : tensor<4x8xf32>, tensor<8x4xf32>) outs(%z44 : tensor<4x4xf32>) -> tensor<4x4xf32>
    %masked = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<4x4xf32>) outs(%e44 : tensor<4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %i = linalg.index 0 : index
      %j = linalg.index 1 : index
      %future = arith.cmpi ugt, %j, %i : index
      %scaled = arith.mulf %in, %scale : f32
      %r = arith.select %future, %cst_ninf, %scaled : f32
      linalg.yield %r : f32
    } -> tensor<4x4xf32>
    %e4 = tensor.empty() : tensor<4xf32>
    %m0 = linalg.fill ins(%cst_ninf : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
    %max = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%masked : tensor<4x4xf32>) outs(%m0 : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.maximumf %in, %out : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    %exp = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%masked, %max : tensor<4x4xf32>, tensor<4xf32>) outs(%e44 : tensor<4x4xf32>) {
    ^bb0(%in: f32, %m: f32, %out: f32):
      %d = arith.subf %in, %m : f32
      %r = math.exp %d : f32
      linalg.yield %r : f32
    } -> tensor<4x4xf32>
    %s0 = linalg.fill ins(%cst : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
    %sum = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%exp : tensor<4x4xf32>) outs(%s0 : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.addf %in, %out : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    %p = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%exp, %sum : tensor<4x4xf32>, tensor<4xf32>) outs(%e44 : tensor<4x4xf32>) {
    ^bb0(%in: f32, %d: f32, %out: f32):
      %r = arith.divf %in, %d : f32
      linalg.yield %r : f32
    } -> tensor<4x4xf32>
    %o = linalg.matmul ins(%p, %v : tensor<4x4xf32>, tensor<4x8xf32>) outs(%z48 : tensor<4x8xf32>) -> tensor<4x8xf32>
    return %o : tensor<4x8xf32>
  }
}
