//===- CostModel.cpp - modeled engine times the compiler plans with -------===//

#include "gaon/Dialect/NPU/Transforms/CostModel.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace gaon::npu;
using llvm::divideCeil;

int64_t gaon::npu::estimateMatmulCycles(TargetAttr target, int64_t m,
                                        int64_t n, int64_t k) {
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
    int64_t kOverSlices = divideCeil(m * n, rows) *
                              divideCeil(k, slices * cols) +
                          llvm::Log2_64_Ceil(uint64_t(slices));
    return std::min({mOverSlices, nOverSlices, kOverSlices}) +
           target.getTensorPipelineCycles();
  }
  }
  return 0;
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
