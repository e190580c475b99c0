//===- AllocateSram.cpp - SRAM addresses with reuse -----------------------===//
//
// Places every SRAM buffer of straight-line npu code at a byte address of
// its core's scratchpad: live ranges from first to last use in program
// order, first-fit in order of first use, reusing space of dead buffers.
//
//===----------------------------------------------------------------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"
#include "gaon/Dialect/NPU/Transforms/Views.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

namespace gaon::npu {
#define GEN_PASS_DEF_ALLOCATESRAMPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

/// One SRAM buffer to place.
struct Buffer {
  memref::AllocOp alloc;
  int64_t first = -1, last = -1;
  int64_t core = -1;
  int64_t bytes = 0;
  int64_t address = -1;
};

/// A placed, still live buffer.
struct LiveBlock {
  int64_t address, end, last;
};

struct AllocateSramPass
    : gaon::npu::impl::AllocateSramPassBase<AllocateSramPass> {
  using Base::Base;

  void runOnOperation() override;
};

} // namespace

void AllocateSramPass::runOnOperation() {
  func::FuncOp func = getOperation();
  TargetAttr target = TargetAttr::lookup(func);
  if (!target) {
    func.emitError() << "gaon-allocate-sram needs an #npu.target in scope";
    return signalPassFailure();
  }
  if (alignment <= 0 || !llvm::isPowerOf2_64(alignment)) {
    func.emitError() << "alignment must be a positive power of two, got "
                     << static_cast<int64_t>(alignment);
    return signalPassFailure();
  }

  // Live ranges over the commands in program order.
  llvm::MapVector<Operation *, Buffer> buffers;
  int64_t position = 0;
  bool failed = false;
  for (Operation &op : func.getBody().getOps()) {
    if (isa<scf::ForOp, scf::ForallOp>(op)) {
      op.emitError() << "gaon-allocate-sram needs straight-line code; run "
                        "gaon-unroll-loops first";
      return signalPassFailure();
    }
    if (auto alloc = dyn_cast<memref::AllocOp>(op))
      if (getMemorySpace(alloc.getType()) == MemorySpace::Sram)
        buffers[alloc].alloc = alloc;
    auto command = dyn_cast<CommandOpInterface>(op);
    if (!command)
      continue;
    for (Value operand : op.getOperands()) {
      if (!isa<MemRefType>(operand.getType()))
        continue;
      auto alloc = getRootBuffer(operand).getDefiningOp<memref::AllocOp>();
      if (!alloc || getMemorySpace(alloc.getType()) != MemorySpace::Sram)
        continue;
      Buffer &buffer = buffers[alloc];
      buffer.alloc = alloc;
      if (buffer.first < 0)
        buffer.first = position;
      buffer.last = position;
      int64_t core = command.getCoreIndex();
      if (buffer.core >= 0 && buffer.core != core) {
        InFlightDiagnostic diag = op.emitError()
                                  << "an SRAM buffer is used on core " << core
                                  << " and on core " << buffer.core
                                  << "; each core has its own SRAM";
        diag.attachNote(alloc.getLoc()) << "buffer allocated here";
        failed = true;
      }
      buffer.core = core;
    }
    ++position;
  }
  if (failed)
    return signalPassFailure();

  // Place buffers in order of first use, first-fit per core.
  SmallVector<Buffer *> order;
  for (auto &entry : buffers) {
    Buffer &buffer = entry.second;
    if (buffer.first < 0)
      continue; // Never used by a command.
    std::optional<int64_t> bytes = getStaticSizeInBytes(buffer.alloc.getType());
    if (!bytes) {
      buffer.alloc.emitError() << "SRAM buffers need static shapes";
      return signalPassFailure();
    }
    buffer.bytes = llvm::alignTo(std::max<int64_t>(*bytes, 1), alignment);
    order.push_back(&buffer);
  }
  llvm::stable_sort(order,
                    [](Buffer *a, Buffer *b) { return a->first < b->first; });
  llvm::DenseMap<int64_t, SmallVector<LiveBlock>> live;
  llvm::DenseMap<int64_t, int64_t> highWater;
  int64_t capacity = target.getSramBytes();
  for (Buffer *buffer : order) {
    SmallVector<LiveBlock> &blocks = live[buffer->core];
    llvm::erase_if(blocks, [&](const LiveBlock &block) {
      return block.last < buffer->first;
    });
    llvm::sort(blocks, [](const LiveBlock &a, const LiveBlock &b) {
      return a.address < b.address;
    });
    int64_t address = 0;
    for (const LiveBlock &block : blocks) {
      if (address + buffer->bytes <= block.address)
        break;
      address = std::max(address, block.end);
    }
    if (address + buffer->bytes > capacity) {
      int64_t liveBytes = 0;
      for (const LiveBlock &block : blocks)
        liveBytes += block.end - block.address;
      buffer->alloc.emitError()
          << "SRAM of core " << buffer->core << " is full: this "
          << buffer->bytes << "-byte buffer does not fit while "
          << blocks.size() << " buffers (" << liveBytes
          << " bytes) are live; target '" << target.getName() << "' has "
          << capacity
          << " bytes per core. Use smaller tiles (gaon-tile-linalg "
             "sram-fraction or tile-sizes) or fewer buffers "
             "(gaon-double-buffer buffers=1)";
      return signalPassFailure();
    }
    int64_t &high = highWater[buffer->core];
    if (address < high)
      reusedBytes += std::min(high, address + buffer->bytes) - address;
    high = std::max(high, address + buffer->bytes);
    buffer->address = address;
    blocks.push_back({address, address + buffer->bytes, buffer->last});
  }
  for (auto &[core, high] : highWater)
    if (uint64_t(high) > peakBytes)
      peakBytes = high;

  // Rewrite the allocs; drop the ones no command uses.
  IRRewriter rewriter(&getContext());
  for (auto &entry : buffers) {
    Buffer &buffer = entry.second;
    rewriter.setInsertionPoint(buffer.alloc);
    if (buffer.first < 0) {
      if (buffer.alloc->use_empty())
        rewriter.eraseOp(buffer.alloc);
      continue;
    }
    auto npuAlloc =
        AllocOp::create(rewriter, buffer.alloc.getLoc(), buffer.alloc.getType(),
                        rewriter.getI64IntegerAttr(buffer.address),
                        rewriter.getI64IntegerAttr(buffer.core));
    rewriter.replaceOp(buffer.alloc, npuAlloc);
    ++numBuffers;
  }
}
