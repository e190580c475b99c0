//===- NPUOps.h - npu operations --------------------------------*- C++ -*-===//

#ifndef GAON_DIALECT_NPU_IR_NPUOPS_H
#define GAON_DIALECT_NPU_IR_NPUOPS_H

#include "gaon/Dialect/NPU/IR/NPUDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "gaon/Dialect/NPU/IR/NPUInterfaces.h.inc"

#define GET_OP_CLASSES
#include "gaon/Dialect/NPU/IR/NPUOps.h.inc"

#endif // GAON_DIALECT_NPU_IR_NPUOPS_H
