//===- Passes.h - graph-level passes ----------------------------*- C++ -*-===//
//
// Passes on linalg-on-tensors graphs: input normalisation, elementwise
// fusion and roofline cost annotation. Declared in Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_TRANSFORMS_PASSES_H
#define GAON_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace gaon {

#define GEN_PASS_DECL
#include "gaon/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "gaon/Transforms/Passes.h.inc"

} // namespace gaon

#endif // GAON_TRANSFORMS_PASSES_H
