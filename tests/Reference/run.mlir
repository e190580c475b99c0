// Ensures gaon-reference runs a function on the CPU reference executor and
// prints its outputs, from constants, seeded random inputs and .npy files,
// and writes outputs and per-op dumps as .npy.
// RUN: gaon-reference %s --entry=constants | FileCheck %s --check-prefix=CONST
// RUN: gaon-reference %s --entry=random --seed=3 --print-limit=2 | FileCheck %s --check-prefix=RANDOM
// RUN: rm -rf %t && gaon-reference %s --entry=constants --output-dir=%t/out --dump-dir=%t/dump | FileCheck %s --check-prefix=DUMP
// RUN: gaon-reference %s --entry=double --input=%t/out/output_0.npy | FileCheck %s --check-prefix=NPY

// CONST: output 0: f32[2x2] = [7, 10, 15, 22]
// CONST-NEXT: output 1: i64[] = [49]
func.func @constants() -> (tensor<2x2xf32>, i64) {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = linalg.matmul ins(%a, %a : tensor<2x2xf32>, tensor<2x2xf32>)
                     outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  %seven = arith.constant 7 : i64
  %sq = arith.muli %seven, %seven : i64
  return %m, %sq : tensor<2x2xf32>, i64
}

// The same seed gives the same inputs on every machine.
// RANDOM: output 0: f32[3x5] = [{{.*}}, {{.*}}, ... (15 values)]
func.func @random(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %r = arith.addf %x, %x : tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// DUMP: output 0: f32[2x2] = [7, 10, 15, 22]
// DUMP: dumped 7 ops to

// NPY: output 0: f32[2x2] = [14, 20, 30, 44]
func.func @double(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %r = arith.addf %x, %x : tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

// RUN: gaon-reference %s --entry=constants --time | FileCheck %s --check-prefix=TIME
// TIME: measured: {{[0-9.]+}} ms wall-clock on the CPU reference (7 ops; linalg: 2 on kernels, 0 interpreted)
