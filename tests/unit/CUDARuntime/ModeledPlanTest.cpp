//===- ModeledPlanTest.cpp - Launch plans through the GPU model -----------===//
//
// Ensures a plan's launches reach the GPU performance model as documented in
// docs/gpu.md: contractions as GEMMs with the plan's tile, block, shared
// memory and registers (or the model's own tile search when the plan has
// none), other launches as streaming kernels over their grid; and the
// fallback message the CUDA backend prints.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/CUDA/ModeledPlan.h"

#include "gtest/gtest.h"

using namespace gaon::runtime::cuda;
using namespace gaon::sim::gpu;
using namespace llvm;

namespace {

/// The value of `expected`; a test failure saying why (and a default value)
/// when there is none.
template <typename T> T valueOrFail(Expected<T> expected) {
  if (expected)
    return std::move(*expected);
  ADD_FAILURE() << toString(expected.takeError());
  return T();
}

LaunchPlan makePlan() {
  LaunchPlan plan;
  plan.name = "mlp";
  plan.buffers = {
      {"x", BufferRole::Input, 0, ElementType::BF16, {256, 1024}, 256 * 2048},
      {"w", BufferRole::Input, 1, ElementType::BF16, {1024, 4096}, 1024 * 8192},
      {"y", BufferRole::Output, 0, ElementType::BF16, {256, 4096}, 256 * 8192}};
  plan.modules = {{"kernels", "sm_90", {1, 2, 3}, ""}};
  PlanLaunch gemm;
  gemm.kernel = "matmul";
  gemm.grid = {32, 2, 1};
  gemm.block = {384, 1, 1};
  gemm.dynamicSharedMemoryBytes = 196608;
  gemm.registersPerThread = 168;
  gemm.opName = "linalg.matmul";
  gemm.flops = 2ull * 256 * 4096 * 1024;
  gemm.contraction =
      ContractionShape{1, 256, 4096, 1024, ElementType::BF16, 128, 256, 64, 4};
  PlanLaunch gelu;
  gelu.kernel = "gelu";
  gelu.grid = {1024, 1, 1};
  gelu.block = {256, 1, 1};
  gelu.opName = "linalg.generic";
  gelu.flops = 8ull * 256 * 4096;
  gelu.bytes = 2ull * 256 * 4096 * 2;
  plan.launches = {gemm, gelu};
  return plan;
}

TEST(ModeledPlanTest, ContractionsAreGemmsWithThePlansTile) {
  LaunchPlan plan = makePlan();
  GPUModel model(cantFail(lookupGPUChip("h100")));
  Expected<KernelEstimate> modeled = estimateLaunch(plan, 0, model);
  ASSERT_TRUE(bool(modeled)) << toString(modeled.takeError());
  GemmTile tile{128, 256, 64, 4, 1, 384, 168, 196608};
  KernelEstimate direct = valueOrFail(
      model.estimateGemm({1, 256, 4096, 1024, Precision::BF16, 0}, tile));
  EXPECT_DOUBLE_EQ(modeled->seconds, direct.seconds);
  EXPECT_EQ(modeled->tile.threads, 384u);
  EXPECT_EQ(modeled->tile.registersPerThread, 168u);
  EXPECT_EQ(modeled->blocks, 2 * 16);

  // Without a tile, the model's own search.
  plan.launches[0].contraction->tileM = 0;
  modeled = estimateLaunch(plan, 0, model);
  ASSERT_TRUE(bool(modeled)) << toString(modeled.takeError());
  EXPECT_DOUBLE_EQ(
      modeled->seconds,
      valueOrFail(model.estimateGemm({1, 256, 4096, 1024, Precision::BF16, 0}))
          .seconds);
}

TEST(ModeledPlanTest, OtherLaunchesStreamOverTheirGrid) {
  LaunchPlan plan = makePlan();
  GPUModel model(cantFail(lookupGPUChip("a100")));
  Expected<KernelEstimate> modeled = estimateLaunch(plan, 1, model);
  ASSERT_TRUE(bool(modeled)) << toString(modeled.takeError());
  KernelEstimate direct = valueOrFail(model.estimateStreaming(
      {2.0 * 256 * 4096 * 2, 8.0 * 256 * 4096, 0, 1024}));
  EXPECT_DOUBLE_EQ(modeled->seconds, direct.seconds);
}

TEST(ModeledPlanTest, PlanSumsItsLaunches) {
  LaunchPlan plan = makePlan();
  GPUModel model(cantFail(lookupGPUChip("h200")));
  Expected<PlanEstimate> total = estimatePlan(plan, model);
  ASSERT_TRUE(bool(total)) << toString(total.takeError());
  ASSERT_EQ(total->launches.size(), 2u);
  EXPECT_DOUBLE_EQ(total->seconds,
                   total->launches[0].seconds + total->launches[1].seconds);
  EXPECT_DOUBLE_EQ(total->flops, 2.0 * 256 * 4096 * 1024 + 8.0 * 256 * 4096);
}

TEST(ModeledPlanTest, ErrorsNameTheLaunch) {
  LaunchPlan plan = makePlan();
  plan.launches[0].contraction->elementType = ElementType::I32;
  GPUModel model(cantFail(lookupGPUChip("h100")));
  Expected<PlanEstimate> total = estimatePlan(plan, model);
  ASSERT_FALSE(bool(total));
  EXPECT_EQ(toString(total.takeError()),
            "launches[0] (linalg.matmul): the GPU model has no i32 "
            "contractions");

  plan = makePlan();
  plan.launches[0].contraction->elementType = ElementType::F8E4M3FN;
  GPUModel a100(cantFail(lookupGPUChip("a100")));
  EXPECT_EQ(toString(estimateLaunch(plan, 0, a100).takeError()),
            "launches[0] (linalg.matmul): A100 SXM4 80GB (sm_80) has no fp8 "
            "tensor cores");
}

TEST(ModeledPlanTest, FallbackMessageNamesTheReasonAndThePreset) {
  EXPECT_EQ(describeModeledFallback(
                createStringError(inconvertibleErrorCode(),
                                  "no CUDA driver found (libcuda.so.1: cannot "
                                  "open shared object file)"),
                cantFail(lookupGPUChip("h100"))),
            "no CUDA driver found (libcuda.so.1: cannot open shared object "
            "file): reporting modeled H100 figures");
}

} // namespace
