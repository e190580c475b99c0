//===- Passes.td - graph-level passes ----------------------*- tablegen -*-===//
//
// Passes on linalg-on-tensors graphs (DESIGN "IR levels", item 2): bring the
// input into the forms the backends lower, fuse elementwise ops, and annotate
// the roofline cost of every op.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_TRANSFORMS_PASSES_TD
#define GAON_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormalizeLinalgPass : Pass<"gaon-normalize-linalg", "mlir::func::FuncOp"> {
  let summary = "Rewrite tensor-level input into the linalg forms the NPU "
                "backend lowers, and reject what it cannot";
  let description = [{
    Brings linalg-on-tensors input (from torch-mlir, the model zoo or
    `tosa-to-linalg`) into a small set of forms:

    - arith/math ops on tensors become `linalg.generic`
      (upstream `convert-elementwise-to-linalg` patterns);
    - `linalg.softmax` is decomposed into max/sub/exp/sum/div generics;
    - elementwise, map, reduce, transpose and broadcast named ops are
      generalised to `linalg.generic` (so elementwise fusion sees them);
      matmul, batch_matmul, convolution, pooling, copy and fill stay named;
    - `tensor.pad` becomes fill + `tensor.insert_slice`, `tensor.concat`
      becomes `tensor.insert_slice`s, splat tensor constants become
      `linalg.fill`.

    Then every op is checked against what the NPU lowering supports; an op it
    does not (e.g. a gather through `tensor.extract`, a generic whose body
    compares integers) gets an error naming it at its location and the pass
    fails.

    ```mlir
    // before
    %0 = linalg.softmax dimension(1) ins(%x : tensor<4x8xf32>)
                                     outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    // after: linalg.generic (max reduce), linalg.generic (exp(x - max)),
    //        linalg.generic (sum reduce), linalg.generic (div)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numGeneralized", "generalized-ops",
              "Named ops rewritten as linalg.generic">,
    Statistic<"numDecomposed", "decomposed-ops",
              "Softmax, pad and concat ops decomposed">,
    Statistic<"numUnsupported", "unsupported-ops",
              "Ops the NPU lowering does not support">,
  ];
}

def FuseElementwisePass : Pass<"gaon-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops into their producers and "
                "consumers where the target's SRAM allows";
  let description = [{
    Producer-consumer fusion of `linalg.generic` ops on tensors with upstream
    `linalg-fuse-elementwise-ops` patterns, controlled by the target: a
    fusion is done only if the fused op reads at most `max-operands` tensors
    (by default the number of tiles of `vector_lanes` x `vector_lanes` f32
    elements that fit a quarter of the target's SRAM, at most 8), so that one
    tile of every operand of the fused op still fits on chip. A producer that
    has other users is recomputed in its consumer only if `allow-recompute`
    is set. Without an `npu.target` in scope the operand limit is 8.

    Elementwise ops that consume a matmul or convolution are fused later, at
    tile level, by `gaon-tile-linalg` (the epilogue stays on chip).

    ```mlir
    // before
    %0 = linalg.generic {...} ins(%x) outs(%e) { math.exp }
    %1 = linalg.generic {...} ins(%0, %y) outs(%e) { arith.mulf }
    // after
    %1 = linalg.generic {...} ins(%x, %y) outs(%e) { math.exp; arith.mulf }
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::tensor::TensorDialect"];
  let options = [
    Option<"maxOperands", "max-operands", "int64_t", /*default=*/"0",
           "Most tensors a fused op may read (0: derive from the target)">,
    Option<"allowRecompute", "allow-recompute", "bool", /*default=*/"true",
           "Fuse a producer that has other users, recomputing it">,
  ];
  let statistics = [
    Statistic<"numFusions", "fusions", "Producer-consumer pairs fused">,
    Statistic<"numRejected", "rejected-fusions",
              "Fusions rejected by the operand limit or recompute option">,
  ];
}

def AnnotateCostsPass : Pass<"gaon-annotate-costs", "mlir::func::FuncOp"> {
  let summary = "Record FLOPs, bytes, arithmetic intensity and the roofline "
                "bound of every linalg op";
  let description = [{
    Attaches an `npu.cost` dictionary to every linalg op on tensors:

    - `flops`: floating-point operations (2 per multiply-accumulate of a
      contraction or convolution; one per arith/math op of a generic's body
      per iteration; comparisons and casts count as one);
    - `bytes`: compulsory DRAM traffic, the bytes of every input read once
      plus every output written once (plus read once if the body reads it);
    - `intensity`: flops / bytes.

    With an `npu.target` in scope it also models the op on that chip:
    `compute_cycles` (flops over the tensor engines' 2 x rows x cols x cores
    per cycle for contractions, over the vector engines' lanes x cores for
    the rest), `memory_cycles` (bytes over `dram_bytes_per_cycle`),
    `roofline_cycles` (the larger) and `bound` ("compute" or "memory"). This
    is the roofline every backend is judged against; the figures are modeled.

    ```mlir
    %0 = linalg.matmul ins(%a, %b : tensor<64x32xbf16>, tensor<32x16xbf16>)
                       outs(%c : tensor<64x16xf32>) -> tensor<64x16xf32>
    // gets {npu.cost = {bound = "compute", bytes = 9216 : i64,
    //                   compute_cycles = 32 : i64, flops = 65536 : i64,
    //                   intensity = 7.11 : f64, memory_cycles = 72 : i64,
    //                   roofline_cycles = 72 : i64}}
    ```
  }];
  let statistics = [
    Statistic<"numAnnotated", "annotated-ops", "Ops given an npu.cost">,
    Statistic<"totalFlops", "total-flops", "FLOPs of all annotated ops">,
    Statistic<"totalBytes", "total-bytes", "DRAM bytes of all annotated ops">,
  ];
}

#endif // GAON_TRANSFORMS_PASSES_TD
