//===- CudaCompilerTest.cpp - compileForCuda and its launch plans ---------===//
//
// Ensures that compileForCuda turns graph-level linalg into a launch plan the
// CUDA runtime can load: tensor-core kernels (mma.sync on sm_80, wgmma + TMA
// on sm_90) whose cubins ptxas built, launches whose grids, shared memory and
// argument bindings match the kernels, the FLOPs/bytes/tile the model reads,
// constants carried as weights, and errors (not crashes) on bad input. The
// kernels' numerical correctness needs a GPU (scripts/gpu-check.sh).
//
//===----------------------------------------------------------------------===//

#include "gaon/GPU/CudaCompiler.h"
#include "gaon/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace gaon::runtime::cuda;

namespace {

/// Compiles `source` with `options` in a fresh context.
llvm::Expected<LaunchPlan>
compile(llvm::StringRef source, const gaon::gpu::CudaCompileOptions &options) {
  mlir::DialectRegistry registry;
  gaon::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context, "test.mlir");
  if (!module)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "test input does not parse");
  return gaon::gpu::compileForCuda(*module, options);
}

gaon::gpu::CudaCompileOptions forChip(llvm::StringRef chip) {
  gaon::gpu::CudaCompileOptions options;
  options.chip = chip.str();
  return options;
}

/// Skips a test that needs ptxas where the toolkit is absent.
#ifdef GAON_HAVE_PTXAS
#define REQUIRE_PTXAS()
#else
#define REQUIRE_PTXAS() GTEST_SKIP() << "no CUDA toolkit (ptxas) configured"
#endif

/// A linear layer: C = relu(A x B + bias), bf16 operands, f32 result.
constexpr llvm::StringLiteral kLinear = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @linear(%a: tensor<256x512xbf16>, %b: tensor<512x384xbf16>,
                  %bias: tensor<384xf32>) -> tensor<256x384xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x384xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<256x384xf32>) -> tensor<256x384xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<256x512xbf16>, tensor<512x384xbf16>)
                      outs(%f : tensor<256x384xf32>) -> tensor<256x384xf32>
  %e1 = tensor.empty() : tensor<256x384xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<256x384xf32>, tensor<384xf32>) outs(%e1 : tensor<256x384xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<256x384xf32>
  return %r : tensor<256x384xf32>
}
)mlir";

/// The GEMM the linear layer computes plus its two epilogue ops per point.
constexpr uint64_t kLinearFlops = 2ull * 256 * 512 * 384 + 2ull * 256 * 384;
constexpr uint64_t kLinearBytes =
    256 * 512 * 2 + 512 * 384 * 2 + 384 * 4 + 256 * 384 * 4;

bool isElf(const std::vector<uint8_t> &image) {
  return image.size() > 4 && image[0] == 0x7f && image[1] == 'E' &&
         image[2] == 'L' && image[3] == 'F';
}

TEST(CudaCompilerTest, LinearOnSm80UsesMmaSync) {
  REQUIRE_PTXAS();
  llvm::Expected<LaunchPlan> plan = compile(kLinear, forChip("sm_80"));
  ASSERT_TRUE(static_cast<bool>(plan)) << llvm::toString(plan.takeError());
  EXPECT_EQ(plan->name, "linear");
  ASSERT_EQ(plan->getInputs().size(), 3u);
  ASSERT_EQ(plan->getOutputs().size(), 1u);
  const PlanBuffer &out = plan->buffers[plan->getOutputs()[0]];
  EXPECT_EQ(out.elementType, ElementType::F32);
  EXPECT_EQ(out.shape, (std::vector<int64_t>{256, 384}));

  ASSERT_EQ(plan->modules.size(), 1u);
  EXPECT_EQ(plan->modules[0].chip, "sm_80");
  EXPECT_TRUE(isElf(plan->modules[0].cubin));
  const std::string &ptx = plan->modules[0].ptx;
  EXPECT_NE(ptx.find("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"),
            std::string::npos);
  EXPECT_NE(ptx.find("ldmatrix.sync.aligned"), std::string::npos);
  EXPECT_NE(ptx.find("cp.async.cg.shared.global"), std::string::npos);

  // One fused launch: GEMM + bias + ReLU.
  ASSERT_EQ(plan->launches.size(), 1u);
  const PlanLaunch &launch = plan->launches[0];
  EXPECT_EQ(launch.opName, "linalg.matmul");
  EXPECT_NE(launch.location.find("test.mlir"), std::string::npos);
  EXPECT_EQ(launch.flops, kLinearFlops);
  EXPECT_EQ(launch.bytes, kLinearBytes);
  ASSERT_TRUE(launch.contraction.has_value());
  const ContractionShape &gemm = *launch.contraction;
  EXPECT_EQ(gemm.batch, 1);
  EXPECT_EQ(gemm.m, 256);
  EXPECT_EQ(gemm.n, 384);
  EXPECT_EQ(gemm.k, 512);
  EXPECT_EQ(gemm.elementType, ElementType::BF16);
  ASSERT_GT(gemm.tileM, 0);
  ASSERT_GT(gemm.tileN, 0);
  EXPECT_EQ(gemm.tileK, 32);
  EXPECT_GE(gemm.stages, 2);
  // The grid covers C with the block tile; shared memory holds the stages.
  EXPECT_EQ(launch.grid.x, (384 + gemm.tileN - 1) / gemm.tileN);
  EXPECT_EQ(launch.grid.y, (256 + gemm.tileM - 1) / gemm.tileM);
  EXPECT_EQ(launch.grid.z, 1u);
  EXPECT_EQ(launch.block.x % 32, 0u);
  EXPECT_GE(launch.dynamicSharedMemoryBytes,
            uint64_t(gemm.stages) * (gemm.tileM + gemm.tileN) * 32 * 2);
  // A, B, bias and C, each bound whole.
  ASSERT_EQ(launch.arguments.size(), 4u);
  std::vector<unsigned> bound;
  for (const KernelArgument &arg : launch.arguments) {
    EXPECT_EQ(arg.kind, KernelArgument::Kind::Buffer);
    EXPECT_EQ(arg.byteOffset, 0u);
    bound.push_back(arg.buffer);
  }
  std::vector<unsigned> expected = plan->getInputs();
  expected.push_back(plan->getOutputs()[0]);
  std::sort(bound.begin(), bound.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(bound, expected);
  EXPECT_FALSE(static_cast<bool>(plan->verify()));
}

TEST(CudaCompilerTest, LinearOnSm90UsesWgmmaAndTma) {
  REQUIRE_PTXAS();
  llvm::Expected<LaunchPlan> plan = compile(kLinear, forChip("sm_90"));
  ASSERT_TRUE(static_cast<bool>(plan)) << llvm::toString(plan.takeError());
  ASSERT_EQ(plan->modules.size(), 1u);
  EXPECT_EQ(plan->modules[0].chip, "sm_90a");
  EXPECT_TRUE(isElf(plan->modules[0].cubin));
  const std::string &ptx = plan->modules[0].ptx;
  EXPECT_NE(ptx.find("wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16"),
            std::string::npos);
  EXPECT_NE(ptx.find("cp.async.bulk.tensor.2d"), std::string::npos);
  EXPECT_NE(ptx.find("mbarrier.try_wait.parity"), std::string::npos);

  ASSERT_EQ(plan->launches.size(), 1u);
  const PlanLaunch &launch = plan->launches[0];
  EXPECT_EQ(launch.block.x, 128u);
  ASSERT_TRUE(launch.contraction.has_value());
  EXPECT_EQ(launch.contraction->tileK, 64);
  // Two tensor maps (A as [256 x 512], B as [512 x 384]), then bias and C.
  ASSERT_EQ(launch.arguments.size(), 4u);
  const KernelArgument &a = launch.arguments[0];
  const KernelArgument &b = launch.arguments[1];
  ASSERT_EQ(a.kind, KernelArgument::Kind::TensorMap);
  ASSERT_EQ(b.kind, KernelArgument::Kind::TensorMap);
  EXPECT_EQ(a.buffer, plan->getInputs()[0]);
  EXPECT_EQ(b.buffer, plan->getInputs()[1]);
  EXPECT_EQ(a.map.globalDims, (std::vector<uint64_t>{512, 256}));
  EXPECT_EQ(a.map.globalStrides, (std::vector<uint64_t>{512 * 2}));
  EXPECT_EQ(a.map.boxDims,
            (std::vector<uint32_t>{64, uint32_t(launch.contraction->tileM)}));
  EXPECT_EQ(b.map.globalDims, (std::vector<uint64_t>{384, 512}));
  EXPECT_EQ(b.map.boxDims, (std::vector<uint32_t>{64, 64}));
  EXPECT_EQ(a.map.swizzle, TensorMapArgument::Swizzle::B128);
  EXPECT_EQ(launch.arguments[2].kind, KernelArgument::Kind::Buffer);
  EXPECT_EQ(launch.arguments[3].buffer, plan->getOutputs()[0]);

  // Tensor maps survive the artifact.
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  ASSERT_FALSE(static_cast<bool>(writeLaunchPlan(*plan, os)));
  std::unique_ptr<llvm::MemoryBuffer> file =
      llvm::MemoryBuffer::getMemBuffer(os.str(), "linear.cuplan", false);
  llvm::Expected<LaunchPlan> read = readLaunchPlan(file->getMemBufferRef());
  ASSERT_TRUE(static_cast<bool>(read)) << llvm::toString(read.takeError());
  EXPECT_EQ(read->launches[0].arguments, launch.arguments);
}

TEST(CudaCompilerTest, TensorMapsAreVerified) {
  LaunchPlan plan;
  plan.name = "f";
  plan.buffers = {
      {"a", BufferRole::Input, 0, ElementType::BF16, {64, 64}, 64 * 64 * 2}};
  plan.modules = {{"m", "sm_90a", {0x7f, 'E', 'L', 'F'}, ""}};
  TensorMapArgument map;
  map.elementType = ElementType::BF16;
  map.globalDims = {64, 64};
  map.globalStrides = {128};
  map.boxDims = {64, 64};
  map.swizzle = TensorMapArgument::Swizzle::B128;
  PlanLaunch launch;
  launch.kernel = "k";
  launch.arguments = {KernelArgument::tensorMap(0, 0, map)};
  plan.launches = {launch};
  EXPECT_FALSE(static_cast<bool>(plan.verify()));

  plan.launches[0].arguments = {KernelArgument::tensorMap(0, 8, map)};
  EXPECT_NE(llvm::toString(plan.verify()).find("16-byte aligned"),
            std::string::npos);
  map.boxDims = {128, 64};
  plan.launches[0].arguments = {KernelArgument::tensorMap(0, 0, map)};
  EXPECT_NE(llvm::toString(plan.verify()).find("wider than the 128-byte"),
            std::string::npos);
  map.boxDims = {64, 64};
  map.globalDims = {64, 128};
  plan.launches[0].arguments = {KernelArgument::tensorMap(0, 0, map)};
  EXPECT_NE(llvm::toString(plan.verify()).find("spans"), std::string::npos);
}

TEST(CudaCompilerTest, SoftmaxIsOneBlockPerRow) {
  REQUIRE_PTXAS();
  llvm::Expected<LaunchPlan> plan = compile(R"mlir(
func.func @softmax(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %e = tensor.empty() : tensor<64x1000xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<64x1000xf32>)
                                  outs(%e : tensor<64x1000xf32>) -> tensor<64x1000xf32>
  return %y : tensor<64x1000xf32>
}
)mlir",
                                            forChip("sm_80"));
  ASSERT_TRUE(static_cast<bool>(plan)) << llvm::toString(plan.takeError());
  ASSERT_EQ(plan->launches.size(), 1u);
  const PlanLaunch &launch = plan->launches[0];
  EXPECT_EQ(launch.grid.x, 64u);
  EXPECT_EQ(launch.block.x, 256u);
  EXPECT_FALSE(launch.contraction.has_value());
  // Input read once, output written once.
  EXPECT_EQ(launch.bytes, 2u * 64 * 1000 * 4);
  // The block-wide max and sum are warp shuffles plus shared memory.
  EXPECT_NE(plan->modules[0].ptx.find("shfl.sync.bfly"), std::string::npos);
  EXPECT_NE(plan->modules[0].ptx.find("bar.sync"), std::string::npos);
}

TEST(CudaCompilerTest, ConstantsBecomeWeights) {
  REQUIRE_PTXAS();
  llvm::Expected<LaunchPlan> plan = compile(R"mlir(
#id = affine_map<(d0) -> (d0)>
func.func @scale(%x: tensor<4xf32>) -> tensor<4xf32> {
  %w = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %w : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}
)mlir",
                                            forChip("sm_80"));
  ASSERT_TRUE(static_cast<bool>(plan)) << llvm::toString(plan.takeError());
  const PlanBuffer *weight = nullptr;
  for (const PlanBuffer &buffer : plan->buffers)
    if (buffer.role == BufferRole::Weight)
      weight = &buffer;
  ASSERT_NE(weight, nullptr);
  ASSERT_EQ(weight->data.size(), 16u);
  float values[4];
  std::memcpy(values, weight->data.data(), sizeof(values));
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(values[3], 4.0f);
  EXPECT_EQ(plan->launches.size(), 1u);
}

TEST(CudaCompilerTest, F32WithoutTf32RunsOnCudaCores) {
  REQUIRE_PTXAS();
  gaon::gpu::CudaCompileOptions options = forChip("sm_80");
  options.allowTf32 = false;
  llvm::Expected<LaunchPlan> plan = compile(R"mlir(
func.func @mm(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>) -> tensor<64x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x16xf32>) -> tensor<64x16xf32>
  %c = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x16xf32>)
                     outs(%f : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %c : tensor<64x16xf32>
}
)mlir",
                                            options);
  ASSERT_TRUE(static_cast<bool>(plan)) << llvm::toString(plan.takeError());
  ASSERT_EQ(plan->launches.size(), 1u);
  EXPECT_FALSE(plan->launches[0].contraction.has_value());
  EXPECT_EQ(plan->launches[0].flops, 2u * 64 * 16 * 32);
  EXPECT_EQ(plan->modules[0].ptx.find("mma.sync"), std::string::npos);
  EXPECT_NE(plan->modules[0].ptx.find("mul.rn.f32"), std::string::npos);

  options.allowTf32 = true;
  // The same GEMM on TF32 tensor cores.
  llvm::Expected<LaunchPlan> tf32 = compile(R"mlir(
func.func @mm(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>) -> tensor<64x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x16xf32>) -> tensor<64x16xf32>
  %c = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x16xf32>)
                     outs(%f : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %c : tensor<64x16xf32>
}
)mlir",
                                            options);
  ASSERT_TRUE(static_cast<bool>(tf32)) << llvm::toString(tf32.takeError());
  EXPECT_NE(tf32->modules[0].ptx.find("mma.sync.aligned.m16n8k8.row.col.f32."
                                      "tf32.tf32.f32"),
            std::string::npos);
}

TEST(CudaCompilerTest, RejectsUnsupportedChip) {
  llvm::Expected<LaunchPlan> plan = compile(kLinear, forChip("sm_70"));
  ASSERT_FALSE(static_cast<bool>(plan));
  EXPECT_NE(
      llvm::toString(plan.takeError()).find("unsupported GPU chip 'sm_70'"),
      std::string::npos);
}

TEST(CudaCompilerTest, RejectsDynamicShapesWithALocation) {
  llvm::Expected<LaunchPlan> plan = compile(R"mlir(
#id = affine_map<(d0) -> (d0)>
func.func @f(%x: tensor<?xf32>, %e: tensor<?xf32>) -> tensor<?xf32> {
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<?xf32>
  return %y : tensor<?xf32>
}
)mlir",
                                            forChip("sm_80"));
  ASSERT_FALSE(static_cast<bool>(plan));
  std::string message = llvm::toString(plan.takeError());
  EXPECT_NE(message.find("test.mlir\":4:"), std::string::npos) << message;
  EXPECT_NE(message.find("static shapes"), std::string::npos) << message;
}

TEST(CudaCompilerTest, NeedsOneEntry) {
  llvm::Expected<LaunchPlan> plan = compile(R"mlir(
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
)mlir",
                                            forChip("sm_80"));
  ASSERT_FALSE(static_cast<bool>(plan));
  EXPECT_NE(llvm::toString(plan.takeError()).find("several public functions"),
            std::string::npos);
}

TEST(CudaCompilerTest, RejectsReturningAnArgument) {
  REQUIRE_PTXAS();
  llvm::Expected<LaunchPlan> plan = compile(R"mlir(
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
)mlir",
                                            forChip("sm_80"));
  ASSERT_FALSE(static_cast<bool>(plan));
  EXPECT_NE(llvm::toString(plan.takeError()).find("not a whole buffer"),
            std::string::npos);
}

} // namespace
