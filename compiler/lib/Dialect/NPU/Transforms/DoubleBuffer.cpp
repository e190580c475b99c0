//===- DoubleBuffer.cpp - one SRAM buffer per in-flight iteration ---------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

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
    // seen (and left alone) by the outer one.
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    llvm::DenseSet<Operation *> multiBuffered;
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : loops) {
      std::optional<APInt> trips = loop.getStaticTripCount();
      if (!trips || trips->getSExtValue() < 2)
        continue;
      SmallVector<memref::AllocOp> allocs;
      for (auto alloc : loop.getBody()->getOps<memref::AllocOp>())
        if (getMemorySpace(alloc.getType()) == MemorySpace::Sram &&
            !multiBuffered.contains(alloc))
          allocs.push_back(alloc);
      for (memref::AllocOp alloc : allocs) {
        // multiBuffer wants the buffer defined before the loop that uses it;
        // the allocs have no operands, so hoisting them is always valid.
        alloc->moveBefore(loop);
        FailureOr<memref::AllocOp> buffered = memref::multiBuffer(
            rewriter, alloc, buffers, /*skipOverrideAnalysis=*/true);
        if (failed(buffered))
          continue;
        multiBuffered.insert(*buffered);
        ++numBuffered;
      }
    }
  }
};

} // namespace
