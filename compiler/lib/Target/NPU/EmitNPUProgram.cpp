//===- EmitNPUProgram.cpp - write the NPU program of a function -----------===//

#include "gaon/Target/NPU/Passes.h"

#include "gaon/Sim/ProgramIO.h"
#include "gaon/Target/NPU/Serialize.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace gaon::npu {
#define GEN_PASS_DEF_EMITNPUPROGRAMPASS
#include "gaon/Target/NPU/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

struct EmitNPUProgramPass
    : gaon::npu::impl::EmitNPUProgramPassBase<EmitNPUProgramPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp func;
    for (auto candidate : module.getOps<func::FuncOp>()) {
      if (candidate.isExternal())
        continue;
      if (!function.empty() && candidate.getSymName() != function)
        continue;
      if (func) {
        module.emitError() << "several functions to serialise; pick one "
                              "with function=<name>";
        return signalPassFailure();
      }
      func = candidate;
    }
    if (!func) {
      module.emitError() << "no function "
                         << (function.empty() ? "" : "'" + function + "' ")
                         << "to serialise";
      return signalPassFailure();
    }
    FailureOr<CompiledProgram> compiled = serializeFunction(func);
    if (failed(compiled))
      return signalPassFailure();
    std::string message;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(output, &message);
    if (!file) {
      module.emitError() << "cannot open '" << output << "': " << message;
      return signalPassFailure();
    }
    if (binary)
      gaon::sim::writeProgramBinary(compiled->program, file->os());
    else
      gaon::sim::printProgramText(compiled->program, file->os());
    file->keep();
    numCommands += compiled->program.commands.size();
    numBuffers += compiled->program.buffers.size();
  }
};

} // namespace
