// Ensures the softmax fixture that scripts/gpu-check.sh compiles for the GPU
// is valid graph-level IR (a row reduction: one block per row).
// RUN: gaon-opt %s | FileCheck %s

// CHECK-LABEL: func.func @softmax
// CHECK: linalg.softmax dimension(1)
func.func @softmax(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %empty = tensor.empty() : tensor<64x1000xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<64x1000xf32>)
                                  outs(%empty : tensor<64x1000xf32>) -> tensor<64x1000xf32>
  return %y : tensor<64x1000xf32>
}
