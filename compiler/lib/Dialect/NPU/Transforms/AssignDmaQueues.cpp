//===- AssignDmaQueues.cpp - spread DMAs over the DMA engines -------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"

namespace gaon::npu {
#define GEN_PASS_DEF_ASSIGNDMAQUEUESPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

struct AssignDmaQueuesPass
    : gaon::npu::impl::AssignDmaQueuesPassBase<AssignDmaQueuesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    TargetAttr target = TargetAttr::lookup(func);
    int64_t queues = target ? target.getDmaEngines() : 1;
    // Bytes queued so far per (core, queue).
    llvm::DenseMap<std::pair<int64_t, int64_t>, int64_t> queued;
    func.walk([&](DmaOp dma) {
      auto type = cast<MemRefType>(dma.getTarget().getType());
      int64_t bytes = type.getNumElements() *
                      ((type.getElementTypeBitWidth() + 7) / 8);
      bool store =
          getMemorySpace(type) == MemorySpace::Dram;
      int64_t core = dma.getCore();
      int64_t queue = 0;
      if (queues > 1 && store) {
        queue = queues - 1;
        ++numStores;
      } else {
        int64_t loadQueues = queues > 1 ? queues - 1 : 1;
        for (int64_t q = 1; q < loadQueues; ++q)
          if (queued[{core, q}] < queued[{core, queue}])
            queue = q;
        if (!store)
          ++numLoads;
        else
          ++numStores;
      }
      queued[{core, queue}] += bytes;
      dma.setQueue(queue);
    });
  }
};

} // namespace
