//===- NPUTestHarness.cpp - compile, simulate, compare --------------------===//

#include "NPUTestHarness.h"

#include "gaon/InitAll.h"
#include "gaon/Runtime/Reference/Executor.h"
#include "gaon/Sim/Simulator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace gaon;

sim::ChipConfig gaon::testing::getTestChip(llvm::ArrayRef<std::string> extra) {
  std::vector<std::string> overrides = {"cores=2", "core.sram.bytes=262144",
                                        "core.dma.startup_cycles=20"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  llvm::Expected<sim::ChipConfig> chip =
      sim::loadChipConfig("systolic-32x32", overrides);
  if (!chip) {
    llvm::errs() << llvm::toString(chip.takeError()) << "\n";
    std::abort();
  }
  return *chip;
}

/// The kernels' dtype of an MLIR element type.
static std::optional<kernels::DType> getDType(Type type) {
  std::string name;
  llvm::raw_string_ostream os(name);
  os << type;
  return kernels::parseDType(name);
}

testing::Comparison testing::compileAndCompare(llvm::StringRef source,
                                               const CheckOptions &options) {
  Comparison result;
  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << "\n";
    for (Diagnostic &note : diag.getNotes())
      os << "  note: " << note << "\n";
    return success();
  });

  OwningOpRef<ModuleOp> compiled = parseSourceString<ModuleOp>(source, &context);
  OwningOpRef<ModuleOp> reference =
      parseSourceString<ModuleOp>(source, &context);
  if (!compiled || !reference) {
    result.failure = "parse error: " + diagnostics;
    return result;
  }
  func::FuncOp referenceFunc = *reference->getOps<func::FuncOp>().begin();

  sim::ChipConfig chip = options.chip ? *options.chip : getTestChip();
  FailureOr<npu::CompiledProgram> program =
      compileForNPU(*compiled, chip, options.pipeline);
  if (failed(program)) {
    result.failure = "compilation failed: " + diagnostics;
    return result;
  }

  // Inputs, seeded per argument.
  std::vector<runtime::HostTensor> inputs;
  for (auto [index, type] :
       llvm::enumerate(referenceFunc.getFunctionType().getInputs())) {
    auto tensor = cast<RankedTensorType>(type);
    std::optional<kernels::DType> dtype = getDType(tensor.getElementType());
    if (!dtype) {
      result.failure = "unsupported input type";
      return result;
    }
    std::optional<runtime::RandomRange> range;
    if (index < options.ranges.size())
      range = options.ranges[index];
    inputs.push_back(range ? runtime::HostTensor::random(
                                 *dtype, tensor.getShape(), index + 1, *range)
                           : runtime::HostTensor::random(
                                 *dtype, tensor.getShape(), index + 1));
  }

  llvm::Expected<llvm::SmallVector<runtime::HostTensor>> expected =
      runtime::reference::execute(referenceFunc, inputs);
  if (!expected) {
    result.failure =
        "reference failed: " + llvm::toString(expected.takeError());
    return result;
  }

  sim::SimOptions simOptions;
  simOptions.functional = true;
  sim::Simulator simulator(program->program, chip, simOptions);
  for (auto [id, input] : llvm::zip(program->inputs, inputs)) {
    llvm::MutableArrayRef<uint8_t> bytes = simulator.getBufferData(id);
    if (int64_t(bytes.size()) != input.getSizeInBytes()) {
      result.failure = "input buffer size mismatch";
      return result;
    }
    std::memcpy(bytes.data(), input.getData(), bytes.size());
  }
  llvm::Expected<sim::Report> report = simulator.run();
  if (!report) {
    result.failure = "simulation failed: " + llvm::toString(report.takeError());
    return result;
  }

  if (program->outputs.size() != expected->size()) {
    result.failure = "output count mismatch";
    return result;
  }
  for (auto [id, reference] : llvm::zip(program->outputs, *expected)) {
    runtime::HostTensor actual(reference.getDType(), reference.getShape());
    llvm::MutableArrayRef<uint8_t> bytes = simulator.getBufferData(id);
    if (int64_t(bytes.size()) != actual.getSizeInBytes()) {
      result.failure = "output buffer size mismatch";
      return result;
    }
    std::memcpy(actual.getData(), bytes.data(), bytes.size());
    std::vector<double> want = reference.toDoubles(), got = actual.toDoubles();
    double scale = 1.0;
    for (double v : want)
      scale = std::max(scale, std::fabs(v));
    for (size_t i = 0; i < want.size(); ++i) {
      double error = std::fabs(want[i] - got[i]);
      if (std::isnan(got[i]) != std::isnan(want[i]))
        error = INFINITY;
      result.maxAbsError = std::max(result.maxAbsError, error);
    }
    result.maxRelError = std::max(result.maxRelError, result.maxAbsError / scale);
  }
  if (result.maxRelError > options.tolerance)
    result.failure = "relative error " + std::to_string(result.maxRelError) +
                     " exceeds " + std::to_string(options.tolerance);
  return result;
}
