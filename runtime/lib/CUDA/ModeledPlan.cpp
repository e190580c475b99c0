//===- ModeledPlan.cpp - GPU performance model of a launch plan -----------===//

#include "gaon/Runtime/CUDA/ModeledPlan.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

using namespace llvm;
using namespace gaon::sim::gpu;

namespace gaon::runtime::cuda {

Expected<Precision> getContractionPrecision(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return Precision::FP32;
  case ElementType::F16:
    return Precision::FP16;
  case ElementType::BF16:
    return Precision::BF16;
  case ElementType::F8E4M3FN:
  case ElementType::F8E5M2:
    return Precision::FP8;
  case ElementType::I8:
    return Precision::INT8;
  case ElementType::I32:
  case ElementType::I64:
    break;
  }
  return createStringError(inconvertibleErrorCode(),
                           "the GPU model has no " +
                               stringifyElementType(type) + " contractions");
}

Expected<KernelEstimate> estimateLaunch(const LaunchPlan &plan,
                                        unsigned launchId,
                                        const GPUModel &model) {
  const PlanLaunch &launch = plan.launches[launchId];
  auto withLaunch = [&](Error error) {
    return createStringError(inconvertibleErrorCode(),
                             plan.describeLaunch(launchId) + ": " +
                                 toString(std::move(error)));
  };
  if (!launch.contraction) {
    StreamingKernel kernel;
    kernel.bytes = launch.bytes;
    kernel.flops = launch.flops;
    kernel.parallelism = launch.grid.count();
    Expected<KernelEstimate> estimate = model.estimateStreaming(kernel);
    if (!estimate)
      return withLaunch(estimate.takeError());
    return estimate;
  }

  const ContractionShape &c = *launch.contraction;
  Expected<Precision> precision = getContractionPrecision(c.elementType);
  if (!precision)
    return withLaunch(precision.takeError());
  GemmShape shape{c.batch, c.m, c.n, c.k, *precision, 0};
  Expected<KernelEstimate> estimate = [&] {
    if (!c.tileM || !c.tileN || !c.tileK)
      return model.estimateGemm(shape);
    GemmTile tile;
    tile.m = c.tileM;
    tile.n = c.tileN;
    tile.k = c.tileK;
    tile.stages = c.stages;
    tile.threads = launch.block.count();
    tile.registersPerThread = launch.registersPerThread;
    tile.sharedMemoryBytes = launch.dynamicSharedMemoryBytes;
    return model.estimateGemm(shape, tile);
  }();
  if (!estimate)
    return withLaunch(estimate.takeError());
  return estimate;
}

Expected<PlanEstimate> estimatePlan(const LaunchPlan &plan,
                                    const GPUModel &model) {
  PlanEstimate total;
  for (unsigned id = 0, e = plan.launches.size(); id < e; ++id) {
    Expected<KernelEstimate> estimate = estimateLaunch(plan, id, model);
    if (!estimate)
      return estimate.takeError();
    total.seconds += estimate->seconds;
    total.flops += estimate->flops;
    total.dramBytes += estimate->dramBytes;
    total.launches.push_back(std::move(*estimate));
  }
  return total;
}

std::string describeModeledFallback(Error reason, const GPUChip &chip) {
  return toString(std::move(reason)) + ": reporting modeled " +
         StringRef(chip.key).upper() + " figures";
}

} // namespace gaon::runtime::cuda
