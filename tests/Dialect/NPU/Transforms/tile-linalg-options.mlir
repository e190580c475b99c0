// Ensures the options of gaon-tile-linalg: tile-sizes overrides the anchor's
// tiles (and must divide the loops), fuse=false tiles every op on its own,
// and sram-fraction must lie in (0, 1].
// RUN: gaon-opt %s '--gaon-tile-linalg=tile-sizes=64,128,128' | FileCheck %s --check-prefix=SIZES
// RUN: gaon-opt %s '--gaon-tile-linalg=fuse=false' | FileCheck %s --check-prefix=NOFUSE
// RUN: gaon-opt %s -verify-diagnostics '--gaon-tile-linalg=tile-sizes=48' -o /dev/null
// RUN: not gaon-opt %s '--gaon-tile-linalg=sram-fraction=0' -o /dev/null 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not gaon-opt %s '--gaon-tile-linalg=sram-fraction=1.5' -o /dev/null 2>&1 | FileCheck %s --check-prefix=ABOVE

// The expected-error below is checked by the tile-sizes=48 run only.

// tile-sizes=64,128,128: 64x128 output tiles, K in steps of 128, the fill
// and the epilogue still fused.
// SIZES: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (256, 256) step (64, 128)
// SIZES: linalg.fill {{.*}} -> tensor<64x128xf32>
// SIZES: scf.for %{{.*}} = %[[C0:.*]] to %[[C256:.*]] step %[[C128:.*]] iter_args
// SIZES: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<64x128xbf16>, tensor<128x128xbf16>) outs(%{{.*}} : tensor<64x128xf32>)
// SIZES: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<64x128xf32>, tensor<128xf32>)
// SIZES: scf.forall.in_parallel
// SIZES-NOT: scf.forall

// fuse=false: three tile loops, one per op; the matmul's reads the filled
// tensor the first loop wrote.
// NOFUSE: %[[FILLED:.*]] = scf.forall
// NOFUSE: linalg.fill
// NOFUSE: %[[MM:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[FILLED]])
// NOFUSE: linalg.matmul
// NOFUSE: scf.forall {{.*}} step (4, 256)
// NOFUSE: tensor.extract_slice %[[MM]]
// NOFUSE: linalg.generic
// NOFUSE: arith.maximumf

// ZERO: error: sram-fraction must be in (0, 1], got 0.000000e+00
// ABOVE: error: sram-fraction must be in (0, 1], got 1.500000e+00

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @matmul_bias_relu(%a: tensor<256x256xbf16>, %b: tensor<256x256xbf16>, %bias: tensor<256xf32>) -> tensor<256x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  // expected-error@+1 {{tile size 48 does not divide loop 0 of range 256}}
  %m = linalg.matmul ins(%a, %b : tensor<256x256xbf16>, tensor<256x256xbf16>) outs(%f : tensor<256x256xf32>) -> tensor<256x256xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%m, %bias : tensor<256x256xf32>, tensor<256xf32>) outs(%e : tensor<256x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = arith.maximumf %s, %z : f32
    linalg.yield %t : f32
  } -> tensor<256x256xf32>
  return %r : tensor<256x256xf32>
}
}
