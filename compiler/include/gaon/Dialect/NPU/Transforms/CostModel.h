//===- CostModel.h - modeled engine times the compiler plans with -*- C++
//-*-===//
//
// Small analytical models of the NPU engines, read from the #npu.target. The
// tiler chooses tile sizes with them; they estimate, they do not replace the
// simulator (whose timing is the reference). Everything is in core cycles.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_DIALECT_NPU_TRANSFORMS_COSTMODEL_H
#define GAON_DIALECT_NPU_TRANSFORMS_COSTMODEL_H

#include "gaon/Dialect/NPU/IR/NPUDialect.h"

namespace gaon::npu {

/// Modeled cycles of one tensor-engine matmul, (m x k) times (k x n), on the
/// target's rows x cols array. For the systolic dataflows this is the
/// SCALE-Sim fold count times the cycles of one fold:
///   os: ceil(m/rows) * ceil(n/cols) folds of k + rows + cols - 2 cycles,
///   ws: ceil(k/rows) * ceil(n/cols) folds of m + 2 rows + cols - 2 cycles,
///   is: ceil(k/rows) * ceil(m/cols) folds of n + 2 rows + cols - 2 cycles;
/// for a contraction array of `tensor_slices` slices, the best of mapping M
/// or N over slices (the other over rows, K over cols per cycle) or K over
/// slices, plus `tensor_pipeline_cycles`. These follow the simulator's
/// engine models (simulator/lib/EngineModels.cpp).
int64_t estimateMatmulCycles(TargetAttr target, int64_t m, int64_t n,
                             int64_t k);

/// True if M or N is 1 and the tensor engine is modeled faster on the
/// transposed problem (C^T = B^T A^T: n x k times k x m) than on (m x k)
/// times (k x n): a weight-stationary array streams the M side in time, so
/// a GEMV (m = 1) runs better with N streamed. gaon-convert-linalg-to-npu
/// swaps the operands then (a unit M or N lets the output be read as its
/// own transpose; other shapes keep their order).
bool prefersSwappedOperands(TargetAttr target, int64_t m, int64_t n, int64_t k);

/// Modeled cycles of a contraction in the operand order
/// gaon-convert-linalg-to-npu picks (see prefersSwappedOperands).
int64_t estimateContractionCycles(TargetAttr target, int64_t m, int64_t n,
                                  int64_t k);

/// Modeled cycles of a vector-engine command over `elements` elements:
/// elements / lanes, rounded up.
int64_t estimateVectorCycles(TargetAttr target, int64_t elements);

/// Bytes per cycle one core's DMA engines get from DRAM when `activeCores`
/// cores stream at once: the DRAM bandwidth shared evenly, capped by the
/// core's DMA engines.
double getCoreDramBytesPerCycle(TargetAttr target, int64_t activeCores);

/// DRAM channel bytes per payload byte of a DMA that moves a tile of
/// `tile` elements out of a row-major tensor of `shape` (`elementBytes`
/// each): 1 when the tile's contiguous runs are at least a DRAM row long or
/// closer than a row apart; otherwise each run also pays the target's
/// `dram_row_switch_bytes` (the simulator's row-switch model).
double getDramAccessFactor(TargetAttr target, llvm::ArrayRef<int64_t> shape,
                           llvm::ArrayRef<int64_t> tile, int64_t elementBytes);

} // namespace gaon::npu

#endif // GAON_DIALECT_NPU_TRANSFORMS_COSTMODEL_H
