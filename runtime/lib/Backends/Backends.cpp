//===- Backends.cpp - Creating backends from their names ------------------===//

#include "gaon/Runtime/Backends.h"

using namespace gaon::runtime;

std::string gaon::runtime::getBackendSpecHelp() {
  return "Backends (--backends):\n"
         "  cpu               the Eigen CPU reference, measured on this host\n";
}

llvm::Expected<std::unique_ptr<Backend>>
gaon::runtime::createBackend(llvm::StringRef spec,
                             const BackendOptions &options) {
  if (spec == "cpu")
    return createCPUBackend();
  return llvm::createStringError("unknown backend '" + spec.str() + "'\n" +
                                 getBackendSpecHelp());
}
