// Ensures the batch-matmul fixture that scripts/gpu-check.sh compiles for the
// GPU is valid graph-level IR: bf16 operands, fp32 accumulation and result.
// RUN: gaon-opt %s | FileCheck %s

// CHECK-LABEL: func.func @batch_matmul
// CHECK: linalg.batch_matmul
func.func @batch_matmul(%a: tensor<8x128x256xbf16>, %b: tensor<8x256x192xbf16>)
    -> tensor<8x128x192xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x128x192xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x128x192xf32>) -> tensor<8x128x192xf32>
  %c = linalg.batch_matmul ins(%a, %b : tensor<8x128x256xbf16>, tensor<8x256x192xbf16>)
                           outs(%init : tensor<8x128x192xf32>) -> tensor<8x128x192xf32>
  return %c : tensor<8x128x192xf32>
}
