// 3x3 convolution (NHWC x HWCF, stride 1) on bf16 with f32 output, as an
// implicit GEMM: M = N*OH*OW = 2*30*30, N = F = 128, K = 3*3*64.
func.func @conv(%x: tensor<2x32x32x64xbf16>, %w: tensor<3x3x64x128xbf16>) -> tensor<2x30x30x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x30x30x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x30x30x128xf32>) -> tensor<2x30x30x128xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<2x32x32x64xbf16>, tensor<3x3x64x128xbf16>) outs(%f : tensor<2x30x30x128xf32>) -> tensor<2x30x30x128xf32>
  return %r : tensor<2x30x30x128xf32>
}
