//===- PromoteTiles.cpp - place tiles in SRAM -----------------------------===//
//
// Inside the tile loops, gives every operand of a linalg op an SRAM-resident
// tensor (bufferization.alloc_tensor in #npu.memory_space<sram>), copying
// DRAM data in with linalg.copy where the op reads it.
//
//===----------------------------------------------------------------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"

namespace gaon::npu {
#define GEN_PASS_DEF_PROMOTETILESPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

/// Promotes the operands of the linalg ops of one tile loop.
class TilePromoter {
public:
  TilePromoter(OpBuilder &builder, Attribute sram)
      : builder(builder), sram(sram) {}

  LogicalResult promote(Block &body);

  int64_t loads = 0, outputs = 0;

private:
  /// An empty SRAM tensor of `type`, built at the builder's insertion point.
  Value createSramTensor(Location loc, RankedTensorType type);
  /// A copy of `value` in SRAM, reused for later uses it dominates.
  Value load(Location loc, Value value, Operation *user);

  bool isOnChip(Value value) const { return onChip.contains(value); }

  OpBuilder &builder;
  Attribute sram;
  DominanceInfo dominance;
  llvm::DenseSet<Value> onChip;
  /// SRAM copies of DRAM values, with the op that made them.
  llvm::DenseMap<Value, SmallVector<Value, 1>> copies;
};

} // namespace

Value TilePromoter::createSramTensor(Location loc, RankedTensorType type) {
  auto alloc =
      bufferization::AllocTensorOp::create(builder, loc, type, ValueRange{});
  alloc.setMemorySpaceAttr(sram);
  return alloc;
}

Value TilePromoter::load(Location loc, Value value, Operation *user) {
  for (Value copy : copies.lookup(value))
    if (dominance.properlyDominates(copy, user))
      return copy;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPoint(user);
  auto type = cast<RankedTensorType>(value.getType());
  Value buffer = createSramTensor(loc, type);
  Value copy =
      linalg::CopyOp::create(builder, loc, value, buffer)->getResult(0);
  copies[value].push_back(copy);
  onChip.insert(copy);
  ++loads;
  return copy;
}

LogicalResult TilePromoter::promote(Block &body) {
  WalkResult walk =
      body.walk<WalkOrder::PreOrder>([&](Operation *op) -> WalkResult {
        if (auto loop = dyn_cast<scf::ForOp>(op)) {
          for (OpOperand &init : loop.getInitArgsMutable()) {
            if (!isa<RankedTensorType>(init.get().getType()) ||
                isOnChip(init.get()))
              continue;
            init.set(load(loop.getLoc(), init.get(), loop));
          }
          for (Value arg : loop.getRegionIterArgs())
            onChip.insert(arg);
          for (Value result : loop.getResults())
            onChip.insert(result);
          return WalkResult::advance();
        }
        // Views of on-chip tensors stay on chip.
        if (isa<tensor::ExtractSliceOp, tensor::CollapseShapeOp,
                tensor::ExpandShapeOp>(op)) {
          if (isOnChip(op->getOperand(0)))
            onChip.insert(op->getResult(0));
          return WalkResult::advance();
        }
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (!linalgOp)
          return WalkResult::advance();
        if (isa<linalg::CopyOp>(op) && isOnChip(op->getResult(0)))
          return WalkResult::skip(); // A load made here.
        Location loc = op->getLoc();
        for (OpOperand *input : linalgOp.getDpsInputOperands()) {
          Value value = input->get();
          if (!isa<RankedTensorType>(value.getType()) || isOnChip(value))
            continue;
          input->set(load(loc, value, op));
        }
        for (OpOperand &init : linalgOp.getDpsInitsMutable()) {
          Value value = init.get();
          if (isOnChip(value))
            continue;
          if (linalgOp.payloadUsesValueFromOperand(&init)) {
            init.set(load(loc, value, op));
          } else {
            OpBuilder::InsertionGuard guard(builder);
            builder.setInsertionPoint(op);
            init.set(
                createSramTensor(loc, cast<RankedTensorType>(value.getType())));
          }
          ++outputs;
        }
        for (Value result : op->getResults())
          onChip.insert(result);
        return WalkResult::skip();
      });
  return failure(walk.wasInterrupted());
}

namespace {

struct PromoteTilesPass
    : gaon::npu::impl::PromoteTilesPassBase<PromoteTilesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    OpBuilder builder(&getContext());
    // Arguments are the program's inputs: bufferization must not write into
    // them, so an in-place update gets its own output buffer.
    for (BlockArgument arg : func.getArguments())
      if (isa<TensorType>(arg.getType()))
        func.setArgAttr(arg.getArgNumber(),
                        bufferization::BufferizationDialect::kWritableAttrName,
                        builder.getBoolAttr(false));
    Attribute sram = MemorySpaceAttr::get(&getContext(), MemorySpace::Sram);

    // Every linalg op must sit in a tile loop.
    bool untiled = false;
    for (Operation &op : func.getBody().getOps()) {
      if (isa<linalg::LinalgOp>(op)) {
        op.emitError() << "'" << op.getName()
                       << "' is not inside a tile loop; run gaon-tile-linalg "
                          "before gaon-promote-tiles";
        untiled = true;
      }
    }
    if (untiled)
      return signalPassFailure();

    for (auto forall : func.getBody().getOps<scf::ForallOp>()) {
      TilePromoter promoter(builder, sram);
      if (failed(promoter.promote(*forall.getBody())))
        return signalPassFailure();
      numLoads += promoter.loads;
      numOutputs += promoter.outputs;
    }
  }
};

} // namespace
