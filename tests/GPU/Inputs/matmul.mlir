// bf16 x bf16 -> f32 GEMM with a bias + ReLU epilogue (a linear layer).
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @matmul(%a: tensor<512x1024xbf16>, %b: tensor<1024x768xbf16>, %bias: tensor<768xf32>) -> tensor<512x768xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512x768xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<512x768xf32>) -> tensor<512x768xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<512x1024xbf16>, tensor<1024x768xbf16>) outs(%f : tensor<512x768xf32>) -> tensor<512x768xf32>
  %e1 = tensor.empty() : tensor<512x768xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<512x768xf32>, tensor<768xf32>) outs(%e1 : tensor<512x768xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %s, %z : f32
    linalg.yield %m : f32
  } -> tensor<512x768xf32>
  return %r : tensor<512x768xf32>
}
