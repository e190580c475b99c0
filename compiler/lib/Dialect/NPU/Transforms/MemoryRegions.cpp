//===- MemoryRegions.cpp - what an npu command touches --------------------===//

#include "gaon/Dialect/NPU/Transforms/MemoryRegions.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"
#include "gaon/Dialect/NPU/Transforms/Views.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace gaon::npu;

bool MemoryRegion::overlaps(const MemoryRegion &other) const {
  if (low >= other.high || other.low >= high)
    return false;
  if (boxLow.empty() || other.boxLow.empty())
    return true;
  for (size_t k = 0; k < boxLow.size(); ++k)
    if (boxLow[k] > other.boxHigh[k] || other.boxLow[k] > boxHigh[k])
      return false;
  return true;
}

/// Maps a view of a DRAM root with identity layout onto a box of the root's
/// index space; leaves the box empty when the view does not map.
static void computeBox(const ResolvedView &view, MemRefType rootType,
                       MemoryRegion &region) {
  if (!rootType.getLayout().isIdentity() || !rootType.hasStaticShape())
    return;
  ArrayRef<int64_t> shape = rootType.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> rootStrides(rank, 1);
  for (int64_t k = rank - 2; k >= 0; --k)
    rootStrides[k] = rootStrides[k + 1] * shape[k + 1];
  SmallVector<int64_t, 4> low(rank), high(rank);
  int64_t rest = view.offset;
  for (int64_t k = 0; k < rank; ++k) {
    low[k] = rest / rootStrides[k];
    rest %= rootStrides[k];
  }
  high = low;
  SmallVector<bool> used(rank, false);
  for (auto [size, stride] : llvm::zip(view.sizes, view.strides)) {
    if (size <= 1)
      continue;
    int64_t k = 0;
    while (k < rank && rootStrides[k] > stride)
      ++k;
    if (k == rank || stride % rootStrides[k] != 0 || used[k])
      return;
    used[k] = true;
    high[k] = low[k] + (size - 1) * (stride / rootStrides[k]);
    if (high[k] >= shape[k])
      return;
  }
  region.boxLow = std::move(low);
  region.boxHigh = std::move(high);
}

/// The region `operand` of `op` touches, or failure with an error.
static FailureOr<MemoryRegion> getRegion(Operation *op, Value operand,
                                         int64_t core) {
  FailureOr<ResolvedView> view = resolveView(operand);
  if (failed(view))
    return op->emitError()
           << "cannot resolve operand of type " << operand.getType()
           << " to a buffer with static offsets; run gaon-unroll-loops first";
  auto type = cast<MemRefType>(operand.getType());
  auto [low, high] = view->getExtent();
  MemoryRegion region;
  if (getMemorySpace(type) == MemorySpace::Sram) {
    auto alloc = view->root.getDefiningOp<AllocOp>();
    if (!alloc || !alloc.getAddress())
      return op->emitError() << "SRAM operand has no address; run "
                                "gaon-allocate-sram first";
    int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    region.core = core;
    region.low = int64_t(*alloc.getAddress()) + low * elementBytes;
    region.high = int64_t(*alloc.getAddress()) + high * elementBytes;
    return region;
  }
  region.root = view->root;
  region.low = low;
  region.high = high;
  computeBox(*view, cast<MemRefType>(view->root.getType()), region);
  return region;
}

Value gaon::npu::getWrittenOperand(Operation *op) {
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case<DmaOp>([](DmaOp dma) { return dma.getTarget(); })
      .Case<MatmulOp>([](MatmulOp matmul) { return matmul.getAcc(); })
      .Case<VectorUnaryOp, VectorBinaryOp, VectorScalarOp, VectorReduceOp,
            VectorCastOp, VectorFillOp>(
          [](auto vector) { return Value(vector.getOutput()); })
      .Default([](Operation *) { return Value(); });
}

FailureOr<SmallVector<MemoryAccess, 4>>
gaon::npu::getMemoryAccesses(Operation *command, int64_t core) {
  Value written = getWrittenOperand(command);
  SmallVector<MemoryAccess, 4> accesses;
  for (Value operand : command->getOperands()) {
    if (!isa<MemRefType>(operand.getType()))
      continue;
    FailureOr<MemoryRegion> region = getRegion(command, operand, core);
    if (failed(region))
      return failure();
    accesses.push_back({std::move(*region), operand == written});
  }
  return accesses;
}

bool gaon::npu::conflict(ArrayRef<MemoryAccess> a, ArrayRef<MemoryAccess> b) {
  for (const MemoryAccess &x : a)
    for (const MemoryAccess &y : b)
      if ((x.isWrite || y.isWrite) && x.region.core == y.region.core &&
          x.region.root == y.region.root && x.region.overlaps(y.region))
        return true;
  return false;
}
