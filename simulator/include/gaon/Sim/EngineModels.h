//===- EngineModels.h - Cycle and traffic models of NPU engines -*- C++ -*-===//
//
// Closed-form per-command models: the systolic tensor engine reproduces
// SCALE-Sim v2's compute cycles (systolic_compute_{os,ws,is}.py, derivation
// in docs/simulator-models.md), the contraction array has its own model,
// the vector engine is length over lanes times op cost plus pipeline depth,
// and DRAM accesses are priced in transfer units with unaligned and
// row-switch penalties. The event loop (Simulator.h) combines them with
// bandwidth sharing.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_ENGINEMODELS_H
#define GAON_SIM_ENGINEMODELS_H

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Program.h"

namespace gaon::sim {

/// C[M x N] (+)= A[M x K] * B[K x N].
struct GemmShape {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
  int64_t getMacs() const { return m * n * k; }
};

/// A convolution layer as SCALE-Sim's topology files describe it: input
/// height/width (already padded), filter height/width, input channels,
/// filters, strides.
struct ConvShape {
  int64_t ifmapH = 0, ifmapW = 0;
  int64_t filterH = 0, filterW = 0;
  int64_t channels = 0, filters = 0;
  int64_t strideH = 1, strideW = 1;
  /// The GEMM SCALE-Sim maps the layer to: M = output pixels
  /// (ceil((H - R + stride) / stride) per axis), K = R*S*C, N = filters.
  GemmShape toGemm() const;
};

/// SCALE-Sim v2's figures for one GEMM on an R x C systolic array.
struct SystolicEstimate {
  /// Folds (row_fold x col_fold) and demand-matrix lines per fold.
  int64_t folds = 0;
  int64_t linesPerFold = 0;
  /// SCALE-Sim's "total cycles" (cycle index of the last ofmap write).
  int64_t cycles = 0;
  /// SRAM operand reads and output writes in elements (SCALE-Sim's
  /// ifmap_reads / filter_reads / ofmap_writes, without its drain terms).
  int64_t ifmapReads = 0;
  int64_t filterReads = 0;
  int64_t ofmapWrites = 0;
  /// MACs / (cycles * R * C), SCALE-Sim's overall utilisation.
  double utilization = 0;
};
SystolicEstimate estimateSystolic(Dataflow dataflow, int64_t rows, int64_t cols,
                                  GemmShape shape);

/// Cycles of one matmul command on `tensor` at `precision` (which the
/// engine must support).
int64_t getTensorCycles(const TensorEngineConfig &tensor, GemmShape shape,
                        Precision precision);

/// SRAM elements a matmul reads and writes.
struct TensorTraffic {
  int64_t lhsReads = 0, rhsReads = 0, accReads = 0, accWrites = 0;
};
TensorTraffic getTensorTraffic(const TensorEngineConfig &tensor,
                               GemmShape shape, bool accumulate);

/// The GEMM a matmul command computes (from its views and transposes).
GemmShape getGemmShape(const Command &command, llvm::ArrayRef<View> views);

/// Cycles of one vector-engine command over `elements` output elements
/// (for reductions: input elements).
int64_t getVectorCycles(const VectorEngineConfig &vector,
                        const Command &command, int64_t elements);

/// How a strided view touches memory: maximal contiguous runs.
struct AccessPattern {
  int64_t runs = 0;
  int64_t runBytes = 0;
  /// Byte distance between consecutive runs (smallest outer stride).
  int64_t runStrideBytes = 0;
  /// gcd of the byte offsets between runs (0 with a single run).
  int64_t runStrideGcd = 0;
};
AccessPattern getAccessPattern(const View &view);

/// The DRAM cost of one DMA side.
struct DramCost {
  /// Bytes the program asked for.
  int64_t payloadBytes = 0;
  /// Channel bytes the access occupies: whole transfer units, partial
  /// units times the unaligned penalty, plus row-switch time.
  double channelBytes = 0;
  int64_t rowSwitches = 0;
};
/// `startByte` is the view's first byte address in DRAM.
DramCost getDramCost(const DramConfig &dram, const View &view,
                     int64_t startByte, bool isWrite);

/// SRAM bank efficiency of a view: bank-word bytes moved per payload byte
/// (>= 1; runs shorter than a bank word waste the rest of the word).
double getSramAccessFactor(const SramConfig &sram, const View &view);

} // namespace gaon::sim

#endif // GAON_SIM_ENGINEMODELS_H
