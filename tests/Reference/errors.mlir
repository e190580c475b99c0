// Ensures gaon-reference reports ops it cannot run and bad inputs with the
// op's location and a non-zero exit, never a crash.
// RUN: not gaon-reference %s --entry=unsupported 2>&1 | FileCheck %s --check-prefix=OP
// RUN: not gaon-reference %s --entry=in_body 2>&1 | FileCheck %s --check-prefix=BODY
// RUN: not gaon-reference %s --entry=oob 2>&1 | FileCheck %s --check-prefix=OOB
// RUN: not gaon-reference %s --entry=dynamic 2>&1 | FileCheck %s --check-prefix=DYN
// RUN: not gaon-reference %s 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not gaon-reference %s --entry=nope 2>&1 | FileCheck %s --check-prefix=NOPE

// OP: gaon-reference: error: {{.*}}errors.mlir:[[@LINE+2]]:8: 'math.ctlz' op is not supported by the CPU reference
func.func @unsupported(%x: i32) -> i32 {
  %0 = math.ctlz %x : i32
  return %0 : i32
}

#id = affine_map<(i) -> (i)>
// BODY: {{.*}}errors.mlir:[[@LINE+6]]:10: 'math.ctpop' op is not supported by the CPU reference
func.func @in_body(%x: tensor<4xi32>) -> tensor<4xi32> {
  %e = tensor.empty() : tensor<4xi32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4xi32>) outs(%e : tensor<4xi32>) {
  ^bb0(%in: i32, %out: i32):
    %c = math.ctpop %in : i32
    linalg.yield %c : i32
  } -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// OOB: {{.*}}errors.mlir:[[@LINE+3]]:8: 'tensor.extract_slice' op accesses [2, 5] of dimension 0 whose size is 4
func.func @oob(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c2 = arith.constant 2 : index
  %0 = tensor.extract_slice %x[%c2] [4] [1] : tensor<4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// DYN: gaon-reference: error: argument 0 has a dynamic shape; give it with --input
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// ENTRY: gaon-reference: error: several public functions; pick one with --entry
// NOPE: gaon-reference: error: no function named 'nope'
