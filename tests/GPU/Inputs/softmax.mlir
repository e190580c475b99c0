// Attention-score softmax over the last dim, as linalg.softmax (decomposed
// by gaon-gpu-prepare-graph into max / exp-sum / divide generics).
func.func @softmax(%x: tensor<8x128x128xf32>) -> tensor<8x128x128xf32> {
  %e = tensor.empty() : tensor<8x128x128xf32>
  %s = linalg.softmax dimension(2) ins(%x : tensor<8x128x128xf32>) outs(%e : tensor<8x128x128xf32>) -> tensor<8x128x128xf32>
  return %s : tensor<8x128x128xf32>
}
