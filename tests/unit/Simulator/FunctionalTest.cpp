//===- FunctionalTest.cpp - Functional mode against Eigen -----------------===//
//
// A small hand-written program (DMA in with a transposing stride, matmul,
// broadcast bias add, GELU, a row reduction, DMA out) run in functional
// mode gives the values Eigen computes for the same math.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/ProgramIO.h"
#include "gaon/Sim/Simulator.h"

#include "gaon/Kernels/DType.h"

#include <Eigen/Core>

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>

using namespace gaon::sim;

namespace {

using Matrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Deterministic values in [-1, 1).
std::vector<float> makeData(size_t count, uint32_t seed) {
  std::vector<float> data(count);
  for (float &value : data) {
    seed = seed * 1664525u + 1013904223u;
    value = float(seed >> 8) / float(1 << 23) - 1.0f;
  }
  return data;
}

/// y = gelu_tanh(x * w + b) and s = rowsum(y), with w stored transposed
/// (12 x 16) in DRAM and transposed back by the DMA's strides.
Program makeProgram(DType inputType) {
  ProgramBuilder builder;
  uint32_t x = builder.addBuffer("x", BufferRole::Input, 0, inputType, {8, 16});
  uint32_t wT =
      builder.addBuffer("wT", BufferRole::Weight, 0, inputType, {12, 16});
  uint32_t b = builder.addBuffer("b", BufferRole::Weight, 0, DType::F32, {12});
  uint32_t y =
      builder.addBuffer("y", BufferRole::Output, 0, DType::F32, {8, 12});
  uint32_t s =
      builder.addBuffer("s", BufferRole::Output, 1, DType::F32, {8, 1});
  uint32_t loaded = builder.addSemaphore(), multiplied = builder.addSemaphore(),
           activated = builder.addSemaphore();
  uint32_t op = builder.addOp("linear+gelu");
  CommandOptions load;
  load.signals = loaded;
  load.op = op;
  builder.dma(View::dram(x, 0, inputType, {8, 16}),
              View::sram(0, 0, inputType, {8, 16}), load);
  load.queue = 1;
  builder.dma(View::dram(wT, 0, inputType, {16, 12}, {1, 16}),
              View::sram(0, 1024, inputType, {16, 12}), load);
  builder.dma(View::dram(b, 0, DType::F32, {1, 12}),
              View::sram(0, 2048, DType::F32, {1, 12}), load);
  uint32_t waits[] = {loaded, loaded, loaded};
  CommandOptions compute;
  compute.op = op;
  compute.waits = waits;
  compute.signals = multiplied;
  builder.matmul(View::sram(0, 0, inputType, {8, 16}),
                 View::sram(0, 1024, inputType, {16, 12}),
                 View::sram(0, 4096, DType::F32, {8, 12}), false, false, false,
                 compute);
  CommandOptions vector;
  vector.op = op;
  vector.waits = multiplied;
  builder.vectorBinary(BinaryKind::Add,
                       View::sram(0, 4096, DType::F32, {8, 12}),
                       View::sram(0, 2048, DType::F32, {1, 12}),
                       View::sram(0, 4096, DType::F32, {8, 12}), vector);
  vector.waits = {};
  builder.vectorUnary(UnaryKind::GeluTanh,
                      View::sram(0, 4096, DType::F32, {8, 12}),
                      View::sram(0, 8192, DType::F32, {8, 12}), vector);
  vector.signals = activated;
  builder.vectorReduce(
      ReduceKind::Sum, View::sram(0, 8192, DType::F32, {8, 12}),
      View::sram(0, 12288, DType::F32, {8, 1}), 1, false, vector);
  uint32_t ready[] = {activated};
  CommandOptions store;
  store.op = op;
  store.waits = ready;
  builder.dma(View::sram(0, 8192, DType::F32, {8, 12}),
              View::dram(y, 0, DType::F32, {8, 12}), store);
  store.waits = {};
  builder.dma(View::sram(0, 12288, DType::F32, {8, 1}),
              View::dram(s, 0, DType::F32, {8, 1}), store);
  return builder.take();
}

/// Writes `values` into buffer `name` as `type`.
void fill(Simulator &simulator, llvm::StringRef name, DType type,
          const std::vector<float> &values) {
  llvm::Expected<llvm::MutableArrayRef<uint8_t>> bytes =
      simulator.getBufferData(name);
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  int64_t width = getByteWidth(type);
  ASSERT_EQ(bytes->size(), values.size() * size_t(width));
  for (size_t i = 0; i < values.size(); ++i)
    gaon::kernels::storeElement(reinterpret_cast<std::byte *>(bytes->data()) +
                                    i * width,
                                type == DType::BF16 ? gaon::kernels::DType::BF16
                                                    : gaon::kernels::DType::F32,
                                values[i]);
}

std::vector<float> read(Simulator &simulator, llvm::StringRef name) {
  llvm::Expected<llvm::MutableArrayRef<uint8_t>> bytes =
      simulator.getBufferData(name);
  EXPECT_TRUE(bool(bytes));
  std::vector<float> values(bytes->size() / 4);
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

float geluTanh(float x) {
  return 0.5f * x *
         (1.0f + std::tanh(std::sqrt(2.0f / float(M_PI)) *
                           (x + 0.044715f * x * x * x)));
}

void checkAgainstEigen(DType inputType, float tolerance) {
  llvm::Expected<ChipConfig> chip = loadChipConfig(
      "systolic-32x32", {"dram.kind=hbm3", "core.dma.startup_cycles=5"});
  ASSERT_TRUE(bool(chip));
  Program program = makeProgram(inputType);
  SimOptions options;
  options.functional = true;
  Simulator simulator(program, *chip, options);
  std::vector<float> x = makeData(8 * 16, 1), wT = makeData(12 * 16, 2),
                     b = makeData(12, 3);
  fill(simulator, "x", inputType, x);
  fill(simulator, "wT", inputType, wT);
  fill(simulator, "b", DType::F32, b);
  llvm::Expected<Report> report = simulator.run();
  ASSERT_TRUE(bool(report)) << llvm::toString(report.takeError());
  EXPECT_TRUE(report->functional);
  EXPECT_GT(report->cycles, 0u);

  // The same math in Eigen, on the values as the buffers hold them.
  auto stored = [&](std::vector<float> values) {
    for (float &value : values)
      value = float(gaon::kernels::roundToDType(
          value, inputType == DType::BF16 ? gaon::kernels::DType::BF16
                                          : gaon::kernels::DType::F32));
    return values;
  };
  std::vector<float> xs = stored(x), ws = stored(wT);
  Matrix xm = Eigen::Map<Matrix>(xs.data(), 8, 16);
  Matrix wm = Eigen::Map<Matrix>(ws.data(), 12, 16).transpose();
  Eigen::Map<Eigen::RowVectorXf> bias(b.data(), 12);
  Matrix z = (xm * wm).rowwise() + bias;
  Matrix expected = z.unaryExpr(&geluTanh);
  Eigen::VectorXf sums = expected.rowwise().sum();

  std::vector<float> y = read(simulator, "y"), s = read(simulator, "s");
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 12; ++j)
      EXPECT_NEAR(y[i * 12 + j], expected(i, j), tolerance)
          << "y[" << i << "][" << j << "]";
    EXPECT_NEAR(s[i], sums(i), 12 * tolerance) << "s[" << i << "]";
  }
}

TEST(Functional, F32ProgramMatchesEigen) {
  checkAgainstEigen(DType::F32, 1e-5f);
}

TEST(Functional, Bf16ProgramMatchesEigen) {
  checkAgainstEigen(DType::BF16, 1e-5f);
}

TEST(Functional, BuffersExistOnlyInFunctionalMode) {
  llvm::Expected<ChipConfig> chip = loadChipConfig("systolic-32x32");
  ASSERT_TRUE(bool(chip));
  Program program = makeProgram(DType::F32);
  Simulator timing(program, *chip);
  EXPECT_TRUE(timing.getBufferData(0).empty());
  llvm::Expected<llvm::MutableArrayRef<uint8_t>> none =
      timing.getBufferData("x");
  ASSERT_FALSE(bool(none));
  EXPECT_EQ(llvm::toString(none.takeError()),
            "buffer contents exist only in functional mode");
  SimOptions options;
  options.functional = true;
  Simulator functional(program, *chip, options);
  llvm::Expected<llvm::MutableArrayRef<uint8_t>> missing =
      functional.getBufferData("nope");
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            "the program has no buffer named 'nope'");
}

TEST(Functional, TimingIsTheSameInBothModes) {
  llvm::Expected<ChipConfig> chip = loadChipConfig(
      "systolic-32x32", {"dram.kind=hbm3", "dram.latency_cycles=40"});
  ASSERT_TRUE(bool(chip));
  Program program = makeProgram(DType::F32);
  llvm::Expected<Report> timing = simulate(program, *chip);
  ASSERT_TRUE(bool(timing)) << llvm::toString(timing.takeError());
  SimOptions options;
  options.functional = true;
  llvm::Expected<Report> functional = simulate(program, *chip, options);
  ASSERT_TRUE(bool(functional)) << llvm::toString(functional.takeError());
  EXPECT_GT(timing->cycles, 40u);
  EXPECT_EQ(timing->cycles, functional->cycles);
}

} // namespace
