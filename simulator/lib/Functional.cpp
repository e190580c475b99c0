//===- Functional.cpp - Executing commands on real buffers ----------------===//

#include "Functional.h"

#include <cstring>

using namespace gaon::sim;

FunctionalMemory::FunctionalMemory(const Program &program,
                                   const ChipConfig &chip)
    : program(program), chip(chip) {
  dram.resize(program.buffers.size());
  for (auto [storage, buffer] : llvm::zip(dram, program.buffers))
    storage.assign(buffer.size, 0);
  sram.resize(size_t(program.chips) * size_t(chip.cores));
}

uint8_t *FunctionalMemory::getBase(const View &view) {
  if (view.space == MemorySpace::Dram)
    return dram[view.buffer].data() + view.offset * getByteWidth(view.dtype);
  std::vector<uint8_t> &storage =
      sram[size_t(view.chip) * size_t(chip.cores) + view.core];
  if (storage.empty())
    storage.assign(size_t(chip.core.sram.bytes), 0);
  return storage.data() + view.offset;
}

/// Calls `body(targetOffset, sourceOffset)` (in elements) for every element
/// of two views of one shape, in row-major order.
template <typename Body>
static void forEachElement(const View &a, const View &b, Body body) {
  std::array<int64_t, kMaxRank> index{};
  int64_t count = a.getNumElements();
  for (int64_t n = 0; n < count; ++n) {
    int64_t offsetA = 0, offsetB = 0;
    for (unsigned d = 0; d < a.rank; ++d) {
      offsetA += index[d] * a.strides[d];
      offsetB += index[d] * b.strides[d];
    }
    body(offsetA, offsetB);
    for (int d = int(a.rank) - 1; d >= 0; --d) {
      if (++index[d] < a.shape[d])
        break;
      index[d] = 0;
    }
  }
}

llvm::Error FunctionalMemory::execute(const Command &command,
                                      llvm::ArrayRef<View> views) {
  if (command.kind == CommandKind::Dma) {
    const View &source = views[0], &target = views[1];
    int64_t width = getByteWidth(source.dtype);
    const uint8_t *from = getBase(source);
    uint8_t *to = getBase(target);
    forEachElement(target, source, [&](int64_t t, int64_t s) {
      std::memmove(to + t * width, from + s * width, size_t(width));
    });
    return llvm::Error::success();
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "functional mode cannot execute " +
                                     stringifyCommandKind(command.kind) +
                                     " yet");
}
