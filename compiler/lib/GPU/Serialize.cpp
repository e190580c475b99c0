//===- Serialize.cpp - gpu.module -> cubin, keeping the PTX ---------------===//

#include "gaon/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSwitch.h"

namespace gaon::gpu {
#define GEN_PASS_DEF_GPUSERIALIZE
#include "gaon/GPU/Passes.h.inc"
} // namespace gaon::gpu

using namespace mlir;

namespace {
struct GpuSerializePass
    : public gaon::gpu::impl::GpuSerializeBase<GpuSerializePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<mlir::gpu::CompilationTarget> target =
        llvm::StringSwitch<std::optional<mlir::gpu::CompilationTarget>>(format)
            .Case("bin", mlir::gpu::CompilationTarget::Binary)
            .Case("isa", mlir::gpu::CompilationTarget::Assembly)
            .Case("fatbin", mlir::gpu::CompilationTarget::Fatbin)
            .Default(std::nullopt);
    if (!target) {
      module.emitError() << "unknown GPU object format '" << format
                         << "' (expected bin, isa or fatbin)";
      return signalPassFailure();
    }

    // Modules outlined from kernels have no target yet: they get the
    // module's.
    SmallVector<mlir::gpu::GPUModuleOp> gpuModules;
    for (auto gpuModule : module.getOps<mlir::gpu::GPUModuleOp>()) {
      if (!gpuModule.getTargetsAttr() || gpuModule.getTargetsAttr().empty()) {
        Attribute moduleTarget = module->getAttr(gaon::gpu::kTargetAttrName);
        if (!moduleTarget) {
          gpuModule.emitError()
              << "gpu.module has no target and the module has no '"
              << gaon::gpu::kTargetAttrName << "' attribute";
          return signalPassFailure();
        }
        gpuModule.setTargetsAttr(ArrayAttr::get(&getContext(), {moduleTarget}));
      }
      if (gpuModule.getTargetsAttr().size() != 1) {
        gpuModule.emitError() << "expected exactly one target per gpu.module";
        return signalPassFailure();
      }
      gpuModules.push_back(gpuModule);
    }
    SmallVector<std::string> names;
    for (auto gpuModule : gpuModules)
      names.push_back(gpuModule.getSymName().str());

    // Serialisation visits the modules in order, one target each, and hands
    // each module's PTX to the callback before assembling it.
    SmallVector<std::string> ptx;
    auto isaCallback = [&](StringRef isa) { ptx.push_back(isa.str()); };
    std::string toolkit = toolkitPath.empty()
                              ? gaon::gpu::getDefaultCudaToolkitPath().str()
                              : toolkitPath.getValue();
    mlir::gpu::TargetOptions options(
        toolkit, /*librariesToLink=*/{}, /*cmdOptions=*/"",
        /*elfSection=*/"", *target, /*getSymbolTableCallback=*/{},
        /*initialLlvmIRCallback=*/{}, /*linkedLlvmIRCallback=*/{},
        /*optimizedLlvmIRCallback=*/{}, isaCallback);
    if (failed(
            mlir::gpu::transformGpuModulesToBinaries(module, nullptr, options)))
      return signalPassFailure();
    numModules += gpuModules.size();

    if (!keepPtx)
      return;
    if (ptx.size() != names.size()) {
      module.emitError() << "expected the PTX of " << names.size()
                         << " modules, got " << ptx.size();
      return signalPassFailure();
    }
    for (auto [name, text] : llvm::zip_equal(names, ptx)) {
      auto binary = module.lookupSymbol<mlir::gpu::BinaryOp>(name);
      if (!binary)
        continue;
      SmallVector<Attribute> objects;
      for (auto object :
           binary.getObjectsAttr().getAsRange<mlir::gpu::ObjectAttr>()) {
        NamedAttrList properties(object.getProperties());
        properties.set(gaon::gpu::kPtxPropertyName,
                       StringAttr::get(&getContext(), text));
        objects.push_back(mlir::gpu::ObjectAttr::get(
            &getContext(), object.getTarget(), object.getFormat(),
            object.getObject(), properties.getDictionary(&getContext()),
            object.getKernels()));
      }
      binary.setObjectsAttr(ArrayAttr::get(&getContext(), objects));
    }
  }
};
} // namespace
