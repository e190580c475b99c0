//===- SinkStores.cpp - let loads overtake stores on a shared DMA queue ---===//
//
// A DMA queue runs its commands in program order. Where one queue carries
// both the store of a tile's result and the loads of the next tile (a chip
// with one DMA engine per core), the store waits for the tile's last
// compute command and holds back the loads queued behind it, so the next
// tile starts with an empty pipeline. Issuing the store after those loads
// lets them overlap the last compute command.
//
//===----------------------------------------------------------------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"
#include "gaon/Dialect/NPU/Transforms/MemoryRegions.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <unordered_map>

namespace gaon::npu {
#define GEN_PASS_DEF_SINKSTORESPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

static bool isStore(DmaOp dma) {
  return getMemorySpace(cast<MemRefType>(dma.getTarget().getType())) ==
         MemorySpace::Dram;
}

namespace {

struct SinkStoresPass : gaon::npu::impl::SinkStoresPassBase<SinkStoresPass> {
  using Base::Base;

  void runOnOperation() override;

  /// The memory `command` touches, computed once.
  FailureOr<ArrayRef<MemoryAccess>> getAccesses(Operation *command);

  /// Calls `visit` on up to `window` commands after (or before) `store`,
  /// nearest first, until one conflicts with the store or `visit` returns
  /// false.
  LogicalResult
  scanFrom(DmaOp store, bool forward,
           function_ref<bool(Operation *, ArrayRef<MemoryAccess>)> visit);

  /// Node-based: the ArrayRefs handed out stay valid as it grows.
  std::unordered_map<Operation *, SmallVector<MemoryAccess, 4>> accessCache;
};

} // namespace

FailureOr<ArrayRef<MemoryAccess>>
SinkStoresPass::getAccesses(Operation *command) {
  auto it = accessCache.find(command);
  if (it == accessCache.end()) {
    FailureOr<SmallVector<MemoryAccess, 4>> accesses = getMemoryAccesses(
        command, cast<CommandOpInterface>(command).getCoreIndex());
    if (failed(accesses))
      return failure();
    it = accessCache.emplace(command, std::move(*accesses)).first;
  }
  return ArrayRef<MemoryAccess>(it->second);
}

LogicalResult SinkStoresPass::scanFrom(
    DmaOp store, bool forward,
    function_ref<bool(Operation *, ArrayRef<MemoryAccess>)> visit) {
  FailureOr<ArrayRef<MemoryAccess>> stored = getAccesses(store);
  if (failed(stored))
    return failure();
  int64_t scanned = 0;
  for (Operation *op = forward ? store->getNextNode() : store->getPrevNode();
       op && scanned < window;
       op = forward ? op->getNextNode() : op->getPrevNode()) {
    if (!isa<CommandOpInterface>(op))
      continue;
    ++scanned;
    FailureOr<ArrayRef<MemoryAccess>> accesses = getAccesses(op);
    if (failed(accesses))
      return failure();
    if (conflict(*stored, *accesses) || !visit(op, *accesses))
      break;
  }
  return success();
}

void SinkStoresPass::runOnOperation() {
  func::FuncOp func = getOperation();
  accessCache.clear();
  SmallVector<DmaOp> stores;
  // The (core, queue) pairs that carry loads.
  llvm::DenseSet<std::pair<int64_t, int64_t>> loadQueues;
  for (Operation &op : func.getBody().getOps()) {
    if (isa<scf::ForOp, scf::ForallOp>(op)) {
      op.emitError() << "gaon-sink-stores needs straight-line code; run "
                        "gaon-unroll-loops first";
      return signalPassFailure();
    }
    auto command = dyn_cast<CommandOpInterface>(op);
    if (command && (!command.getWaitSemaphores().empty() ||
                    !command.getSignalSemaphores().empty())) {
      op.emitError() << "already synchronised: gaon-sink-stores reorders "
                        "commands before gaon-insert-sync";
      return signalPassFailure();
    }
    if (auto dma = dyn_cast<DmaOp>(op)) {
      if (isStore(dma))
        stores.push_back(dma);
      else
        loadQueues.insert({dma.getCore(), dma.getQueue()});
    }
  }

  for (DmaOp store : stores) {
    // A store with a queue of its own holds nothing back.
    if (!loadQueues.contains({store.getCore(), store.getQueue()}))
      continue;
    auto onStoreQueue = [&](Operation *op) {
      auto dma = dyn_cast<DmaOp>(op);
      return dma && dma.getCore() == store.getCore() &&
             dma.getQueue() == store.getQueue();
    };
    auto conflictsWithAny = [](ArrayRef<MemoryAccess> accesses,
                               ArrayRef<ArrayRef<MemoryAccess>> others) {
      return llvm::any_of(others, [&](ArrayRef<MemoryAccess> other) {
        return conflict(accesses, other);
      });
    };
    // Commands of other queues that come after the store's producer (the
    // last earlier command it conflicts with): a load waiting for one of
    // them may be ready after the store, and would then hold it back.
    SmallVector<ArrayRef<MemoryAccess>> afterProducer;
    if (failed(scanFrom(store, /*forward=*/false,
                        [&](Operation *op, ArrayRef<MemoryAccess> accesses) {
                          if (!onStoreQueue(op))
                            afterProducer.push_back(accesses);
                          return true;
                        })))
      return signalPassFailure();
    // The loads of the store's queue that follow it and are ready no later
    // than it, up to the first command that consumes one of them: later
    // loads of the queue wait for the same compute as the store, so passing
    // them would only delay it.
    SmallVector<ArrayRef<MemoryAccess>> passed;
    Operation *last = nullptr;
    if (failed(scanFrom(store, /*forward=*/true,
                        [&](Operation *op, ArrayRef<MemoryAccess> accesses) {
                          if (onStoreQueue(op)) {
                            if (isStore(cast<DmaOp>(op)) ||
                                conflictsWithAny(accesses, afterProducer))
                              return false;
                            passed.push_back(accesses);
                            last = op;
                            return true;
                          }
                          if (conflictsWithAny(accesses, passed))
                            return false;
                          afterProducer.push_back(accesses);
                          return true;
                        })))
      return signalPassFailure();
    if (!last)
      continue;
    store->moveAfter(last);
    ++numSunk;
    numOvertaken += passed.size();
  }
}
