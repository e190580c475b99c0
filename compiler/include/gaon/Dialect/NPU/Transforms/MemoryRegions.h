//===- MemoryRegions.h - what an npu command touches ------------*- C++ -*-===//
//
// On straight-line npu code with SRAM addresses, the bytes of SRAM and the
// elements of DRAM each command reads and writes: the synchronisation pass
// orders conflicting commands of different queues with them, the store
// scheduler checks that moving a command keeps every conflict's order.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_DIALECT_NPU_TRANSFORMS_MEMORYREGIONS_H
#define GAON_DIALECT_NPU_TRANSFORMS_MEMORYREGIONS_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

namespace gaon::npu {

/// A byte interval of one core's SRAM, or a box (or, failing that, an
/// element interval) of one DRAM buffer.
struct MemoryRegion {
  /// SRAM: the core; DRAM: -1.
  int64_t core = -1;
  /// DRAM: the root buffer.
  mlir::Value root;
  /// Interval [low, high): bytes for SRAM, elements for DRAM.
  int64_t low = 0, high = 0;
  /// DRAM: inclusive per-dimension bounds in the root's index space, if the
  /// view maps onto it.
  llvm::SmallVector<int64_t, 4> boxLow, boxHigh;

  /// Whether the two regions share a byte (or element). Callers compare
  /// regions of the same memory only.
  bool overlaps(const MemoryRegion &other) const;
};

/// One memref operand of a command: the region it touches and whether the
/// command writes it.
struct MemoryAccess {
  MemoryRegion region;
  bool isWrite = false;
};

/// The operand a command writes (null for none).
mlir::Value getWrittenOperand(mlir::Operation *command);

/// The regions every memref operand of `command` (on `core`) touches, or
/// failure with an error on the command (an SRAM buffer without an address,
/// a view with dynamic offsets).
mlir::FailureOr<llvm::SmallVector<MemoryAccess, 4>>
getMemoryAccesses(mlir::Operation *command, int64_t core);

/// Whether the two commands touch a common region with one of them writing.
bool conflict(llvm::ArrayRef<MemoryAccess> a, llvm::ArrayRef<MemoryAccess> b);

} // namespace gaon::npu

#endif // GAON_DIALECT_NPU_TRANSFORMS_MEMORYREGIONS_H
