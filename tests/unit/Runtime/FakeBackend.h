//===- FakeBackend.h - A backend for testing the comparison ---*- C++ -*-===//
//
// A host-memory backend that computes y = x * scale + offset on the single
// input, as two "ops" (mul, then add) it exposes as layers, with fixed
// figures of a chosen provenance. Knobs make it wrong, timing-only or
// failing, so tests can drive runComparison through every path.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_TESTS_UNIT_RUNTIME_FAKEBACKEND_H
#define GAON_TESTS_UNIT_RUNTIME_FAKEBACKEND_H

#include "gaon/Runtime/Backend.h"
#include "gaon/Runtime/Model.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace gaon::runtime::testing {

struct FakeBehaviour {
  double scale = 2;
  double offset = 1;
  /// Added to the result of the add op only (a broken second layer).
  double addError = 0;
  /// Run timing only: no values.
  bool timingOnly = false;
  /// Times without data (BackendInfo::timesWithoutData).
  bool timesWithoutData = false;
  /// Fail to compile with this message.
  std::string compileError;
  double latency = 1e-3;
  Provenance provenance = Provenance::Measured;
  std::optional<double> energy;
  Roofline roofline;
};

class FakeBackend : public HostMemoryBackend {
public:
  FakeBackend(std::string name, FakeBehaviour behaviour)
      : HostMemoryBackend(makeInfo(std::move(name), behaviour)),
        behaviour(std::move(behaviour)) {}

  llvm::Expected<std::unique_ptr<Executable>>
  compile(mlir::ModuleOp module, llvm::StringRef entry) override {
    if (!behaviour.compileError.empty())
      return llvm::createStringError(behaviour.compileError);
    auto function = findEntry(module, entry);
    if (!function)
      return function.takeError();
    auto inputs = getTensorSpecs(function->getArgumentTypes(), "argument");
    auto outputs = getTensorSpecs(function->getResultTypes(), "result");
    if (!inputs || !outputs)
      return llvm::joinErrors(inputs.takeError(), outputs.takeError());
    return std::make_unique<Executable>(std::move(*inputs),
                                        std::move(*outputs));
  }

  llvm::Expected<Execution> execute(Executable &executable,
                                    llvm::ArrayRef<DeviceBuffer *> inputs,
                                    llvm::ArrayRef<DeviceBuffer *> outputs,
                                    const ExecuteOptions &options) override {
    ++executions;
    Execution execution;
    if (inputs.empty() && outputs.empty() && behaviour.timesWithoutData &&
        !options.computeValues) {
      execution.latencySeconds = {behaviour.latency, behaviour.provenance};
      execution.notes.push_back("timed without data");
      return execution;
    }
    if (llvm::Error error =
            checkBuffers(inputs, executable.getInputs(), "input"))
      return std::move(error);
    if (llvm::Error error =
            checkBuffers(outputs, executable.getOutputs(), "output"))
      return std::move(error);
    execution.latencySeconds = {behaviour.latency, behaviour.provenance};
    execution.opProvenance = behaviour.provenance;
    execution.roofline = behaviour.roofline;
    if (behaviour.energy)
      execution.energyJoules = Figure{*behaviour.energy, Provenance::Modeled};
    execution.utilization = Figure{0.5, behaviour.provenance};
    const HostTensor &input = getTensor(*inputs[0]);
    double flops = input.getNumElements(), bytes = 2.0 * input.getSizeInBytes();
    for (llvm::StringRef name : {"arith.mulf", "arith.addf"}) {
      OpRecord op;
      op.name = name.str();
      op.location =
          "\"fake.mlir\":" + std::to_string(execution.ops.size() + 2) + ":5";
      op.seconds = behaviour.latency / 2;
      op.flops = flops;
      op.bytes = bytes;
      if (behaviour.roofline.isKnown()) {
        op.rooflineSeconds = behaviour.roofline.getBoundSeconds(flops, bytes);
        op.bound = behaviour.roofline.getBound(flops, bytes);
      }
      execution.ops.push_back(op);
    }
    if (behaviour.timingOnly || !options.computeValues) {
      execution.notes.push_back("timing only");
      return execution;
    }
    HostTensor product = input, sum = input;
    for (int64_t i = 0; i < input.getNumElements(); ++i) {
      product.setDouble(i, input.getDouble(i) * behaviour.scale);
      sum.setDouble(i, product.getDouble(i) + behaviour.offset +
                           behaviour.addError);
    }
    if (options.onLayer) {
      const HostTensor *layers[] = {&product, &sum};
      for (unsigned index = 0; index < 2; ++index) {
        const OpRecord &op = execution.ops[index];
        if (llvm::Error error = options.onLayer(
                LayerTensor{index, op.name, op.location, 0, *layers[index]}))
          return std::move(error);
      }
    }
    getTensor(*outputs[0]) = sum;
    execution.producedValues = true;
    return execution;
  }

  unsigned executions = 0;

private:
  static BackendInfo makeInfo(std::string name,
                              const FakeBehaviour &behaviour) {
    BackendInfo info;
    info.name = std::move(name);
    info.device = "fake device";
    info.timing = behaviour.provenance;
    info.computesValues = !behaviour.timingOnly;
    info.exposesLayers = true;
    info.timesWithoutData = behaviour.timesWithoutData;
    return info;
  }

  FakeBehaviour behaviour;
};

} // namespace gaon::runtime::testing

#endif // GAON_TESTS_UNIT_RUNTIME_FAKEBACKEND_H
