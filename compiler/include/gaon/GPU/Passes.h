//===- Passes.h - Gaon's GPU lowering passes --------------------*- C++ -*-===//
//
// The CUDA path's passes (declared in Passes.td) and the named pipeline
// `gaon-cuda-pipeline` that strings them together with upstream passes.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_GPU_PASSES_H
#define GAON_GPU_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <memory>
#include <string>

namespace mlir {
class DialectRegistry;
class ModuleOp;
namespace gpu {
class GPUModuleOp;
} // namespace gpu
} // namespace mlir

namespace gaon::gpu {

#define GEN_PASS_DECL
#include "gaon/GPU/Passes.h.inc"

/// Options of `gaon-cuda-pipeline`.
struct CudaPipelineOptions
    : public mlir::PassPipelineOptions<CudaPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("target GPU: sm_80 or sm_90"),
                           llvm::cl::init("sm_80")};
  Option<bool> allowTf32{
      *this, "allow-tf32",
      llvm::cl::desc("run f32 contractions on tensor cores in TF32"),
      llvm::cl::init(true)};
  Option<int64_t> stages{
      *this, "stages",
      llvm::cl::desc("shared-memory pipeline depth (0: the emitter's choice)"),
      llvm::cl::init(0)};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("object format: bin (cubin), isa (PTX) or fatbin"),
      llvm::cl::init("bin")};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit root (empty: the one found at configure "
                     "time)"),
      llvm::cl::init("")};
  Option<int> optLevel{*this, "opt-level",
                       llvm::cl::desc("NVPTX optimisation level"),
                       llvm::cl::init(3)};
};

/// Name of the module attribute holding the `#nvvm.target` the GPU passes
/// compile for.
inline constexpr llvm::StringLiteral kTargetAttrName = "gaon.gpu.target";
/// Attributes the outliner puts on kernel functions.
inline constexpr llvm::StringLiteral kKernelKindAttrName = "gaon.gpu.kernel";
inline constexpr llvm::StringLiteral kKernelSourceAttrName = "gaon.gpu.source";
inline constexpr llvm::StringLiteral kKernelFlopsAttrName = "gaon.gpu.flops";
inline constexpr llvm::StringLiteral kKernelBytesAttrName = "gaon.gpu.bytes";
/// Attribute the emitters put on the gpu.launch they create: which kernel
/// template produced it ("mma_sync", "wgmma", "reduction", "loop").
inline constexpr llvm::StringLiteral kKernelTemplateAttrName =
    "gaon.gpu.template";
/// Attribute the emitters put on a kernel function: one dictionary per
/// gpu.launch it contains, in order, with `template`, `flops`, `bytes` and,
/// for contractions, `gemm` ([batch, m, n, k]), `type`, `tile` ([M, N, K])
/// and `stages`. The launch plan reports them.
inline constexpr llvm::StringLiteral kKernelLaunchesAttrName =
    "gaon.gpu.launches";
/// Property of a `#gpu.object` holding the module's PTX.
inline constexpr llvm::StringLiteral kPtxPropertyName = "gaon.ptx";

/// Returns the (chip, features) of the NVVM target Gaon uses for `chip`
/// ("sm_80" -> sm_80; "sm_90" -> sm_90a with PTX 8.0, which wgmma and TMA
/// need), or failure for any other chip.
mlir::FailureOr<std::pair<std::string, std::string>>
resolveCudaChip(llvm::StringRef chip);

/// The CUDA toolkit root found when Gaon was configured ("" if none).
llvm::StringRef getDefaultCudaToolkitPath();

/// Adds the full CUDA lowering (graph-level linalg on tensors -> kernel
/// functions -> gpu.launch -> nvvm -> gpu.binary) to `pm`, which must run on
/// a builtin.module. Fails if `options.chip` is not a supported chip.
mlir::LogicalResult buildCudaPipeline(mlir::OpPassManager &pm,
                                      const CudaPipelineOptions &options);

/// Adds to `registry` the interface implementations the CUDA path needs
/// beyond the dialects themselves: bufferisation of arith/func/linalg/scf/
/// tensor, the NVVM target (serialisation through ptxas) and the
/// builtin/LLVM/NVVM/GPU translations to LLVM IR.
void registerGpuCompilerExtensions(mlir::DialectRegistry &registry);

/// Registers Gaon's GPU passes and `gaon-cuda-pipeline`.
void registerGpuPasses();

} // namespace gaon::gpu

#endif // GAON_GPU_PASSES_H
