// Ensures the elementwise-chain fixture that scripts/gpu-check.sh compiles
// for the GPU is valid graph-level IR: bias add, tanh-GELU and a residual add
// as three generics, which the compiler should fuse into one kernel.
// RUN: gaon-opt %s | FileCheck %s

// CHECK-LABEL: func.func @bias_gelu_residual
// CHECK-COUNT-3: linalg.generic
#map = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @bias_gelu_residual(%x: tensor<256x1024xf32>, %bias: tensor<1024xf32>,
                              %residual: tensor<256x1024xf32>) -> tensor<256x1024xf32> {
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0.7978845608 : f32
  %c1 = arith.constant 0.044715 : f32
  %empty = tensor.empty() : tensor<256x1024xf32>
  %biased = linalg.generic {indexing_maps = [#map, #col, #map],
                            iterator_types = ["parallel", "parallel"]}
      ins(%x, %bias : tensor<256x1024xf32>, tensor<1024xf32>)
      outs(%empty : tensor<256x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<256x1024xf32>
  %gelu = linalg.generic {indexing_maps = [#map, #map],
                          iterator_types = ["parallel", "parallel"]}
      ins(%biased : tensor<256x1024xf32>) outs(%empty : tensor<256x1024xf32>) {
  ^bb0(%a: f32, %o: f32):
    %a3 = arith.mulf %a, %a : f32
    %a3b = arith.mulf %a3, %a : f32
    %t = arith.mulf %a3b, %c1 : f32
    %u = arith.addf %a, %t : f32
    %v = arith.mulf %u, %c0 : f32
    %th = math.tanh %v : f32
    %w = arith.addf %th, %one : f32
    %h = arith.mulf %a, %half : f32
    %r = arith.mulf %h, %w : f32
    linalg.yield %r : f32
  } -> tensor<256x1024xf32>
  %y = linalg.generic {indexing_maps = [#map, #map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%gelu, %residual : tensor<256x1024xf32>, tensor<256x1024xf32>)
      outs(%empty : tensor<256x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<256x1024xf32>
  return %y : tensor<256x1024xf32>
}
