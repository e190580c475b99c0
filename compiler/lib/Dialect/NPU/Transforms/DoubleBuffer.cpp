//===- DoubleBuffer.cpp - one SRAM buffer per in-flight iteration ---------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/MathExtras.h"

namespace gaon::npu {
#define GEN_PASS_DEF_DOUBLEBUFFERPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

/// Bytes of a statically shaped buffer.
static int64_t getByteSize(MemRefType type) {
  return type.getNumElements() *
         llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

namespace {

struct DoubleBufferPass
    : gaon::npu::impl::DoubleBufferPassBase<DoubleBufferPass> {
  using Base::Base;

  void runOnOperation() override {
    if (buffers < 2)
      return;
    // Innermost loops first, so a buffer hoisted out of an inner loop is
    // claimed by it and left alone by the outer one. multiBuffer wants the
    // buffer defined before the loop that uses it; the allocs have no
    // operands, so hoisting them is always valid. A loop's buffers get their
    // copies only if, with the buffers its body already holds, they fit the
    // core's SRAM (the tiler may have sized a tile for a single buffer).
    TargetAttr target = TargetAttr::lookup(getOperation());
    int64_t capacity =
        target ? target.getSramBytes() : std::numeric_limits<int64_t>::max();
    SmallVector<std::pair<memref::AllocOp, scf::ForOp>> candidates;
    // Bytes each claimed buffer will take, its copies included.
    llvm::DenseMap<Operation *, int64_t> claimedBytes;
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      std::optional<APInt> trips = loop.getStaticTripCount();
      if (!trips || trips->getSExtValue() < 2)
        continue;
      SmallVector<memref::AllocOp> allocs;
      int64_t bodyBytes = 0, extraBytes = 0;
      for (auto alloc : loop.getBody()->getOps<memref::AllocOp>()) {
        if (getMemorySpace(alloc.getType()) != MemorySpace::Sram)
          continue;
        if (auto it = claimedBytes.find(alloc); it != claimedBytes.end()) {
          bodyBytes += it->second;
          continue;
        }
        int64_t bytes = getByteSize(alloc.getType());
        bodyBytes += bytes;
        extraBytes += int64_t(buffers - 1) * bytes;
        allocs.push_back(alloc);
      }
      bool fits = bodyBytes + extraBytes <= capacity;
      for (memref::AllocOp alloc : allocs) {
        int64_t bytes = getByteSize(alloc.getType());
        if (!fits) {
          claimedBytes[alloc] = bytes;
          ++numTooLarge;
          continue;
        }
        alloc->moveBefore(loop);
        claimedBytes[alloc] = int64_t(buffers) * bytes;
        candidates.push_back({alloc, loop});
      }
    }
    // Hoisting many buffers in front of the tile loops of a large function
    // exhausts the gaps of its blocks' op order; renumber each block once
    // here rather than once per dominance query inside multiBuffer.
    llvm::SetVector<Block *> blocks;
    for (auto [alloc, loop] : candidates)
      blocks.insert(alloc->getBlock());
    for (Block *block : blocks)
      block->recomputeOpOrder();
    IRRewriter rewriter(&getContext());
    for (auto [alloc, loop] : candidates)
      if (succeeded(memref::multiBuffer(rewriter, alloc, buffers,
                                        /*skipOverrideAnalysis=*/true)))
        ++numBuffered;
  }
};

} // namespace
