//===- Passes.h - conversions into the npu dialect --------------*- C++ -*-===//

#ifndef GAON_CONVERSION_PASSES_H
#define GAON_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace gaon {

#define GEN_PASS_DECL
#include "gaon/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "gaon/Conversion/Passes.h.inc"

} // namespace gaon

#endif // GAON_CONVERSION_PASSES_H
