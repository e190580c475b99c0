//===- EngineModels.cpp - Cycle and traffic models of NPU engines ---------===//
//
// The systolic formulas are derived from SCALE-Sim v2's compute modules;
// docs/simulator-models.md walks through the derivation.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/EngineModels.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace gaon::sim;

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

GemmShape ConvShape::toGemm() const {
  // SCALE-Sim's topology_utils: ofmap = ceil((ifmap - filter + stride) /
  // stride) per axis, window = filter_h * filter_w * channels.
  int64_t ofmapH = ceilDiv(ifmapH - filterH + strideH, strideH);
  int64_t ofmapW = ceilDiv(ifmapW - filterW + strideW, strideW);
  return {ofmapH * ofmapW, filters, filterH * filterW * channels};
}

SystolicEstimate gaon::sim::estimateSystolic(Dataflow dataflow, int64_t rows,
                                             int64_t cols, GemmShape shape) {
  SystolicEstimate estimate;
  const int64_t m = shape.m, n = shape.n, k = shape.k;
  if (m <= 0 || n <= 0 || k <= 0)
    return estimate;
  // SCALE-Sim maps the operand matrices onto the array as (Sr, Sc, T): Sr
  // spatial along rows, Sc spatial along columns, T streamed in time.
  int64_t spatialRows, spatialCols, temporal;
  switch (dataflow) {
  case Dataflow::OutputStationary: // ifmap rows x filter cols, K in time
    spatialRows = m, spatialCols = n, temporal = k;
    break;
  case Dataflow::WeightStationary: // filter K x N pinned, M in time
    spatialRows = k, spatialCols = n, temporal = m;
    break;
  case Dataflow::InputStationary: // ifmap K x M pinned, N in time
  default:
    spatialRows = k, spatialCols = m, temporal = n;
    break;
  }
  int64_t rowFolds = ceilDiv(spatialRows, rows);
  int64_t colFolds = ceilDiv(spatialCols, cols);
  estimate.folds = rowFolds * colFolds;
  // Lines of the (skewed) ofmap demand matrix per fold:
  //   OS: (T - 1) prefix + R rows + (C - 1) skew      = T + R + C - 2
  //   WS/IS: (2R - 1) prefix + T rows + (C - 1) skew   = 2R + C + T - 2
  estimate.linesPerFold = dataflow == Dataflow::OutputStationary
                              ? temporal + rows + cols - 2
                              : 2 * rows + cols + temporal - 2;
  // Without stalls line i is served at cycle i; SCALE-Sim reports the cycle
  // of the last ofmap line.
  estimate.cycles = estimate.folds * estimate.linesPerFold - 1;
  switch (dataflow) {
  case Dataflow::OutputStationary:
    estimate.ifmapReads = m * k * colFolds;
    estimate.filterReads = k * n * rowFolds;
    estimate.ofmapWrites = m * n;
    break;
  case Dataflow::WeightStationary:
    estimate.ifmapReads = m * k * colFolds;
    estimate.filterReads = k * n;
    estimate.ofmapWrites = m * n * rowFolds;
    break;
  default:
    estimate.ifmapReads = m * k;
    estimate.filterReads = k * n * colFolds;
    estimate.ofmapWrites = m * n * rowFolds;
    break;
  }
  estimate.utilization =
      double(shape.getMacs()) /
      (double(std::max<int64_t>(estimate.cycles, 1)) * double(rows * cols));
  return estimate;
}

/// Cycles of the contraction array: slices x rows dot-product units, each
/// consuming `lanes` K-elements per cycle. Outputs map as (a) M over slices
/// and N over rows, (b) N over slices and M over rows, or (c) K split over
/// slices (for small outputs, reduced across slices); the best is taken.
static int64_t getContractionCycles(const TensorEngineConfig &tensor,
                                    GemmShape shape, double rate) {
  int64_t lanes = std::max<int64_t>(1, int64_t(double(tensor.cols) * rate));
  int64_t slices = tensor.slices, rows = tensor.rows;
  int64_t kSteps = ceilDiv(shape.k, lanes);
  int64_t mOverSlices =
      ceilDiv(shape.m, slices) * ceilDiv(shape.n, rows) * kSteps;
  int64_t nOverSlices =
      ceilDiv(shape.n, slices) * ceilDiv(shape.m, rows) * kSteps;
  int64_t kOverSlices =
      ceilDiv(shape.m * shape.n, rows) * ceilDiv(shape.k, slices * lanes) +
      llvm::Log2_64_Ceil(uint64_t(slices));
  return std::min({mOverSlices, nOverSlices, kOverSlices}) +
         tensor.pipelineCycles;
}

int64_t gaon::sim::getTensorCycles(const TensorEngineConfig &tensor,
                                   GemmShape shape, Precision precision) {
  if (shape.getMacs() == 0)
    return 1;
  double rate = double(tensor.getMacsPerCycle(precision)) /
                double(tensor.getBaseMacsPerCycle());
  if (!tensor.isSystolic())
    return std::max<int64_t>(1, getContractionCycles(tensor, shape, rate));
  // A precision faster than the base rate packs `rate` MACs per PE along
  // the columns; a slower one takes 1/rate times as long.
  if (rate >= 1) {
    int64_t cols = int64_t(double(tensor.cols) * rate);
    return std::max<int64_t>(
        1, estimateSystolic(tensor.dataflow, tensor.rows, cols, shape).cycles);
  }
  int64_t base =
      estimateSystolic(tensor.dataflow, tensor.rows, tensor.cols, shape).cycles;
  return std::max<int64_t>(1, int64_t(std::ceil(double(base) / rate)));
}

TensorTraffic gaon::sim::getTensorTraffic(const TensorEngineConfig &tensor,
                                          GemmShape shape, bool accumulate) {
  TensorTraffic traffic;
  if (tensor.isSystolic()) {
    SystolicEstimate estimate =
        estimateSystolic(tensor.dataflow, tensor.rows, tensor.cols, shape);
    traffic.lhsReads = estimate.ifmapReads;
    traffic.rhsReads = estimate.filterReads;
    traffic.accWrites = estimate.ofmapWrites;
  } else {
    // Contraction slices keep the output in place and read each operand
    // once per pass over the other's tiles.
    traffic.lhsReads = shape.m * shape.k * ceilDiv(shape.n, tensor.rows);
    traffic.rhsReads = shape.k * shape.n * ceilDiv(shape.m, tensor.slices);
    traffic.accWrites = shape.m * shape.n;
  }
  traffic.accReads = accumulate ? shape.m * shape.n : 0;
  return traffic;
}

GemmShape gaon::sim::getGemmShape(const Command &command,
                                  llvm::ArrayRef<View> views) {
  const View &lhs = views[0], &rhs = views[1];
  GemmShape shape;
  shape.m = lhs.shape[command.transposeLhs ? 1 : 0];
  shape.k = lhs.shape[command.transposeLhs ? 0 : 1];
  shape.n = rhs.shape[command.transposeRhs ? 0 : 1];
  return shape;
}

int64_t gaon::sim::getVectorCycles(const VectorEngineConfig &vector,
                                   const Command &command, int64_t elements) {
  const VectorOpCycles &costs = vector.opCycles;
  int64_t perGroup = 1;
  switch (command.kind) {
  case CommandKind::VectorUnary:
    perGroup = costs.unary[command.opKind];
    break;
  case CommandKind::VectorBinary:
  case CommandKind::VectorScalar:
    perGroup = costs.binary[command.opKind];
    break;
  case CommandKind::VectorReduce:
    perGroup = costs.reduce[command.opKind];
    break;
  case CommandKind::VectorCast:
    perGroup = costs.cast;
    break;
  case CommandKind::VectorFill:
    perGroup = costs.fill;
    break;
  default:
    break;
  }
  return ceilDiv(std::max<int64_t>(elements, 1), vector.lanes) * perGroup +
         vector.pipelineCycles;
}

AccessPattern gaon::sim::getAccessPattern(const View &view) {
  AccessPattern pattern;
  int64_t width = getByteWidth(view.dtype);
  // Merge the innermost dimensions while they are contiguous (extent-1
  // dimensions do not move the address).
  int d = int(view.rank) - 1;
  int64_t runElements = 1;
  for (; d >= 0; --d) {
    if (view.shape[d] == 0)
      return pattern;
    if (view.shape[d] != 1 && view.strides[d] != runElements)
      break;
    runElements *= view.shape[d];
  }
  pattern.runs = 1;
  pattern.runBytes = runElements * width;
  int64_t gcd = 0;
  bool innermost = true;
  for (; d >= 0; --d) {
    if (view.shape[d] == 0)
      return AccessPattern();
    if (view.shape[d] == 1)
      continue;
    pattern.runs *= view.shape[d];
    gcd = std::gcd(gcd, view.strides[d] * width);
    if (innermost)
      pattern.runStrideBytes = view.strides[d] * width;
    innermost = false;
  }
  pattern.runStrideGcd = gcd;
  return pattern;
}

DramCost gaon::sim::getDramCost(const DramConfig &dram, const View &view,
                                int64_t startByte, bool isWrite) {
  DramCost cost;
  cost.payloadBytes = view.getNumBytes();
  AccessPattern pattern = getAccessPattern(view);
  if (pattern.runs == 0)
    return cost;
  const int64_t unit = dram.transferBytes, length = pattern.runBytes;
  double penalty =
      isWrite ? dram.unalignedWritePenalty : dram.unalignedReadPenalty;
  // Run start addresses modulo the unit: exactly startByte % unit when the
  // runs are unit-aligned apart, else the residues startByte % g + j*g
  // (g = gcd(run offsets, unit)), taken as equally likely.
  int64_t step =
      pattern.runs == 1 ? unit : std::gcd(pattern.runStrideGcd, unit);
  if (step == 0)
    step = unit;
  int64_t first = startByte % step;
  double unitsPerRun = 0;
  int64_t residues = 0;
  for (int64_t residue = first; residue < unit; residue += step, ++residues) {
    int64_t touched = ceilDiv(residue + length, unit);
    int64_t partial = (residue != 0) + ((residue + length) % unit != 0);
    partial = std::min(partial, touched);
    unitsPerRun += double(touched - partial) + double(partial) * penalty;
  }
  unitsPerRun /= double(residues);
  cost.channelBytes = unitsPerRun * double(unit) * double(pattern.runs);
  // Short runs a row apart each open a new DRAM row on their channel.
  if (pattern.runs > 1 && length < dram.rowBytes &&
      pattern.runStrideBytes >= dram.rowBytes) {
    cost.rowSwitches = pattern.runs;
    cost.channelBytes += double(pattern.runs) * double(dram.rowSwitchCycles) *
                         dram.bytesPerCyclePerChannel;
  }
  return cost;
}

double gaon::sim::getSramAccessFactor(const SramConfig &sram,
                                      const View &view) {
  AccessPattern pattern = getAccessPattern(view);
  double word = sram.getBankWidth();
  if (pattern.runs == 0 || word <= 0 || double(pattern.runBytes) >= word)
    return 1.0;
  return word / double(pattern.runBytes);
}
