//===- Passes.td - Gaon's GPU lowering passes --------------*- tablegen -*-===//
//
// The passes of the CUDA path: graph-level linalg on tensors -> fused kernel
// functions -> gpu.launch (tensor cores for contractions) -> nvvm -> cubin.
// `gaon-cuda-pipeline` strings them together (see Pipeline.h).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_GPU_PASSES
#define GAON_GPU_PASSES

include "mlir/Pass/PassBase.td"

def GpuAttachTarget : Pass<"gaon-gpu-attach-target", "mlir::ModuleOp"> {
  let summary = "Record the GPU the module is compiled for";
  let description = [{
    Sets the module attribute `gaon.gpu.target` to the `#nvvm.target` of
    `chip`, which the later GPU passes read (each lit test of those passes
    states it inline instead). `sm_80` (A100) compiles for sm_80;
    `sm_90` (H100/H200) for sm_90a with PTX 8.0, the variant that has
    wgmma and TMA.

    ```mlir
    module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_90a",
                                                       features = "+ptx80">}
    ```
  }];
  let dependentDialects = ["mlir::NVVM::NVVMDialect"];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_80\"",
           "target GPU: sm_80 or sm_90">,
    Option<"optLevel", "opt-level", "int", /*default=*/"3",
           "NVPTX optimisation level">,
  ];
}

def GpuPrepareGraph : Pass<"gaon-gpu-prepare-graph", "mlir::ModuleOp"> {
  let summary = "Normalise graph-level linalg so GPU kernels can be formed";
  let description = [{
    Rewrites linalg-on-tensors into the few shapes the GPU kernel emitters
    recognise, using upstream rewrites where they exist:

    - aggregate ops (`linalg.softmax`) are decomposed into their generics;
    - named elementwise and data-movement ops (`linalg.add`, `linalg.exp`,
      `linalg.transpose`, `linalg.broadcast`, `linalg.copy`, `linalg.map`,
      ...) are generalised; contractions and convolutions stay named;
    - a contraction accumulating into a computed tensor is split into a
      zero-initialised contraction plus an elementwise add (which later
      becomes its epilogue);
    - an elementwise generic whose init is a computed tensor gets a fresh
      `tensor.empty` (and the old init as an input if its payload reads
      it), so every kernel writes fresh outputs and bufferisation gives
      each op its own buffer;
    - elementwise producers are fused into their consumers
      (upstream linalg elementwise fusion).

    Before:
    ```mlir
    %e = linalg.exp ins(%x : tensor<4x8xf32>) outs(%0 : tensor<4x8xf32>)
    %s = linalg.add ins(%e, %y : ...) outs(%1 : tensor<4x8xf32>)
    ```
    After: one `linalg.generic` computing `exp(x) + y`.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
  let statistics = [
    Statistic<"numDecomposed", "decomposed", "aggregate ops decomposed">,
    Statistic<"numGeneralized", "generalized", "named ops generalised">,
    Statistic<"numInitsSplit", "inits-split",
              "computed inits turned into epilogue adds or inputs">,
  ];
}

def GpuOutlineKernels : Pass<"gaon-gpu-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Group graph ops into GPU kernels and outline each into a "
                "function";
  let description = [{
    Forms fused kernels from the linalg ops of every function and outlines
    each into a private function called in destination-passing style:

    - `contraction`: a matmul, batch_matmul, contraction generic or
      `linalg.conv_2d_nhwc_hwcf` (implicit GEMM), with the `linalg.fill`
      that zeroes its accumulator and the chain of elementwise consumers that
      becomes its epilogue;
    - `reduction`: generics that reduce over their innermost dims (softmax,
      layer norm, RMS norm) together with the elementwise and per-row ops on
      the same rows, forming one block-per-row kernel;
    - `loop`: any other linalg op (fused elementwise chains, transposes,
      reductions over outer dims) as a one-thread-per-point kernel.

    Each kernel function `@<fn>_k<i>` carries `gaon.gpu.kernel` (its kind),
    `gaon.gpu.source` (the root op's name), `gaon.gpu.flops` and
    `gaon.gpu.bytes` (analytical counts of arithmetic and of compulsory
    global-memory traffic), and the root op's location.

    ```mlir
    %r = linalg.matmul ins(%a, %b : ...) outs(%fill : tensor<64x64xf32>)
    ```
    becomes
    ```mlir
    %r = call @f_k0(%a, %b, %empty) : (...) -> tensor<64x64xf32>
    func.func private @f_k0(...) attributes {gaon.gpu.kernel = "contraction",
        gaon.gpu.flops = 524288 : i64, ...}
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect",
                           "mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "kernels outlined">,
    Statistic<"numContraction", "contraction-kernels",
              "contraction kernels">,
    Statistic<"numReduction", "reduction-kernels", "row-reduction kernels">,
    Statistic<"numLoop", "loop-kernels", "loop kernels">,
    Statistic<"numFusedOps", "fused-ops",
              "ops fused into another op's kernel">,
  ];
}

def GpuMapKernels : Pass<"gaon-gpu-map-kernels", "mlir::ModuleOp"> {
  let summary = "Emit the gpu.launch of every bufferised kernel function";
  let description = [{
    Replaces the body of every function marked `gaon.gpu.kernel` (after
    bufferisation, so on memrefs) by one `gpu.launch` that computes it on
    the chip named by the module's `gaon.gpu.target` (an `#nvvm.target`):

    - contractions with bf16/f16 operands (and f32 when `allow-tf32`) use
      tensor cores: on sm_80, a block tile staged through shared memory by a
      multi-stage `nvgpu.device_async_copy` (cp.async) pipeline, warp tiles
      fed by `nvgpu.ldmatrix` into `nvgpu.mma.sync`; on sm_90, TMA loads
      (`nvgpu.tma.async.load`, mbarrier-synchronised, multi-stage) into
      128B-swizzled shared memory feeding `nvgpu.warpgroup.mma` (wgmma)
      where the operand layouts allow it, and the sm_80 kernel otherwise.
      Convolutions run as implicit GEMM (im2col addressing in the loads).
      The fused epilogue is applied to the accumulators before the store;
    - row reductions: one block per row, threads stride over the row,
      `gpu.all_reduce` combines, per-row values stay in registers;
    - anything else: one thread per output point, serial reduction loops.

    Contractions that cannot use tensor cores (other element types, f32
    without `allow-tf32`, rows too narrow for 4-byte copies) fall back to the
    loop kernel; each fallback is reported as a remark.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::nvgpu::NVGPUDialect",
                           "mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect"];
  let options = [
    Option<"allowTf32", "allow-tf32", "bool", /*default=*/"true",
           "run f32 contractions on tensor cores in TF32 (10-bit mantissa) "
           "instead of on CUDA cores">,
    Option<"stages", "stages", "int64_t", /*default=*/"0",
           "shared-memory pipeline depth of tensor-core kernels (0: the "
           "emitter's choice)">,
  ];
  let statistics = [
    Statistic<"numMmaSync", "mma-sync-kernels",
              "contraction kernels on mma.sync tensor cores">,
    Statistic<"numWgmma", "wgmma-kernels",
              "contraction kernels on wgmma tensor cores">,
    Statistic<"numReduction", "reduction-kernels",
              "block-per-row reduction kernels">,
    Statistic<"numLoop", "loop-kernels", "one-thread-per-point kernels">,
    Statistic<"numFallbacks", "contraction-fallbacks",
              "contractions that fell back to the loop kernel">,
  ];
}

def GpuLowerBf16Mma : Pass<"gaon-gpu-lower-bf16-mma",
                           "mlir::gpu::GPUModuleOp"> {
  let summary = "Lower bf16 nvgpu.mma.sync to nvvm.mma.sync";
  let description = [{
    Upstream's `convert-nvgpu-to-nvvm` cannot derive PTX types for
    `nvgpu.mma.sync` on bf16 operands. This pass rewrites those ops into
    `nvvm.mma.sync` with bf16 multiplicands (each row of two bf16 values
    packed into an i32 register), f32 accumulators and the m16n8k16 shape,
    which PTX supports from sm_80 on. Other element types are left for the
    upstream lowering.
  }];
  let dependentDialects = ["mlir::NVVM::NVVMDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numLowered", "lowered", "bf16 mma.sync ops lowered">,
  ];
}

def GpuSerialize : Pass<"gaon-gpu-serialize", "mlir::ModuleOp"> {
  let summary = "Serialise gpu.modules to cubin, keeping their PTX";
  let description = [{
    Like upstream `gpu-module-to-binary` (whose machinery it calls: NVPTX
    code generation, then ptxas from the CUDA toolkit), but also records the
    PTX of every module in its `#gpu.object` properties as `gaon.ptx`, so
    the launch-plan artifact can carry it and tests can inspect it. A
    `gpu.module` with no target gets the module's `gaon.gpu.target`.
  }];
  let options = [
    Option<"toolkitPath", "toolkit", "std::string", /*default=*/"\"\"",
           "CUDA toolkit root holding bin/ptxas and nvvm/libdevice (empty: "
           "the toolkit found when Gaon was configured)">,
    Option<"format", "format", "std::string", /*default=*/"\"bin\"",
           "what each object holds: bin (cubin), isa (PTX only) or fatbin">,
    Option<"keepPtx", "keep-ptx", "bool", /*default=*/"true",
           "record the PTX of each module as `gaon.ptx`">,
  ];
  let statistics = [
    Statistic<"numModules", "modules", "gpu.modules serialised">,
  ];
}

#endif // GAON_GPU_PASSES
