// Ensures gaon-gpu-lower-bf16-mma rewrites bf16 nvgpu.mma.sync (which
// upstream's nvgpu-to-nvvm cannot lower) into nvvm.mma.sync on i32-packed
// bf16 pairs, and leaves other element types to upstream.
// RUN: gaon-opt %s -split-input-file \
// RUN:   -pass-pipeline='builtin.module(gpu.module(gaon-gpu-lower-bf16-mma))' \
// RUN:   | FileCheck %s

// CHECK-LABEL: gpu.func @bf16
// CHECK-NOT: nvgpu.mma.sync
// CHECK-COUNT-6: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK: %[[MMA:.*]] = nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}]
// CHECK-SAME: layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>
// CHECK-SAME: multiplicandAPtxType = #nvvm.mma_type<bf16>
// CHECK-SAME: multiplicandBPtxType = #nvvm.mma_type<bf16>
// CHECK-SAME: shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK: llvm.extractvalue %[[MMA]][3]
// CHECK: vector.from_elements {{.*}} : vector<2x2xf32>
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @bf16(%a: vector<4x2xbf16>, %b: vector<2x2xbf16>, %c: vector<2x2xf32>,
                   %out: memref<2x2xf32>) kernel {
      %d = nvgpu.mma.sync(%a, %b, %c) {mmaShape = [16, 8, 16]}
          : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
      %c0 = arith.constant 0 : index
      vector.store %d, %out[%c0, %c0] : memref<2x2xf32>, vector<2x2xf32>
      gpu.return
    }
  }
}

// -----

// CHECK-LABEL: gpu.func @f16
// CHECK: nvgpu.mma.sync
// CHECK-NOT: nvvm.mma.sync
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f16(%a: vector<4x2xf16>, %b: vector<2x2xf16>, %c: vector<2x2xf32>,
                  %out: memref<2x2xf32>) kernel {
      %d = nvgpu.mma.sync(%a, %b, %c) {mmaShape = [16, 8, 16]}
          : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
      %c0 = arith.constant 0 : index
      vector.store %d, %out[%c0, %c0] : memref<2x2xf32>, vector<2x2xf32>
      gpu.return
    }
  }
}
