//===- Verify.cpp - Checks a program against a chip before simulation -----===//
//
// The same invariants the `npu` dialect's verifiers enforce, plus what only
// the chip knows: every view lies inside its DRAM buffer or SRAM, cores,
// chips and DMA queues exist, and the tensor engine takes the precision.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/Verify.h"

#include "ProgramChecker.h"

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Program.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>

using namespace gaon::sim;
using llvm::StringRef;
using llvm::Twine;

/// True if the views have the same rank and dimensions.
static bool haveSameShape(const View &a, const View &b) {
  if (a.rank != b.rank)
    return false;
  for (unsigned i = 0; i < a.rank; ++i)
    if (a.shape[i] != b.shape[i])
      return false;
  return true;
}

static std::string formatShape(const View &view) {
  return stringifyDType(view.dtype).str() + "[" +
         llvm::join(
             llvm::map_range(view.getShape(),
                             [](int64_t d) { return std::to_string(d); }),
             ", ") +
         "]";
}

ProgramChecker::ProgramChecker(const Program &program, const ChipConfig &chip)
    : program(program), chip(chip) {
  extents.reserve(program.layouts.size());
  for (const ViewLayout &layout : program.layouts) {
    Extent extent;
    extent.width = getByteWidth(layout.dtype);
    extent.elements = 1;
    for (unsigned i = 0; i < layout.rank; ++i) {
      extent.elements *= layout.shape[i];
      extent.last += (layout.shape[i] - 1) * layout.strides[i];
    }
    extents.push_back(extent);
  }
}

void ProgramChecker::checkGlobals() {
  uint64_t dramEnd = 0, outsideDram = 0;
  std::string where =
      program.sourceName.empty() ? "program" : program.sourceName;
  if (program.chips > uint64_t(chip.system.chips))
    fail(where, "the program spans " + Twine(program.chips) + " chips but '" +
                    chip.name + "' has " + Twine(chip.system.chips));
  for (auto [id, buffer] : llvm::enumerate(program.buffers)) {
    std::string name =
        "buffer " + std::to_string(id) + " '" + buffer.name + "'";
    if (!isNpuDType(buffer.dtype))
      fail(where, name + " has element type " + stringifyDType(buffer.dtype) +
                      ", which NPU memory does not hold");
    if (buffer.chip >= program.chips)
      fail(where, name + " is on chip " + Twine(buffer.chip) +
                      " but the program spans " + Twine(program.chips));
    uint64_t needed =
        uint64_t(buffer.getNumElements() * getByteWidth(buffer.dtype));
    if (buffer.size < needed)
      fail(where, name + " has size " + Twine(buffer.size) +
                      " but its shape needs " + Twine(needed) + " bytes");
    bool wraps = buffer.address + buffer.size < buffer.address;
    if (!wraps)
      dramEnd = std::max(dramEnd, buffer.address + buffer.size);
    if (buffer.address + buffer.size > uint64_t(chip.dram.bytes) || wraps) {
      // The first one in full; a model too big for the chip would otherwise
      // list every buffer past the end.
      if (outsideDram++ == 0)
        fail(where, name + " [" + Twine(buffer.address) + ", " +
                        Twine(buffer.address + buffer.size) +
                        ") lies outside the " + Twine(chip.dram.bytes) +
                        "-byte DRAM of '" + chip.name + "'");
    }
  }
  if (outsideDram > 1)
    fail(where, Twine(outsideDram - 1) +
                    " more buffers lie outside it: the program needs " +
                    Twine(dramEnd) + " bytes of DRAM, '" + chip.name +
                    "' has " + Twine(chip.dram.bytes));
}

bool ProgramChecker::verifyView(const PackedView &view, StringRef name,
                                bool layoutChecked) {
  const ViewLayout &layout = program.getLayout(view);
  if (!layoutChecked && !isNpuDType(layout.dtype))
    return failCommand(name + " has element type " +
                       stringifyDType(layout.dtype) +
                       ", which NPU memory does not hold");
  // The largest index only matters for views with elements.
  auto [width, elements, last] = extents[view.layout];
  if (layout.space == MemorySpace::Dram) {
    uint32_t bufferId = view.bufferOrCore;
    if (bufferId >= program.buffers.size())
      return failCommand(name + " uses buffer " + Twine(bufferId) +
                         ", but the program has " +
                         Twine(program.buffers.size()));
    const Buffer &buffer = program.buffers[bufferId];
    if (layout.dtype != buffer.dtype)
      return failCommand(name + " reads " + stringifyDType(layout.dtype) +
                         " from buffer '" + buffer.name + "' of " +
                         stringifyDType(buffer.dtype));
    if (elements == 0)
      return true;
    if (view.offset < 0 ||
        uint64_t(view.offset + last + 1) * uint64_t(width) > buffer.size)
      return failCommand(name + " " + formatShape(program.unpack(view)) +
                         " touches elements " + Twine(view.offset) + " to " +
                         Twine(view.offset + last) + " of buffer '" +
                         buffer.name + "', which has " +
                         Twine(buffer.size / uint64_t(width)));
    return true;
  }
  uint32_t core = view.bufferOrCore;
  if (layout.chip >= program.chips)
    return failCommand(name + " is in the SRAM of chip " + Twine(layout.chip) +
                       " but the program spans " + Twine(program.chips));
  if (core >= uint64_t(chip.cores))
    return failCommand(name + " is in the SRAM of core " + Twine(core) +
                       ", but '" + chip.name + "' has " + Twine(chip.cores) +
                       " core(s)");
  if (view.offset % width != 0)
    return failCommand(name + " at SRAM address " + Twine(view.offset) +
                       " is not aligned to its " + Twine(width) +
                       "-byte elements");
  if (elements == 0)
    return true;
  int64_t end = view.offset + (last + 1) * width;
  if (view.offset < 0 || end > chip.core.sram.bytes)
    return failCommand(
        name + " " + formatShape(program.unpack(view)) + " spans SRAM bytes [" +
        Twine(view.offset) + ", " + Twine(end) + ") outside the " +
        Twine(chip.core.sram.bytes) + "-byte SRAM of core " + Twine(core));
  return true;
}

bool ProgramChecker::verifyOnCore(const View &view, StringRef name) {
  if (view.space != MemorySpace::Sram)
    return failCommand(name + " must be in SRAM");
  if (view.core != command->core || view.chip != command->chip)
    return failCommand(
        name + " is in the SRAM of core " + Twine(view.core) +
        (view.chip ? " of chip " + Twine(view.chip) : Twine()) +
        " but the command runs on core " + Twine(command->core) +
        (command->chip ? " of chip " + Twine(command->chip) : Twine()));
  return true;
}

bool ProgramChecker::verifyFloat(const View &view, StringRef name) {
  if (!isFloat(view.dtype))
    return failCommand(name + " must have a float element type, got " +
                       stringifyDType(view.dtype));
  return true;
}

bool ProgramChecker::verifySameType(llvm::ArrayRef<View> views,
                                    llvm::ArrayRef<StringRef> names) {
  for (unsigned i = 1; i < views.size(); ++i)
    if (views[i].dtype != views[0].dtype)
      return failCommand("operands must share an element type, got " +
                         stringifyDType(views[0].dtype) + " and " +
                         stringifyDType(views[i].dtype) + " (" + names[i] +
                         ")");
  return true;
}

bool ProgramChecker::verifySameShape(const View &a, const View &b,
                                     StringRef what) {
  if (!haveSameShape(a, b))
    return failCommand(what + " must have the same shape, got " +
                       formatShape(a) + " and " + formatShape(b));
  return true;
}

bool ProgramChecker::verifyBroadcastable(const View &operand,
                                         const View &output, StringRef name) {
  if (operand.rank != output.rank)
    return failCommand(name + " has rank " + Twine(unsigned(operand.rank)) +
                       " but the output has rank " +
                       Twine(unsigned(output.rank)));
  for (unsigned i = 0; i < output.rank; ++i)
    if (operand.shape[i] != output.shape[i] && operand.shape[i] != 1)
      return failCommand(name + " dimension " + Twine(i) + " is " +
                         Twine(operand.shape[i]) +
                         ", which neither matches the output's " +
                         Twine(output.shape[i]) + " nor broadcasts (1)");
  return true;
}

bool ProgramChecker::verifyMatmul(llvm::ArrayRef<View> views) {
  static constexpr StringRef names[] = {"lhs", "rhs", "acc"};
  for (unsigned i = 0; i < 3; ++i) {
    if (!verifyOnCore(views[i], names[i]))
      return false;
    if (views[i].rank != 2)
      return failCommand(names[i] + " must have rank 2, got " +
                         Twine(unsigned(views[i].rank)));
  }
  const View &lhs = views[0], &rhs = views[1], &acc = views[2];
  int64_t m = lhs.shape[command->transposeLhs ? 1 : 0];
  int64_t kLhs = lhs.shape[command->transposeLhs ? 0 : 1];
  int64_t kRhs = rhs.shape[command->transposeRhs ? 1 : 0];
  int64_t n = rhs.shape[command->transposeRhs ? 0 : 1];
  if (kLhs != kRhs)
    return failCommand("contraction sizes differ: lhs has K = " + Twine(kLhs) +
                       ", rhs has K = " + Twine(kRhs));
  if (acc.shape[0] != m || acc.shape[1] != n)
    return failCommand("acc must be " + Twine(m) + "x" + Twine(n) + ", got " +
                       formatShape(acc));
  if (lhs.dtype != rhs.dtype)
    return failCommand("lhs and rhs element types differ (" +
                       stringifyDType(lhs.dtype) + " vs " +
                       stringifyDType(rhs.dtype) + ")");
  std::optional<Precision> precision = getPrecision(lhs.dtype);
  if (!precision)
    return failCommand("the tensor engine does not take " +
                       stringifyDType(lhs.dtype) + " inputs");
  if (!chip.core.tensor.supports(*precision)) {
    std::vector<std::string> supported;
    for (Precision p : chip.core.tensor.getPrecisions())
      supported.push_back(stringifyPrecision(p).str());
    return failCommand("the tensor engine of '" + chip.name + "' has no " +
                       stringifyPrecision(*precision) + " support (supports " +
                       llvm::join(supported, ", ") + ")");
  }
  bool isFp8 = lhs.dtype == DType::F8E4M3FN || lhs.dtype == DType::F8E5M2;
  bool accOk = lhs.dtype == DType::I8 ? acc.dtype == DType::I32
                                      : acc.dtype == DType::F32 ||
                                            (acc.dtype == lhs.dtype && !isFp8);
  if (!accOk)
    return failCommand("cannot accumulate " + stringifyDType(lhs.dtype) +
                       " products in " + stringifyDType(acc.dtype) +
                       " (expected i32 for i8 inputs, f32 otherwise)");
  return true;
}

bool ProgramChecker::verifyVector(llvm::ArrayRef<View> views) {
  static constexpr StringRef twoNames[] = {"input", "output"};
  static constexpr StringRef threeNames[] = {"lhs", "rhs", "output"};
  llvm::ArrayRef<StringRef> names = command->kind == CommandKind::VectorBinary
                                        ? llvm::ArrayRef(threeNames)
                                    : command->kind == CommandKind::VectorFill
                                        ? llvm::ArrayRef(twoNames).drop_front()
                                        : llvm::ArrayRef(twoNames);
  bool needsFloat = command->kind != CommandKind::VectorCast &&
                    command->kind != CommandKind::VectorFill &&
                    !(command->kind == CommandKind::VectorUnary &&
                      command->getUnaryKind() == UnaryKind::Copy);
  for (unsigned i = 0; i < views.size(); ++i)
    if (!verifyOnCore(views[i], names[i]) ||
        (needsFloat && !verifyFloat(views[i], names[i])))
      return false;
  switch (command->kind) {
  case CommandKind::VectorUnary:
  case CommandKind::VectorScalar:
    return verifySameShape(views[0], views[1], "input and output") &&
           verifySameType(views, names);
  case CommandKind::VectorBinary:
    return verifyBroadcastable(views[0], views[2], "lhs") &&
           verifyBroadcastable(views[1], views[2], "rhs") &&
           verifySameType(views, names);
  case CommandKind::VectorReduce: {
    const View &in = views[0], &out = views[1];
    if (command->axis >= in.rank)
      return failCommand("axis " + Twine(unsigned(command->axis)) +
                         " is out of range for rank " +
                         Twine(unsigned(in.rank)));
    View expected = in;
    expected.shape[command->axis] = 1;
    if (!haveSameShape(expected, out))
      return failCommand("output must have the input's shape with dimension " +
                         Twine(unsigned(command->axis)) + " set to 1, got " +
                         formatShape(out));
    return verifySameType(views, names);
  }
  case CommandKind::VectorCast:
    return verifySameShape(views[0], views[1], "input and output");
  default:
    return true;
  }
}

bool ProgramChecker::verifyCommand(bool layoutChecked) {
  if (command->chip >= program.chips)
    return failCommand("runs on chip " + Twine(command->chip) +
                       " but the program spans " + Twine(program.chips));
  if (command->core >= uint64_t(chip.cores))
    return failCommand("core " + Twine(command->core) + " does not exist: '" +
                       chip.name + "' has " + Twine(chip.cores) + " core(s)");
  if (command->kind == CommandKind::Dma &&
      command->queue >= chip.core.dma.engines)
    return failCommand("DMA queue " + Twine(unsigned(command->queue)) +
                       " does not exist: '" + chip.name + "' has " +
                       Twine(chip.core.dma.engines) +
                       " DMA engine(s) per core");
  if (command->kind != CommandKind::Dma && command->queue != 0)
    return failCommand("only DMA commands have a queue");
  for (uint32_t id : program.getWaits(*command))
    if (id >= program.semaphores.size())
      return failCommand("waits on semaphore " + Twine(id) +
                         ", but the program has " +
                         Twine(program.semaphores.size()));
  for (uint32_t id : program.getSignals(*command))
    if (id >= program.semaphores.size())
      return failCommand("signals semaphore " + Twine(id) +
                         ", but the program has " +
                         Twine(program.semaphores.size()));
  if (command->op != kNoOp && command->op >= program.ops.size())
    return failCommand("names op " + Twine(command->op) +
                       ", but the program has " + Twine(program.ops.size()));

  static constexpr StringRef dmaNames[] = {"source", "target"};
  static constexpr StringRef otherNames[] = {"operand 0", "operand 1",
                                             "operand 2"};
  for (auto [i, view] : llvm::enumerate(program.getPackedViews(*command)))
    if (!verifyView(view,
                    command->kind == CommandKind::Dma ? dmaNames[i]
                                                      : otherNames[i],
                    layoutChecked))
      return false;
  // The rules below depend only on what layoutChecked vouches for.
  if (layoutChecked)
    return true;

  CommandViews unpacked = program.getViews(*command);
  llvm::ArrayRef<View> views = unpacked;

  if (command->kind == CommandKind::Dma) {
    const View &source = views[0], &target = views[1];
    if (source.rank < 1 || source.rank > 4)
      return failCommand("copies blocks of rank 1 to 4, got rank " +
                         Twine(unsigned(source.rank)));
    if (!verifySameShape(source, target, "source and target"))
      return false;
    if (source.dtype != target.dtype)
      return failCommand("cannot convert element types (" +
                         stringifyDType(source.dtype) + " to " +
                         stringifyDType(target.dtype) + "); use vector.cast");
    if (source.space == MemorySpace::Dram && target.space == MemorySpace::Dram)
      return failCommand("copies between DRAM and SRAM, but both sides are in "
                         "DRAM");
    return true;
  }
  if (command->kind == CommandKind::Matmul)
    return verifyMatmul(views);
  return verifyVector(views);
}

bool ProgramChecker::checkCommand(size_t commandIndex, bool layoutChecked) {
  index = commandIndex;
  command = &program.commands[index];
  return verifyCommand(layoutChecked);
}

llvm::Error ProgramChecker::takeError() {
  if (errors.empty())
    return llvm::Error::success();
  if (isFull())
    errors.push_back("(stopped after " + std::to_string(kMaxErrors) +
                     " errors)");
  std::string message = llvm::join(errors, "\n");
  errors.clear();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error gaon::sim::verifyProgram(const Program &program,
                                     const ChipConfig &chip) {
  ProgramChecker checker(program, chip);
  checker.checkGlobals();
  for (size_t i = 0; i < program.commands.size() && !checker.isFull(); ++i)
    checker.checkCommand(i);
  return checker.takeError();
}
