//===- PlanExecutor.h - Load and launch a launch plan on a GPU --*- C++ -*-===//
//
// A LoadedPlan is a LaunchPlan made resident on a Device: modules loaded,
// kernels resolved, every buffer allocated, weights uploaded, kernel
// parameters marshalled. It runs the plan, reads outputs back, and times each
// launch with CUDA events (measured figures).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_CUDA_PLANEXECUTOR_H
#define GAON_RUNTIME_CUDA_PLANEXECUTOR_H

#include "gaon/Runtime/CUDA/Device.h"
#include "gaon/Runtime/CUDA/LaunchPlan.h"

#include <memory>
#include <vector>

namespace gaon::runtime::cuda {

/// Event-timed figures for a plan, averaged over `iterations` runs.
struct PlanTiming {
  unsigned iterations = 0;
  /// Per launch: from the event recorded before it to the one after it.
  std::vector<double> launchMilliseconds;
  /// From before the first launch to after the last.
  double totalMilliseconds = 0;
};

class LoadedPlan {
public:
  /// Loads `plan` onto `device`. Both must outlive the LoadedPlan. Every
  /// buffer starts zero-filled; weights hold their data.
  static llvm::Expected<std::unique_ptr<LoadedPlan>>
  load(Device &device, const LaunchPlan &plan);
  ~LoadedPlan();
  LoadedPlan(const LoadedPlan &) = delete;
  LoadedPlan &operator=(const LoadedPlan &) = delete;

  const LaunchPlan &getPlan() const { return plan; }
  DevicePtr getBufferAddress(unsigned buffer) const { return buffers[buffer]; }
  /// Registers per thread of each launch's kernel, as the driver reports.
  const std::vector<int> &getRegistersPerThread() const { return registers; }

  /// Copies the bytes of input `index` (its shape's bytes exactly).
  llvm::Error setInput(unsigned index, llvm::ArrayRef<uint8_t> bytes);
  /// Zero-fills outputs and temporaries, runs every launch in order and
  /// waits. With `synchronizeEachLaunch`, waits after each launch so that a
  /// fault is attributed to the launch that caused it.
  llvm::Error run(bool synchronizeEachLaunch = false);
  /// Reads back output `index` (its shape's bytes).
  llvm::Expected<std::vector<uint8_t>> getOutput(unsigned index);
  /// Runs the plan `warmupRuns` times untimed, then `timedRuns` times with an
  /// event before the first launch and after every launch.
  llvm::Expected<PlanTiming> time(unsigned warmupRuns, unsigned timedRuns);

private:
  LoadedPlan(Device &device, const LaunchPlan &plan)
      : device(device), plan(plan) {}
  llvm::Error initialize();
  llvm::Error resetOutputsAndTemporaries();
  llvm::Error launch(unsigned id);
  std::string describeBuffer(unsigned id) const;

  Device &device;
  const LaunchPlan &plan;
  std::vector<ModuleHandle> modules;
  std::vector<DevicePtr> buffers;
  /// Encoded tensor maps of TMA arguments, in device memory.
  std::vector<DevicePtr> tensorMaps;
  std::vector<FunctionHandle> functions;
  std::vector<int> registers;
  /// Per launch, one 8-byte slot per kernel parameter, and pointers to them.
  std::vector<std::vector<uint64_t>> parameterValues;
  std::vector<std::vector<void *>> parameterPointers;
};

} // namespace gaon::runtime::cuda

#endif // GAON_RUNTIME_CUDA_PLANEXECUTOR_H
