// The MLP of mlp-linalg.mlir in the TOSA form torch-mlir emits (weights as
// tosa.const, nn.Linear as tosa.transpose + rank-3 tosa.matmul with zero
// points, ReLU as tosa.clamp, log-softmax as reduce_max/exp/reduce_sum/log).
// Checks that gaon-import lowers every TOSA op to linalg/tensor/arith with
// upstream tosa-to-linalg, and keeps TOSA with --no-lower-tosa.
// RUN: gaon-import %s | FileCheck %s
// RUN: gaon-import %s --no-lower-tosa | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @main(%{{.*}}: tensor<2x8xf32>) -> tensor<2x4xf32>
// CHECK-NOT: tosa.
// CHECK: linalg.batch_matmul
// CHECK: linalg.batch_matmul
// CHECK: math.exp
// CHECK: math.log
// KEEP: tosa.matmul

module {
  func.func @main(%arg0: tensor<2x8xf32>) -> tensor<2x4xf32> {
    %w1 = "tosa.const"() <{values = dense<"0x0000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F000000400000104000002040000030400000404000005040000060400000704000008040"> : tensor<16x8xf32>}> : () -> tensor<16x8xf32>
    %b1 = "tosa.const"() <{values = dense<[[-1.0, -0.5, 0.0, 0.5, 1.0, -1.0, -0.5, 0.0, 0.5, 1.0, -1.0, -0.5, 0.0, 0.5, 1.0, -1.0]]> : tensor<1x16xf32>}> : () -> tensor<1x16xf32>
    %w2 = "tosa.const"() <{values = dense<[[0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4, 0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4], [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05], [-0.1, 0.1, -0.2, 0.2, -0.3, 0.3, -0.4, 0.4, -0.1, 0.1, -0.2, 0.2, -0.3, 0.3, -0.4, 0.4], [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16]]> : tensor<4x16xf32>}> : () -> tensor<4x16xf32>
    %b2 = "tosa.const"() <{values = dense<[[0.5, 0.0, -0.5, 0.25]]> : tensor<1x4xf32>}> : () -> tensor<1x4xf32>
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %s1x2x8 = tosa.const_shape {values = dense<[1, 2, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %s1x8x16 = tosa.const_shape {values = dense<[1, 8, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %s2x16 = tosa.const_shape {values = dense<[2, 16]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %s1x2x16 = tosa.const_shape {values = dense<[1, 2, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %s1x16x4 = tosa.const_shape {values = dense<[1, 16, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %s2x4 = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %0 = tosa.transpose %w1 {perms = array<i32: 1, 0>} : (tensor<16x8xf32>) -> tensor<8x16xf32>
    %1 = tosa.reshape %arg0, %s1x2x8 : (tensor<2x8xf32>, !tosa.shape<3>) -> tensor<1x2x8xf32>
    %2 = tosa.reshape %0, %s1x8x16 : (tensor<8x16xf32>, !tosa.shape<3>) -> tensor<1x8x16xf32>
    %3 = tosa.matmul %1, %2, %zp, %zp : (tensor<1x2x8xf32>, tensor<1x8x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x16xf32>
    %4 = tosa.reshape %3, %s2x16 : (tensor<1x2x16xf32>, !tosa.shape<2>) -> tensor<2x16xf32>
    %5 = tosa.add %4, %b1 : (tensor<2x16xf32>, tensor<1x16xf32>) -> tensor<2x16xf32>
    %6 = tosa.clamp %5 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<2x16xf32>) -> tensor<2x16xf32>
    %7 = tosa.transpose %w2 {perms = array<i32: 1, 0>} : (tensor<4x16xf32>) -> tensor<16x4xf32>
    %8 = tosa.reshape %6, %s1x2x16 : (tensor<2x16xf32>, !tosa.shape<3>) -> tensor<1x2x16xf32>
    %9 = tosa.reshape %7, %s1x16x4 : (tensor<16x4xf32>, !tosa.shape<3>) -> tensor<1x16x4xf32>
    %10 = tosa.matmul %8, %9, %zp, %zp : (tensor<1x2x16xf32>, tensor<1x16x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
    %11 = tosa.reshape %10, %s2x4 : (tensor<1x2x4xf32>, !tosa.shape<2>) -> tensor<2x4xf32>
    %12 = tosa.add %11, %b2 : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
    %13 = tosa.reduce_max %12 {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
    %14 = tosa.sub %12, %13 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
    %15 = tosa.exp %14 : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %16 = tosa.reduce_sum %15 {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
    %17 = tosa.log %16 : (tensor<2x1xf32>) -> tensor<2x1xf32>
    %18 = tosa.sub %14, %17 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
    return %18 : tensor<2x4xf32>
  }
}
