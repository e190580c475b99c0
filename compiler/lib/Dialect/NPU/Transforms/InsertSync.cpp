//===- InsertSync.cpp - semaphores between engine queues ------------------===//
//
// On straight-line npu code, makes every command wait for the last earlier
// command of each other queue that touches the same memory (one of the two
// writing). One counting semaphore per ordered pair of queues carries the
// dependencies in program order; vector clocks drop waits that earlier waits
// already imply.
//
//===----------------------------------------------------------------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"
#include "gaon/Dialect/NPU/Transforms/MemoryRegions.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace gaon::npu {
#define GEN_PASS_DEF_INSERTSYNCPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

struct Access {
  int64_t command;
  MemoryRegion region;
};

/// Accesses of one memory (an SRAM or a DRAM buffer) by one queue, in
/// program order.
struct QueueAccesses {
  SmallVector<Access> reads, writes;
};

/// Identifies a command queue: (core, engine, DMA queue).
using QueueKey = std::tuple<int64_t, int64_t, int64_t>;

struct InsertSyncPass : gaon::npu::impl::InsertSyncPassBase<InsertSyncPass> {
  void runOnOperation() override;
};

} // namespace

void InsertSyncPass::runOnOperation() {
  func::FuncOp func = getOperation();
  SmallVector<CommandOpInterface> commands;
  for (Operation &op : func.getBody().getOps()) {
    if (isa<scf::ForOp, scf::ForallOp>(op)) {
      op.emitError() << "gaon-insert-sync needs straight-line code; run "
                        "gaon-unroll-loops first";
      return signalPassFailure();
    }
    if (auto command = dyn_cast<CommandOpInterface>(op)) {
      if (!command.getWaitSemaphores().empty() ||
          !command.getSignalSemaphores().empty()) {
        op.emitError() << "already synchronised; gaon-insert-sync expects "
                          "commands without semaphores";
        return signalPassFailure();
      }
      commands.push_back(command);
    }
  }

  // Number the queues.
  llvm::DenseMap<QueueKey, int64_t> queueIds;
  SmallVector<int64_t> queueOf;
  for (CommandOpInterface command : commands) {
    int64_t dmaQueue = 0;
    if (auto dma = dyn_cast<DmaOp>(command.getOperation()))
      dmaQueue = dma.getQueue();
    QueueKey key{command.getCoreIndex(), int64_t(command.getEngine()),
                 dmaQueue};
    auto [it, inserted] = queueIds.try_emplace(key, queueIds.size());
    queueOf.push_back(it->second);
  }
  int64_t numQueues = queueIds.size();

  // Per memory (SRAM of a core, or a DRAM root) and queue, the accesses.
  llvm::DenseMap<int64_t, std::vector<QueueAccesses>> sramAccesses;
  llvm::DenseMap<Value, std::vector<QueueAccesses>> dramAccesses;
  auto accessesOf =
      [&](const MemoryRegion &region) -> std::vector<QueueAccesses> & {
    std::vector<QueueAccesses> &list =
        region.root ? dramAccesses[region.root] : sramAccesses[region.core];
    if (list.empty())
      list.resize(numQueues);
    return list;
  };

  // clock[q][p]: the last command of queue p known complete when queue q's
  // next command starts; after[c]: the clock of command c's queue once c is
  // complete.
  SmallVector<SmallVector<int64_t>> clock(numQueues,
                                          SmallVector<int64_t>(numQueues, -1));
  SmallVector<SmallVector<int64_t>> after(commands.size());
  // One semaphore per ordered queue pair, created on first use.
  llvm::DenseMap<std::pair<int64_t, int64_t>, Value> semaphores;
  OpBuilder builder(func.getBody());
  builder.setInsertionPointToStart(&func.getBody().front());
  SmallVector<SmallVector<Value, 2>> signalsOf(commands.size()),
      waitsOf(commands.size());

  for (auto [index, command] : llvm::enumerate(commands)) {
    Operation *op = command.getOperation();
    int64_t q = queueOf[index];
    int64_t core = command.getCoreIndex();
    FailureOr<SmallVector<MemoryAccess, 4>> regions =
        getMemoryAccesses(op, core);
    if (failed(regions))
      return signalPassFailure();

    // The latest conflicting command of every other queue.
    SmallVector<int64_t> need(numQueues, -1);
    for (auto &[region, isWrite] : *regions) {
      std::vector<QueueAccesses> &perQueue = accessesOf(region);
      for (int64_t p = 0; p < numQueues; ++p) {
        if (p == q)
          continue;
        auto scan = [&](ArrayRef<Access> list) {
          for (const Access &access : llvm::reverse(list)) {
            if (access.command <= std::max(clock[q][p], need[p]))
              return;
            if (access.region.overlaps(region)) {
              need[p] = access.command;
              return;
            }
          }
        };
        scan(perQueue[p].writes);
        if (isWrite)
          scan(perQueue[p].reads);
      }
    }
    SmallVector<std::pair<int64_t, int64_t>> needed; // (command, queue)
    for (int64_t p = 0; p < numQueues; ++p)
      if (need[p] >= 0)
        needed.push_back({need[p], p});
    llvm::sort(needed, [](auto a, auto b) { return a.first > b.first; });
    for (auto [producer, p] : needed) {
      if (producer <= clock[q][p]) {
        ++numImplied;
        continue;
      }
      Value &semaphore = semaphores[{p, q}];
      if (!semaphore) {
        semaphore =
            SemaphoreOp::create(builder, func.getLoc(),
                                SemaphoreType::get(&getContext()), uint64_t(0));
        ++numSemaphores;
      }
      signalsOf[producer].push_back(semaphore);
      waitsOf[index].push_back(semaphore);
      ++numWaits;
      for (int64_t r = 0; r < numQueues; ++r)
        clock[q][r] = std::max(clock[q][r], after[producer][r]);
    }

    for (auto &[region, isWrite] : *regions) {
      QueueAccesses &mine = accessesOf(region)[q];
      (isWrite ? mine.writes : mine.reads).push_back({int64_t(index), region});
    }
    clock[q][q] = index;
    after[index] = clock[q];
  }

  for (auto [index, command] : llvm::enumerate(commands)) {
    command.getWaitSemaphoresMutable().append(waitsOf[index]);
    command.getSignalSemaphoresMutable().append(signalsOf[index]);
  }
}
