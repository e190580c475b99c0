//===- ModeledPlan.h - GPU performance model of a launch plan ---*- C++ -*-===//
//
// What the CUDA backend reports where it cannot run: each launch of a plan
// modeled on a GPU preset — a contraction launch as its GEMM with the plan's
// tile, block and shared memory; any other launch as a streaming kernel with
// the plan's bytes and FLOPs over its grid. Every figure is modeled.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_CUDA_MODELEDPLAN_H
#define GAON_RUNTIME_CUDA_MODELEDPLAN_H

#include "gaon/Runtime/CUDA/LaunchPlan.h"
#include "gaon/Sim/GPU/GPUModel.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace gaon::runtime::cuda {

struct PlanEstimate {
  /// One per launch, in plan order.
  std::vector<sim::gpu::KernelEstimate> launches;
  /// Sums over launches (launches run one after another).
  double seconds = 0;
  double flops = 0;
  double dramBytes = 0;
};

/// Models launch `launch` of `plan`.
llvm::Expected<sim::gpu::KernelEstimate>
estimateLaunch(const LaunchPlan &plan, unsigned launch,
               const sim::gpu::GPUModel &model);
/// Models every launch of `plan`.
llvm::Expected<PlanEstimate> estimatePlan(const LaunchPlan &plan,
                                          const sim::gpu::GPUModel &model);

/// The model's math precision for a contraction on `type`; an error for
/// integer types wider than 8 bits.
llvm::Expected<sim::gpu::Precision> getContractionPrecision(ElementType type);

/// What the CUDA backend says when it falls back to the model:
/// "<why the GPU is unavailable>: reporting modeled H100 figures".
std::string describeModeledFallback(llvm::Error reason,
                                    const sim::gpu::GPUChip &chip);

} // namespace gaon::runtime::cuda

#endif // GAON_RUNTIME_CUDA_MODELEDPLAN_H
