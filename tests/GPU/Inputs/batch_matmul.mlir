// Batched f16 GEMM with f32 accumulation, as attention's P.V (12 heads).
func.func @batch_matmul(%p: tensor<12x128x128xf16>, %v: tensor<12x128x64xf16>) -> tensor<12x128x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x128x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x128x64xf32>) -> tensor<12x128x64xf32>
  %r = linalg.batch_matmul ins(%p, %v : tensor<12x128x128xf16>, tensor<12x128x64xf16>) outs(%f : tensor<12x128x64xf32>) -> tensor<12x128x64xf32>
  return %r : tensor<12x128x64xf32>
}
