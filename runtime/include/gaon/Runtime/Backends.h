//===- Backends.h - Creating backends from their names ----------*- C++ -*-===//
//
// The backends gaon-run knows, by spec:
//
//   cpu                 the Eigen CPU reference (measured on this host)
//   npu:<preset>        the NPU pipeline + simulator on a chip preset
//   npu:<file.yaml>     ... or on a chip description file
//   cuda:<gpu>          the CUDA backend: real (measured) where a driver and
//                       GPU are present, else the GPU performance model
//                       (modeled); <gpu> is a100, h100, h200 or l40s
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_BACKENDS_H
#define GAON_RUNTIME_BACKENDS_H

#include "gaon/Runtime/Backend.h"

#include <functional>
#include <string>
#include <vector>

namespace gaon::sim {
class Program;
} // namespace gaon::sim

namespace gaon::runtime {

struct BackendOptions {
  /// Chip-description overrides for npu backends ("dram.bandwidth=1e12"),
  /// as gaon-sim's --set takes them.
  std::vector<std::string> chipOverrides;
  /// Use the GPU performance model even where a CUDA driver is present.
  bool modelCuda = false;
  /// Called with every NPU program right after it is compiled, before it
  /// runs: to inspect it, or to change it (tests break programs on purpose
  /// to check that the numeric check catches them). An error fails the
  /// compile.
  std::function<llvm::Error(sim::Program &)> editNPUProgram;
};

/// Creates the backend `spec` names; the error lists the valid specs.
llvm::Expected<std::unique_ptr<Backend>>
createBackend(llvm::StringRef spec, const BackendOptions &options = {});

/// The specs createBackend accepts, for help texts.
std::string getBackendSpecHelp();

// Each backend kind, for callers that construct one directly.
std::unique_ptr<Backend> createCPUBackend();
/// npu:<chip>; `chip` is a preset name or a chip-description YAML file.
llvm::Expected<std::unique_ptr<Backend>>
createNPUBackend(llvm::StringRef chip, const BackendOptions &options);
/// cuda:<gpu>; `gpu` is a GPU model preset (a100, h100, h200, l40s).
llvm::Expected<std::unique_ptr<Backend>>
createCUDABackend(llvm::StringRef gpu, const BackendOptions &options);

} // namespace gaon::runtime

#endif // GAON_RUNTIME_BACKENDS_H
