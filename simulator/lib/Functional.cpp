//===- Functional.cpp - Executing commands on real buffers ----------------===//

#include "Functional.h"

#include "gaon/Kernels/Ops.h"

using namespace gaon::sim;

FunctionalMemory::FunctionalMemory(const Program &program,
                                   const ChipConfig &chip)
    : program(program), chip(chip) {
  dram.resize(program.buffers.size());
  for (auto [storage, buffer] : llvm::zip(dram, program.buffers))
    storage.assign(buffer.size, 0);
  sram.resize(size_t(program.chips) * size_t(chip.cores));
}

std::byte *FunctionalMemory::getBase(const View &view) {
  if (view.space == MemorySpace::Dram)
    return reinterpret_cast<std::byte *>(dram[view.buffer].data()) +
           view.offset * getByteWidth(view.dtype);
  std::vector<uint8_t> &storage =
      sram[size_t(view.chip) * size_t(chip.cores) + view.core];
  if (storage.empty())
    storage.assign(size_t(chip.core.sram.bytes), 0);
  return reinterpret_cast<std::byte *>(storage.data()) + view.offset;
}

/// The kernels' view of `view`'s bytes.
static gaon::kernels::View toKernelView(std::byte *base, const View &view) {
  return gaon::kernels::View(base, view.dtype, view.getShape(),
                             view.getStrides());
}

llvm::Error FunctionalMemory::execute(const Command &command,
                                      llvm::ArrayRef<View> views) {
  namespace k = gaon::kernels;
  llvm::SmallVector<k::View, 3> operands;
  for (const View &view : views)
    operands.push_back(toKernelView(getBase(view), view));
  switch (command.kind) {
  case CommandKind::Dma:
    return k::copy(operands[0], operands[1]);
  case CommandKind::Matmul:
    return k::matmul(operands[0], command.transposeLhs, operands[1],
                     command.transposeRhs, operands[2], command.accumulate);
  case CommandKind::VectorUnary:
    return k::unary(k::UnaryKind(command.opKind), operands[0], operands[1]);
  case CommandKind::VectorBinary:
    return k::binary(k::BinaryKind(command.opKind), operands[0], operands[1],
                     operands[2]);
  case CommandKind::VectorScalar:
    return k::scalar(k::BinaryKind(command.opKind), operands[0], command.scalar,
                     command.reversed, operands[1]);
  case CommandKind::VectorReduce:
    return k::reduce(k::ReduceKind(command.opKind), operands[0], operands[1],
                     command.axis, command.accumulate);
  case CommandKind::VectorCast:
    return k::cast(operands[0], operands[1]);
  case CommandKind::VectorFill:
    return k::fill(command.scalar, operands[0]);
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "unknown command kind");
}
