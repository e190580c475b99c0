//===- SetNPUTarget.cpp - attach a simulator chip as #npu.target ----------===//

#include "gaon/Target/NPU/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUDialect.h"
#include "gaon/Target/NPU/Target.h"

namespace gaon::npu {
#define GEN_PASS_DEF_SETNPUTARGETPASS
#include "gaon/Target/NPU/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

struct SetNPUTargetPass
    : gaon::npu::impl::SetNPUTargetPassBase<SetNPUTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (target.empty()) {
      module.emitError() << "gaon-set-npu-target needs target=<preset or "
                            "YAML file>";
      return signalPassFailure();
    }
    SmallVector<std::string> edits(overrides.begin(), overrides.end());
    llvm::Expected<TargetAttr> attr =
        loadTargetAttr(&getContext(), target, edits);
    if (!attr) {
      module.emitError() << "cannot load NPU target '" << target
                         << "': " << llvm::toString(attr.takeError());
      return signalPassFailure();
    }
    module->setAttr(NPUDialect::kTargetAttrName, *attr);
  }
};

} // namespace
