//===- BaselinesTest.cpp - CUDA baseline kernels and cuBLASLt -------------===//
//
// Here (no GPU): the embedded cubins are CUDA ELF for sm_80 and sm_90 and
// define every kernel the plans launch; the plans are valid and state the
// documented FLOPs, bytes and signatures; bad problems are errors. On a GPU:
// each baseline kernel and cuBLASLt against a CPU reference in double
// precision. The GPU cases skip, saying why, where there is none.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/CUDA/Baselines.h"
#include "gaon/Kernels/CUDA/CublasGemm.h"
#include "gaon/Runtime/CUDA/Device.h"
#include "gaon/Runtime/CUDA/Elements.h"
#include "gaon/Runtime/CUDA/PlanExecutor.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace gaon::kernels::cuda;
using namespace gaon::runtime::cuda;
using namespace llvm;

namespace {

/// The value of `expected`; a test failure saying why (and a default value)
/// when there is none. (cantFail would be undefined behaviour in a release
/// build.)
template <typename T> T valueOrFail(Expected<T> expected) {
  if (expected)
    return std::move(*expected);
  ADD_FAILURE() << toString(expected.takeError());
  return T();
}

TEST(BaselinesTest, CubinsAreCudaElfForTheirChip) {
  for (StringRef chip : kBaselineChips) {
    Expected<ArrayRef<uint8_t>> cubin = getBaselineCubin(chip);
    ASSERT_TRUE(bool(cubin)) << toString(cubin.takeError());
    StringRef bytes(reinterpret_cast<const char *>(cubin->data()),
                    cubin->size());
    Expected<std::unique_ptr<object::ObjectFile>> file =
        object::ObjectFile::createELFObjectFile(MemoryBufferRef(bytes, chip));
    ASSERT_TRUE(bool(file)) << toString(file.takeError());
    auto *elf = dyn_cast<object::ELF64LEObjectFile>(file->get());
    ASSERT_TRUE(elf);
    const auto &header = elf->getELFFile().getHeader();
    EXPECT_EQ(header.e_machine, ELF::EM_CUDA);
    // From ELF ABI version 8 (CUDA 12.8+) the SM sits in bits 8-15.
    unsigned sm =
        header.e_ident[ELF::EI_ABIVERSION] >= 8
            ? (header.e_flags & ELF::EF_CUDA_SM_MASK) >> ELF::EF_CUDA_SM_OFFSET
            : header.e_flags & ELF::EF_CUDA_SM;
    EXPECT_EQ(sm, chip == "sm_80" ? unsigned(ELF::EF_CUDA_SM80)
                                  : unsigned(ELF::EF_CUDA_SM90));
    std::set<std::string> functions;
    for (const object::ELFSymbolRef &symbol : elf->symbols()) {
      Expected<StringRef> name = symbol.getName();
      if (name && symbol.getELFType() == ELF::STT_FUNC)
        functions.insert(name->str());
      else if (!name)
        consumeError(name.takeError());
    }
    for (StringRef kernel : getBaselineKernelNames())
      EXPECT_TRUE(functions.count(kernel.str()))
          << kernel.str() << " in " << chip.str();
  }
}

TEST(BaselinesTest, ChipsShareCubinsWithinAMajorVersion) {
  EXPECT_EQ(valueOrFail(getBaselineCubin("sm_89")).data(),
            valueOrFail(getBaselineCubin("sm_80")).data());
  EXPECT_EQ(valueOrFail(getBaselineCubin("sm_90a")).data(),
            valueOrFail(getBaselineCubin("sm_90")).data());
  EXPECT_EQ(toString(getBaselineCubin("sm_75").takeError()),
            "no baseline kernels for sm_75; they are built for sm_80 (sm_8x) "
            "and sm_90");
}

TEST(BaselinesTest, PlansStateTheirWork) {
  LaunchPlan softmax =
      valueOrFail(makeSoftmaxPlan("sm_90", 4, 1000, ElementType::BF16));
  EXPECT_FALSE(softmax.verify());
  ASSERT_EQ(softmax.launches.size(), 1u);
  const PlanLaunch &launch = softmax.launches[0];
  EXPECT_EQ(launch.kernel, "gaon_softmax_bf16");
  EXPECT_EQ(launch.grid, (Dim3{4, 1, 1}));
  EXPECT_EQ(launch.block, (Dim3{256, 1, 1}));
  EXPECT_EQ(launch.flops, 6u * 4000);
  EXPECT_EQ(launch.bytes, 2u * 4000 * 2);
  EXPECT_EQ(softmax.modules[0].chip, "sm_90");

  LaunchPlan norm =
      valueOrFail(makeLayerNormPlan("sm_80", 3, 768, ElementType::F32, 1e-6f));
  ASSERT_EQ(norm.launches.size(), 1u);
  EXPECT_FALSE(norm.verify());
  EXPECT_EQ(norm.getInputs().size(), 3u);
  EXPECT_EQ(norm.launches[0].arguments.back(), KernelArgument::f32(1e-6f));

  AttentionProblem problem{2, 8, 2, 16, 512, 64, true};
  LaunchPlan attention =
      valueOrFail(makeAttentionPlan("sm_90", problem, ElementType::F32));
  ASSERT_EQ(attention.launches.size(), 1u);
  EXPECT_FALSE(attention.verify());
  EXPECT_EQ(attention.launches[0].grid.x, 2u * 8 * 16);
  EXPECT_EQ(attention.launches[0].dynamicSharedMemoryBytes, (512u + 64) * 4);
  EXPECT_EQ(attention.launches[0].flops, 4u * 2 * 8 * 16 * 512 * 64 / 2);
  EXPECT_EQ(attention.buffers[1].shape, (std::vector<int64_t>{2, 2, 512, 64}));

  // A plan of a baseline is an artifact like any other.
  std::string bytes;
  raw_string_ostream os(bytes);
  EXPECT_FALSE(writeLaunchPlan(attention, os));
}

TEST(BaselinesTest, BadProblemsAreErrors) {
  EXPECT_EQ(
      toString(makeSoftmaxPlan("sm_90", 0, 8, ElementType::F32).takeError()),
      "rows and columns must be in [1, 2^31), got 0 x 8");
  EXPECT_EQ(
      toString(makeSoftmaxPlan("sm_90", 1, 8, ElementType::I8).takeError()),
      "baseline kernels take f32 or bf16, not i8");
  EXPECT_EQ(toString(makeAttentionPlan("sm_90", {1, 6, 4, 1, 8, 64, false},
                                       ElementType::F32)
                         .takeError()),
            "attention heads (6) must be a multiple of the key/value heads "
            "(4)");
  EXPECT_EQ(toString(makeAttentionPlan("sm_90", {1, 1, 1, 1, 100000, 64, false},
                                       ElementType::F32)
                         .takeError()),
            "the baseline attention kernel keeps a query's 100000 scores in "
            "shared memory; at most 41664 keys fit");
  EXPECT_EQ(toString(makeAttentionPlan("sm_90", {1, 1, 1, 9, 8, 64, true},
                                       ElementType::F32)
                         .takeError()),
            "causal attention needs at least as many keys (8) as queries (9)");
  EXPECT_EQ(
      toString(makeLayerNormPlan("sm_70", 1, 8, ElementType::F32).takeError()),
      "no baseline kernels for sm_70; they are built for sm_80 (sm_8x) "
      "and sm_90");
}

//===----------------------------------------------------------------------===//
// On a GPU
//===----------------------------------------------------------------------===//

/// Opens the system's GPU 0 as `device`, or skips the test saying why not.
#define REQUIRE_GPU(device)                                                    \
  Expected<std::unique_ptr<Device>> device##OrError = Device::open();          \
  if (!device##OrError)                                                        \
    GTEST_SKIP() << "no GPU: " << toString(device##OrError.takeError());       \
  std::unique_ptr<Device> device = std::move(*device##OrError);

/// Inputs and output 0 of one run of a plan, as doubles.
struct PlanRun {
  std::vector<std::vector<double>> inputs;
  std::vector<double> output;
};

/// Runs `plan` on `device` with seeded inputs.
Expected<PlanRun> runPlan(Device &device, Expected<LaunchPlan> plan) {
  if (!plan)
    return plan.takeError();
  Expected<std::unique_ptr<LoadedPlan>> loaded =
      LoadedPlan::load(device, *plan);
  if (!loaded)
    return loaded.takeError();
  PlanRun result;
  for (auto [index, id] : llvm::enumerate(plan->getInputs())) {
    const PlanBuffer &buffer = plan->buffers[id];
    std::vector<uint8_t> bytes(buffer.bytes);
    fillTestElements(buffer.elementType, bytes, 100 + index);
    if (Error error = (*loaded)->setInput(index, bytes))
      return std::move(error);
    std::vector<double> &values = result.inputs.emplace_back();
    for (int64_t i = 0; i < buffer.getNumElements(); ++i)
      values.push_back(readElement(buffer.elementType, bytes, i));
  }
  if (Error error = (*loaded)->run(/*synchronizeEachLaunch=*/true))
    return std::move(error);
  const PlanBuffer &out = plan->buffers[plan->getOutputs()[0]];
  Expected<std::vector<uint8_t>> bytes = (*loaded)->getOutput(0);
  if (!bytes)
    return bytes.takeError();
  for (int64_t i = 0; i < out.getNumElements(); ++i)
    result.output.push_back(readElement(out.elementType, *bytes, i));
  return result;
}

/// Largest |a - b| relative to the largest |b| (at least 1).
double relativeError(ArrayRef<double> a, ArrayRef<double> b) {
  double error = 0, scale = 1;
  for (size_t i = 0; i < b.size(); ++i) {
    error = std::max(error, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return error / scale;
}

double tolerance(ElementType type) {
  return type == ElementType::F32 ? 1e-5 : 1e-2;
}

TEST(BaselinesGPUTest, SoftmaxMatchesTheCPU) {
  REQUIRE_GPU(device);
  const int64_t rows = 37, cols = 1000;
  for (ElementType type : {ElementType::F32, ElementType::BF16}) {
    Expected<PlanRun> result =
        runPlan(*device,
                makeSoftmaxPlan(device->getInfo().getChip(), rows, cols, type));
    ASSERT_TRUE(bool(result)) << toString(result.takeError());
    const PlanRun &run = *result;
    std::vector<double> expected(rows * cols);
    for (int64_t r = 0; r < rows; ++r) {
      const double *x = &run.inputs[0][r * cols];
      double maximum = *std::max_element(x, x + cols), sum = 0;
      for (int64_t c = 0; c < cols; ++c)
        sum += std::exp(x[c] - maximum);
      for (int64_t c = 0; c < cols; ++c)
        expected[r * cols + c] = std::exp(x[c] - maximum) / sum;
    }
    EXPECT_LT(relativeError(run.output, expected), tolerance(type))
        << stringifyElementType(type).str();
  }
}

TEST(BaselinesGPUTest, LayerNormMatchesTheCPU) {
  REQUIRE_GPU(device);
  const int64_t rows = 19, cols = 777;
  for (ElementType type : {ElementType::F32, ElementType::BF16}) {
    Expected<PlanRun> result =
        runPlan(*device, makeLayerNormPlan(device->getInfo().getChip(), rows,
                                           cols, type));
    ASSERT_TRUE(bool(result)) << toString(result.takeError());
    const PlanRun &run = *result;
    std::vector<double> expected(rows * cols);
    for (int64_t r = 0; r < rows; ++r) {
      const double *x = &run.inputs[0][r * cols];
      double mean = 0, variance = 0;
      for (int64_t c = 0; c < cols; ++c)
        mean += x[c] / cols;
      for (int64_t c = 0; c < cols; ++c)
        variance += (x[c] - mean) * (x[c] - mean) / cols;
      for (int64_t c = 0; c < cols; ++c)
        expected[r * cols + c] =
            (x[c] - mean) / std::sqrt(variance + 1e-5) * run.inputs[1][c] +
            run.inputs[2][c];
    }
    EXPECT_LT(relativeError(run.output, expected), 4 * tolerance(type))
        << stringifyElementType(type).str();
  }
}

TEST(BaselinesGPUTest, AttentionMatchesTheCPU) {
  REQUIRE_GPU(device);
  for (bool causal : {false, true}) {
    AttentionProblem p{2, 4, 2, 5, 77, 64, causal};
    for (ElementType type : {ElementType::F32, ElementType::BF16}) {
      Expected<PlanRun> result = runPlan(
          *device, makeAttentionPlan(device->getInfo().getChip(), p, type));
      ASSERT_TRUE(bool(result)) << toString(result.takeError());
      const PlanRun &run = *result;
      const std::vector<double> &q = run.inputs[0], &k = run.inputs[1],
                                &v = run.inputs[2];
      std::vector<double> expected(q.size());
      for (int64_t b = 0; b < p.batch; ++b)
        for (int64_t h = 0; h < p.heads; ++h)
          for (int64_t i = 0; i < p.queries; ++i) {
            int64_t kv = (b * p.kvHeads + h / (p.heads / p.kvHeads)) * p.keys;
            int64_t row = (b * p.heads + h) * p.queries + i;
            int64_t visible =
                causal ? std::min(p.keys, i + p.keys - p.queries + 1) : p.keys;
            std::vector<double> s(visible);
            for (int64_t j = 0; j < visible; ++j) {
              for (int64_t t = 0; t < p.dim; ++t)
                s[j] += q[row * p.dim + t] * k[(kv + j) * p.dim + t];
              s[j] /= std::sqrt(double(p.dim));
            }
            double maximum = *std::max_element(s.begin(), s.end()), sum = 0;
            for (double &x : s)
              sum += (x = std::exp(x - maximum));
            for (int64_t t = 0; t < p.dim; ++t) {
              double acc = 0;
              for (int64_t j = 0; j < visible; ++j)
                acc += s[j] * v[(kv + j) * p.dim + t];
              expected[row * p.dim + t] = acc / sum;
            }
          }
      EXPECT_LT(relativeError(run.output, expected), tolerance(type))
          << stringifyElementType(type).str() << (causal ? " causal" : "");
    }
  }
}

/// Runs `problem` through cuBLASLt on seeded operands; returns the result
/// and the CPU reference in double precision.
Expected<std::pair<std::vector<double>, std::vector<double>>>
runCublas(Device &device, CublasLtGemm &gemm, const GemmProblem &p) {
  size_t sizes[3] = {size_t(p.batch * p.m * p.k), size_t(p.batch * p.k * p.n),
                     size_t(p.batch * p.m * p.n)};
  ElementType types[3] = {p.input, p.input, p.output};
  std::vector<uint8_t> host[3];
  DevicePtr buffers[3] = {0, 0, 0};
  Error error = Error::success();
  for (int i = 0; i < 3 && !error; ++i) {
    host[i].resize(sizes[i] * getElementBytes(types[i]));
    fillTestElements(types[i], host[i], 7 + i);
    Expected<DevicePtr> buffer = device.allocate(host[i].size());
    if (!buffer) {
      error = buffer.takeError();
      break;
    }
    buffers[i] = *buffer;
    error = device.upload(buffers[i], host[i]);
  }
  if (!error)
    error = gemm.run(p, buffers[0], buffers[1], buffers[2]);
  if (!error)
    error = device.download(host[2], buffers[2]);
  for (DevicePtr buffer : buffers)
    if (buffer)
      error = joinErrors(std::move(error), device.free(buffer));
  if (error)
    return std::move(error);
  std::vector<double> got, expected;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j) {
        double acc = 0;
        for (int64_t l = 0; l < p.k; ++l)
          acc += readElement(p.input, host[0], (b * p.m + i) * p.k + l) *
                 readElement(p.input, host[1], (b * p.k + l) * p.n + j);
        expected.push_back(acc);
        got.push_back(readElement(p.output, host[2], (b * p.m + i) * p.n + j));
      }
  return std::make_pair(std::move(got), std::move(expected));
}

TEST(BaselinesGPUTest, CublasGemmMatchesTheCPU) {
  REQUIRE_GPU(device);
  Expected<std::unique_ptr<CublasLtGemm>> gemm = CublasLtGemm::create(*device);
  ASSERT_TRUE(bool(gemm)) << toString(gemm.takeError());
  for (GemmProblem p :
       {GemmProblem{1, 33, 65, 47, ElementType::BF16, ElementType::F32},
        GemmProblem{3, 16, 24, 40, ElementType::F16, ElementType::F16},
        GemmProblem{1, 64, 32, 128, ElementType::F32, ElementType::F32}}) {
    auto result = runCublas(*device, **gemm, p);
    ASSERT_TRUE(bool(result)) << toString(result.takeError());
    // k/16 inputs make every product and partial sum exact in fp32; an f16
    // C rounds to 11 significant bits.
    double allowed = p.output == ElementType::F32 ? 0 : 1e-3;
    EXPECT_LE(relativeError(result->first, result->second), allowed)
        << stringifyElementType(p.input).str();
  }
}

} // namespace
