//===- TosaLowering.cpp - TOSA to linalg for the reference executor -------===//

#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

LogicalResult gaon::runtime::reference::lowerTosaToLinalg(ModuleOp module) {
  PassManager pm(module.getContext());
  // Named ops (matmul, conv, pooling) first, as upstream's own pipeline
  // does, then the elementwise and data-movement ops.
  pm.addNestedPass<func::FuncOp>(tosa::createTosaToLinalgNamed());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaToLinalg());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  pm.addPass(createCanonicalizerPass());
  return pm.run(module);
}
