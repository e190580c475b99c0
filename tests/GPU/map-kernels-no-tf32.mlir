// Ensures gaon-gpu-map-kernels keeps f32 contractions off the tensor cores
// when TF32 is not allowed, and says so with a remark.
// RUN: gaon-opt %s -verify-diagnostics \
// RUN:   --gaon-gpu-map-kernels=allow-tf32=false | FileCheck %s
// CHECK-LABEL: func.func private @f32_k0
// CHECK-SAME: template = "loop"
// CHECK-NOT: nvgpu.mma.sync
module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">} {
  // expected-remark @below {{contraction runs without tensor cores: f32 operands and allow-tf32=false}}
  func.func private @f32_k0(%arg0: memref<32x32xf32>, %arg1: memref<32x32xf32>, %arg2: memref<32x32xf32>)
      attributes {gaon.gpu.bytes = 12288 : i64, gaon.gpu.flops = 65536 : i64, gaon.gpu.kernel = "contraction", gaon.gpu.source = "linalg.matmul"} {
    %cst = arith.constant 0.000000e+00 : f32
    linalg.fill ins(%cst : f32) outs(%arg2 : memref<32x32xf32>)
    linalg.matmul ins(%arg0, %arg1 : memref<32x32xf32>, memref<32x32xf32>) outs(%arg2 : memref<32x32xf32>)
    return
  }
}
