//===- ProgramBinary.cpp - The binary form of NPU programs
//-----------------===//
//
// Little-endian, fixed-width records (docs/npu-program.md): a header, the
// buffers, semaphores and debug ops, then each command followed by its
// operand views and semaphore ids. Reading is one pass over the bytes with
// a bounds check per field; errors give the byte offset.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/ProgramIO.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace gaon::sim;
using llvm::StringRef;
using llvm::Twine;

namespace {
constexpr size_t kHeaderBytes = 56;
constexpr size_t kCommandBytes = 32;
constexpr size_t kViewHeaderBytes = 24;

enum CommandFlags : uint8_t {
  kTransposeLhs = 1,
  kTransposeRhs = 2,
  kAccumulate = 4,
  kReversed = 8,
};

/// A bounds-checked little-endian cursor over the file.
class Cursor {
public:
  Cursor(StringRef bytes, StringRef name) : bytes(bytes), name(name) {}

  size_t offset() const { return pos; }
  bool ok() const { return error.empty(); }

  /// Records the first error, at `at` (default: the current offset).
  void fail(const Twine &message, std::optional<size_t> at = std::nullopt) {
    if (error.empty())
      error = name.str() + "@" + std::to_string(at.value_or(pos)) +
              ": error: " + message.str();
  }

  template <typename T> T read(StringRef what) {
    if (!ok())
      return T();
    if (bytes.size() - pos < sizeof(T)) {
      fail("truncated file: expected " + what + " (" + Twine(sizeof(T)) +
           " bytes), " + Twine(bytes.size() - pos) + " left");
      return T();
    }
    T value = llvm::support::endian::read<T, llvm::endianness::little>(
        bytes.data() + pos);
    pos += sizeof(T);
    return value;
  }
  double readDouble(StringRef what) {
    uint64_t bits = read<uint64_t>(what);
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  StringRef readBytes(uint64_t size, StringRef what) {
    if (!ok())
      return {};
    if (bytes.size() - pos < size) {
      fail("truncated file: " + what + " needs " + Twine(size) + " bytes, " +
           Twine(bytes.size() - pos) + " left");
      return {};
    }
    StringRef result = bytes.substr(pos, size);
    pos += size;
    return result;
  }
  void skip(size_t size) { pos += size; }

  std::string error;

private:
  StringRef bytes, name;
  size_t pos = 0;
};
} // namespace

/// Reads an enum stored as a byte, checking its range.
template <typename Enum>
static Enum readEnum(Cursor &cursor, unsigned count, StringRef what) {
  size_t at = cursor.offset();
  uint8_t value = cursor.read<uint8_t>(what);
  if (value >= count)
    cursor.fail("invalid " + what + " " + Twine(unsigned(value)), at);
  return Enum(value);
}

static void readView(Cursor &cursor, View &view) {
  view.space = readEnum<MemorySpace>(cursor, 2, "memory space");
  view.dtype = readEnum<DType>(cursor, kNumDTypes, "element type");
  size_t rankAt = cursor.offset();
  view.rank = cursor.read<uint8_t>("rank");
  if (view.rank > kMaxRank)
    cursor.fail("views have rank 0 to 4, got " + Twine(unsigned(view.rank)),
                rankAt);
  cursor.read<uint8_t>("reserved byte");
  view.chip = cursor.read<uint16_t>("chip");
  cursor.read<uint16_t>("reserved bytes");
  view.core = cursor.read<uint32_t>("core");
  view.buffer = cursor.read<uint32_t>("buffer id");
  view.offset = cursor.read<int64_t>("offset");
  if (!cursor.ok())
    return;
  for (unsigned i = 0; i < view.rank; ++i) {
    size_t at = cursor.offset();
    view.shape[i] = cursor.read<int64_t>("dimension");
    if (view.shape[i] < 0)
      cursor.fail("dimensions must not be negative", at);
  }
  for (unsigned i = 0; i < view.rank; ++i) {
    size_t at = cursor.offset();
    view.strides[i] = cursor.read<int64_t>("stride");
    if (view.strides[i] < 0)
      cursor.fail("strides must not be negative", at);
  }
}

llvm::Expected<Program> gaon::sim::parseProgramBinary(StringRef bytes,
                                                      StringRef bufferName) {
  Cursor cursor(bytes, bufferName);
  Program program;
  program.sourceName = bufferName.str();
  program.sourceIsBinary = true;
  auto failed = [&]() {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   cursor.error);
  };

  if (!isProgramBinary(bytes)) {
    cursor.fail("not a binary NPU program (bad magic)");
    return failed();
  }
  cursor.skip(8);
  size_t versionAt = cursor.offset();
  uint32_t version = cursor.read<uint32_t>("version");
  if (cursor.ok() && (version == 0 || version > kProgramBinaryVersion))
    cursor.fail("unsupported program version " + Twine(version) +
                    " (this reader knows 1 to " + Twine(kProgramBinaryVersion) +
                    ")",
                versionAt);
  program.chips = cursor.read<uint32_t>("chip count");
  uint32_t numBuffers = cursor.read<uint32_t>("buffer count");
  uint32_t numSemaphores = cursor.read<uint32_t>("semaphore count");
  uint32_t numOps = cursor.read<uint32_t>("op count");
  cursor.read<uint32_t>("reserved bytes");
  uint64_t numCommands = cursor.read<uint64_t>("command count");
  uint64_t numViews = cursor.read<uint64_t>("view count");
  uint64_t numSemaphoreIds = cursor.read<uint64_t>("semaphore id count");
  if (!cursor.ok())
    return failed();
  if (program.chips == 0 || program.chips > UINT16_MAX)
    cursor.fail("chip count must be in [1, 65535], got " + Twine(program.chips),
                12);
  // Each record needs at least its fixed part: reject absurd counts before
  // allocating for them.
  uint64_t remaining = bytes.size() - kHeaderBytes;
  if (numCommands > remaining / kCommandBytes ||
      numViews > remaining / kViewHeaderBytes ||
      numSemaphoreIds > remaining / 4 || numBuffers > remaining / 32 ||
      numSemaphores > remaining / 4 || numOps > remaining / 8)
    cursor.fail("record counts exceed the file size (" + Twine(bytes.size()) +
                    " bytes)",
                32);
  if (!cursor.ok())
    return failed();

  program.buffers.resize(numBuffers);
  for (Buffer &buffer : program.buffers) {
    buffer.role = readEnum<BufferRole>(cursor, 4, "buffer role");
    buffer.dtype = readEnum<DType>(cursor, kNumDTypes, "element type");
    size_t rankAt = cursor.offset();
    uint8_t rank = cursor.read<uint8_t>("rank");
    cursor.read<uint8_t>("reserved byte");
    buffer.roleIndex = cursor.read<uint32_t>("role index");
    buffer.chip = cursor.read<uint16_t>("chip");
    cursor.read<uint16_t>("reserved bytes");
    uint32_t nameLength = cursor.read<uint32_t>("name length");
    buffer.address = cursor.read<uint64_t>("address");
    buffer.size = cursor.read<uint64_t>("size");
    if (cursor.ok() && rank > 8)
      cursor.fail("buffer rank must be at most 8, got " + Twine(unsigned(rank)),
                  rankAt);
    for (unsigned i = 0; cursor.ok() && i < rank; ++i) {
      size_t at = cursor.offset();
      buffer.shape.push_back(cursor.read<int64_t>("dimension"));
      if (buffer.shape.back() < 0)
        cursor.fail("dimensions must not be negative", at);
    }
    buffer.name = cursor.readBytes(nameLength, "buffer name").str();
    if (!cursor.ok())
      return failed();
  }
  program.semaphores.resize(numSemaphores);
  for (Semaphore &semaphore : program.semaphores)
    semaphore.initial = cursor.read<uint32_t>("semaphore initial count");
  program.ops.resize(numOps);
  for (DebugOp &op : program.ops) {
    op.name =
        cursor.readBytes(cursor.read<uint32_t>("op name length"), "op name")
            .str();
    op.location =
        cursor.readBytes(cursor.read<uint32_t>("location length"), "location")
            .str();
  }
  if (!cursor.ok())
    return failed();

  program.commands.resize(numCommands);
  program.views.resize(numViews);
  program.semaphoreIds.resize(numSemaphoreIds);
  program.commandPositions.resize(numCommands);
  uint64_t viewIndex = 0, semaphoreIndex = 0;
  for (uint64_t i = 0; i < numCommands; ++i) {
    Command &command = program.commands[i];
    program.commandPositions[i] = cursor.offset();
    command.kind = readEnum<CommandKind>(cursor, 8, "command kind");
    size_t opKindAt = cursor.offset();
    command.opKind = cursor.read<uint8_t>("op kind");
    command.queue = cursor.read<uint8_t>("queue");
    command.axis = cursor.read<uint8_t>("axis");
    uint8_t flags = cursor.read<uint8_t>("flags");
    cursor.read<uint8_t>("reserved byte");
    command.chip = cursor.read<uint16_t>("chip");
    command.core = cursor.read<uint32_t>("core");
    command.op = cursor.read<uint32_t>("op id");
    command.numWaits = cursor.read<uint16_t>("wait count");
    command.numSignals = cursor.read<uint16_t>("signal count");
    cursor.read<uint32_t>("reserved bytes");
    command.scalar = cursor.readDouble("scalar");
    if (!cursor.ok())
      return failed();
    command.transposeLhs = flags & kTransposeLhs;
    command.transposeRhs = flags & kTransposeRhs;
    command.accumulate = flags & kAccumulate;
    command.reversed = flags & kReversed;
    unsigned kinds = command.kind == CommandKind::VectorUnary ? kNumUnaryKinds
                     : command.kind == CommandKind::VectorBinary ||
                             command.kind == CommandKind::VectorScalar
                         ? kNumBinaryKinds
                     : command.kind == CommandKind::VectorReduce
                         ? kNumReduceKinds
                         : 1;
    if (command.opKind >= kinds)
      cursor.fail("invalid op kind " + Twine(unsigned(command.opKind)) +
                      " for " + stringifyCommandKind(command.kind),
                  opKindAt);
    unsigned views = getNumViews(command.kind);
    unsigned ids = unsigned(command.numWaits) + command.numSignals;
    if (viewIndex + views > numViews || semaphoreIndex + ids > numSemaphoreIds)
      cursor.fail("command has more views or semaphore ids than the header "
                  "declares",
                  program.commandPositions[i]);
    if (!cursor.ok())
      return failed();
    command.firstView = uint32_t(viewIndex);
    command.firstSemaphore = uint32_t(semaphoreIndex);
    for (unsigned v = 0; v < views; ++v)
      readView(cursor, program.views[viewIndex++]);
    for (unsigned s = 0; s < ids; ++s)
      program.semaphoreIds[semaphoreIndex++] =
          cursor.read<uint32_t>("semaphore id");
    if (!cursor.ok())
      return failed();
  }
  if (viewIndex != numViews || semaphoreIndex != numSemaphoreIds)
    cursor.fail("the header declares " + Twine(numViews) + " views and " +
                Twine(numSemaphoreIds) + " semaphore ids, the commands use " +
                Twine(viewIndex) + " and " + Twine(semaphoreIndex));
  else if (cursor.offset() != bytes.size())
    cursor.fail(Twine(bytes.size() - cursor.offset()) +
                " unexpected bytes after the last command");
  if (!cursor.ok())
    return failed();
  return std::move(program);
}

void gaon::sim::writeProgramBinary(const Program &program,
                                   llvm::raw_ostream &os) {
  llvm::support::endian::Writer out(os, llvm::endianness::little);
  os.write(kProgramBinaryMagic, 8);
  out.write<uint32_t>(kProgramBinaryVersion);
  out.write<uint32_t>(program.chips);
  out.write<uint32_t>(uint32_t(program.buffers.size()));
  out.write<uint32_t>(uint32_t(program.semaphores.size()));
  out.write<uint32_t>(uint32_t(program.ops.size()));
  out.write<uint32_t>(0);
  out.write<uint64_t>(program.commands.size());
  // Count what the commands reference (pools may hold more).
  uint64_t views = 0, ids = 0;
  for (const Command &command : program.commands) {
    views += getNumViews(command.kind);
    ids += uint64_t(command.numWaits) + command.numSignals;
  }
  out.write<uint64_t>(views);
  out.write<uint64_t>(ids);

  for (const Buffer &buffer : program.buffers) {
    out.write<uint8_t>(uint8_t(buffer.role));
    out.write<uint8_t>(uint8_t(buffer.dtype));
    out.write<uint8_t>(uint8_t(buffer.shape.size()));
    out.write<uint8_t>(0);
    out.write<uint32_t>(buffer.roleIndex);
    out.write<uint16_t>(buffer.chip);
    out.write<uint16_t>(0);
    out.write<uint32_t>(uint32_t(buffer.name.size()));
    out.write<uint64_t>(buffer.address);
    out.write<uint64_t>(buffer.size);
    for (int64_t dim : buffer.shape)
      out.write<int64_t>(dim);
    os << buffer.name;
  }
  for (const Semaphore &semaphore : program.semaphores)
    out.write<uint32_t>(semaphore.initial);
  for (const DebugOp &op : program.ops) {
    out.write<uint32_t>(uint32_t(op.name.size()));
    os << op.name;
    out.write<uint32_t>(uint32_t(op.location.size()));
    os << op.location;
  }
  for (const Command &command : program.commands) {
    out.write<uint8_t>(uint8_t(command.kind));
    out.write<uint8_t>(command.opKind);
    out.write<uint8_t>(command.queue);
    out.write<uint8_t>(command.axis);
    out.write<uint8_t>((command.transposeLhs ? kTransposeLhs : 0) |
                       (command.transposeRhs ? kTransposeRhs : 0) |
                       (command.accumulate ? kAccumulate : 0) |
                       (command.reversed ? kReversed : 0));
    out.write<uint8_t>(0);
    out.write<uint16_t>(command.chip);
    out.write<uint32_t>(command.core);
    out.write<uint32_t>(command.op);
    out.write<uint16_t>(command.numWaits);
    out.write<uint16_t>(command.numSignals);
    out.write<uint32_t>(0);
    uint64_t bits;
    std::memcpy(&bits, &command.scalar, sizeof(bits));
    out.write<uint64_t>(bits);
    for (const View &view : program.getViews(command)) {
      out.write<uint8_t>(uint8_t(view.space));
      out.write<uint8_t>(uint8_t(view.dtype));
      out.write<uint8_t>(view.rank);
      out.write<uint8_t>(0);
      out.write<uint16_t>(view.chip);
      out.write<uint16_t>(0);
      out.write<uint32_t>(view.core);
      out.write<uint32_t>(view.buffer);
      out.write<int64_t>(view.offset);
      for (int64_t dim : view.getShape())
        out.write<int64_t>(dim);
      for (int64_t stride : view.getStrides())
        out.write<int64_t>(stride);
    }
    for (uint32_t id : program.getWaits(command))
      out.write<uint32_t>(id);
    for (uint32_t id : program.getSignals(command))
      out.write<uint32_t>(id);
  }
}
