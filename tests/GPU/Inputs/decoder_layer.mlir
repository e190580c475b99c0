// One Llama-style transformer decoder layer (sequence 128, model 256, 4 heads
// of 64, MLP 512): RMS norm, Q/K/V projections, causal attention (two batched
// GEMMs around a scaled, masked softmax), output projection with residual,
// RMS norm, SwiGLU MLP with residual. GEMMs take bf16 with f32 accumulation;
// norms and softmax run in f32.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
#col2 = affine_map<(d0, d1) -> (d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#id1 = affine_map<(d0) -> (d0)>
func.func @decoder_layer(%x: tensor<128x256xf32>, %norm1: tensor<256xf32>,
                         %wq: tensor<256x256xbf16>, %wk: tensor<256x256xbf16>,
                         %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>,
                         %norm2: tensor<256xf32>, %wg: tensor<256x512xbf16>,
                         %wu: tensor<256x512xbf16>, %wd: tensor<512x256xbf16>)
    -> tensor<128x256xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %dim = arith.constant 256.0 : f32
  %scale = arith.constant 0.125 : f32
  %ninf = arith.constant 0xFF800000 : f32

  // RMS norm 1 -> bf16.
  %ss0 = tensor.empty() : tensor<128xf32>
  %ss1 = linalg.fill ins(%zero : f32) outs(%ss0 : tensor<128xf32>) -> tensor<128xf32>
  %ss = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<128x256xf32>) outs(%ss1 : tensor<128xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  %h0 = tensor.empty() : tensor<128x256xbf16>
  %h = linalg.generic {indexing_maps = [#id2, #row2, #col2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %norm1 : tensor<128x256xf32>, tensor<128xf32>, tensor<256xf32>) outs(%h0 : tensor<128x256xbf16>) {
  ^bb0(%a: f32, %s: f32, %g: f32, %o: bf16):
    %m = arith.divf %s, %dim : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %n = arith.mulf %a, %r : f32
    %y = arith.mulf %n, %g : f32
    %t = arith.truncf %y : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x256xbf16>

  // Q, K, V projections (f32 accumulation, bf16 results).
  %acc0 = tensor.empty() : tensor<128x256xf32>
  %accz = linalg.fill ins(%zero : f32) outs(%acc0 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %q32 = linalg.matmul ins(%h, %wq : tensor<128x256xbf16>, tensor<256x256xbf16>) outs(%accz : tensor<128x256xf32>) -> tensor<128x256xf32>
  %k32 = linalg.matmul ins(%h, %wk : tensor<128x256xbf16>, tensor<256x256xbf16>) outs(%accz : tensor<128x256xf32>) -> tensor<128x256xf32>
  %v32 = linalg.matmul ins(%h, %wv : tensor<128x256xbf16>, tensor<256x256xbf16>) outs(%accz : tensor<128x256xf32>) -> tensor<128x256xf32>
  %qb0 = tensor.empty() : tensor<128x256xbf16>
  %qb = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%q32 : tensor<128x256xf32>) outs(%qb0 : tensor<128x256xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x256xbf16>
  %kb0 = tensor.empty() : tensor<128x256xbf16>
  %kb = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%k32 : tensor<128x256xf32>) outs(%kb0 : tensor<128x256xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x256xbf16>
  %vb0 = tensor.empty() : tensor<128x256xbf16>
  %vb = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%v32 : tensor<128x256xf32>) outs(%vb0 : tensor<128x256xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x256xbf16>

  // Heads: Q [4,128,64], K^T [4,64,128], V [4,128,64].
  %q3 = tensor.expand_shape %qb [[0], [1, 2]] output_shape [128, 4, 64] : tensor<128x256xbf16> into tensor<128x4x64xbf16>
  %k3 = tensor.expand_shape %kb [[0], [1, 2]] output_shape [128, 4, 64] : tensor<128x256xbf16> into tensor<128x4x64xbf16>
  %v3 = tensor.expand_shape %vb [[0], [1, 2]] output_shape [128, 4, 64] : tensor<128x256xbf16> into tensor<128x4x64xbf16>
  %qt0 = tensor.empty() : tensor<4x128x64xbf16>
  %qh = linalg.transpose ins(%q3 : tensor<128x4x64xbf16>) outs(%qt0 : tensor<4x128x64xbf16>) permutation = [1, 0, 2]
  %kt0 = tensor.empty() : tensor<4x64x128xbf16>
  %kh = linalg.transpose ins(%k3 : tensor<128x4x64xbf16>) outs(%kt0 : tensor<4x64x128xbf16>) permutation = [1, 2, 0]
  %vt0 = tensor.empty() : tensor<4x128x64xbf16>
  %vh = linalg.transpose ins(%v3 : tensor<128x4x64xbf16>) outs(%vt0 : tensor<4x128x64xbf16>) permutation = [1, 0, 2]

  // Scores = Q K^T, scaled, causally masked, softmax -> bf16 probabilities.
  %s0 = tensor.empty() : tensor<4x128x128xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x128x128xf32>) -> tensor<4x128x128xf32>
  %scores = linalg.batch_matmul ins(%qh, %kh : tensor<4x128x64xbf16>, tensor<4x64x128xbf16>) outs(%sz : tensor<4x128x128xf32>) -> tensor<4x128x128xf32>
  %m0 = tensor.empty() : tensor<4x128x128xf32>
  %masked = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%scores : tensor<4x128x128xf32>) outs(%m0 : tensor<4x128x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %future = arith.cmpi ugt, %j, %i : index
    %sc = arith.mulf %a, %scale : f32
    %r = arith.select %future, %ninf, %sc : f32
    linalg.yield %r : f32
  } -> tensor<4x128x128xf32>
  %p0 = tensor.empty() : tensor<4x128x128xf32>
  %probs = linalg.softmax dimension(2) ins(%masked : tensor<4x128x128xf32>) outs(%p0 : tensor<4x128x128xf32>) -> tensor<4x128x128xf32>
  %pb0 = tensor.empty() : tensor<4x128x128xbf16>
  %pb = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%probs : tensor<4x128x128xf32>) outs(%pb0 : tensor<4x128x128xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x128x128xbf16>

  // Context = P V, heads merged back to [128, 256] bf16.
  %c0 = tensor.empty() : tensor<4x128x64xf32>
  %cz = linalg.fill ins(%zero : f32) outs(%c0 : tensor<4x128x64xf32>) -> tensor<4x128x64xf32>
  %ctx = linalg.batch_matmul ins(%pb, %vh : tensor<4x128x128xbf16>, tensor<4x128x64xbf16>) outs(%cz : tensor<4x128x64xf32>) -> tensor<4x128x64xf32>
  %ct0 = tensor.empty() : tensor<128x4x64xbf16>
  %ctxt = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d0, d2)>, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ctx : tensor<4x128x64xf32>) outs(%ct0 : tensor<128x4x64xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x4x64xbf16>
  %merged = tensor.collapse_shape %ctxt [[0], [1, 2]] : tensor<128x4x64xbf16> into tensor<128x256xbf16>

  // Output projection + residual.
  %o0 = tensor.empty() : tensor<128x256xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%o0 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %proj = linalg.matmul ins(%merged, %wo : tensor<128x256xbf16>, tensor<256x256xbf16>) outs(%oz : tensor<128x256xf32>) -> tensor<128x256xf32>
  %x1e = tensor.empty() : tensor<128x256xf32>
  %x1 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%proj, %x : tensor<128x256xf32>, tensor<128x256xf32>) outs(%x1e : tensor<128x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<128x256xf32>

  // RMS norm 2 -> bf16.
  %t0 = tensor.empty() : tensor<128xf32>
  %t1 = linalg.fill ins(%zero : f32) outs(%t0 : tensor<128xf32>) -> tensor<128xf32>
  %ss2 = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%x1 : tensor<128x256xf32>) outs(%t1 : tensor<128xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  %h20 = tensor.empty() : tensor<128x256xbf16>
  %h2 = linalg.generic {indexing_maps = [#id2, #row2, #col2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x1, %ss2, %norm2 : tensor<128x256xf32>, tensor<128xf32>, tensor<256xf32>) outs(%h20 : tensor<128x256xbf16>) {
  ^bb0(%a: f32, %s: f32, %g: f32, %o: bf16):
    %m = arith.divf %s, %dim : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %n = arith.mulf %a, %r : f32
    %y = arith.mulf %n, %g : f32
    %t = arith.truncf %y : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x256xbf16>

  // SwiGLU MLP: silu(h2 Wg) * (h2 Wu), then Wd, plus the residual.
  %g0 = tensor.empty() : tensor<128x512xf32>
  %gz = linalg.fill ins(%zero : f32) outs(%g0 : tensor<128x512xf32>) -> tensor<128x512xf32>
  %gate = linalg.matmul ins(%h2, %wg : tensor<128x256xbf16>, tensor<256x512xbf16>) outs(%gz : tensor<128x512xf32>) -> tensor<128x512xf32>
  %up = linalg.matmul ins(%h2, %wu : tensor<128x256xbf16>, tensor<256x512xbf16>) outs(%gz : tensor<128x512xf32>) -> tensor<128x512xf32>
  %a0 = tensor.empty() : tensor<128x512xbf16>
  %act = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%gate, %up : tensor<128x512xf32>, tensor<128x512xf32>) outs(%a0 : tensor<128x512xbf16>) {
  ^bb0(%g: f32, %u: f32, %o: bf16):
    %ng = arith.negf %g : f32
    %e = math.exp %ng : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %e, %one : f32
    %silu = arith.divf %g, %den : f32
    %y = arith.mulf %silu, %u : f32
    %t = arith.truncf %y : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<128x512xbf16>
  %d0 = tensor.empty() : tensor<128x256xf32>
  %dz = linalg.fill ins(%zero : f32) outs(%d0 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %down = linalg.matmul ins(%act, %wd : tensor<128x512xbf16>, tensor<512x256xbf16>) outs(%dz : tensor<128x256xf32>) -> tensor<128x256xf32>
  %y0 = tensor.empty() : tensor<128x256xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%down, %x1 : tensor<128x256xf32>, tensor<128x256xf32>) outs(%y0 : tensor<128x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}
