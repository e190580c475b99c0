// Ensures gaon-fuse-elementwise fuses elementwise generics into their
// consumers, limited by the operand count the target's SRAM allows
// (vector_lanes^2 f32 tiles in a quarter of the SRAM, at most 8) or by
// max-operands, and recomputes a producer with other users only when
// allow-recompute is set.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-fuse-elementwise | FileCheck %s --check-prefixes=CHECK,DEFAULT
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-fuse-elementwise=allow-recompute=false' | FileCheck %s --check-prefixes=CHECK,NORECOMPUTE
// RUN: gaon-opt %s -split-input-file -verify-diagnostics '--gaon-fuse-elementwise=max-operands=1' | FileCheck %s --check-prefixes=CHECK,ONE

// 'tiny' allows 65536 / 4 / (32 * 32 * 4) = 4 operands: exp(x) * y (two
// operands) is one generic; with max-operands=1 it stays two.
// CHECK-LABEL: func @exp_mul
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>)
// DEFAULT: %[[F:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[Y]] : tensor<4x8xf32>, tensor<4x8xf32>)
// DEFAULT-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// DEFAULT-NEXT: %[[E:.*]] = math.exp %[[A]] : f32
// DEFAULT-NEXT: %[[M:.*]] = arith.mulf %[[E]], %[[B]] : f32
// DEFAULT-NEXT: linalg.yield %[[M]]
// DEFAULT-NOT: linalg.generic
// DEFAULT: return %[[F]]
// NORECOMPUTE: linalg.generic {{.*}} ins(%[[X]], %[[Y]] :
// NORECOMPUTE-NOT: linalg.generic
// ONE: %[[E:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4x8xf32>)
// ONE: math.exp
// ONE: %[[M:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[Y]] :
// ONE: arith.mulf
// ONE: return %[[M]]
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @exp_mul(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%0, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}
}

// -----

// 'small-sram' has room for 16384 / 4 / 4096 = 1 operand: fusing exp into
// the two-operand mul, or the mul into tanh, would read two, so all three
// generics stay apart.
// CHECK-LABEL: func @operand_limit_from_target
// CHECK: math.exp
// CHECK-NEXT: linalg.yield
// CHECK: arith.mulf
// CHECK-NEXT: linalg.yield
// CHECK: math.tanh
// CHECK-NEXT: linalg.yield
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {npu.target = #npu.target<name = "small-sram", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 16384, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @operand_limit_from_target(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%0, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%1 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.tanh %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}
}

// -----

// exp(x) is also returned: by default tanh(exp(x)) recomputes the exp; with
// allow-recompute=false tanh keeps reading the exp's result.
// CHECK-LABEL: func @producer_with_other_users
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4x8xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.exp
// CHECK-NEXT: linalg.yield
// DEFAULT: %[[TANH:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4x8xf32>)
// DEFAULT-NEXT: ^bb0
// DEFAULT-NEXT: math.exp
// DEFAULT-NEXT: math.tanh
// NORECOMPUTE: %[[TANH:.*]] = linalg.generic {{.*}} ins(%[[EXP]] : tensor<4x8xf32>)
// NORECOMPUTE-NEXT: ^bb0
// NORECOMPUTE-NEXT: math.tanh
// DEFAULT: return %[[EXP]], %[[TANH]]
// NORECOMPUTE: return %[[EXP]], %[[TANH]]
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @producer_with_other_users(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.tanh %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}
}

// -----

// Without a target the limit is 8 operands: the three-input add chain fuses.
// CHECK-LABEL: func @no_target
// DEFAULT: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// DEFAULT-NEXT: ^bb0
// DEFAULT-NEXT: arith.addf
// DEFAULT-NEXT: arith.addf
// DEFAULT-NOT: linalg.generic
// ONE-COUNT-2: linalg.generic
#id1 = affine_map<(d0) -> (d0)>
func.func @no_target(%x: tensor<8xf32>, %y: tensor<8xf32>, %z: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %0 = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]} ins(%x, %y : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %1 = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]} ins(%0, %z : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %1 : tensor<8xf32>
}
