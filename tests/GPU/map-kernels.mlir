// Ensures gaon-gpu-map-kernels replaces each bufferised kernel function's
// body by one gpu.launch from the emitter of its kind and chip: a
// cp.async/ldmatrix/mma.sync pipeline for contractions on sm_80, TMA +
// mbarriers + wgmma on sm_90a, block-per-row gpu.all_reduce kernels for row
// reductions, one thread per point otherwise; and says (as a remark) when a
// contraction cannot use a tensor-core kernel.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics \
// RUN:   --gaon-gpu-map-kernels | FileCheck %s

// CHECK-LABEL: func.func private @linear_k0
// CHECK-SAME: gaon.gpu.launches = [{bytes = 45568 : i64, flops = 532480 : i64, gemm = array<i64: 1, 64, 128, 32>, stages = 4 : i64, template = "mma_sync", tile = array<i64: [[BM:[0-9]+]], [[BN:[0-9]+]], 32>, type = bf16}]
// CHECK-NOT: linalg.{{[a-z_0-9]+}} ins
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}) threads({{.*}}) in ({{.*}}) dynamic_shared_memory_size
// CHECK: gpu.dynamic_shared_memory
// CHECK: memref.view {{.*}} to memref<4x[[BM]]x40xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<4x32x{{[0-9]+}}xbf16, #gpu.address_space<workgroup>>
// The prologue fills stages 0..2, 16 bytes per copy, bypassing L1.
// CHECK: nvgpu.device_async_copy %arg0[{{.*}}], %{{.*}}[{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK: nvgpu.device_async_create_group
// CHECK: scf.for
// CHECK: nvgpu.device_async_wait %{{.*}} {numGroups = 2 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK: nvgpu.ldmatrix %{{.*}}[{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<4x[[BM]]x40xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// B is stored [K][N]: transposed ldmatrix.
// CHECK: nvgpu.ldmatrix %{{.*}}[{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// The epilogue adds the bias before the store.
// CHECK: scf.if
// CHECK: memref.load %arg2
// CHECK: arith.addf
// CHECK: memref.store {{.*}}, %arg3
// CHECK: gpu.terminator
// CHECK-NOT: memref.alloc
// CHECK: return
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">} {
  func.func private @linear_k0(%arg0: memref<64x32xbf16>, %arg1: memref<32x128xbf16>, %arg2: memref<128xf32>, %arg3: memref<64x128xf32>)
      attributes {gaon.gpu.bytes = 45568 : i64, gaon.gpu.flops = 532480 : i64, gaon.gpu.kernel = "contraction", gaon.gpu.source = "linalg.matmul"} {
    %cst = arith.constant 0.000000e+00 : f32
    %alloc = memref.alloc() : memref<64x128xf32>
    linalg.fill ins(%cst : f32) outs(%alloc : memref<64x128xf32>)
    linalg.matmul ins(%arg0, %arg1 : memref<64x32xbf16>, memref<32x128xbf16>) outs(%alloc : memref<64x128xf32>)
    linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
        ins(%alloc, %arg2 : memref<64x128xf32>, memref<128xf32>) outs(%arg3 : memref<64x128xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %0 = arith.addf %in, %in_0 : f32
      linalg.yield %0 : f32
    }
    return
  }
}

// -----

// On sm_90a the same kernel loads its tiles with TMA and runs wgmma; the
// TMA descriptors are made on the host and passed in as pointers.
// CHECK-LABEL: func.func private @linear_k0
// CHECK-SAME: template = "wgmma", tile = array<i64: 64, 128, 64>
// CHECK: %[[CA:.*]] = memref.cast %arg0 : memref<64x32xbf16> to memref<*xbf16>
// CHECK: %[[DA:.*]] = nvgpu.tma.create.descriptor %[[CA]] box[%{{.*}}, %{{.*}}] : memref<*xbf16> -> <tensor = memref<64x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b, l2promo = l2promo_256b, oob = zero, interleave = none>
// CHECK: %[[PA:.*]] = builtin.unrealized_conversion_cast %[[DA]] {{.*}} to !llvm.ptr
// CHECK: nvgpu.tma.create.descriptor {{.*}} -> <tensor = memref<64x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) dynamic_shared_memory_size
// CHECK: builtin.unrealized_conversion_cast %[[PA]] : !llvm.ptr to
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 4>
// CHECK: nvgpu.mbarrier.init
// CHECK: nvgpu.tma.prefetch.descriptor
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.*}}[%{{.*}}], %{{.*}}, predicate = %{{.*}}
// CHECK: nvgpu.tma.async.load
// CHECK: nvgpu.warpgroup.mma.init.accumulator -> <fragmented = vector<64x128xf32>>
// CHECK: scf.for
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: nvgpu.warpgroup.generate.descriptor
// CHECK: nvgpu.warpgroup.mma {{.*}} {transposeB}
// CHECK: gpu.barrier
// CHECK: nvgpu.tma.async.load
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: nvgpu.warpgroup.mma.store
// CHECK: arith.addf
// CHECK: memref.store {{.*}}, %arg3
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">} {
  func.func private @linear_k0(%arg0: memref<64x32xbf16>, %arg1: memref<32x128xbf16>, %arg2: memref<128xf32>, %arg3: memref<64x128xf32>)
      attributes {gaon.gpu.bytes = 45568 : i64, gaon.gpu.flops = 532480 : i64, gaon.gpu.kernel = "contraction", gaon.gpu.source = "linalg.matmul"} {
    %cst = arith.constant 0.000000e+00 : f32
    %alloc = memref.alloc() : memref<64x128xf32>
    linalg.fill ins(%cst : f32) outs(%alloc : memref<64x128xf32>)
    linalg.matmul ins(%arg0, %arg1 : memref<64x32xbf16>, memref<32x128xbf16>) outs(%alloc : memref<64x128xf32>)
    linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
        ins(%alloc, %arg2 : memref<64x128xf32>, memref<128xf32>) outs(%arg3 : memref<64x128xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %0 = arith.addf %in, %in_0 : f32
      linalg.yield %0 : f32
    }
    return
  }
}

// -----

// Softmax rows: one block per row, max and sum combined across the block,
// exp recomputed where it is read, only the result stored.
// CHECK-LABEL: func.func private @softmax_k0
// CHECK-SAME: template = "reduction"
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c32{{.*}}, {{.*}}) threads({{.*}}) in (%{{.*}} = %c32
// CHECK: %[[ROW:.*]] = gpu.block_id  x
// CHECK: %[[TID:.*]] = gpu.thread_id  x
// CHECK: scf.for %{{.*}} = %[[TID]] to %c128{{.*}} step %c32
// CHECK: arith.maxnumf
// CHECK: %[[MAX:.*]] = gpu.all_reduce maxnumf %{{.*}} uniform
// CHECK: scf.for %{{.*}} = %[[TID]] to %c128{{.*}} step %c32
// CHECK: math.exp
// CHECK: gpu.all_reduce add %{{.*}} uniform
// CHECK: scf.for %{{.*}} = %[[TID]] to %c128{{.*}} step %c32
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: memref.store {{.*}}, %arg1
// CHECK-NOT: memref.alloc
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">} {
  func.func private @softmax_k0(%arg0: memref<32x128xf32>, %arg1: memref<32x128xf32>)
      attributes {gaon.gpu.bytes = 32768 : i64, gaon.gpu.flops = 20480 : i64, gaon.gpu.kernel = "reduction", gaon.gpu.source = "linalg.generic"} {
    %cst = arith.constant 0xFFC00000 : f32
    %cst_0 = arith.constant 0.000000e+00 : f32
    %alloc = memref.alloc() : memref<32xf32>
    linalg.fill ins(%cst : f32) outs(%alloc : memref<32xf32>)
    linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : memref<32x128xf32>) outs(%alloc : memref<32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %0 = arith.maxnumf %in, %out : f32
      linalg.yield %0 : f32
    }
    %alloc_1 = memref.alloc() : memref<32x128xf32>
    linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %alloc : memref<32x128xf32>, memref<32xf32>) outs(%alloc_1 : memref<32x128xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %0 = arith.subf %in, %in_3 : f32
      %1 = math.exp %0 : f32
      linalg.yield %1 : f32
    }
    %alloc_2 = memref.alloc() : memref<32xf32>
    linalg.fill ins(%cst_0 : f32) outs(%alloc_2 : memref<32xf32>)
    linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%alloc_1 : memref<32x128xf32>) outs(%alloc_2 : memref<32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %0 = arith.addf %in, %out : f32
      linalg.yield %0 : f32
    }
    linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%alloc_1, %alloc_2 : memref<32x128xf32>, memref<32xf32>) outs(%arg1 : memref<32x128xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %0 = arith.divf %in, %in_3 : f32
      linalg.yield %0 : f32
    }
    return
  }
}

// -----

// A transpose: one thread per output element.
// CHECK-LABEL: func.func private @transpose_k0
// CHECK-SAME: template = "loop"
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c8{{.*}}, {{.*}}) threads({{.*}}) in (%{{.*}} = %c256
// CHECK: arith.cmpi ult, %{{.*}}, %c2048
// CHECK: scf.if
// CHECK: %[[V:.*]] = memref.load %arg0[%[[J:.*]], %[[I:.*]]]
// CHECK: memref.store %[[V]], %arg1[%[[I]], %[[J]]]
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">} {
  func.func private @transpose_k0(%arg0: memref<64x32xf32>, %arg1: memref<32x64xf32>)
      attributes {gaon.gpu.bytes = 16384 : i64, gaon.gpu.flops = 0 : i64, gaon.gpu.kernel = "loop", gaon.gpu.source = "linalg.generic"} {
    linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]} ins(%arg0 : memref<64x32xf32>) outs(%arg1 : memref<32x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    }
    return
  }
}

// -----

// A reduction over an outer dim: a serial loop per output element, starting
// from the fill's value.
// CHECK-LABEL: func.func private @colsum_k0
// CHECK: gpu.launch
// CHECK-NOT: gpu.launch
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c64{{.*}} step %c1{{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (f32)
#id = affine_map<(d0, d1) -> (d1, d0)>
#out = affine_map<(d0, d1) -> (d0)>
module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">} {
  func.func private @colsum_k0(%arg0: memref<64x32xf32>, %arg1: memref<32xf32>)
      attributes {gaon.gpu.bytes = 8320 : i64, gaon.gpu.flops = 2048 : i64, gaon.gpu.kernel = "loop", gaon.gpu.source = "linalg.generic"} {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%arg1 : memref<32xf32>)
    linalg.generic {indexing_maps = [#id, #out], iterator_types = ["parallel", "reduction"]} ins(%arg0 : memref<64x32xf32>) outs(%arg1 : memref<32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %0 = arith.addf %in, %out : f32
      linalg.yield %0 : f32
    }
    return
  }
}

// -----

// Convolutions on sm_90a stay on mma.sync (nvgpu has no im2col TMA).
// CHECK-LABEL: func.func private @conv_k0
// CHECK-SAME: template = "mma_sync"
// CHECK: nvgpu.mma.sync
module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">} {
  // expected-remark @below {{wgmma not used (convolutions need im2col TMA, which nvgpu does not expose); using mma.sync tensor cores}}
  func.func private @conv_k0(%arg0: memref<1x10x10x16xf16>, %arg1: memref<3x3x16x32xf16>, %arg2: memref<1x8x8x32xf32>)
      attributes {gaon.gpu.bytes = 20416 : i64, gaon.gpu.flops = 589824 : i64, gaon.gpu.kernel = "contraction", gaon.gpu.source = "linalg.conv_2d_nhwc_hwcf"} {
    %cst = arith.constant 0.000000e+00 : f32
    linalg.fill ins(%cst : f32) outs(%arg2 : memref<1x8x8x32xf32>)
    linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%arg0, %arg1 : memref<1x10x10x16xf16>, memref<3x3x16x32xf16>) outs(%arg2 : memref<1x8x8x32xf32>)
    return
  }
}

// -----

// expected-error @below {{module has no 'gaon.gpu.target' #nvvm.target (run gaon-gpu-attach-target)}}
module {
  func.func private @k(%arg0: memref<4xf32>) attributes {gaon.gpu.kernel = "loop"} {
    return
  }
}

// -----

module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">} {
  // expected-error @below {{GPU kernel functions must be bufferised before gaon-gpu-map-kernels, got argument 'tensor<4xf32>'}}
  func.func private @k(%arg0: tensor<4xf32>) attributes {gaon.gpu.kernel = "loop"} {
    return
  }
}
