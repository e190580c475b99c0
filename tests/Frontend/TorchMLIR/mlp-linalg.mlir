// A two-layer MLP (Linear 8->16, ReLU, Linear 16->4, LogSoftmax) in the
// linalg-on-tensors form torch-mlir emits: weights in ml_program globals read
// with global_load_const, nn.Linear as linalg.transpose + linalg.matmul over a
// zero fill plus a broadcasting bias generic, ReLU as cmpf + select, and
// log-softmax as reduction generics. Checks that gaon-import takes it as is
// and counts the globals as parameters. The same model in TOSA form is
// mlp-tosa.mlir; tests/unit/Frontend checks both compute the same on the CPU
// reference.
// RUN: gaon-import %s | FileCheck %s
// RUN: gaon-import %s --stats | FileCheck %s --check-prefix=STATS

// CHECK: ml_program.global private @fc1.weight
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<2x8xf32>) -> tensor<2x4xf32>
// CHECK: ml_program.global_load_const @fc1.weight
// CHECK: linalg.transpose
// CHECK: linalg.matmul
// CHECK: arith.cmpf ugt
// CHECK: linalg.matmul
// CHECK: math.log
// STATS: parameters            212
// STATS: FLOPs (contraction)   768

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
#map2 = affine_map<(d0, d1) -> (d0, 0)>
#map3 = affine_map<(d0, d1) -> (d0)>
module attributes {torch.debug_module_name = "MLP"} {
  ml_program.global private @fc1.weight(dense<"0x0000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F0000004000001040000020400000304000004040000050400000604000007040000080400000803E0000003F0000403F0000803F0000A03F0000C03F0000E03F000000400000104000002040000030400000404000005040000060400000704000008040"> : tensor<16x8xf32>) : tensor<16x8xf32>
  ml_program.global private @fc1.bias(dense<[-1.0, -0.5, 0.0, 0.5, 1.0, -1.0, -0.5, 0.0, 0.5, 1.0, -1.0, -0.5, 0.0, 0.5, 1.0, -1.0]> : tensor<16xf32>) : tensor<16xf32>
  ml_program.global private @fc2.weight(dense<[[0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4, 0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4], [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05], [-0.1, 0.1, -0.2, 0.2, -0.3, 0.3, -0.4, 0.4, -0.1, 0.1, -0.2, 0.2, -0.3, 0.3, -0.4, 0.4], [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16]]> : tensor<4x16xf32>) : tensor<4x16xf32>
  ml_program.global private @fc2.bias(dense<[0.5, 0.0, -0.5, 0.25]> : tensor<4xf32>) : tensor<4xf32>
  func.func @main(%arg0: tensor<2x8xf32>) -> tensor<2x4xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 0xFF800000 : f32
    %w1 = ml_program.global_load_const @fc1.weight : tensor<16x8xf32>
    %b1 = ml_program.global_load_const @fc1.bias : tensor<16xf32>
    %w2 = ml_program.global_load_const @fc2.weight : tensor<4x16xf32>
    %b2 = ml_program.global_load_const @fc2.bias : tensor<4xf32>
    %0 = tensor.empty() : tensor<8x16xf32>
    %transposed = linalg.transpose ins(%w1 : tensor<16x8xf32>) outs(%0 : tensor<8x16xf32>) permutation = [1, 0]
    %1 = tensor.empty() : tensor<2x16xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %3 = linalg.matmul ins(%arg0, %transposed : tensor<2x8xf32>, tensor<8x16xf32>) outs(%2 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%3, %b1 : tensor<2x16xf32>, tensor<16xf32>) outs(%1 : tensor<2x16xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %20 = arith.addf %in, %in_1 : f32
      linalg.yield %20 : f32
    } -> tensor<2x16xf32>
    %5 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<2x16xf32>) outs(%1 : tensor<2x16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.cmpf ugt, %in, %cst : f32
      %21 = arith.select %20, %in, %cst : f32
      linalg.yield %21 : f32
    } -> tensor<2x16xf32>
    %6 = tensor.empty() : tensor<16x4xf32>
    %transposed_1 = linalg.transpose ins(%w2 : tensor<4x16xf32>) outs(%6 : tensor<16x4xf32>) permutation = [1, 0]
    %7 = tensor.empty() : tensor<2x4xf32>
    %8 = linalg.fill ins(%cst : f32) outs(%7 : tensor<2x4xf32>) -> tensor<2x4xf32>
    %9 = linalg.matmul ins(%5, %transposed_1 : tensor<2x16xf32>, tensor<16x4xf32>) outs(%8 : tensor<2x4xf32>) -> tensor<2x4xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%9, %b2 : tensor<2x4xf32>, tensor<4xf32>) outs(%7 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %20 = arith.addf %in, %in_1 : f32
      linalg.yield %20 : f32
    } -> tensor<2x4xf32>
    %11 = tensor.empty() : tensor<2x1xf32>
    %12 = linalg.fill ins(%cst_0 : f32) outs(%11 : tensor<2x1xf32>) -> tensor<2x1xf32>
    %13 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "reduction"]} ins(%10 : tensor<2x4xf32>) outs(%12 : tensor<2x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.maximumf %in, %out : f32
      linalg.yield %20 : f32
    } -> tensor<2x1xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel"]} ins(%10, %13 : tensor<2x4xf32>, tensor<2x1xf32>) outs(%7 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %20 = arith.subf %in, %in_1 : f32
      linalg.yield %20 : f32
    } -> tensor<2x4xf32>
    %15 = tensor.empty() : tensor<2xf32>
    %16 = linalg.fill ins(%cst : f32) outs(%15 : tensor<2xf32>) -> tensor<2xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "reduction"]} ins(%14 : tensor<2x4xf32>) outs(%16 : tensor<2xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = math.exp %in : f32
      %21 = arith.addf %20, %out : f32
      linalg.yield %21 : f32
    } -> tensor<2xf32>
    %18 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel"]} ins(%14, %17 : tensor<2x4xf32>, tensor<2xf32>) outs(%7 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %20 = math.log %in_1 : f32
      %21 = arith.subf %in, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x4xf32>
    return %18 : tensor<2x4xf32>
  }
}
