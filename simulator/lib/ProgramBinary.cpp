//===- ProgramBinary.cpp - The binary form of NPU programs ----------------===//
//
// A fixed little-endian header, then the buffers, semaphores and debug ops,
// then each command followed by its operand views and semaphore ids, all
// with LEB128 varints (zigzag for signed values) and contiguous views
// stored without strides (docs/npu-program.md). Reading is one pass with a
// bounds check per field; errors give the byte offset.
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/ProgramIO.h"

#include "llvm/Support/Compiler.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace gaon::sim;
using llvm::StringRef;
using llvm::Twine;

namespace {
constexpr size_t kHeaderBytes = 56;
// The smallest encodings, to reject impossible counts before allocating.
constexpr uint64_t kMinCommandBytes = 9;
constexpr uint64_t kMinViewBytes = 3;
constexpr uint64_t kMinBufferBytes = 8;
constexpr uint64_t kMinOpBytes = 2;

enum CommandFlags : uint8_t {
  kTransposeLhs = 1,
  kTransposeRhs = 2,
  kAccumulate = 4,
  kReversed = 8,
};
enum ViewFlags : uint8_t { kSram = 1, kContiguous = 0x10 };

bool hasScalar(CommandKind kind) {
  return kind == CommandKind::VectorScalar || kind == CommandKind::VectorFill;
}

/// A bounds-checked cursor over the file; the first error sticks.
class Cursor {
public:
  Cursor(StringRef bytes, StringRef name)
      : data(reinterpret_cast<const uint8_t *>(bytes.data())),
        size(bytes.size()), name(name) {}

  size_t offset() const { return pos; }
  size_t remaining() const { return size - pos; }
  bool ok() const { return error.empty(); }

  void fail(const Twine &message, std::optional<size_t> at = std::nullopt) {
    if (error.empty())
      error = name.str() + "@" + std::to_string(at.value_or(pos)) +
              ": error: " + message.str();
  }

  template <typename T> T readFixed(StringRef what) {
    if (size - pos < sizeof(T)) {
      fail("truncated file: expected " + what + " (" + Twine(sizeof(T)) +
           " bytes), " + Twine(size - pos) + " left");
      return T();
    }
    T value =
        llvm::support::endian::read<T, llvm::endianness::little>(data + pos);
    pos += sizeof(T);
    return value;
  }

  uint8_t readByte(StringRef what) {
    if (pos == size) {
      fail("truncated file: expected " + what);
      return 0;
    }
    return data[pos++];
  }

  uint64_t readVarint(StringRef what) {
    // Most fields fit one byte: keep that path small enough to inline.
    if (pos != size && data[pos] < 0x80)
      return data[pos++];
    return readLongVarint(what);
  }
  int64_t readSigned(StringRef what) {
    uint64_t zigzag = readVarint(what);
    return int64_t(zigzag >> 1) ^ -int64_t(zigzag & 1);
  }
  /// A varint that must fit `max`.
  uint64_t readBounded(StringRef what, uint64_t max) {
    size_t at = pos;
    uint64_t value = readVarint(what);
    if (value > max)
      failOutOfRange(what, value, max, at);
    return value;
  }
  StringRef readBytes(uint64_t count, StringRef what) {
    if (size - pos < count) {
      fail("truncated file: " + what + " needs " + Twine(count) + " bytes, " +
           Twine(size - pos) + " left");
      return {};
    }
    StringRef result(reinterpret_cast<const char *>(data + pos), count);
    pos += count;
    return result;
  }
  StringRef readString(StringRef what) {
    return readBytes(readVarint("string length"), what);
  }
  void skip(size_t count) { pos += count; }

  std::string error;

private:
  LLVM_ATTRIBUTE_NOINLINE uint64_t readLongVarint(StringRef what) {
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (pos == size) {
        fail("truncated file: expected " + what);
        return 0;
      }
      uint8_t byte = data[pos++];
      value |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return value;
    }
    fail("malformed varint in " + what);
    return 0;
  }
  LLVM_ATTRIBUTE_NOINLINE void failOutOfRange(StringRef what, uint64_t value,
                                              uint64_t max, size_t at) {
    fail(what + " " + Twine(value) + " is out of range (at most " + Twine(max) +
             ")",
         at);
  }

  const uint8_t *data;
  size_t size;
  StringRef name;
  size_t pos = 0;
};
} // namespace

/// Reads a view into `view`, interning its layout in `program`.
static void readView(Cursor &cursor, Program &program, PackedView &view) {
  size_t at = cursor.offset();
  uint8_t flags = cursor.readByte("view flags");
  ViewLayout layout;
  layout.space = flags & kSram ? MemorySpace::Sram : MemorySpace::Dram;
  unsigned dtype = (flags >> 1) & 0x7;
  if (!isNpuDType(DType(dtype)) || (flags & 0xe0))
    cursor.fail("invalid view flags " + Twine(unsigned(flags)), at);
  layout.dtype = DType(dtype);
  size_t rankAt = cursor.offset();
  layout.rank = cursor.readByte("rank");
  if (layout.rank > kMaxRank)
    cursor.fail("views have rank 0 to 4, got " + Twine(unsigned(layout.rank)),
                rankAt);
  if (!cursor.ok())
    return;
  if (layout.space == MemorySpace::Sram) {
    layout.chip = uint16_t(cursor.readBounded("chip", UINT16_MAX));
    view.bufferOrCore = uint32_t(cursor.readBounded("core", UINT32_MAX));
  } else {
    view.bufferOrCore = uint32_t(cursor.readBounded("buffer id", UINT32_MAX));
  }
  view.offset = cursor.readSigned("offset");
  for (unsigned i = 0; i < layout.rank; ++i)
    layout.shape[i] = int64_t(cursor.readBounded("dimension", INT64_MAX));
  if (flags & kContiguous) {
    int64_t stride = 1;
    for (int i = int(layout.rank) - 1; i >= 0; --i) {
      layout.strides[i] = stride;
      stride *= layout.shape[i];
    }
  } else {
    for (unsigned i = 0; i < layout.rank; ++i)
      layout.strides[i] = int64_t(cursor.readBounded("stride", INT64_MAX));
  }
  if (cursor.ok())
    view.layout = program.internLayout(layout);
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
  uint32_t version = cursor.readFixed<uint32_t>("version");
  if (cursor.ok() && (version == 0 || version > kProgramBinaryVersion))
    cursor.fail("unsupported program version " + Twine(version) +
                    " (this reader knows 1 to " + Twine(kProgramBinaryVersion) +
                    ")",
                8);
  program.chips = cursor.readFixed<uint32_t>("chip count");
  uint32_t numBuffers = cursor.readFixed<uint32_t>("buffer count");
  uint32_t numSemaphores = cursor.readFixed<uint32_t>("semaphore count");
  uint32_t numOps = cursor.readFixed<uint32_t>("op count");
  cursor.readFixed<uint32_t>("reserved bytes");
  uint64_t numCommands = cursor.readFixed<uint64_t>("command count");
  uint64_t numViews = cursor.readFixed<uint64_t>("view count");
  uint64_t numSemaphoreIds = cursor.readFixed<uint64_t>("semaphore id count");
  if (!cursor.ok())
    return failed();
  if (program.chips == 0 || program.chips > UINT16_MAX)
    cursor.fail("chip count must be in [1, 65535], got " + Twine(program.chips),
                12);
  uint64_t remaining = bytes.size() - kHeaderBytes;
  if (numCommands > remaining / kMinCommandBytes ||
      numViews > remaining / kMinViewBytes || numSemaphoreIds > remaining ||
      numBuffers > remaining / kMinBufferBytes || numSemaphores > remaining ||
      numOps > remaining / kMinOpBytes)
    cursor.fail("record counts exceed the file size (" + Twine(bytes.size()) +
                    " bytes)",
                32);
  if (!cursor.ok())
    return failed();

  program.buffers.resize(numBuffers);
  for (Buffer &buffer : program.buffers) {
    size_t at = cursor.offset();
    uint8_t role = cursor.readByte("buffer role");
    uint8_t dtype = cursor.readByte("element type");
    uint8_t rank = cursor.readByte("rank");
    if (cursor.ok() && (role >= 4 || !isNpuDType(DType(dtype)) || rank > 8))
      cursor.fail("invalid buffer record (role " + Twine(unsigned(role)) +
                      ", element type " + Twine(unsigned(dtype)) + ", rank " +
                      Twine(unsigned(rank)) + ")",
                  at);
    buffer.role = BufferRole(role);
    buffer.dtype = DType(dtype);
    buffer.roleIndex = uint32_t(cursor.readBounded("role index", UINT32_MAX));
    buffer.chip = uint16_t(cursor.readBounded("chip", UINT16_MAX));
    buffer.address = cursor.readBounded("address", INT64_MAX);
    buffer.size = cursor.readBounded("size", INT64_MAX);
    for (unsigned i = 0; cursor.ok() && i < rank; ++i)
      buffer.shape.push_back(
          int64_t(cursor.readBounded("dimension", INT64_MAX)));
    buffer.name = cursor.readString("buffer name").str();
    if (!cursor.ok())
      return failed();
  }
  program.semaphores.resize(numSemaphores);
  for (Semaphore &semaphore : program.semaphores)
    semaphore.initial =
        uint32_t(cursor.readBounded("semaphore initial count", UINT32_MAX));
  program.ops.resize(numOps);
  for (DebugOp &op : program.ops) {
    op.name = cursor.readString("op name").str();
    op.location = cursor.readString("location").str();
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
    size_t start = cursor.offset();
    program.commandPositions[i] = start;
    uint8_t kindAndFlags = cursor.readByte("command kind");
    if ((kindAndFlags & 0xf) >= 8) {
      cursor.fail("invalid command kind " + Twine(unsigned(kindAndFlags & 0xf)),
                  start);
      return failed();
    }
    command.kind = CommandKind(kindAndFlags & 0xf);
    uint8_t flags = kindAndFlags >> 4;
    command.transposeLhs = flags & kTransposeLhs;
    command.transposeRhs = flags & kTransposeRhs;
    command.accumulate = flags & kAccumulate;
    command.reversed = flags & kReversed;
    size_t opKindAt = cursor.offset();
    command.opKind = cursor.readByte("op kind");
    command.queue = uint8_t(cursor.readBounded("queue", UINT8_MAX));
    command.axis = uint8_t(cursor.readBounded("axis", UINT8_MAX));
    command.chip = uint16_t(cursor.readBounded("chip", UINT16_MAX));
    command.core = uint32_t(cursor.readBounded("core", UINT32_MAX));
    uint64_t op = cursor.readBounded("op id", UINT32_MAX);
    command.op = op == 0 ? kNoOp : uint32_t(op - 1);
    command.numWaits = uint16_t(cursor.readBounded("wait count", UINT16_MAX));
    command.numSignals =
        uint16_t(cursor.readBounded("signal count", UINT16_MAX));
    if (hasScalar(command.kind)) {
      uint64_t bits = cursor.readFixed<uint64_t>("scalar");
      std::memcpy(&command.scalar, &bits, sizeof(bits));
    }
    if (!cursor.ok())
      return failed();
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
                  start);
    if (!cursor.ok())
      return failed();
    command.firstView = uint32_t(viewIndex);
    command.firstSemaphore = uint32_t(semaphoreIndex);
    for (unsigned v = 0; v < views; ++v)
      readView(cursor, program, program.views[viewIndex++]);
    for (unsigned s = 0; s < ids; ++s)
      program.semaphoreIds[semaphoreIndex++] =
          uint32_t(cursor.readBounded("semaphore id", UINT32_MAX));
    if (!cursor.ok())
      return failed();
  }
  if (viewIndex != numViews || semaphoreIndex != numSemaphoreIds)
    cursor.fail("the header declares " + Twine(numViews) + " views and " +
                Twine(numSemaphoreIds) + " semaphore ids, the commands use " +
                Twine(viewIndex) + " and " + Twine(semaphoreIndex));
  else if (cursor.remaining() != 0)
    cursor.fail(Twine(cursor.remaining()) +
                " unexpected bytes after the last command");
  if (!cursor.ok())
    return failed();
  return std::move(program);
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

namespace {
/// Buffers output and writes varints.
class Encoder {
public:
  explicit Encoder(llvm::raw_ostream &os) : os(os) {}
  ~Encoder() { flush(); }

  void byte(uint8_t value) {
    buffer.push_back(char(value));
    maybeFlush();
  }
  void varint(uint64_t value) {
    do {
      uint8_t byte = value & 0x7f;
      value >>= 7;
      buffer.push_back(char(value ? byte | 0x80 : byte));
    } while (value);
    maybeFlush();
  }
  void signedVarint(int64_t value) {
    varint((uint64_t(value) << 1) ^ uint64_t(value >> 63));
  }
  template <typename T> void fixed(T value) {
    char bytes[sizeof(T)];
    llvm::support::endian::write<T, llvm::endianness::little>(bytes, value);
    buffer.append(bytes, sizeof(T));
    maybeFlush();
  }
  void string(StringRef text) {
    varint(text.size());
    buffer.append(text.begin(), text.end());
    maybeFlush();
  }
  void flush() {
    os.write(buffer.data(), buffer.size());
    buffer.clear();
  }

private:
  void maybeFlush() {
    if (buffer.size() >= (1 << 16))
      flush();
  }
  llvm::raw_ostream &os;
  std::string buffer;
};
} // namespace

void gaon::sim::writeProgramBinary(const Program &program,
                                   llvm::raw_ostream &os) {
  Encoder out(os);
  for (char c : kProgramBinaryMagic)
    out.byte(uint8_t(c));
  out.fixed<uint32_t>(kProgramBinaryVersion);
  out.fixed<uint32_t>(program.chips);
  out.fixed<uint32_t>(uint32_t(program.buffers.size()));
  out.fixed<uint32_t>(uint32_t(program.semaphores.size()));
  out.fixed<uint32_t>(uint32_t(program.ops.size()));
  out.fixed<uint32_t>(0);
  out.fixed<uint64_t>(program.commands.size());
  // Count what the commands reference (pools may hold more).
  uint64_t views = 0, ids = 0;
  for (const Command &command : program.commands) {
    views += getNumViews(command.kind);
    ids += uint64_t(command.numWaits) + command.numSignals;
  }
  out.fixed<uint64_t>(views);
  out.fixed<uint64_t>(ids);

  for (const Buffer &buffer : program.buffers) {
    out.byte(uint8_t(buffer.role));
    out.byte(uint8_t(buffer.dtype));
    out.byte(uint8_t(buffer.shape.size()));
    out.varint(buffer.roleIndex);
    out.varint(buffer.chip);
    out.varint(buffer.address);
    out.varint(buffer.size);
    for (int64_t dim : buffer.shape)
      out.varint(uint64_t(dim));
    out.string(buffer.name);
  }
  for (const Semaphore &semaphore : program.semaphores)
    out.varint(semaphore.initial);
  for (const DebugOp &op : program.ops) {
    out.string(op.name);
    out.string(op.location);
  }
  for (const Command &command : program.commands) {
    uint8_t flags = (command.transposeLhs ? kTransposeLhs : 0) |
                    (command.transposeRhs ? kTransposeRhs : 0) |
                    (command.accumulate ? kAccumulate : 0) |
                    (command.reversed ? kReversed : 0);
    out.byte(uint8_t(command.kind) | uint8_t(flags << 4));
    out.byte(command.opKind);
    out.varint(command.queue);
    out.varint(command.axis);
    out.varint(command.chip);
    out.varint(command.core);
    out.varint(command.op == kNoOp ? 0 : uint64_t(command.op) + 1);
    out.varint(command.numWaits);
    out.varint(command.numSignals);
    if (hasScalar(command.kind)) {
      uint64_t bits;
      std::memcpy(&bits, &command.scalar, sizeof(bits));
      out.fixed<uint64_t>(bits);
    }
    for (const View &view : program.getViews(command)) {
      bool contiguous = view.isContiguous();
      out.byte((view.space == MemorySpace::Sram ? kSram : 0) |
               uint8_t(uint8_t(view.dtype) << 1) |
               (contiguous ? kContiguous : 0));
      out.byte(view.rank);
      if (view.space == MemorySpace::Sram) {
        out.varint(view.chip);
        out.varint(view.core);
      } else {
        out.varint(view.buffer);
      }
      out.signedVarint(view.offset);
      for (int64_t dim : view.getShape())
        out.varint(uint64_t(dim));
      if (!contiguous)
        for (int64_t stride : view.getStrides())
          out.varint(uint64_t(stride));
    }
    for (uint32_t id : program.getWaits(command))
      out.varint(id);
    for (uint32_t id : program.getSignals(command))
      out.varint(id);
  }
}
