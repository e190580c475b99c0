//===- ComparisonTest.cpp - runComparison through fake backends -----------===//
//
// The comparison drives backends only through the Backend interface: these
// tests use fake backends to check the numeric check (a deliberately broken
// backend is caught), layer dumps and the first divergent op, timing-only
// and failing backends, speed-ups, throughput, and seeded or .npy inputs.
//
//===----------------------------------------------------------------------===//

#include "FakeBackend.h"

#include "gaon/Runtime/Comparison.h"
#include "gaon/Runtime/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

using namespace gaon::runtime;
using namespace gaon::runtime::testing;

namespace {

constexpr llvm::StringLiteral kModule = R"mlir(
func.func @main(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  return %x : tensor<4x3xf32>
}
)mlir";

class ComparisonTest : public ::testing::Test {
protected:
  void SetUp() override {
    context.loadDialect<mlir::func::FuncDialect>();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
    ASSERT_TRUE(module);
    auto made = makeModel(std::move(module), "fake.mlir", "");
    ASSERT_TRUE(bool(made)) << llvm::toString(made.takeError());
    model = std::move(*made);
    llvm::SmallString<128> path;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("gaon-comparison", path));
    directory = path.str().str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }

  RunReport run(llvm::ArrayRef<Backend *> backends, Backend *reference,
                const ComparisonOptions &options = {}) {
    auto report = runComparison(model, backends, reference, options);
    EXPECT_TRUE(bool(report)) << llvm::toString(report.takeError());
    return report ? std::move(*report) : RunReport();
  }

  mlir::MLIRContext context;
  Model model;
  std::string directory;
};

TEST_F(ComparisonTest, ModelSignatureAndWork) {
  EXPECT_EQ(model.entry, "main");
  ASSERT_EQ(model.inputs.size(), 1u);
  EXPECT_EQ(model.inputs[0].getTypeString(), "f32[4x3]");
  EXPECT_EQ(model.workPerRun, 4);
  EXPECT_EQ(model.workSource, "dim 0 of argument 0");
}

TEST_F(ComparisonTest, AgreeingBackendPassesWithSpeedupAndThroughput) {
  FakeBackend cpu("cpu", {});
  FakeBehaviour simulated;
  simulated.latency = 1e-5;
  simulated.provenance = Provenance::Simulated;
  FakeBackend npu("npu:fake", simulated);
  RunReport report = run({&cpu, &npu}, &cpu);
  ASSERT_EQ(report.backends.size(), 2u);
  EXPECT_EQ(report.reference, "cpu");
  EXPECT_EQ(report.baseline, "cpu");
  const BackendRecord &reference = report.backends[0];
  EXPECT_TRUE(reference.isReference);
  EXPECT_FALSE(reference.passed.has_value());
  const BackendRecord &record = report.backends[1];
  ASSERT_TRUE(record.passed.has_value());
  EXPECT_TRUE(*record.passed);
  ASSERT_TRUE(record.outputs[0].check);
  EXPECT_EQ(record.outputs[0].check->maxAbsError, 0);
  ASSERT_TRUE(record.speedup);
  EXPECT_NEAR(*record.speedup, 100, 1e-9);
  ASSERT_TRUE(record.throughput);
  EXPECT_NEAR(record.throughput->value, 4 / 1e-5, 1e-3);
  EXPECT_EQ(record.throughput->provenance, Provenance::Simulated);
  EXPECT_TRUE(report.isSuccess());
  EXPECT_EQ(report.inputs[0].source, "random(seed=0)");
}

TEST_F(ComparisonTest, BrokenBackendIsCaught) {
  FakeBackend cpu("cpu", {});
  FakeBehaviour broken;
  broken.addError = 0.5;
  FakeBackend npu("npu:broken", broken);
  RunReport report = run({&cpu, &npu}, &cpu);
  const BackendRecord &record = report.backends[1];
  ASSERT_TRUE(record.passed.has_value());
  EXPECT_FALSE(*record.passed);
  const TensorCheck &check = *record.outputs[0].check;
  EXPECT_NEAR(check.maxAbsError, 0.5, 1e-6);
  EXPECT_EQ(check.mismatches, 12);
  EXPECT_EQ(check.firstMismatch, 0);
  EXPECT_FALSE(report.isSuccess());
}

TEST_F(ComparisonTest, LayerDumpsFindTheFirstDivergentOp) {
  FakeBackend cpu("cpu", {});
  FakeBehaviour broken;
  broken.addError = 0.5;
  FakeBackend npu("npu:broken", broken);
  ComparisonOptions options;
  options.layerDirectory = directory + "/layers";
  RunReport report = run({&cpu, &npu}, &cpu, options);
  const BackendRecord &reference = report.backends[0];
  EXPECT_EQ(reference.layersDumped, 2u);
  EXPECT_FALSE(reference.divergence);
  const BackendRecord &record = report.backends[1];
  EXPECT_EQ(record.layerDirectory, directory + "/layers/npu-broken");
  ASSERT_TRUE(record.divergence);
  // The mul layer agrees; the add layer is the first to diverge.
  EXPECT_EQ(record.divergence->opIndex, 1u);
  EXPECT_EQ(record.divergence->opName, "arith.addf");
  EXPECT_EQ(record.divergence->location, "\"fake.mlir\":3:5");
  EXPECT_FALSE(record.divergence->check.passed);

  auto dumped = readNpy(directory + "/layers/cpu/0000-arith.mulf-r0.npy");
  ASSERT_TRUE(bool(dumped)) << llvm::toString(dumped.takeError());
  auto inputs = makeInputs(model, options);
  ASSERT_TRUE(bool(inputs));
  EXPECT_DOUBLE_EQ(dumped->getDouble(5), (*inputs)[0].getDouble(5) * 2);
  EXPECT_TRUE(llvm::sys::fs::exists(directory + "/layers/cpu/index.json"));
  EXPECT_TRUE(
      llvm::sys::fs::exists(directory + "/layers/npu-broken/index.json"));
}

TEST_F(ComparisonTest, TimingOnlyBackendIsNotChecked) {
  FakeBackend cpu("cpu", {});
  FakeBehaviour timing;
  timing.timingOnly = true;
  timing.provenance = Provenance::Modeled;
  FakeBackend gpu("cuda:fake", timing);
  RunReport report = run({&cpu, &gpu}, &cpu);
  const BackendRecord &record = report.backends[1];
  EXPECT_FALSE(record.passed.has_value());
  ASSERT_TRUE(record.execution);
  EXPECT_FALSE(record.execution->producedValues);
  EXPECT_FALSE(record.outputs[0].check);
  EXPECT_TRUE(report.isSuccess());
}

TEST_F(ComparisonTest, WithoutCheckingNoBackendComputesValues) {
  FakeBackend cpu("cpu", {});
  FakeBackend npu("npu:fake", {});
  ComparisonOptions options;
  options.checkValues = false;
  RunReport report = run({&cpu, &npu}, &cpu, options);
  EXPECT_TRUE(report.reference.empty());
  for (const BackendRecord &record : report.backends) {
    EXPECT_FALSE(record.isReference);
    EXPECT_FALSE(record.execution->producedValues);
  }
}

TEST_F(ComparisonTest, TimingOnlyRunsOfDataFreeBackendsMakeNoInputs) {
  FakeBehaviour modeled;
  modeled.timesWithoutData = true;
  modeled.provenance = Provenance::Modeled;
  FakeBackend a("cuda:a", modeled), b("npu:b", modeled);
  ComparisonOptions options;
  options.checkValues = false;
  RunReport report = run({&a, &b}, nullptr, options);
  ASSERT_EQ(report.inputs.size(), 1u);
  EXPECT_EQ(report.inputs[0].source, "none (timing only)");
  EXPECT_EQ(a.executions, 1u);
  EXPECT_EQ(report.backends[1].execution->notes[0], "timed without data");

  // A backend that needs data to time (the CPU) brings the inputs back.
  FakeBackend cpu("cpu", {});
  RunReport mixed = run({&cpu, &a}, &cpu, options);
  EXPECT_EQ(mixed.inputs[0].source, "random(seed=0)");
}

TEST_F(ComparisonTest, FailingBackendIsRecordedAndOthersRun) {
  FakeBackend cpu("cpu", {});
  FakeBehaviour failing;
  failing.compileError = "op 'foo.bar' at x.mlir:3:1 is not supported";
  FakeBackend npu("npu:failing", failing);
  FakeBackend other("npu:other", {});
  RunReport report = run({&cpu, &npu, &other}, &cpu);
  ASSERT_EQ(report.backends.size(), 3u);
  EXPECT_EQ(report.backends[1].error, failing.compileError);
  EXPECT_FALSE(report.backends[1].execution);
  EXPECT_TRUE(*report.backends[2].passed);
  EXPECT_FALSE(report.isSuccess());
}

TEST_F(ComparisonTest, FailingReferenceStopsTheComparison) {
  FakeBehaviour failing;
  failing.compileError = "broken";
  FakeBackend cpu("cpu", failing);
  FakeBackend npu("npu:fake", {});
  Backend *backends[] = {&cpu, &npu};
  auto report = runComparison(model, backends, &cpu, {});
  ASSERT_FALSE(bool(report));
  EXPECT_EQ(llvm::toString(report.takeError()),
            "the reference backend cpu failed: broken");
}

TEST_F(ComparisonTest, BaselineMustBeABackend) {
  FakeBackend cpu("cpu", {});
  FakeBackend npu("npu:fake", {});
  ComparisonOptions options;
  options.baseline = "cuda:h100";
  Backend *backends[] = {&cpu, &npu};
  auto report = runComparison(model, backends, &cpu, options);
  ASSERT_FALSE(bool(report));
  EXPECT_EQ(llvm::toString(report.takeError()),
            "baseline 'cuda:h100' is not among the backends (cpu, npu:fake)");

  options.baseline = "npu:fake";
  FakeBehaviour slow;
  slow.latency = 4e-3;
  FakeBackend slowCpu("cpu", slow);
  RunReport chosen = run({&slowCpu, &npu}, &slowCpu, options);
  EXPECT_TRUE(chosen.backends[1].isBaseline);
  EXPECT_NEAR(*chosen.backends[0].speedup, 0.25, 1e-12);
  EXPECT_NEAR(*chosen.backends[1].speedup, 1, 1e-12);
}

TEST_F(ComparisonTest, SeededInputsAreDeterministicAndIndependent) {
  ComparisonOptions options;
  options.seed = 7;
  auto first = makeInputs(model, options), second = makeInputs(model, options);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE((*first)[0].isBitwiseEqual((*second)[0]));
  options.seed = 8;
  auto third = makeInputs(model, options);
  ASSERT_TRUE(bool(third));
  EXPECT_FALSE((*first)[0].isBitwiseEqual((*third)[0]));
  EXPECT_NE(deriveSeed(7, 0), deriveSeed(7, 1));
  EXPECT_NE(deriveSeed(7, 1), deriveSeed(8, 0));
}

TEST_F(ComparisonTest, InputsFromNpyFiles) {
  HostTensor given = HostTensor::random(DType::F32, {4, 3}, 99);
  std::string path = directory + "/x.npy";
  ASSERT_FALSE(bool(writeNpy(path, given)));
  ComparisonOptions options;
  options.inputFiles = {path};
  std::vector<InputRecord> records;
  auto inputs = makeInputs(model, options, &records);
  ASSERT_TRUE(bool(inputs));
  EXPECT_TRUE((*inputs)[0].isBitwiseEqual(given));
  EXPECT_EQ(records[0].source, path);

  std::string wrong = directory + "/wrong.npy";
  ASSERT_FALSE(bool(writeNpy(wrong, HostTensor(DType::F32, {3, 4}))));
  options.inputFiles = {wrong};
  auto mismatch = makeInputs(model, options);
  ASSERT_FALSE(bool(mismatch));
  EXPECT_EQ(llvm::toString(mismatch.takeError()),
            wrong + " holds f32[3x4] but argument 0 of @main is f32[4x3]");
}

TEST_F(ComparisonTest, OutputsAndInputsAreWrittenAsNpy) {
  FakeBackend cpu("cpu", {});
  FakeBackend npu("npu:fake", {});
  ComparisonOptions options;
  options.outputDirectory = directory + "/out";
  RunReport report = run({&cpu, &npu}, &cpu, options);
  EXPECT_EQ(report.backends[1].outputs[0].npyPath,
            directory + "/out/npu-fake/output0.npy");
  auto output = readNpy(directory + "/out/npu-fake/output0.npy");
  auto input = readNpy(directory + "/out/inputs/input0.npy");
  ASSERT_TRUE(output && input);
  EXPECT_FLOAT_EQ(output->getDouble(3), input->getDouble(3) * 2 + 1);
}

} // namespace
