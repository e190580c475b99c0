//===- MapKernels.cpp - emit the gpu.launch of every kernel function ------===//

#include "gaon/GPU/Passes.h"

#include "Emitters.h"
#include "KernelAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace gaon::gpu {
#define GEN_PASS_DEF_GPUMAPKERNELS
#include "gaon/GPU/Passes.h.inc"
} // namespace gaon::gpu

using namespace mlir;
using gaon::gpu::EmitStatus;
using gaon::gpu::KernelKind;

namespace {

/// Streaming multiprocessors of the reference chip of each target: A100
/// for sm_80, H100 SXM for sm_90a.
static int64_t getReferenceSMCount(StringRef chip) {
  return chip == "sm_90a" ? 132 : 108;
}

struct GpuMapKernelsPass
    : public gaon::gpu::impl::GpuMapKernelsBase<GpuMapKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto target =
        module->getAttrOfType<NVVM::NVVMTargetAttr>(gaon::gpu::kTargetAttrName);
    if (!target) {
      module.emitError() << "module has no '" << gaon::gpu::kTargetAttrName
                         << "' #nvvm.target (run gaon-gpu-attach-target)";
      return signalPassFailure();
    }
    gaon::gpu::EmitOptions options;
    options.chip = target.getChip().str();
    options.allowTf32 = allowTf32;
    options.stages = stages;
    options.numSMs = getReferenceSMCount(options.chip);
    if (options.chip != "sm_80" && options.chip != "sm_90a") {
      module.emitError() << "unsupported GPU chip '" << options.chip
                         << "' (expected sm_80 or sm_90a)";
      return signalPassFailure();
    }
    if (stages < 0 || stages == 1 || stages > 8) {
      module.emitError() << "stages must be 0 (automatic) or 2..8, got "
                         << stages;
      return signalPassFailure();
    }

    SmallVector<func::FuncOp> kernels;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr(gaon::gpu::kKernelKindAttrName))
        kernels.push_back(func);
    for (func::FuncOp kernel : kernels)
      if (failed(mapKernel(kernel, options)))
        return signalPassFailure();
    if (!kernels.empty())
      module->setAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                      UnitAttr::get(&getContext()));
  }

  LogicalResult mapKernel(func::FuncOp kernel,
                          const gaon::gpu::EmitOptions &options) {
    auto kindAttr =
        kernel->getAttrOfType<StringAttr>(gaon::gpu::kKernelKindAttrName);
    std::optional<KernelKind> kind =
        kindAttr ? gaon::gpu::parseKernelKind(kindAttr.getValue())
                 : std::nullopt;
    if (!kind)
      return kernel.emitError()
             << "unknown GPU kernel kind "
             << kernel->getAttr(gaon::gpu::kKernelKindAttrName);
    for (BlockArgument arg : kernel.getArguments())
      if (!isa<MemRefType>(arg.getType()))
        return kernel.emitError("GPU kernel functions must be bufferised "
                                "before gaon-gpu-map-kernels, got argument ")
               << arg.getType();

    switch (*kind) {
    case KernelKind::Contraction: {
      std::string whyNot;
      if (options.isHopper()) {
        FailureOr<EmitStatus> status =
            gaon::gpu::emitWgmmaKernel(kernel, options, whyNot);
        if (failed(status))
          return failure();
        if (*status == EmitStatus::Emitted) {
          ++numWgmma;
          return success();
        }
      }
      std::string mmaWhyNot;
      FailureOr<EmitStatus> status =
          gaon::gpu::emitMmaSyncKernel(kernel, options, mmaWhyNot);
      if (failed(status))
        return failure();
      if (*status == EmitStatus::Emitted) {
        if (!whyNot.empty())
          mlir::emitRemark(kernel.getLoc()) << "wgmma not used (" << whyNot
                                            << "); using mma.sync tensor cores";
        ++numMmaSync;
        return success();
      }
      mlir::emitRemark(kernel.getLoc())
          << "contraction runs without tensor cores: " << mmaWhyNot;
      ++numFallbacks;
      ++numLoop;
      return gaon::gpu::emitLoopKernels(kernel, options);
    }
    case KernelKind::Reduction:
      ++numReduction;
      return gaon::gpu::emitReductionKernel(kernel, options);
    case KernelKind::Loop:
      ++numLoop;
      return gaon::gpu::emitLoopKernels(kernel, options);
    }
    llvm_unreachable("unknown kernel kind");
  }
};
} // namespace
