//===- NPUDialect.h - npu dialect, attributes and types ---------*- C++ -*-===//
//
// The `npu` dialect: tile-level commands of Gaon's NPU abstract machine.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_DIALECT_NPU_IR_NPUDIALECT_H
#define GAON_DIALECT_NPU_IR_NPUDIALECT_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "gaon/Dialect/NPU/IR/NPUDialect.h.inc"
#include "gaon/Dialect/NPU/IR/NPUEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "gaon/Dialect/NPU/IR/NPUAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "gaon/Dialect/NPU/IR/NPUTypes.h.inc"

namespace gaon::npu {

/// True for element types the NPU stores and moves: f32, f16, bf16, f8 (E4M3,
/// E5M2), i8 and i32.
bool isSupportedElementType(mlir::Type type);

/// The memory space of `type`; a memref with no memory space is in DRAM.
/// Returns std::nullopt for a memory space that is not an npu one.
std::optional<MemorySpace> getMemorySpace(mlir::MemRefType type);

/// `type.getStridesAndOffset`, with an identity layout's row-major strides
/// computed directly: the generic query builds affine expressions, which
/// dominated compile time on programs of a million operands.
mlir::LogicalResult getStridesAndOffset(mlir::MemRefType type,
                                        llvm::SmallVectorImpl<int64_t> &strides,
                                        int64_t &offset);

/// Bytes occupied by the elements of a statically shaped memref (its extent
/// when strided), or std::nullopt for dynamic shapes.
std::optional<int64_t> getStaticSizeInBytes(mlir::MemRefType type);

} // namespace gaon::npu

#endif // GAON_DIALECT_NPU_IR_NPUDIALECT_H
