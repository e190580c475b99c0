// Ensures the layer-norm fixture that scripts/gpu-check.sh compiles for the
// GPU is valid graph-level IR: row sum, row variance, normalise with
// gamma/beta, as torch-mlir's linalg-on-tensors output spells it.
// RUN: gaon-opt %s | FileCheck %s

// CHECK-LABEL: func.func @layer_norm
// CHECK-COUNT-3: linalg.generic
// CHECK: math.rsqrt
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @layer_norm(%x: tensor<128x768xf32>, %gamma: tensor<768xf32>,
                      %beta: tensor<768xf32>) -> tensor<128x768xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 768.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %rows = tensor.empty() : tensor<128xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<128xf32>) -> tensor<128xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<128x768xf32>) outs(%acc : tensor<128xf32>) {
  ^bb0(%a: f32, %s: f32):
    %r = arith.addf %a, %s : f32
    linalg.yield %r : f32
  } -> tensor<128xf32>
  %squares = linalg.generic {indexing_maps = [#map, #row, #row],
                             iterator_types = ["parallel", "reduction"]}
      ins(%x, %sum : tensor<128x768xf32>, tensor<128xf32>) outs(%acc : tensor<128xf32>) {
  ^bb0(%a: f32, %s: f32, %v: f32):
    %mean = arith.divf %s, %n : f32
    %d = arith.subf %a, %mean : f32
    %d2 = arith.mulf %d, %d : f32
    %r = arith.addf %d2, %v : f32
    linalg.yield %r : f32
  } -> tensor<128xf32>
  %out = tensor.empty() : tensor<128x768xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #row, #col, #col, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum, %squares, %gamma, %beta
          : tensor<128x768xf32>, tensor<128xf32>, tensor<128xf32>, tensor<768xf32>, tensor<768xf32>)
      outs(%out : tensor<128x768xf32>) {
  ^bb0(%a: f32, %s: f32, %v: f32, %g: f32, %b: f32, %o: f32):
    %mean = arith.divf %s, %n : f32
    %var = arith.divf %v, %n : f32
    %ve = arith.addf %var, %eps : f32
    %inv = math.rsqrt %ve : f32
    %d = arith.subf %a, %mean : f32
    %t = arith.mulf %d, %inv : f32
    %t2 = arith.mulf %t, %g : f32
    %r = arith.addf %t2, %b : f32
    linalg.yield %r : f32
  } -> tensor<128x768xf32>
  return %y : tensor<128x768xf32>
}
