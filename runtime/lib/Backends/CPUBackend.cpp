//===- CPUBackend.cpp - The Eigen CPU reference as a backend --------------===//
//
// Runs the model with the CPU reference executor (gaon/Runtime/Reference),
// timing every op on the host's wall clock (measured). Its roofline is
// measured on the host the first time it is needed: an Eigen GEMM for the
// arithmetic peak and a large copy for the memory bandwidth.
//
//===----------------------------------------------------------------------===//

#include "BackendUtils.h"

#include "gaon/Kernels/Ops.h"
#include "gaon/Runtime/Backends.h"
#include "gaon/Runtime/Model.h"
#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

#include <chrono>
#include <cstring>

using namespace gaon::runtime;
using Clock = std::chrono::steady_clock;

namespace {

/// Seconds since `start`.
double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The best of `runs` timings of `body`.
template <typename Body> double bestOf(unsigned runs, Body body) {
  double best = INFINITY;
  for (unsigned i = 0; i < runs; ++i) {
    Clock::time_point start = Clock::now();
    body();
    best = std::min(best, secondsSince(start));
  }
  return best;
}

/// Measures the host's f32 GEMM rate (the reference's Eigen kernel) and
/// copy bandwidth (read + write).
Roofline measureHostRoofline() {
  Roofline roofline;
  roofline.precision = "f32";
  roofline.provenance = Provenance::Measured;
  constexpr int64_t n = 384;
  HostTensor a = HostTensor::random(DType::F32, {n, n}, 1);
  HostTensor b = HostTensor::random(DType::F32, {n, n}, 2);
  HostTensor c(DType::F32, {n, n});
  double gemm = bestOf(3, [&] {
    llvm::consumeError(gaon::kernels::matmul(a.getView(), false, b.getView(),
                                             false, c.getView(), false));
  });
  roofline.flopsPerSecond = 2.0 * n * n * n / gemm;
  constexpr size_t bytes = size_t(64) << 20;
  std::vector<char> source(bytes, 1), target(bytes);
  double copy =
      bestOf(3, [&] { std::memcpy(target.data(), source.data(), bytes); });
  roofline.bytesPerSecond = 2.0 * bytes / copy;
  roofline.source = "measured on this host: Eigen f32 GEMM 384^3 and a "
                    "64 MiB memcpy, best of 3";
  return roofline;
}

/// Ops that produce no computed value: skipped in the per-op breakdown and
/// the layer dumps.
bool isBookkeeping(mlir::Operation *op) {
  return llvm::isa<mlir::arith::ConstantOp, mlir::tensor::EmptyOp,
                   mlir::func::ReturnOp>(op);
}

class CPUExecutable : public Executable {
public:
  CPUExecutable(std::vector<TensorSpec> inputs, std::vector<TensorSpec> outputs,
                mlir::OwningOpRef<mlir::ModuleOp> module,
                mlir::func::FuncOp function, OpCosts costs)
      : Executable(std::move(inputs), std::move(outputs)),
        module(std::move(module)), function(function), costs(std::move(costs)) {
  }

  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp function;
  OpCosts costs;
};

class CPUBackend : public HostMemoryBackend {
public:
  CPUBackend() : HostMemoryBackend(makeInfo()) {}

  llvm::Expected<std::unique_ptr<Executable>>
  compile(mlir::ModuleOp module, llvm::StringRef entry) override {
    auto lowered = getLoweredEntry(module, entry);
    if (!lowered)
      return lowered.takeError();
    mlir::func::FuncOp function = lowered->entry.function;
    OpCosts costs = analyzeOpCosts(function);
    return std::make_unique<CPUExecutable>(
        std::move(lowered->entry.inputs), std::move(lowered->entry.outputs),
        std::move(lowered->module), function, std::move(costs));
  }

  llvm::Expected<Execution> execute(Executable &executable,
                                    llvm::ArrayRef<DeviceBuffer *> inputs,
                                    llvm::ArrayRef<DeviceBuffer *> outputs,
                                    const ExecuteOptions &options) override {
    auto &cpu = static_cast<CPUExecutable &>(executable);
    if (llvm::Error error = checkBuffers(inputs, cpu.getInputs(), "input"))
      return std::move(error);
    if (llvm::Error error = checkBuffers(outputs, cpu.getOutputs(), "output"))
      return std::move(error);
    if (!roofline)
      roofline = measureHostRoofline();

    llvm::SmallVector<HostTensor> arguments;
    for (DeviceBuffer *buffer : inputs)
      arguments.push_back(getTensor(*buffer));

    // The first run computes the values (and the layers); while runs are
    // short, two more time the model warm and the fastest run is reported.
    auto first = run(cpu, arguments, options.onLayer);
    if (!first)
      return first.takeError();
    Execution execution = std::move(first->execution);
    unsigned runs = 1;
    for (; runs < kMaxRuns && execution.latencySeconds.value < kRepeatBelow;
         ++runs) {
      auto again = run(cpu, arguments, nullptr);
      if (!again)
        return again.takeError();
      if (again->execution.latencySeconds.value <
          execution.latencySeconds.value)
        execution = std::move(again->execution);
    }

    for (auto [buffer, result] : llvm::zip(outputs, first->results))
      getTensor(*buffer) = std::move(result);
    execution.producedValues = true;
    execution.opProvenance = Provenance::Measured;
    execution.roofline = *roofline;
    double total = execution.latencySeconds.value, flops = 0;
    for (const OpRecord &op : execution.ops)
      flops += op.flops;
    if (total > 0 && flops > 0)
      execution.utilization = Figure{flops / total / roofline->flopsPerSecond,
                                     Provenance::Measured};
    execution.notes.push_back(
        "wall clock on this host, fastest of " + std::to_string(runs) +
        (runs == 1 ? " run" : " runs") +
        "; per-op times include the interpreter's overhead");
    return execution;
  }

private:
  /// Runs longer than this are not repeated.
  static constexpr double kRepeatBelow = 1.0;
  static constexpr unsigned kMaxRuns = 3;

  struct Run {
    Execution execution;
    llvm::SmallVector<HostTensor> results;
  };

  /// One timed run of the reference; `onLayer` (if set) gets every
  /// intermediate tensor.
  llvm::Expected<Run>
  run(CPUExecutable &cpu, llvm::ArrayRef<HostTensor> arguments,
      const std::function<llvm::Error(const LayerTensor &)> &onLayer) {
    // Each op's time is the wall clock since the previous op finished, not
    // counting the time spent in this callback (dumps, bookkeeping).
    Run result;
    Execution &execution = result.execution;
    llvm::Error layerError = llvm::Error::success();
    double overhead = 0;
    Clock::time_point start = Clock::now(), last = start;
    reference::ExecuteOptions referenceOptions;
    referenceOptions.onOpExecuted = [&](mlir::Operation *op,
                                        llvm::ArrayRef<HostTensor> results) {
      Clock::time_point done = Clock::now();
      double seconds = std::chrono::duration<double>(done - last).count();
      if (!isBookkeeping(op)) {
        OpRecord record = makeOpRecord(op, cpu.costs, seconds, *roofline);
        if (onLayer && !layerError) {
          for (auto [index, value] : llvm::enumerate(results)) {
            if (!llvm::isa<mlir::TensorType>(op->getResult(index).getType()))
              continue;
            layerError = onLayer(LayerTensor{
                static_cast<unsigned>(execution.ops.size()), record.name,
                record.location, static_cast<unsigned>(index), value});
            if (layerError)
              break;
          }
        }
        execution.ops.push_back(std::move(record));
      }
      last = Clock::now();
      overhead += std::chrono::duration<double>(last - done).count();
    };
    auto results =
        reference::execute(cpu.function, arguments, referenceOptions);
    double total = secondsSince(start) - overhead;
    if (!results) {
      llvm::consumeError(std::move(layerError));
      return results.takeError();
    }
    if (layerError)
      return std::move(layerError);
    execution.latencySeconds = {total, Provenance::Measured};
    result.results = std::move(*results);
    return result;
  }

  static BackendInfo makeInfo() {
    BackendInfo info;
    info.name = "cpu";
    info.device = "host CPU (Eigen reference)";
    info.timing = Provenance::Measured;
    info.computesValues = true;
    info.exposesLayers = true;
    return info;
  }

  std::optional<Roofline> roofline;
};

} // namespace

std::unique_ptr<Backend> gaon::runtime::createCPUBackend() {
  return std::make_unique<CPUBackend>();
}
