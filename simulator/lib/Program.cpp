//===- Program.cpp - NPU program data and builder -------------------------===//

#include "gaon/Sim/Program.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"

#include <cassert>

using namespace gaon::sim;
using llvm::ArrayRef;
using llvm::StringRef;

llvm::SmallVector<int64_t, kMaxRank>
gaon::sim::getContiguousStrides(ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, kMaxRank> strides(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Fills the shape and strides of `view` (contiguous if `strides` is empty).
static void setLayout(View &view, ArrayRef<int64_t> shape,
                      ArrayRef<int64_t> strides) {
  assert(shape.size() <= kMaxRank && "views have rank <= 4");
  assert((strides.empty() || strides.size() == shape.size()) &&
         "one stride per dimension");
  view.rank = uint8_t(shape.size());
  llvm::SmallVector<int64_t, kMaxRank> contiguous;
  if (strides.empty()) {
    contiguous = getContiguousStrides(shape);
    strides = contiguous;
  }
  for (unsigned i = 0; i < view.rank; ++i) {
    view.shape[i] = shape[i];
    view.strides[i] = strides[i];
  }
}

View View::dram(uint32_t buffer, int64_t elementOffset, DType dtype,
                ArrayRef<int64_t> shape, ArrayRef<int64_t> strides) {
  View view;
  view.space = MemorySpace::Dram;
  view.dtype = dtype;
  view.buffer = buffer;
  view.offset = elementOffset;
  setLayout(view, shape, strides);
  return view;
}

View View::sram(uint32_t core, int64_t byteAddress, DType dtype,
                ArrayRef<int64_t> shape, ArrayRef<int64_t> strides,
                uint16_t chip) {
  View view;
  view.space = MemorySpace::Sram;
  view.dtype = dtype;
  view.chip = chip;
  view.core = core;
  view.offset = byteAddress;
  setLayout(view, shape, strides);
  return view;
}

bool View::isContiguous() const {
  int64_t expected = 1;
  for (int i = int(rank) - 1; i >= 0; --i) {
    if (shape[i] != 1 && strides[i] != expected)
      return false;
    expected *= shape[i];
  }
  return true;
}

int64_t Buffer::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

StringRef gaon::sim::stringifyCommandKind(CommandKind kind) {
  static constexpr StringRef names[] = {
      "dma",           "matmul",        "vector.unary", "vector.binary",
      "vector.scalar", "vector.reduce", "vector.cast",  "vector.fill"};
  return names[unsigned(kind)];
}

Engine gaon::sim::getEngine(CommandKind kind) {
  switch (kind) {
  case CommandKind::Dma:
    return Engine::Dma;
  case CommandKind::Matmul:
    return Engine::Tensor;
  default:
    return Engine::Vector;
  }
}

std::optional<uint32_t> Program::findBuffer(StringRef name) const {
  for (auto [id, buffer] : llvm::enumerate(buffers))
    if (buffer.name == name)
      return uint32_t(id);
  return std::nullopt;
}

std::string Program::describeCommand(size_t index) const {
  if (index >= commandPositions.size())
    return "command " + std::to_string(index);
  if (sourceIsBinary)
    return sourceName + "@" + std::to_string(commandPositions[index]) +
           " (command " + std::to_string(index) + ")";
  return sourceName + ":" + std::to_string(commandPositions[index]);
}

//===----------------------------------------------------------------------===//
// ProgramBuilder
//===----------------------------------------------------------------------===//

uint32_t ProgramBuilder::addBuffer(StringRef name, BufferRole role,
                                   uint32_t roleIndex, DType dtype,
                                   ArrayRef<int64_t> shape, uint16_t chip,
                                   std::optional<uint64_t> address) {
  Buffer buffer;
  buffer.name = name.str();
  buffer.role = role;
  buffer.roleIndex = roleIndex;
  buffer.dtype = dtype;
  buffer.shape.assign(shape.begin(), shape.end());
  buffer.chip = chip;
  buffer.size = uint64_t(buffer.getNumElements() * getByteWidth(dtype));
  if (address) {
    buffer.address = *address;
  } else {
    uint64_t end = 0;
    for (const Buffer &other : program.buffers)
      if (other.chip == chip)
        end = std::max(end, other.address + other.size);
    buffer.address = llvm::alignTo(end, 256);
  }
  program.buffers.push_back(std::move(buffer));
  return uint32_t(program.buffers.size() - 1);
}

uint32_t ProgramBuilder::addSemaphore(uint32_t initial) {
  program.semaphores.push_back({initial});
  return uint32_t(program.semaphores.size() - 1);
}

uint32_t ProgramBuilder::addOp(StringRef name, StringRef location) {
  program.ops.push_back({name.str(), location.str()});
  return uint32_t(program.ops.size() - 1);
}

Command ProgramBuilder::makeCommand(CommandKind kind,
                                    const CommandOptions &options) {
  Command command;
  command.kind = kind;
  command.core = options.core;
  command.chip = options.chip;
  command.queue = options.queue;
  command.op = options.op;
  return command;
}

/// A multiply-xor hash of a layout's words: loaders intern every view they
/// read.
static uint64_t hashLayout(const ViewLayout &layout) {
  constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;
  uint64_t hash = uint64_t(layout.space) | uint64_t(layout.dtype) << 8 |
                  uint64_t(layout.rank) << 16 | uint64_t(layout.chip) << 32;
  for (unsigned i = 0; i < layout.rank && i < kMaxRank; ++i) {
    hash = (hash ^ uint64_t(layout.shape[i])) * kMultiplier;
    hash = (hash ^ uint64_t(layout.strides[i])) * kMultiplier;
  }
  return hash ^ (hash >> 29);
}

uint32_t Program::internLayout(const ViewLayout &layout) {
  constexpr uint32_t kFree = ~0u;
  if (2 * (layouts.size() + 1) > layoutTable.size()) {
    layoutTable.assign(std::max<size_t>(16, 2 * layoutTable.size()), kFree);
    size_t mask = layoutTable.size() - 1;
    for (auto [id, existing] : llvm::enumerate(layouts)) {
      size_t slot = hashLayout(existing) & mask;
      while (layoutTable[slot] != kFree)
        slot = (slot + 1) & mask;
      layoutTable[slot] = uint32_t(id);
    }
  }
  size_t mask = layoutTable.size() - 1;
  for (size_t slot = hashLayout(layout) & mask;; slot = (slot + 1) & mask) {
    uint32_t id = layoutTable[slot];
    if (id == kFree) {
      id = layoutTable[slot] = uint32_t(layouts.size());
      layouts.push_back(layout);
      return id;
    }
    if (layouts[id] == layout)
      return id;
  }
}

PackedView Program::pack(const View &view) {
  assert(view.rank <= kMaxRank && "views have rank <= 4");
  ViewLayout layout;
  layout.space = view.space;
  layout.dtype = view.dtype;
  layout.rank = view.rank;
  bool isSram = view.space == MemorySpace::Sram;
  layout.chip = isSram ? view.chip : 0;
  for (unsigned i = 0; i < view.rank; ++i) {
    layout.shape[i] = view.shape[i];
    layout.strides[i] = view.strides[i];
  }
  PackedView packed;
  packed.offset = view.offset;
  packed.layout = internLayout(layout);
  packed.bufferOrCore = isSram ? view.core : view.buffer;
  return packed;
}

View Program::unpack(const PackedView &packed) const {
  const ViewLayout &layout = getLayout(packed);
  View view;
  view.space = layout.space;
  view.dtype = layout.dtype;
  view.rank = layout.rank;
  view.offset = packed.offset;
  if (layout.space == MemorySpace::Sram) {
    view.chip = layout.chip;
    view.core = packed.bufferOrCore;
  } else {
    view.buffer = packed.bufferOrCore;
  }
  view.shape = layout.shape;
  view.strides = layout.strides;
  return view;
}

CommandViews Program::getViews(const Command &command) const {
  CommandViews result;
  for (const PackedView &view : getPackedViews(command))
    result.views[result.count++] = unpack(view);
  return result;
}

void Program::appendCommand(Command command, ArrayRef<View> operands,
                            ArrayRef<uint32_t> waits,
                            ArrayRef<uint32_t> signals) {
  assert(operands.size() == getNumViews(command.kind) &&
         "wrong number of operand views");
  command.firstView = uint32_t(views.size());
  for (const View &view : operands)
    views.push_back(pack(view));
  command.firstSemaphore = uint32_t(semaphoreIds.size());
  command.numWaits = uint16_t(waits.size());
  command.numSignals = uint16_t(signals.size());
  semaphoreIds.insert(semaphoreIds.end(), waits.begin(), waits.end());
  semaphoreIds.insert(semaphoreIds.end(), signals.begin(), signals.end());
  commands.push_back(command);
}

void ProgramBuilder::addCommand(Command command, ArrayRef<View> operands,
                                ArrayRef<uint32_t> waits,
                                ArrayRef<uint32_t> signals) {
  program.appendCommand(command, operands, waits, signals);
}

void ProgramBuilder::dma(const View &source, const View &target,
                         const CommandOptions &options) {
  addCommand(makeCommand(CommandKind::Dma, options), {source, target},
             options.waits, options.signals);
}

void ProgramBuilder::matmul(const View &lhs, const View &rhs, const View &acc,
                            bool transposeLhs, bool transposeRhs,
                            bool accumulate, const CommandOptions &options) {
  Command command = makeCommand(CommandKind::Matmul, options);
  command.transposeLhs = transposeLhs;
  command.transposeRhs = transposeRhs;
  command.accumulate = accumulate;
  addCommand(command, {lhs, rhs, acc}, options.waits, options.signals);
}

void ProgramBuilder::vectorUnary(UnaryKind kind, const View &input,
                                 const View &output,
                                 const CommandOptions &options) {
  Command command = makeCommand(CommandKind::VectorUnary, options);
  command.opKind = uint8_t(kind);
  addCommand(command, {input, output}, options.waits, options.signals);
}

void ProgramBuilder::vectorBinary(BinaryKind kind, const View &lhs,
                                  const View &rhs, const View &output,
                                  const CommandOptions &options) {
  Command command = makeCommand(CommandKind::VectorBinary, options);
  command.opKind = uint8_t(kind);
  addCommand(command, {lhs, rhs, output}, options.waits, options.signals);
}

void ProgramBuilder::vectorScalar(BinaryKind kind, const View &input,
                                  double scalar, const View &output,
                                  bool reversed,
                                  const CommandOptions &options) {
  Command command = makeCommand(CommandKind::VectorScalar, options);
  command.opKind = uint8_t(kind);
  command.scalar = scalar;
  command.reversed = reversed;
  addCommand(command, {input, output}, options.waits, options.signals);
}

void ProgramBuilder::vectorReduce(ReduceKind kind, const View &input,
                                  const View &output, unsigned axis,
                                  bool accumulate,
                                  const CommandOptions &options) {
  Command command = makeCommand(CommandKind::VectorReduce, options);
  command.opKind = uint8_t(kind);
  command.axis = uint8_t(axis);
  command.accumulate = accumulate;
  addCommand(command, {input, output}, options.waits, options.signals);
}

void ProgramBuilder::vectorCast(const View &input, const View &output,
                                const CommandOptions &options) {
  addCommand(makeCommand(CommandKind::VectorCast, options), {input, output},
             options.waits, options.signals);
}

void ProgramBuilder::vectorFill(double value, const View &output,
                                const CommandOptions &options) {
  Command command = makeCommand(CommandKind::VectorFill, options);
  command.scalar = value;
  addCommand(command, {output}, options.waits, options.signals);
}
