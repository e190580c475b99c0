//===- Program.h - The NPU program the simulator runs -----------*- C++ -*-===//
//
// An NPU program mirrors the `npu` dialect (NPUOps.td) one to one: DRAM
// buffers, counting semaphores, debug ops (name + MLIR location), and a list
// of commands. Each command belongs to one engine queue of one core of one
// chip (DMA queues 0..n-1, tensor, vector); a queue runs its commands in
// program order, and queues order themselves through semaphores (`wait`
// blocks until every listed count is positive and decrements them;
// `signal` increments on completion). Every operand is a strided View of
// DRAM (buffer + element offset) or of one core's SRAM (byte address).
//
// docs/npu-program.md documents the text and binary forms (ProgramIO.h).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_PROGRAM_H
#define GAON_SIM_PROGRAM_H

#include "gaon/Sim/Types.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <array>
#include <cassert>
#include <string>
#include <vector>

namespace gaon::sim {

constexpr unsigned kMaxRank = 4;
/// Marks a command with no debug op.
constexpr uint32_t kNoOp = ~0u;

/// A strided block of DRAM or SRAM. Shapes and strides count elements.
struct View {
  MemorySpace space = MemorySpace::Dram;
  DType dtype = DType::F32;
  uint8_t rank = 0;
  /// SRAM: the chip and core whose scratchpad holds the view.
  uint16_t chip = 0;
  uint32_t core = 0;
  /// DRAM: the buffer id.
  uint32_t buffer = 0;
  /// DRAM: element offset from the buffer's start. SRAM: byte address.
  int64_t offset = 0;
  std::array<int64_t, kMaxRank> shape{};
  std::array<int64_t, kMaxRank> strides{};

  /// A DRAM view; empty `strides` means contiguous row-major.
  static View dram(uint32_t buffer, int64_t elementOffset, DType dtype,
                   llvm::ArrayRef<int64_t> shape,
                   llvm::ArrayRef<int64_t> strides = {});
  /// An SRAM view of core `core` (of chip `chip`).
  static View sram(uint32_t core, int64_t byteAddress, DType dtype,
                   llvm::ArrayRef<int64_t> shape,
                   llvm::ArrayRef<int64_t> strides = {}, uint16_t chip = 0);

  llvm::ArrayRef<int64_t> getShape() const { return {shape.data(), rank}; }
  llvm::ArrayRef<int64_t> getStrides() const { return {strides.data(), rank}; }
  int64_t getNumElements() const {
    int64_t count = 1;
    for (unsigned i = 0; i < rank; ++i)
      count *= shape[i];
    return count;
  }
  int64_t getNumBytes() const { return getNumElements() * getByteWidth(dtype); }
  /// True if the strides are the row-major strides of the shape.
  bool isContiguous() const;
  /// Largest element index the view touches, relative to its start (0 for
  /// an empty view); views have non-negative strides.
  int64_t getMaxElementIndex() const {
    int64_t index = 0;
    for (unsigned i = 0; i < rank; ++i) {
      if (shape[i] == 0)
        return 0;
      index += (shape[i] - 1) * strides[i];
    }
    return index;
  }
};

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t, kMaxRank>
getContiguousStrides(llvm::ArrayRef<int64_t> shape);

/// What a view is apart from where it starts: memory space, element type,
/// shape and strides, and for SRAM views the chip. A program's tiles repeat
/// a few layouts millions of times, so a Program stores each distinct one
/// once (Program::layouts).
struct ViewLayout {
  MemorySpace space = MemorySpace::Dram;
  DType dtype = DType::F32;
  uint8_t rank = 0;
  /// SRAM: the chip (0 for DRAM views).
  uint16_t chip = 0;
  /// Dimensions past `rank` are 0.
  std::array<int64_t, kMaxRank> shape{};
  std::array<int64_t, kMaxRank> strides{};

  bool operator==(const ViewLayout &other) const {
    // Branch-free over every dimension (std::array's == calls memcmp):
    // loaders intern every view they read.
    int64_t differ = 0;
    for (unsigned i = 0; i < kMaxRank; ++i)
      differ |= (shape[i] ^ other.shape[i]) | (strides[i] ^ other.strides[i]);
    return differ == 0 && space == other.space && dtype == other.dtype &&
           rank == other.rank && chip == other.chip;
  }
};

/// A view as a Program stores it: where it starts and the index of its
/// layout in Program::layouts (Program::unpack restores the View).
struct PackedView {
  /// DRAM: element offset from the buffer's start. SRAM: byte address.
  int64_t offset = 0;
  uint32_t layout = 0;
  /// DRAM: the buffer id. SRAM: the core.
  uint32_t bufferOrCore = 0;
};

/// A command's operand views, unpacked. Indexing returns copies, so a
/// reference to an element of a temporary CommandViews stays valid.
class CommandViews {
public:
  size_t size() const { return count; }
  View operator[](size_t index) const {
    assert(index < count && "operand index out of range");
    return views[index];
  }
  const View *begin() const { return views.data(); }
  const View *end() const { return views.data() + count; }
  /// Only from a named CommandViews: a temporary's views die with it.
  operator llvm::ArrayRef<View>() const & { return {views.data(), count}; }
  operator llvm::ArrayRef<View>() const && = delete;

private:
  friend class Program;
  std::array<View, 3> views;
  unsigned count = 0;
};

enum class CommandKind : uint8_t {
  Dma,
  Matmul,
  VectorUnary,
  VectorBinary,
  VectorScalar,
  VectorReduce,
  VectorCast,
  VectorFill
};
/// "dma", "matmul", "vector.unary", ... (the dialect's op names without npu.)
llvm::StringRef stringifyCommandKind(CommandKind kind);
Engine getEngine(CommandKind kind);
/// Operands: dma (source, target), matmul (lhs, rhs, acc), unary/scalar/
/// reduce/cast (input, output), binary (lhs, rhs, output), fill (output).
inline unsigned getNumViews(CommandKind kind) {
  return kind == CommandKind::Matmul || kind == CommandKind::VectorBinary ? 3
         : kind == CommandKind::VectorFill                                ? 1
                                                                          : 2;
}

/// One engine command. Operand views and semaphore ids live in pools of the
/// Program (see Program::getViews/getWaits/getSignals).
struct Command {
  CommandKind kind = CommandKind::Dma;
  /// UnaryKind, BinaryKind or ReduceKind, by `kind`.
  uint8_t opKind = 0;
  /// DMA queue (engine) index.
  uint8_t queue = 0;
  /// vector.reduce axis.
  uint8_t axis = 0;
  bool transposeLhs = false;
  bool transposeRhs = false;
  /// matmul: acc += lhs * rhs; vector.reduce: combine with the output.
  bool accumulate = false;
  /// vector.scalar: scalar op input.
  bool reversed = false;
  uint16_t chip = 0;
  uint32_t core = 0;
  uint32_t firstView = 0;
  uint32_t firstSemaphore = 0;
  uint16_t numWaits = 0;
  uint16_t numSignals = 0;
  /// Debug op id (Program::ops), or kNoOp.
  uint32_t op = kNoOp;
  /// vector.scalar operand or vector.fill value.
  double scalar = 0;

  Engine getEngine() const { return sim::getEngine(kind); }
  UnaryKind getUnaryKind() const { return UnaryKind(opKind); }
  BinaryKind getBinaryKind() const { return BinaryKind(opKind); }
  ReduceKind getReduceKind() const { return ReduceKind(opKind); }
};

/// A tensor in DRAM the program reads or writes.
struct Buffer {
  std::string name;
  BufferRole role = BufferRole::Scratch;
  /// Position among inputs (or outputs); 0 for weights and scratch.
  uint32_t roleIndex = 0;
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t, kMaxRank> shape;
  /// The chip whose DRAM holds the buffer.
  uint16_t chip = 0;
  uint64_t address = 0;
  uint64_t size = 0;

  int64_t getNumElements() const;
};

struct Semaphore {
  uint32_t initial = 0;
};

/// The source op of a group of commands, for per-op breakdowns.
struct DebugOp {
  /// Op name, e.g. "linalg.matmul".
  std::string name;
  /// MLIR location, e.g. loc("model.mlir":12:3).
  std::string location;
};

/// An NPU program. Buffer, semaphore and op ids are their indices.
class Program {
public:
  /// Chips the program spans.
  uint32_t chips = 1;
  std::vector<Buffer> buffers;
  std::vector<Semaphore> semaphores;
  std::vector<DebugOp> ops;
  std::vector<Command> commands;
  /// Pools the commands index into: operand views (each naming one of the
  /// distinct `layouts`) and semaphore ids.
  std::vector<PackedView> views;
  std::vector<ViewLayout> layouts;
  std::vector<uint32_t> semaphoreIds;

  /// Appends `command` with its operands (getNumViews(kind) views) and
  /// semaphores to the pools, setting its pool indices.
  void appendCommand(Command command, llvm::ArrayRef<View> operands,
                     llvm::ArrayRef<uint32_t> waits,
                     llvm::ArrayRef<uint32_t> signals);
  /// The index of `layout` in `layouts`, added if new.
  uint32_t internLayout(const ViewLayout &layout);
  /// `view` as stored, its layout interned.
  PackedView pack(const View &view);
  View unpack(const PackedView &view) const;

  /// Where the program came from, for diagnostics: its name, and per command
  /// the text line or binary offset (empty for programs built in memory).
  std::string sourceName;
  bool sourceIsBinary = false;
  std::vector<uint64_t> commandPositions;

  llvm::ArrayRef<PackedView> getPackedViews(const Command &command) const {
    return {views.data() + command.firstView, getNumViews(command.kind)};
  }
  const ViewLayout &getLayout(const PackedView &view) const {
    return layouts[view.layout];
  }
  CommandViews getViews(const Command &command) const;
  llvm::ArrayRef<uint32_t> getWaits(const Command &command) const {
    return {semaphoreIds.data() + command.firstSemaphore, command.numWaits};
  }
  llvm::ArrayRef<uint32_t> getSignals(const Command &command) const {
    return {semaphoreIds.data() + command.firstSemaphore + command.numWaits,
            command.numSignals};
  }
  /// The id of the buffer named `name`, if any.
  std::optional<uint32_t> findBuffer(llvm::StringRef name) const;
  /// "prog.npu:12" / "prog.npub@offset 4096" / "command 7", for messages.
  std::string describeCommand(size_t index) const;

private:
  /// Finds layouts for internLayout: an open-addressed hash set of indices
  /// into `layouts` (~0u marks a free slot), at most half full.
  std::vector<uint32_t> layoutTable;
};

/// Options every command shares.
struct CommandOptions {
  uint32_t core = 0;
  uint16_t chip = 0;
  /// DMA queue.
  uint8_t queue = 0;
  llvm::ArrayRef<uint32_t> waits;
  llvm::ArrayRef<uint32_t> signals;
  uint32_t op = kNoOp;
};

/// Builds a Program in memory, in program order; the compiler's serialiser
/// and gaon-sim's layer mode use it.
class ProgramBuilder {
public:
  explicit ProgramBuilder(uint32_t chips = 1) { program.chips = chips; }

  /// Adds a DRAM buffer. With `address` unset it is placed after the
  /// previous buffers of its chip, aligned to 256 bytes; its size is its
  /// element count times the element width.
  uint32_t addBuffer(llvm::StringRef name, BufferRole role, uint32_t roleIndex,
                     DType dtype, llvm::ArrayRef<int64_t> shape,
                     uint16_t chip = 0,
                     std::optional<uint64_t> address = std::nullopt);
  uint32_t addSemaphore(uint32_t initial = 0);
  uint32_t addOp(llvm::StringRef name, llvm::StringRef location = "");

  void dma(const View &source, const View &target,
           const CommandOptions &options = {});
  void matmul(const View &lhs, const View &rhs, const View &acc,
              bool transposeLhs, bool transposeRhs, bool accumulate,
              const CommandOptions &options = {});
  void vectorUnary(UnaryKind kind, const View &input, const View &output,
                   const CommandOptions &options = {});
  void vectorBinary(BinaryKind kind, const View &lhs, const View &rhs,
                    const View &output, const CommandOptions &options = {});
  void vectorScalar(BinaryKind kind, const View &input, double scalar,
                    const View &output, bool reversed = false,
                    const CommandOptions &options = {});
  void vectorReduce(ReduceKind kind, const View &input, const View &output,
                    unsigned axis, bool accumulate = false,
                    const CommandOptions &options = {});
  void vectorCast(const View &input, const View &output,
                  const CommandOptions &options = {});
  void vectorFill(double value, const View &output,
                  const CommandOptions &options = {});

  /// Appends a fully formed command; `operands` has getNumViews(kind) views.
  void addCommand(Command command, llvm::ArrayRef<View> operands,
                  llvm::ArrayRef<uint32_t> waits,
                  llvm::ArrayRef<uint32_t> signals);

  Program &getProgram() { return program; }
  Program take() { return std::move(program); }

private:
  Command makeCommand(CommandKind kind, const CommandOptions &options);
  Program program;
};

} // namespace gaon::sim

#endif // GAON_SIM_PROGRAM_H
