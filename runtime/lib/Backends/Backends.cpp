//===- Backends.cpp - Creating backends from their names ------------------===//

#include "gaon/Runtime/Backends.h"

using namespace gaon::runtime;

std::string gaon::runtime::getBackendSpecHelp() {
  return "Backends (--backends):\n"
         "  cpu               the Eigen CPU reference, measured on this host\n"
         "  npu:<chip>        the NPU compiler + simulator on a chip preset\n"
         "                    (rngd, warboy, atom, rebel-quad, x220,\n"
         "                    systolic-32x32) or a chip-description YAML file\n"
         "  cuda:<gpu>        an NVIDIA GPU (a100, h100, h200, l40s): run "
         "where a\n"
         "                    driver and GPU are present, else modeled by the\n"
         "                    GPU performance model\n";
}

llvm::Expected<std::unique_ptr<Backend>>
gaon::runtime::createBackend(llvm::StringRef spec,
                             const BackendOptions &options) {
  if (spec == "cpu")
    return createCPUBackend();
  if (spec.consume_front("npu:"))
    return createNPUBackend(spec, options);
  if (spec.consume_front("cuda:"))
    return createCUDABackend(spec, options);
  return llvm::createStringError("unknown backend '" + spec.str() + "'\n" +
                                 getBackendSpecHelp());
}
