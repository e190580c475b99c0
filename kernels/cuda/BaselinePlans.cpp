//===- BaselinePlans.cpp - Hand-written CUDA reference kernels as plans ---===//

#include "gaon/Kernels/CUDA/Baselines.h"

#include "llvm/ADT/Twine.h"

#include <cmath>

using namespace llvm;
using namespace gaon::runtime::cuda;

namespace gaon::kernels::cuda {

// Generated at build time from Baselines.cu by nvcc (EmbedCubin.cmake).
static const uint8_t kCubinSm80[] = {
#include "Baselines.sm_80.inc"
};
static const uint8_t kCubinSm90[] = {
#include "Baselines.sm_90.inc"
};

/// Threads per block of every baseline kernel (kRowThreads in the .cu).
static constexpr uint32_t kThreads = 256;
/// Shared memory a block may use on the smallest-memory supported chip
/// (sm_80, 163 KiB).
static constexpr uint64_t kMaxSharedMemory = 163 * 1024;

static constexpr StringLiteral kKernelNames[] = {
    "gaon_softmax_f32",    "gaon_softmax_bf16",  "gaon_layernorm_f32",
    "gaon_layernorm_bf16", "gaon_attention_f32", "gaon_attention_bf16"};

ArrayRef<StringLiteral> getBaselineKernelNames() { return kKernelNames; }

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

Expected<ArrayRef<uint8_t>> getBaselineCubin(StringRef chip) {
  if (chip.starts_with("sm_8"))
    return ArrayRef<uint8_t>(kCubinSm80);
  if (chip == "sm_90" || chip == "sm_90a")
    return ArrayRef<uint8_t>(kCubinSm90);
  return makeError("no baseline kernels for " + chip +
                   "; they are built for sm_80 (sm_8x) and sm_90");
}

/// The kernel-name suffix and element size for a baseline type.
static Expected<StringRef> getSuffix(ElementType type) {
  if (type == ElementType::F32)
    return StringRef("f32");
  if (type == ElementType::BF16)
    return StringRef("bf16");
  return makeError("baseline kernels take f32 or bf16, not " +
                   stringifyElementType(type));
}

/// A plan with the chip's baseline module and `buffers`, no launches yet.
static Expected<LaunchPlan> makeBasePlan(StringRef name, StringRef chip,
                                         std::vector<PlanBuffer> buffers) {
  Expected<ArrayRef<uint8_t>> cubin = getBaselineCubin(chip);
  if (!cubin)
    return cubin.takeError();
  LaunchPlan plan;
  plan.name = name.str();
  plan.buffers = std::move(buffers);
  PlanModule module;
  module.name = "gaon_baselines";
  module.chip = chip.str();
  module.cubin.assign(cubin->begin(), cubin->end());
  plan.modules.push_back(std::move(module));
  return plan;
}

static PlanBuffer makeBuffer(StringRef name, BufferRole role, unsigned index,
                             ElementType type, std::vector<int64_t> shape) {
  PlanBuffer buffer;
  buffer.name = name.str();
  buffer.role = role;
  buffer.index = index;
  buffer.elementType = type;
  buffer.shape = std::move(shape);
  buffer.bytes = buffer.getNumElements() * getElementBytes(type);
  return buffer;
}

/// Row kernels take int sizes.
static Error checkRows(int64_t rows, int64_t cols) {
  if (rows < 1 || cols < 1 || rows > INT32_MAX || cols > INT32_MAX)
    return makeError("rows and columns must be in [1, 2^31), got " +
                     Twine(rows) + " x " + Twine(cols));
  return Error::success();
}

static PlanLaunch makeRowLaunch(StringRef kernel, StringRef op, int64_t rows) {
  PlanLaunch launch;
  launch.kernel = kernel.str();
  launch.grid = {static_cast<uint32_t>(rows), 1, 1};
  launch.block = {kThreads, 1, 1};
  launch.opName = op.str();
  launch.location = "kernels/cuda/Baselines.cu";
  return launch;
}

Expected<LaunchPlan> makeSoftmaxPlan(StringRef chip, int64_t rows, int64_t cols,
                                     ElementType type) {
  Expected<StringRef> suffix = getSuffix(type);
  if (!suffix)
    return suffix.takeError();
  if (Error error = checkRows(rows, cols))
    return std::move(error);
  Expected<LaunchPlan> plan = makeBasePlan(
      "baseline_softmax", chip,
      {makeBuffer("x", BufferRole::Input, 0, type, {rows, cols}),
       makeBuffer("y", BufferRole::Output, 0, type, {rows, cols})});
  if (!plan)
    return plan.takeError();
  PlanLaunch launch =
      makeRowLaunch(("gaon_softmax_" + *suffix).str(), "softmax", rows);
  launch.arguments = {KernelArgument::binding(0), KernelArgument::binding(1),
                      KernelArgument::i32(rows), KernelArgument::i32(cols)};
  double elements = double(rows) * cols;
  // Max, subtract + exp + add, subtract + exp + divide.
  launch.flops = static_cast<uint64_t>(6 * elements);
  launch.bytes = static_cast<uint64_t>(2 * elements * getElementBytes(type));
  plan->launches.push_back(std::move(launch));
  return plan;
}

Expected<LaunchPlan> makeLayerNormPlan(StringRef chip, int64_t rows,
                                       int64_t cols, ElementType type,
                                       float epsilon) {
  Expected<StringRef> suffix = getSuffix(type);
  if (!suffix)
    return suffix.takeError();
  if (Error error = checkRows(rows, cols))
    return std::move(error);
  Expected<LaunchPlan> plan = makeBasePlan(
      "baseline_layernorm", chip,
      {makeBuffer("x", BufferRole::Input, 0, type, {rows, cols}),
       makeBuffer("gamma", BufferRole::Input, 1, type, {cols}),
       makeBuffer("beta", BufferRole::Input, 2, type, {cols}),
       makeBuffer("y", BufferRole::Output, 0, type, {rows, cols})});
  if (!plan)
    return plan.takeError();
  PlanLaunch launch =
      makeRowLaunch(("gaon_layernorm_" + *suffix).str(), "layer_norm", rows);
  launch.arguments = {KernelArgument::binding(0),  KernelArgument::binding(1),
                      KernelArgument::binding(2),  KernelArgument::binding(3),
                      KernelArgument::i32(rows),   KernelArgument::i32(cols),
                      KernelArgument::f32(epsilon)};
  double elements = double(rows) * cols;
  // Sum; subtract, square, add; subtract, two multiplies, add.
  launch.flops = static_cast<uint64_t>(8 * elements);
  launch.bytes = static_cast<uint64_t>((2 * elements + 2.0 * cols) *
                                       getElementBytes(type));
  plan->launches.push_back(std::move(launch));
  return plan;
}

Expected<LaunchPlan>
makeAttentionPlan(StringRef chip, const AttentionProblem &p, ElementType type) {
  Expected<StringRef> suffix = getSuffix(type);
  if (!suffix)
    return suffix.takeError();
  if (p.batch < 1 || p.heads < 1 || p.kvHeads < 1 || p.queries < 1 ||
      p.keys < 1 || p.dim < 1)
    return makeError("attention sizes must be at least 1");
  if (p.heads % p.kvHeads != 0)
    return makeError("attention heads (" + Twine(p.heads) +
                     ") must be a multiple of the key/value heads (" +
                     Twine(p.kvHeads) + ")");
  if (p.causal && p.keys < p.queries)
    return makeError("causal attention needs at least as many keys (" +
                     Twine(p.keys) + ") as queries (" + Twine(p.queries) + ")");
  int64_t rows = p.batch * p.heads * p.queries;
  uint64_t sharedMemory = uint64_t(p.keys + p.dim) * sizeof(float);
  if (sharedMemory > kMaxSharedMemory || rows > INT32_MAX)
    return makeError("the baseline attention kernel keeps a query's " +
                     Twine(p.keys) + " scores in shared memory; at most " +
                     Twine(kMaxSharedMemory / sizeof(float) - p.dim) +
                     " keys fit");
  Expected<LaunchPlan> plan =
      makeBasePlan("baseline_attention", chip,
                   {makeBuffer("q", BufferRole::Input, 0, type,
                               {p.batch, p.heads, p.queries, p.dim}),
                    makeBuffer("k", BufferRole::Input, 1, type,
                               {p.batch, p.kvHeads, p.keys, p.dim}),
                    makeBuffer("v", BufferRole::Input, 2, type,
                               {p.batch, p.kvHeads, p.keys, p.dim}),
                    makeBuffer("o", BufferRole::Output, 0, type,
                               {p.batch, p.heads, p.queries, p.dim})});
  if (!plan)
    return plan.takeError();
  PlanLaunch launch =
      makeRowLaunch(("gaon_attention_" + *suffix).str(), "attention", rows);
  launch.dynamicSharedMemoryBytes = sharedMemory;
  launch.arguments = {KernelArgument::binding(0),
                      KernelArgument::binding(1),
                      KernelArgument::binding(2),
                      KernelArgument::binding(3),
                      KernelArgument::i32(p.batch),
                      KernelArgument::i32(p.heads),
                      KernelArgument::i32(p.kvHeads),
                      KernelArgument::i32(p.queries),
                      KernelArgument::i32(p.keys),
                      KernelArgument::i32(p.dim),
                      KernelArgument::f32(1.0f / std::sqrt(float(p.dim))),
                      KernelArgument::i32(p.causal ? 1 : 0)};
  double pairs = double(rows) * p.keys * (p.causal ? 0.5 : 1.0);
  launch.flops = static_cast<uint64_t>(4 * pairs * p.dim);
  unsigned element = getElementBytes(type);
  launch.bytes = static_cast<uint64_t>(
      (2.0 * rows * p.dim + 2.0 * p.batch * p.kvHeads * p.keys * p.dim) *
      element);
  plan->launches.push_back(std::move(launch));
  return plan;
}

} // namespace gaon::kernels::cuda
