//===- Pipeline.cpp - gaon-cuda-pipeline ----------------------------------===//
//
// Graph-level linalg on tensors -> fused kernel functions -> bufferised ->
// one gpu.launch per kernel -> outlined gpu.modules lowered to nvvm -> cubin.
//
//===----------------------------------------------------------------------===//

#include "gaon/GPU/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace gaon::gpu {
#define GEN_PASS_REGISTRATION
#include "gaon/GPU/Passes.h.inc"
} // namespace gaon::gpu

FailureOr<std::pair<std::string, std::string>>
gaon::gpu::resolveCudaChip(llvm::StringRef chip) {
  if (chip == "sm_80")
    return std::make_pair(std::string("sm_80"), std::string("+ptx70"));
  if (chip == "sm_90" || chip == "sm_90a")
    return std::make_pair(std::string("sm_90a"), std::string("+ptx80"));
  return failure();
}

llvm::StringRef gaon::gpu::getDefaultCudaToolkitPath() {
#ifdef GAON_CUDA_TOOLKIT_ROOT
  return GAON_CUDA_TOOLKIT_ROOT;
#else
  return "";
#endif
}

LogicalResult gaon::gpu::buildCudaPipeline(OpPassManager &pm,
                                           const CudaPipelineOptions &options) {
  if (failed(resolveCudaChip(options.chip)))
    return failure();

  // Graph level: target, normalisation, kernel formation.
  GpuAttachTargetOptions targetOptions;
  targetOptions.chip = options.chip;
  targetOptions.optLevel = options.optLevel;
  pm.addPass(createGpuAttachTarget(targetOptions));
  pm.addPass(createGpuPrepareGraph());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createGpuOutlineKernels());

  // Buffers: kernel functions take identity-layout memrefs and write their
  // outputs in place, so every launch binds whole buffers.
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferizeOptions.unknownTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  pm.addPass(createCanonicalizerPass());

  // Kernels: one gpu.launch per kernel function, outlined into gpu.modules.
  GpuMapKernelsOptions mapOptions;
  mapOptions.allowTf32 = options.allowTf32;
  mapOptions.stages = options.stages;
  pm.addPass(createGpuMapKernels(mapOptions));
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());

  // Device code: nvgpu/gpu/vector/memref -> nvvm + llvm.
  OpPassManager &device = pm.nest<mlir::gpu::GPUModuleOp>();
  device.addPass(createGpuLowerBf16Mma());
  // nvgpu first: its types (wgmma accumulators) may be carried by scf loops.
  device.addPass(createConvertNVGPUToNVVMPass());
  device.addPass(memref::createExpandStridedMetadataPass());
  device.addPass(createLowerAffinePass());
  device.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions nvvmOptions;
  nvvmOptions.useBarePtrCallConv = true;
  device.addPass(createConvertGpuOpsToNVVMOps(nvvmOptions));
  device.addPass(createConvertNVVMToLLVMPass());
  device.addPass(createCanonicalizerPass());
  device.addPass(createCSEPass());
  device.addPass(createReconcileUnrealizedCastsPass());

  // Binary: NVPTX code generation, ptxas.
  GpuSerializeOptions serializeOptions;
  serializeOptions.toolkitPath = options.cudaPath;
  serializeOptions.format = options.format;
  pm.addPass(createGpuSerialize(serializeOptions));
  return success();
}

void gaon::gpu::registerGpuCompilerExtensions(DialectRegistry &registry) {
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

void gaon::gpu::registerGpuPasses() {
  registerGaonGPUPasses();
  PassPipelineRegistration<CudaPipelineOptions>(
      "gaon-cuda-pipeline",
      "Lower graph-level linalg on tensors to tensor-core cubins and a host "
      "function of gpu.launch_func ops (the launch plan's source)",
      [](OpPassManager &pm, const CudaPipelineOptions &options) {
        // An unsupported chip is reported by gaon-gpu-attach-target when the
        // pipeline runs; add it alone so the diagnostic carries a location.
        if (failed(buildCudaPipeline(pm, options))) {
          GpuAttachTargetOptions targetOptions;
          targetOptions.chip = options.chip;
          pm.addPass(createGpuAttachTarget(targetOptions));
        }
      });
}
