//===- AttachTarget.cpp - record the GPU a module compiles for ------------===//

#include "gaon/GPU/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace gaon::gpu {
#define GEN_PASS_DEF_GPUATTACHTARGET
#include "gaon/GPU/Passes.h.inc"
} // namespace gaon::gpu

using namespace mlir;

namespace {
struct GpuAttachTargetPass
    : public gaon::gpu::impl::GpuAttachTargetBase<GpuAttachTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::pair<std::string, std::string>> resolved =
        gaon::gpu::resolveCudaChip(chip);
    if (failed(resolved)) {
      module.emitError() << "unsupported GPU chip '" << chip
                         << "' (expected sm_80 or sm_90)";
      return signalPassFailure();
    }
    auto target = NVVM::NVVMTargetAttr::get(module.getContext(), optLevel,
                                            "nvptx64-nvidia-cuda",
                                            resolved->first, resolved->second);
    module->setAttr(gaon::gpu::kTargetAttrName, target);
  }
};
} // namespace
