//===- Passes.h - NPU tiling, placement and scheduling ----------*- C++ -*-===//

#ifndef GAON_DIALECT_NPU_TRANSFORMS_PASSES_H
#define GAON_DIALECT_NPU_TRANSFORMS_PASSES_H

#include "gaon/Dialect/NPU/IR/NPUDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace gaon::npu {

#define GEN_PASS_DECL
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"

} // namespace gaon::npu

#endif // GAON_DIALECT_NPU_TRANSFORMS_PASSES_H
