//===- Passes.h - NPU target description and serialisation ------*- C++ -*-===//

#ifndef GAON_TARGET_NPU_PASSES_H
#define GAON_TARGET_NPU_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace gaon::npu {

#define GEN_PASS_DECL
#include "gaon/Target/NPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "gaon/Target/NPU/Passes.h.inc"

} // namespace gaon::npu

#endif // GAON_TARGET_NPU_PASSES_H
