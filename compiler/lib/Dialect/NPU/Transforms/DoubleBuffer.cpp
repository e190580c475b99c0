//===- DoubleBuffer.cpp - one SRAM buffer per in-flight iteration ---------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"

namespace gaon::npu {
#define GEN_PASS_DEF_DOUBLEBUFFERPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

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
    // operands, so hoisting them is always valid.
    SmallVector<std::pair<memref::AllocOp, scf::ForOp>> candidates;
    llvm::DenseSet<Operation *> claimed;
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      std::optional<APInt> trips = loop.getStaticTripCount();
      if (!trips || trips->getSExtValue() < 2)
        continue;
      SmallVector<memref::AllocOp> allocs;
      for (auto alloc : loop.getBody()->getOps<memref::AllocOp>())
        if (getMemorySpace(alloc.getType()) == MemorySpace::Sram &&
            !claimed.contains(alloc))
          allocs.push_back(alloc);
      for (memref::AllocOp alloc : allocs) {
        alloc->moveBefore(loop);
        claimed.insert(alloc);
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
