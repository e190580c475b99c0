// Ensures the convolution fixture that scripts/gpu-check.sh compiles for the
// GPU is valid graph-level IR: a 3x3 NHWC convolution, bf16 operands, fp32
// accumulation (an implicit GEMM of M = 8*28*28, N = 64, K = 3*3*32).
// RUN: gaon-opt %s | FileCheck %s

// CHECK-LABEL: func.func @conv
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @conv(%input: tensor<8x30x30x32xbf16>, %filter: tensor<3x3x32x64xbf16>)
    -> tensor<8x28x28x64xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x28x28x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x28x28x64xf32>) -> tensor<8x28x28x64xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>,
                                 strides = dense<1> : tensor<2xi64>}
      ins(%input, %filter : tensor<8x30x30x32xbf16>, tensor<3x3x32x64xbf16>)
      outs(%init : tensor<8x28x28x64xf32>) -> tensor<8x28x28x64xf32>
  return %y : tensor<8x28x28x64xf32>
}
