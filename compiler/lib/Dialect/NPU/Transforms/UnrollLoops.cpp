//===- UnrollLoops.cpp - straight-line command streams --------------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gaon::npu {
#define GEN_PASS_DEF_UNROLLLOOPSPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

struct UnrollLoopsPass : gaon::npu::impl::UnrollLoopsPassBase<UnrollLoopsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Innermost loops first (post-order walk).
    SmallVector<scf::ForOp> loops;
    func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      if (!loop.getStaticTripCount()) {
        loop.emitError() << "cannot unroll a loop with non-constant bounds";
        return signalPassFailure();
      }
      if (failed(loopUnrollFull(loop))) {
        loop.emitError() << "failed to unroll";
        return signalPassFailure();
      }
      ++numUnrolled;
    }
    // Fold the index arithmetic so that views get static offsets.
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, context);
    for (Dialect *dialect : context->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.setUseTopDownTraversal(true);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config))) {
      func.emitError() << "index folding after unrolling did not converge";
      return signalPassFailure();
    }
    int64_t commands = 0;
    func.walk([&](CommandOpInterface) { ++commands; });
    numCommands += commands;
  }
};

} // namespace
