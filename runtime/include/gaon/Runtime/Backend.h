//===- Backend.h - The runtime's backend interface --------------*- C++ -*-===//
//
// One small interface in the style of IREE's HAL and the CUDA driver API:
// a backend allocates device buffers, copies tensors to and from them,
// compiles (and loads) a model into an executable, and executes it, timing
// the run. Every figure it returns carries its provenance (Execution.h).
// Backends know nothing of comparison: runComparison (Comparison.h) drives
// any Backend through this interface alone.
//
// Errors are llvm::Error values with a message the user can act on; no
// backend exits or asserts on bad input.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_BACKEND_H
#define GAON_RUNTIME_BACKEND_H

#include "gaon/Runtime/Execution.h"
#include "gaon/Runtime/HostTensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace gaon::runtime {

/// What a backend is, for reports.
struct BackendInfo {
  /// The spec it was created from: "cpu", "npu:rngd", "cuda:h100".
  std::string name;
  /// The device in words: "FuriosaAI RNGD (NPU simulator)".
  std::string device;
  /// Provenance of the times it reports.
  Provenance timing = Provenance::Modeled;
  /// True if execute() can compute output values.
  bool computesValues = false;
  /// True if execute() can hand out intermediate tensors
  /// (ExecuteOptions::onLayer).
  bool exposesLayers = false;
  /// True if execute() times the model without data when values are not
  /// asked for (it then takes empty input and output lists), so a caller
  /// need not materialise the inputs of a large model.
  bool timesWithoutData = false;
  /// What the user should know about how it runs ("no CUDA driver found
  /// (libcuda.so.1): reporting modeled H100 figures").
  std::vector<std::string> notes;
};

/// Memory on a backend's device holding one tensor. Made by
/// Backend::allocate and only valid with the backend that made it.
class DeviceBuffer {
public:
  explicit DeviceBuffer(TensorSpec spec) : spec(std::move(spec)) {}
  virtual ~DeviceBuffer();
  const TensorSpec &getSpec() const { return spec; }

private:
  TensorSpec spec;
};

/// A model compiled for, and loaded onto, one backend.
class Executable {
public:
  Executable(std::vector<TensorSpec> inputs, std::vector<TensorSpec> outputs)
      : inputs(std::move(inputs)), outputs(std::move(outputs)) {}
  virtual ~Executable();
  llvm::ArrayRef<TensorSpec> getInputs() const { return inputs; }
  llvm::ArrayRef<TensorSpec> getOutputs() const { return outputs; }

private:
  std::vector<TensorSpec> inputs, outputs;
};

/// One intermediate tensor of an execution.
struct LayerTensor {
  /// Position of the producing op in execution order (0-based).
  unsigned opIndex = 0;
  /// The producing op's name and MLIR location, as the input IR has them.
  llvm::StringRef opName;
  llvm::StringRef location;
  unsigned resultIndex = 0;
  const HostTensor &value;
};

struct ExecuteOptions {
  /// Compute output values. Without it a backend may run timing only (the
  /// NPU simulator's timing mode), leaving the output buffers untouched;
  /// one with BackendInfo::timesWithoutData then takes empty buffer lists.
  bool computeValues = true;
  /// Called with every intermediate tensor the backend can expose, in
  /// execution order; an error it returns stops the execution.
  std::function<llvm::Error(const LayerTensor &)> onLayer;
  /// Progress of a long execution, 0..1.
  std::function<void(double fraction)> onProgress;
};

class Backend {
public:
  virtual ~Backend();
  const BackendInfo &getInfo() const { return info; }

  /// Compiles function `entry` of `module` for this backend and loads it.
  /// The module is not modified.
  virtual llvm::Expected<std::unique_ptr<Executable>>
  compile(mlir::ModuleOp module, llvm::StringRef entry) = 0;

  virtual llvm::Expected<std::unique_ptr<DeviceBuffer>>
  allocate(const TensorSpec &spec) = 0;
  /// Copies `source` (of the buffer's dtype and shape) into `target`.
  virtual llvm::Error upload(const HostTensor &source,
                             DeviceBuffer &target) = 0;
  virtual llvm::Expected<HostTensor> download(const DeviceBuffer &source) = 0;

  /// Runs `executable` once with `inputs`, writing `outputs` when it
  /// computes values (Execution::producedValues), and returns the figures
  /// of the run.
  virtual llvm::Expected<Execution>
  execute(Executable &executable, llvm::ArrayRef<DeviceBuffer *> inputs,
          llvm::ArrayRef<DeviceBuffer *> outputs,
          const ExecuteOptions &options) = 0;

protected:
  explicit Backend(BackendInfo info) : info(std::move(info)) {}
  BackendInfo info;
};

/// Runs `executable` once on `backend` with values: allocates and uploads
/// `inputs`, executes, downloads the outputs. An error when the backend
/// computes no values.
llvm::Expected<std::vector<HostTensor>> runOnce(Backend &backend,
                                                Executable &executable,
                                                llvm::ArrayRef<HostTensor> inputs);

/// A buffer in host memory: the device memory of backends that run on the
/// host (the CPU reference, the NPU simulator, the GPU model).
class HostBuffer : public DeviceBuffer {
public:
  explicit HostBuffer(const TensorSpec &spec)
      : DeviceBuffer(spec), tensor(spec.dtype, spec.shape) {}
  HostTensor &getTensor() { return tensor; }
  const HostTensor &getTensor() const { return tensor; }

private:
  HostTensor tensor;
};

/// A backend whose device memory is host memory (HostBuffer).
class HostMemoryBackend : public Backend {
public:
  llvm::Expected<std::unique_ptr<DeviceBuffer>>
  allocate(const TensorSpec &spec) override;
  llvm::Error upload(const HostTensor &source, DeviceBuffer &target) override;
  llvm::Expected<HostTensor> download(const DeviceBuffer &source) override;

protected:
  using Backend::Backend;
  /// The host tensor behind `buffer`, which must be a HostBuffer.
  static HostTensor &getTensor(DeviceBuffer &buffer);
};

/// Checks that `buffers` match `specs` in count, dtype and shape; `what`
/// ("input", "output") names them in the error.
llvm::Error checkBuffers(llvm::ArrayRef<DeviceBuffer *> buffers,
                         llvm::ArrayRef<TensorSpec> specs,
                         llvm::StringRef what);

} // namespace gaon::runtime

#endif // GAON_RUNTIME_BACKEND_H
