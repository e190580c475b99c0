//===- InitAll.cpp - register Gaon's dialects and passes ------------------===//

#include "gaon/InitAll.h"

#include "gaon/Conversion/Passes.h"
#include "gaon/Dialect/NPU/IR/NPUDialect.h"
#include "gaon/Dialect/NPU/Transforms/Passes.h"
#include "gaon/Pipelines/NPUPipeline.h"
#include "gaon/Target/NPU/Passes.h"
#include "gaon/Transforms/Passes.h"
#include "gaon/GPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void gaon::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<
      // Input and graph level.
      mlir::func::FuncDialect, mlir::arith::ArithDialect,
      mlir::math::MathDialect, mlir::tensor::TensorDialect,
      mlir::linalg::LinalgDialect, mlir::tosa::TosaDialect,
      mlir::ml_program::MLProgramDialect,
      // Loops, buffers and lowering.
      mlir::scf::SCFDialect, mlir::affine::AffineDialect,
      mlir::memref::MemRefDialect, mlir::bufferization::BufferizationDialect,
      mlir::vector::VectorDialect, mlir::cf::ControlFlowDialect,
      mlir::index::IndexDialect, mlir::ub::UBDialect,
      mlir::transform::TransformDialect,
      // GPU path.
      mlir::gpu::GPUDialect, mlir::nvgpu::NVGPUDialect, mlir::NVVM::NVVMDialect,
      mlir::LLVM::LLVMDialect,
      // Gaon.
      gaon::npu::NPUDialect>();
  // Bufferization, tiling, ConvertToLLVM and GPU target interfaces of the
  // dialects above. The external interface models (e.g. the tensor and linalg
  // BufferizableOpInterface implementations one-shot bufferization needs) are
  // registered by mlir::registerAllDialects, not by registerAllExtensions.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // Bufferisation, NVVM target and LLVM IR translations of the CUDA path.
  gaon::gpu::registerGpuCompilerExtensions(registry);
}

void gaon::registerAllPasses() {
  mlir::registerAllPasses();
  gaon::registerGaonTransformsPasses();
  gaon::registerGaonConversionPasses();
  gaon::npu::registerGaonNPUTransformsPasses();
  gaon::npu::registerGaonNPUTargetPasses();
  gaon::registerNPUPipeline();
  gaon::gpu::registerGpuPasses();
}
