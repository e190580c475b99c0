//===- AssignCores.cpp - spread tile loops over the cores -----------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

namespace gaon::npu {
#define GEN_PASS_DEF_ASSIGNCORESPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

struct AssignCoresPass
    : gaon::npu::impl::AssignCoresPassBase<AssignCoresPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    TargetAttr target = TargetAttr::lookup(func);
    int64_t cores = target ? target.getCores() : 1;
    SmallVector<scf::ForallOp> loops(func.getBody().getOps<scf::ForallOp>());
    for (scf::ForallOp forall : loops)
      if (failed(distribute(forall, cores)))
        return signalPassFailure();
  }

  LogicalResult distribute(scf::ForallOp forall, int64_t cores) {
    std::optional<SmallVector<int64_t>> lbs =
        getConstantIntValues(forall.getMixedLowerBound());
    std::optional<SmallVector<int64_t>> ubs =
        getConstantIntValues(forall.getMixedUpperBound());
    std::optional<SmallVector<int64_t>> steps =
        getConstantIntValues(forall.getMixedStep());
    if (!lbs || !ubs || !steps)
      return forall.emitError() << "tile loop bounds must be constants";
    if (!forall.getOutputs().empty())
      return forall.emitError()
             << "tile loop still has tensor results; bufferize first";
    SmallVector<int64_t> trips;
    int64_t total = 1;
    for (auto [lb, ub, step] : llvm::zip(*lbs, *ubs, *steps)) {
      trips.push_back(std::max<int64_t>(llvm::divideCeil(ub - lb, step), 0));
      total *= trips.back();
    }
    int64_t chunk = std::max<int64_t>(llvm::divideCeil(total, cores), 1);

    IRRewriter rewriter(forall.getContext());
    rewriter.setInsertionPoint(forall);
    Location loc = forall.getLoc();
    MLIRContext *context = forall.getContext();
    for (int64_t core = 0; core < cores; ++core) {
      int64_t lo = core * chunk, hi = std::min(total, lo + chunk);
      if (lo >= hi) {
        ++numIdleCores;
        continue;
      }
      Value lower = arith::ConstantIndexOp::create(rewriter, loc, lo);
      Value upper = arith::ConstantIndexOp::create(rewriter, loc, hi);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      auto loop = scf::ForOp::create(rewriter, loc, lower, upper, one);
      loop->setAttr(NPUDialect::kCoreAttrName,
                    rewriter.getI64IntegerAttr(core));
      if (Attribute cost = forall->getAttr(NPUDialect::kCostAttrName))
        loop->setAttr(NPUDialect::kCostAttrName, cost);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(loop.getBody());
      // iv_d = lb_d + ((t floordiv inner_d) mod trips_d) * step_d
      IRMapping mapping;
      int64_t inner = total;
      for (auto [d, iv] : llvm::enumerate(forall.getInductionVars())) {
        inner /= std::max<int64_t>(trips[d], 1);
        AffineExpr t = getAffineDimExpr(0, context);
        AffineExpr expr =
            (*lbs)[d] + (t.floorDiv(inner) % trips[d]) * (*steps)[d];
        Value value = affine::AffineApplyOp::create(
            rewriter, loc, AffineMap::get(1, 0, expr),
            ValueRange{loop.getInductionVar()});
        mapping.map(iv, value);
      }
      for (Operation &op : forall.getBody()->without_terminator())
        rewriter.clone(op, mapping);
    }
    rewriter.eraseOp(forall);
    ++numLoops;
    return success();
  }
};

} // namespace
