//===- NPUBackendTest.cpp - The npu backend against the CPU reference -----===//
//
// The npu backend compiles with the NPU pipeline and runs the simulator: its
// outputs agree with the CPU reference, a deliberately broken program is
// caught by the numeric check (and the layer dumps point at the op the
// break is in), timing mode needs no data, and bad chips are errors.
//
//===----------------------------------------------------------------------===//

#include "gaon/InitAll.h"
#include "gaon/Runtime/Backends.h"
#include "gaon/Runtime/Comparison.h"
#include "gaon/Sim/Program.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FileSystem.h"

#include "gtest/gtest.h"

using namespace gaon::runtime;

namespace {

// y = relu(x W + b) V, bf16.
constexpr llvm::StringLiteral kMlp = R"mlir(
#row = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @main(%x: tensor<16x64xbf16>, %w: tensor<64x96xbf16>,
                %b: tensor<96xbf16>, %v: tensor<96x32xbf16>)
    -> tensor<16x32xbf16> {
  %zero = arith.constant 0.0 : bf16
  %e = tensor.empty() : tensor<16x96xbf16>
  %f = linalg.fill ins(%zero : bf16) outs(%e : tensor<16x96xbf16>) -> tensor<16x96xbf16>
  %mm = linalg.matmul ins(%x, %w : tensor<16x64xbf16>, tensor<64x96xbf16>)
                      outs(%f : tensor<16x96xbf16>) -> tensor<16x96xbf16>
  %h = linalg.generic {indexing_maps = [#row, #col, #row],
                       iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : tensor<16x96xbf16>, tensor<96xbf16>)
      outs(%e : tensor<16x96xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %o: bf16):
    %s = arith.addf %a, %c : bf16
    %r = arith.maximumf %s, %zero : bf16
    linalg.yield %r : bf16
  } -> tensor<16x96xbf16>
  %e2 = tensor.empty() : tensor<16x32xbf16>
  %f2 = linalg.fill ins(%zero : bf16) outs(%e2 : tensor<16x32xbf16>) -> tensor<16x32xbf16>
  %y = linalg.matmul ins(%h, %v : tensor<16x96xbf16>, tensor<96x32xbf16>)
                     outs(%f2 : tensor<16x32xbf16>) -> tensor<16x32xbf16>
  return %y : tensor<16x32xbf16>
}
)mlir";

class NPUBackendTest : public ::testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    gaon::registerAllDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    context->loadAllAvailableDialects();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(kMlp, context.get(),
                                                          "mlp.mlir");
    ASSERT_TRUE(module);
    auto made = makeModel(std::move(module), "mlp.mlir", "");
    ASSERT_TRUE(bool(made)) << llvm::toString(made.takeError());
    model = std::move(*made);
  }

  std::unique_ptr<Backend> createNPU(llvm::StringRef chip,
                                     const BackendOptions &options = {}) {
    auto backend = createNPUBackend(chip, options);
    EXPECT_TRUE(bool(backend)) << llvm::toString(backend.takeError());
    return backend ? std::move(*backend) : nullptr;
  }

  RunReport compare(Backend &npu, const ComparisonOptions &options = {}) {
    std::unique_ptr<Backend> cpu = createCPUBackend();
    Backend *backends[] = {cpu.get(), &npu};
    auto report = runComparison(model, backends, cpu.get(), options);
    EXPECT_TRUE(bool(report)) << llvm::toString(report.takeError());
    return report ? std::move(*report) : RunReport();
  }

  std::unique_ptr<mlir::MLIRContext> context;
  Model model;
};

TEST_F(NPUBackendTest, AgreesWithTheReference) {
  for (llvm::StringRef chip : {"rngd", "atom", "systolic-32x32"}) {
    std::unique_ptr<Backend> npu = createNPU(chip);
    ASSERT_TRUE(npu);
    EXPECT_EQ(npu->getInfo().timing, Provenance::Simulated);
    RunReport report = compare(*npu);
    ASSERT_EQ(report.backends.size(), 2u);
    const BackendRecord &record = report.backends[1];
    ASSERT_TRUE(record.error.empty()) << chip.str() << ": " << record.error;
    ASSERT_TRUE(record.passed.has_value()) << chip.str();
    EXPECT_TRUE(*record.passed)
        << chip.str() << ": " << record.outputs[0].check->getSummary();
    const Execution &execution = *record.execution;
    EXPECT_EQ(execution.latencySeconds.provenance, Provenance::Simulated);
    EXPECT_GT(execution.latencySeconds.value, 0);
    ASSERT_TRUE(execution.energyJoules);
    EXPECT_EQ(execution.energyJoules->provenance, Provenance::Modeled);
    EXPECT_GT(execution.energyJoules->value, 0);
    EXPECT_TRUE(execution.roofline.isKnown());
    // Both matmuls appear with their annotated work.
    double matmulFlops = 0;
    for (const OpRecord &op : execution.ops)
      if (op.name == "linalg.matmul")
        matmulFlops += op.flops;
    EXPECT_EQ(matmulFlops, 2.0 * (16 * 64 * 96 + 16 * 96 * 32)) << chip.str();
  }
}

/// Turns the first vector add (the bias) into a subtraction, or failing
/// that offsets the first fill, and says which.
llvm::Error breakProgram(gaon::sim::Program &program, std::string &what) {
  for (gaon::sim::Command &command : program.commands)
    if (command.kind == gaon::sim::CommandKind::VectorBinary &&
        command.getBinaryKind() == gaon::sim::BinaryKind::Add) {
      command.opKind = uint8_t(gaon::sim::BinaryKind::Sub);
      what = program.ops[command.op].name;
      return llvm::Error::success();
    }
  for (gaon::sim::Command &command : program.commands)
    if (command.kind == gaon::sim::CommandKind::VectorFill) {
      command.scalar += 4;
      what = program.ops[command.op].name;
      return llvm::Error::success();
    }
  return llvm::createStringError("nothing to break");
}

TEST_F(NPUBackendTest, BrokenProgramIsCaught) {
  std::string broken;
  BackendOptions options;
  options.editNPUProgram = [&](gaon::sim::Program &program) {
    return breakProgram(program, broken);
  };
  std::unique_ptr<Backend> npu = createNPU("rngd", options);
  ASSERT_TRUE(npu);
  llvm::SmallString<128> directory;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("gaon-npu", directory));
  ComparisonOptions comparison;
  comparison.layerDirectory = directory.str().str();
  RunReport report = compare(*npu, comparison);
  llvm::sys::fs::remove_directories(directory);
  ASSERT_FALSE(broken.empty());
  const BackendRecord &record = report.backends[1];
  ASSERT_TRUE(record.error.empty()) << record.error;
  ASSERT_TRUE(record.passed.has_value());
  EXPECT_FALSE(*record.passed);
  EXPECT_FALSE(report.isSuccess());
  EXPECT_GT(record.outputs[0].check->mismatches, 0);
  // The layer dumps find the divergence no later than the broken op.
  EXPECT_GT(record.layersDumped, 0u);
  ASSERT_TRUE(record.divergence) << "broke " << broken;
}

TEST_F(NPUBackendTest, TimingModeNeedsNoData) {
  std::unique_ptr<Backend> npu = createNPU("rngd");
  ASSERT_TRUE(npu);
  EXPECT_TRUE(npu->getInfo().timesWithoutData);
  auto executable = npu->compile(*model.module, model.entry);
  ASSERT_TRUE(bool(executable)) << llvm::toString(executable.takeError());
  ExecuteOptions options;
  options.computeValues = false;
  auto execution = npu->execute(**executable, {}, {}, options);
  ASSERT_TRUE(bool(execution)) << llvm::toString(execution.takeError());
  EXPECT_FALSE(execution->producedValues);
  EXPECT_GT(execution->latencySeconds.value, 0);

  // The same cycles as the functional run.
  std::vector<std::unique_ptr<DeviceBuffer>> owned;
  std::vector<DeviceBuffer *> inputs, outputs;
  for (const TensorSpec &spec : model.inputs) {
    owned.push_back(cantFail(npu->allocate(spec)));
    inputs.push_back(owned.back().get());
  }
  owned.push_back(cantFail(npu->allocate(model.outputs[0])));
  outputs.push_back(owned.back().get());
  auto functional = npu->execute(**executable, inputs, outputs, {});
  ASSERT_TRUE(bool(functional)) << llvm::toString(functional.takeError());
  EXPECT_TRUE(functional->producedValues);
  EXPECT_EQ(functional->latencySeconds.value, execution->latencySeconds.value);
}

TEST_F(NPUBackendTest, BadChipsAreErrors) {
  auto unknown = createNPUBackend("tpu-v9", {});
  ASSERT_FALSE(bool(unknown));
  EXPECT_NE(llvm::toString(unknown.takeError()).find("npu:tpu-v9: "),
            std::string::npos);
  BackendOptions options;
  options.chipOverrides = {"core.tensor.rows=-3"};
  auto invalid = createNPUBackend("rngd", options);
  ASSERT_FALSE(bool(invalid));
  EXPECT_NE(llvm::toString(invalid.takeError()).find("rows"),
            std::string::npos);
}

} // namespace
