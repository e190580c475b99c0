//===- CostModel.cpp - modeled engine times the compiler plans with -------===//

#include "gaon/Dialect/NPU/Transforms/CostModel.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace gaon::npu;
using llvm::divideCeil;

int64_t gaon::npu::estimateMatmulCycles(TargetAttr target, int64_t m, int64_t n,
                                        int64_t k) {
  int64_t rows = target.getTensorRows(), cols = target.getTensorCols();
  switch (target.getDataflow()) {
  case Dataflow::OutputStationary:
    return divideCeil(m, rows) * divideCeil(n, cols) * (k + rows + cols - 2);
  case Dataflow::WeightStationary:
    return divideCeil(k, rows) * divideCeil(n, cols) *
           (m + 2 * rows + cols - 2);
  case Dataflow::InputStationary:
    return divideCeil(k, rows) * divideCeil(m, cols) *
           (n + 2 * rows + cols - 2);
  case Dataflow::Contraction: {
    // Slices each own rows of outputs and consume `cols` K-elements per
    // cycle; outputs go M over slices and N over rows, the other way round,
    // or (small outputs) K over slices; the best mapping wins.
    int64_t slices = target.getTensorSlices();
    int64_t kSteps = divideCeil(k, cols);
    int64_t mOverSlices = divideCeil(m, slices) * divideCeil(n, rows) * kSteps;
    int64_t nOverSlices = divideCeil(n, slices) * divideCeil(m, rows) * kSteps;
    int64_t kOverSlices =
        divideCeil(m * n, rows) * divideCeil(k, slices * cols) +
        llvm::Log2_64_Ceil(uint64_t(slices));
    return std::min({mOverSlices, nOverSlices, kOverSlices}) +
           target.getTensorPipelineCycles();
  }
  }
  return 0;
}

bool gaon::npu::prefersSwappedOperands(TargetAttr target, int64_t m, int64_t n,
                                       int64_t k) {
  // Only a unit M or N lets the output be read as its own transpose.
  return (m == 1 || n == 1) && estimateMatmulCycles(target, n, m, k) <
                                   estimateMatmulCycles(target, m, n, k);
}

int64_t gaon::npu::estimateContractionCycles(TargetAttr target, int64_t m,
                                             int64_t n, int64_t k) {
  return prefersSwappedOperands(target, m, n, k)
             ? estimateMatmulCycles(target, n, m, k)
             : estimateMatmulCycles(target, m, n, k);
}

int64_t gaon::npu::estimateVectorCycles(TargetAttr target, int64_t elements) {
  return divideCeil(elements, target.getVectorLanes());
}

double gaon::npu::getCoreDramBytesPerCycle(TargetAttr target,
                                           int64_t activeCores) {
  double share = double(target.getDramBytesPerCycle()) /
                 double(std::max<int64_t>(activeCores, 1));
  double dma = double(target.getDmaEngines() * target.getDmaBytesPerCycle());
  return std::min(share, dma);
}

double gaon::npu::getDramAccessFactor(TargetAttr target,
                                      llvm::ArrayRef<int64_t> shape,
                                      llvm::ArrayRef<int64_t> tile,
                                      int64_t elementBytes) {
  int64_t rowBytes = target.getDramRowBytes();
  int64_t switchBytes = target.getDramRowSwitchBytes();
  if (rowBytes <= 0 || switchBytes <= 0 || shape.size() != tile.size())
    return 1.0;
  // Whole innermost dims merge into one run; the first partial dim ends it.
  int64_t run = 1, stride = 1;
  int64_t d = int64_t(shape.size()) - 1;
  for (; d >= 0 && tile[d] == shape[d]; --d) {
    run *= shape[d];
    stride *= shape[d];
  }
  if (d >= 0) {
    run *= tile[d];
    stride *= shape[d];
    --d;
  }
  // Runs are a step of the next dim the tile spans apart.
  for (; d >= 0 && tile[d] == 1; --d)
    stride *= shape[d];
  int64_t runBytes = run * elementBytes;
  if (d < 0 || runBytes <= 0 || runBytes >= rowBytes ||
      stride * elementBytes < rowBytes)
    return 1.0;
  return double(runBytes + switchBytes) / double(runBytes);
}
