//===- CudaCompiler.h - graph-level MLIR -> CUDA launch plan ----*- C++ -*-===//
//
// The library entry point of the CUDA path: compile a module of graph-level
// linalg on tensors for sm_80 or sm_90 and return its launch plan (cubins +
// the host side as data), the artifact the CUDA runtime loads
// (gaon/Runtime/CUDA/LaunchPlan.h).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_GPU_CUDACOMPILER_H
#define GAON_GPU_CUDACOMPILER_H

#include "gaon/Runtime/CUDA/LaunchPlan.h"

#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace gaon::gpu {

/// Options of compileForCuda; see CudaPipelineOptions for their meaning.
struct CudaCompileOptions {
  /// "sm_80" (A100) or "sm_90" (H100/H200; compiled for sm_90a).
  std::string chip = "sm_80";
  bool allowTf32 = true;
  int64_t stages = 0;
  /// CUDA toolkit root; empty: the one found when Gaon was configured.
  std::string cudaPath;
  /// The entry function; empty: the module's only public function.
  std::string entry;
};

/// Lowers `module` (graph-level linalg on tensors; modified in place) with
/// `gaon-cuda-pipeline` and returns the launch plan of its entry function.
/// Every diagnostic of the pipeline, with its location, is in the error.
llvm::Expected<runtime::cuda::LaunchPlan>
compileForCuda(mlir::ModuleOp module, const CudaCompileOptions &options);

/// Reads the launch plan of `entry` (empty: the only public function) from a
/// module `gaon-cuda-pipeline` has lowered with format=bin: its buffers
/// (arguments, results, allocations, constants), its gpu.binary modules and
/// its gpu.launch_func ops in order, with the FLOPs, bytes, source op and
/// tile the GPU passes recorded for each.
llvm::Expected<runtime::cuda::LaunchPlan>
extractLaunchPlan(mlir::ModuleOp module, llvm::StringRef entry = "");

} // namespace gaon::gpu

#endif // GAON_GPU_CUDACOMPILER_H
