// Layer norm over the last dim (mean, variance, normalise, scale, shift) as
// the generics torch-mlir emits.
#id = affine_map<(d0, d1) -> (d0, d1)>
#rowvec = affine_map<(d0, d1) -> (d0)>
#colvec = affine_map<(d0, d1) -> (d1)>
#row1 = affine_map<(d0) -> (d0)>
func.func @layernorm(%x: tensor<512x768xf32>, %gamma: tensor<768xf32>, %beta: tensor<768xf32>) -> tensor<512x768xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 768.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e0 = tensor.empty() : tensor<512xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<512xf32>) -> tensor<512xf32>
  %sum = linalg.generic {indexing_maps = [#id, #rowvec], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<512x768xf32>) outs(%f0 : tensor<512xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<512xf32>
  %e1 = tensor.empty() : tensor<512xf32>
  %mean = linalg.generic {indexing_maps = [#row1, #row1], iterator_types = ["parallel"]}
      ins(%sum : tensor<512xf32>) outs(%e1 : tensor<512xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.divf %a, %n : f32
    linalg.yield %m : f32
  } -> tensor<512xf32>
  %e2 = tensor.empty() : tensor<512xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<512xf32>) -> tensor<512xf32>
  %var = linalg.generic {indexing_maps = [#id, #rowvec, #rowvec], iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : tensor<512x768xf32>, tensor<512xf32>) outs(%f2 : tensor<512xf32>) {
  ^bb0(%a: f32, %m: f32, %acc: f32):
    %d = arith.subf %a, %m : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<512xf32>
  %e3 = tensor.empty() : tensor<512x768xf32>
  %y = linalg.generic {indexing_maps = [#id, #rowvec, #rowvec, #colvec, #colvec, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean, %var, %gamma, %beta : tensor<512x768xf32>, tensor<512xf32>, tensor<512xf32>, tensor<768xf32>, tensor<768xf32>) outs(%e3 : tensor<512x768xf32>) {
  ^bb0(%a: f32, %m: f32, %v: f32, %g: f32, %b: f32, %o: f32):
    %vn = arith.divf %v, %n : f32
    %ve = arith.addf %vn, %eps : f32
    %r = math.rsqrt %ve : f32
    %d = arith.subf %a, %m : f32
    %nd = arith.mulf %d, %r : f32
    %sc = arith.mulf %nd, %g : f32
    %sh = arith.addf %sc, %b : f32
    linalg.yield %sh : f32
  } -> tensor<512x768xf32>
  return %y : tensor<512x768xf32>
}
