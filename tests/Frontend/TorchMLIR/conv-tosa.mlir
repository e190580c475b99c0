// A conv + ReLU + max-pool block in the TOSA form torch-mlir emits for NCHW
// PyTorch modules: transposes to NHWC around tosa.conv2d and
// tosa.max_pool2d, weights as tosa.const, zero points as operands. Checks
// that gaon-import lowers it to linalg named convolution and pooling ops.
// RUN: gaon-import %s | FileCheck %s

// CHECK-LABEL: func.func @main(%{{.*}}: tensor<1x2x6x6xf32>) -> tensor<1x3x3x3xf32>
// CHECK-NOT: tosa.
// CHECK: linalg.conv_2d_nhwc_fhwc
// CHECK: linalg.pooling_nhwc_max

module {
  func.func @main(%arg0: tensor<1x2x6x6xf32>) -> tensor<1x3x3x3xf32> {
    %w = "tosa.const"() <{values = dense<[[[[0.5, -0.5], [0.25, 0.0], [1.0, 0.5]], [[0.0, 0.25], [-0.25, 0.5], [0.5, 0.0]], [[1.0, -1.0], [0.0, 0.0], [0.5, 0.5]]], [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[-0.1, -0.2], [-0.3, -0.4], [-0.5, -0.6]], [[0.0, 0.1], [0.0, 0.1], [0.0, 0.1]]], [[[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]]]]> : tensor<3x3x3x2xf32>}> : () -> tensor<3x3x3x2xf32>
    %b = "tosa.const"() <{values = dense<[0.1, -0.2, 0.3]> : tensor<3xf32>}> : () -> tensor<3xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %0 = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x6x6x2xf32>
    %1 = tosa.conv2d %0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x3xf32>
    %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x6x6x3xf32>) -> tensor<1x6x6x3xf32>
    %3 = tosa.max_pool2d %2 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x6x6x3xf32>) -> tensor<1x3x3x3xf32>
    %4 = tosa.transpose %3 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
    return %4 : tensor<1x3x3x3xf32>
  }
}
