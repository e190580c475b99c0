// Ensures gaon-normalize-linalg brings tensor-level input into the forms the
// NPU lowering handles (arith/math on tensors, named elementwise, broadcast
// and transpose ops become linalg.generic; softmax, pad and concat are
// decomposed; splat constants become fills; contractions stay named) and
// rejects every op the NPU cannot run with an error at its location.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics --gaon-normalize-linalg | FileCheck %s

// Softmax becomes max-reduce, exp(x - max), sum-reduce and divide generics;
// the max reduction is seeded with -inf, not upstream's NaN.
// CHECK-LABEL: func @softmax
// CHECK-NOT: linalg.softmax
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} outs(%[[MAXINIT]] : tensor<4xf32>)
// CHECK: arith.maxnumf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}}ins(%{{.*}}, %[[MAX]] : tensor<4x8xf32>, tensor<4xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUMINIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}ins(%[[EXP]] : tensor<4x8xf32>) outs(%[[SUMINIT]] : tensor<4xf32>)
// CHECK: arith.addf
// CHECK: %[[DIV:.*]] = linalg.generic {{.*}}ins(%[[EXP]], %[[SUM]] : tensor<4x8xf32>, tensor<4xf32>)
// CHECK: arith.divf
// CHECK: return %[[DIV]]
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.softmax dimension(1) ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
}

// -----

// arith and math ops on tensors become one generic each; a splat constant
// becomes a fill that the vector engine does on chip.
// CHECK-LABEL: func @elementwise
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>)
// CHECK-NOT: arith.constant dense
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[SPLAT:.*]] = linalg.fill ins(%[[TWO]] : f32) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}}ins(%[[X]], %[[Y]] :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}}ins(%[[ADD]] :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.exp
// CHECK: %[[MUL:.*]] = linalg.generic {{.*}}ins(%[[EXP]], %[[SPLAT]] :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK: return %[[MUL]]
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @elementwise(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = arith.addf %x, %y : tensor<4x8xf32>
  %1 = math.exp %0 : tensor<4x8xf32>
  %c = arith.constant dense<2.0> : tensor<4x8xf32>
  %2 = arith.mulf %1, %c : tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}
}

// -----

// Named broadcast, elementwise and transpose ops are generalised, keeping
// their indexing maps.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[T:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func @named_vector_ops
// CHECK-NOT: linalg.broadcast
// CHECK-NOT: linalg.add
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[ID]]]
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[T]], #[[ID]]]
// CHECK: -> tensor<8x4xf32>
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @named_vector_ops(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<8x4xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %bb = linalg.broadcast ins(%b : tensor<8xf32>) outs(%e : tensor<4x8xf32>) dimensions = [0]
  %s = linalg.add ins(%x, %bb : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %et = tensor.empty() : tensor<8x4xf32>
  %t = linalg.transpose ins(%s : tensor<4x8xf32>) outs(%et : tensor<8x4xf32>) permutation = [1, 0]
  return %t : tensor<8x4xf32>
}
}

// -----

// tensor.pad becomes a fill plus an insert_slice; tensor.concat becomes one
// insert_slice per operand.
// CHECK-LABEL: func @pad_concat
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>)
// CHECK-NOT: tensor.pad
// CHECK-NOT: tensor.concat
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<6x10xf32>)
// CHECK: %[[PAD:.*]] = tensor.insert_slice %[[X]] into %[[FILL]][1, 1] [4, 8] [1, 1]
// CHECK: %[[C0:.*]] = tensor.insert_slice %[[X]] into %{{.*}}[0, 0] [4, 8] [1, 1]
// CHECK: %[[C1:.*]] = tensor.insert_slice %[[Y]] into %[[C0]][4, 0] [4, 8] [1, 1]
// CHECK: return %[[PAD]], %[[C1]]
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @pad_concat(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> (tensor<6x10xf32>, tensor<8x8xf32>) {
  %z = arith.constant 0.0 : f32
  %p = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<4x8xf32> to tensor<6x10xf32>
  %c = tensor.concat dim(0) %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<8x8xf32>
  return %p, %c : tensor<6x10xf32>, tensor<8x8xf32>
}
}

// -----

// Contractions stay named: tiling and the tensor engine recognise them.
// CHECK-LABEL: func @matmul_stays_named
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<64x64xbf16>, tensor<64x64xbf16>)
// CHECK-NOT: linalg.generic
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @matmul_stays_named(%a: tensor<64x64xbf16>, %b: tensor<64x64xbf16>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<64x64xbf16>, tensor<64x64xbf16>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %m : tensor<64x64xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @gather(%x: tensor<16xf32>, %i: index) -> f32 {
  // expected-error @below {{'tensor.extract' is not supported by the NPU compiler}}
  %0 = tensor.extract %x[%i] : tensor<16xf32>
  return %0 : f32
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @integer_compare(%x: tensor<8xi32>, %y: tensor<8xi32>) -> tensor<8xi32> {
  %e = tensor.empty() : tensor<8xi32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %y : tensor<8xi32>, tensor<8xi32>) outs(%e : tensor<8xi32>) {
  ^bb0(%a: i32, %b: i32, %o: i32):
    // expected-error @below {{'arith.cmpi' in the body of 'linalg.generic' produces i1, which the NPU vector engine does not compute on}}
    %c = arith.cmpi slt, %a, %b : i32
    %s = arith.select %c, %a, %b : i32
    linalg.yield %s : i32
  } -> tensor<8xi32>
  return %0 : tensor<8xi32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @dynamic_shape(%x: tensor<?x8xf32>, %y: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @below {{'linalg.generic' result has dynamic shape 'tensor<?x8xf32>'; the NPU compiler needs static shapes}}
  %0 = arith.addf %x, %y : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @empty_tensor(%x: tensor<0x8xf32>, %y: tensor<0x8xf32>) -> tensor<0x8xf32> {
  // expected-error @below {{'linalg.generic' result is empty ('tensor<0x8xf32>'); the NPU compiler needs non-empty tensors}}
  %0 = arith.addf %x, %y : tensor<0x8xf32>
  return %0 : tensor<0x8xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @f64(%x: tensor<8xf64>, %y: tensor<8xf64>) -> tensor<8xf64> {
  // expected-error @below {{'linalg.generic' result has element type 'f64', which the NPU does not store}}
  %0 = arith.addf %x, %y : tensor<8xf64>
  return %0 : tensor<8xf64>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @fill_with_variable(%v: f32) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error @below {{'linalg.fill' fills with a value that is not a constant; the NPU fills with immediates}}
  %0 = linalg.fill ins(%v : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @mixed_input_types(%a: tensor<32x32xbf16>, %b: tensor<32x32xf32>, %c: tensor<32x32xf32>) -> tensor<32x32xf32> {
  // expected-error @below {{'linalg.matmul' multiplies 'bf16' by 'f32'; the tensor engine needs one input type}}
  %0 = linalg.matmul ins(%a, %b : tensor<32x32xbf16>, tensor<32x32xf32>) outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %0 : tensor<32x32xf32>
}
}

// -----

// The target's tensor engine does not run i8.
module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @precision_not_on_target(%a: tensor<32x32xi8>, %b: tensor<32x32xi8>, %c: tensor<32x32xi32>) -> tensor<32x32xi32> {
  // expected-error @below {{'linalg.matmul' multiplies 'i8' but the tensor engine of target 'tiny' supports [bf16, f32]; cast the operands first}}
  %0 = linalg.matmul ins(%a, %b : tensor<32x32xi8>, tensor<32x32xi8>) outs(%c : tensor<32x32xi32>) -> tensor<32x32xi32>
  return %0 : tensor<32x32xi32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @diagonal(%x: tensor<8x8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error @below {{'linalg.generic' indexes operand 0 with (d0) -> (d0, d0), which is not a projected permutation}}
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0, d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<8x8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @product_reduction(%x: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'linalg.generic' reduces output 0 with something other than a sum, max or min of the accumulator}}
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
}

// -----

module attributes {npu.target = #npu.target<name = "tiny", clock_mhz = 1000, cores = 1, tensor_rows = 32, tensor_cols = 32, dataflow = os, precisions = [bf16, f32], vector_lanes = 32, sram_bytes = 65536, sram_banks = 16, sram_bytes_per_cycle = 256, dma_engines = 2, dma_bytes_per_cycle = 64, dram_bytes_per_cycle = 128, dram_latency = 100>} {
func.func @on_memrefs(%x: memref<8xf32>) {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{'linalg.fill' must work on tensors before NPU lowering}}
  linalg.fill ins(%z : f32) outs(%x : memref<8xf32>)
  return
}
}
