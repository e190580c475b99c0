func.func @main(%x: tensor<4xf32>) -> tensor<2x1xf32> {
  %idx = arith.constant dense<[[0], [3]]> : tensor<2x1xindex>
  %y = tensor.gather %x[%idx] gather_dims([0]) : (tensor<4xf32>, tensor<2x1xindex>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
