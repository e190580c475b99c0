// A GELU-like elementwise chain on bf16 with a broadcast bias: one fused kernel.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @elementwise(%x: tensor<256x1024xbf16>, %bias: tensor<1024xbf16>) -> tensor<256x1024xbf16> {
  %e0 = tensor.empty() : tensor<256x1024xbf16>
  %add = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %bias : tensor<256x1024xbf16>, tensor<1024xbf16>) outs(%e0 : tensor<256x1024xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %s = arith.addf %a, %b : bf16
    linalg.yield %s : bf16
  } -> tensor<256x1024xbf16>
  %e1 = tensor.empty() : tensor<256x1024xbf16>
  %act = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%add : tensor<256x1024xbf16>) outs(%e1 : tensor<256x1024xbf16>) {
  ^bb0(%a: bf16, %o: bf16):
    %f = arith.extf %a : bf16 to f32
    %t = math.tanh %f : f32
    %c1 = arith.constant 1.0 : f32
    %h = arith.constant 0.5 : f32
    %p = arith.addf %t, %c1 : f32
    %q = arith.mulf %p, %h : f32
    %r = arith.mulf %q, %f : f32
    %y = arith.truncf %r : f32 to bf16
    linalg.yield %y : bf16
  } -> tensor<256x1024xbf16>
  return %act : tensor<256x1024xbf16>
}
