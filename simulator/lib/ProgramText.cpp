//===- ProgramText.cpp - The text form of NPU programs --------------------===//
//
// One declaration or command per line; '#' starts a comment. The grammar is
// in docs/npu-program.md. The reader keeps each command's line for later
// diagnostics (Program::describeCommand).
//
//===----------------------------------------------------------------------===//

#include "gaon/Sim/ProgramIO.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace gaon::sim;
using llvm::StringRef;
using llvm::Twine;

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {
enum class TokenKind { End, Identifier, Integer, Float, String, Punct, Arrow };

struct Token {
  TokenKind kind = TokenKind::End;
  StringRef text;
  size_t column = 0;
};

/// Splits one line into tokens.
class Lexer {
public:
  Lexer(StringRef line) : line(line) {}

  /// Returns false and sets `error` on a malformed token.
  bool lex(std::vector<Token> &tokens, std::string &error) {
    while (true) {
      while (pos < line.size() &&
             (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r'))
        ++pos;
      if (pos >= line.size() || line[pos] == '#')
        break;
      Token token;
      token.column = pos + 1;
      char c = line[pos];
      if (c == '"') {
        size_t start = pos++;
        while (pos < line.size() && line[pos] != '"')
          pos += line[pos] == '\\' ? 2 : 1;
        if (pos >= line.size()) {
          error = "unterminated string";
          errorColumn = start + 1;
          return false;
        }
        token.kind = TokenKind::String;
        token.text = line.slice(start, ++pos);
      } else if (c == '-' && pos + 1 < line.size() && line[pos + 1] == '>') {
        token.kind = TokenKind::Arrow;
        token.text = line.substr(pos, 2);
        pos += 2;
      } else if (llvm::isDigit(c) || c == '-' || c == '+' || c == '.') {
        size_t start = pos++;
        bool isFloat = c == '.';
        while (pos < line.size() &&
               (llvm::isAlnum(line[pos]) || line[pos] == '.' ||
                ((line[pos] == '-' || line[pos] == '+') &&
                 (line[pos - 1] == 'e' || line[pos - 1] == 'E') &&
                 !line.slice(start, pos).starts_with_insensitive("0x")))) {
          isFloat |= line[pos] == '.' ||
                     ((line[pos] == 'e' || line[pos] == 'E') &&
                      !line.slice(start, pos).starts_with_insensitive("0x"));
          ++pos;
        }
        token.text = line.slice(start, pos);
        // "-inf" and "+inf" lex as floats.
        isFloat |= token.text.ends_with("inf") || token.text.ends_with("nan");
        token.kind = isFloat ? TokenKind::Float : TokenKind::Integer;
      } else if (llvm::isAlpha(c) || c == '_') {
        size_t start = pos;
        while (pos < line.size() &&
               (llvm::isAlnum(line[pos]) || line[pos] == '_' ||
                line[pos] == '.' ||
                (line[pos] == '-' &&
                 !(pos + 1 < line.size() && line[pos + 1] == '>'))))
          ++pos;
        token.kind = TokenKind::Identifier;
        token.text = line.slice(start, pos);
      } else if (StringRef("()[],:").contains(c)) {
        token.kind = TokenKind::Punct;
        token.text = line.substr(pos++, 1);
      } else {
        error = "unexpected character '" + std::string(1, c) + "'";
        errorColumn = pos + 1;
        return false;
      }
      tokens.push_back(token);
    }
    Token end;
    end.column = line.size() + 1;
    tokens.push_back(end);
    return true;
  }

  size_t errorColumn = 0;

private:
  StringRef line;
  size_t pos = 0;
};

/// Reads a program line by line.
class TextReader {
public:
  TextReader(StringRef text, StringRef name) : text(text), name(name) {}

  llvm::Expected<Program> read();

private:
  // Error reporting: the first error wins.
  bool fail(size_t column, const Twine &message) {
    if (error.empty())
      error = name.str() + ":" + std::to_string(lineNumber) + ":" +
              std::to_string(column) + ": error: " + message.str();
    return false;
  }
  bool fail(const Twine &message) { return fail(peek().column, message); }

  const Token &peek() const { return tokens[index]; }
  const Token &next() {
    return tokens[index < tokens.size() - 1 ? index++ : index];
  }
  bool atEnd() const { return peek().kind == TokenKind::End; }
  static std::string describe(const Token &token) {
    return token.kind == TokenKind::End ? "end of line"
                                        : "'" + token.text.str() + "'";
  }

  bool consumeIf(StringRef text) {
    if (peek().kind == TokenKind::End || peek().text != text)
      return false;
    ++index;
    return true;
  }
  bool expect(StringRef text) {
    if (consumeIf(text))
      return true;
    return fail("expected '" + text + "', got " + describe(peek()));
  }
  bool parseInteger(int64_t &value, StringRef what);
  bool parseUnsigned(uint64_t &value, StringRef what, uint64_t max);
  template <typename T> bool parseIndex(T &value, StringRef what) {
    uint64_t wide;
    if (!parseUnsigned(wide, what, uint64_t(std::numeric_limits<T>::max())))
      return false;
    value = T(wide);
    return true;
  }
  bool parseDouble(double &value, StringRef what);
  bool parseString(std::string &value, StringRef what);
  bool parseIdentifier(StringRef &value, StringRef what);
  bool parseDType(DType &type);
  bool parseIntList(llvm::SmallVectorImpl<int64_t> &values, StringRef what);
  bool parseView(View &view);
  bool parseIdList(llvm::SmallVectorImpl<uint32_t> &ids);

  /// Parses the id of the next `kind` declaration, which must be `expected`.
  bool parseDeclarationId(llvm::StringRef kind, size_t expected);
  bool parseHeader();
  bool parseBuffer();
  bool parseSemaphore();
  bool parseOp();
  bool parseCommand(StringRef keyword);
  template <typename Enum>
  bool parseKind(uint8_t &value, std::optional<Enum> (*symbolize)(StringRef),
                 StringRef what) {
    StringRef word;
    if (!parseIdentifier(word, what))
      return false;
    std::optional<Enum> kind = symbolize(word);
    if (!kind)
      return fail(tokens[index - 1].column,
                  "unknown " + what + " '" + word + "'");
    value = uint8_t(*kind);
    return true;
  }

  StringRef text, name;
  Program program;
  std::vector<Token> tokens;
  size_t index = 0;
  size_t lineNumber = 0;
  bool sawHeader = false;
  std::string error;
};
} // namespace

bool TextReader::parseInteger(int64_t &value, StringRef what) {
  const Token &token = peek();
  if (token.kind != TokenKind::Integer)
    return fail("expected " + what + ", got " + describe(token));
  StringRef digits = token.text;
  bool negative = digits.consume_front("-");
  digits.consume_front("+");
  uint64_t magnitude;
  if (digits.getAsInteger(0, magnitude) || magnitude > uint64_t(INT64_MAX))
    return fail("invalid " + what + " " + describe(token));
  value = negative ? -int64_t(magnitude) : int64_t(magnitude);
  ++index;
  return true;
}

bool TextReader::parseUnsigned(uint64_t &value, StringRef what, uint64_t max) {
  const Token &token = peek();
  int64_t signedValue;
  if (!parseInteger(signedValue, what))
    return false;
  if (signedValue < 0 || uint64_t(signedValue) > max)
    return fail(token.column, what + " must be in [0, " + Twine(max) +
                                  "], got " + token.text);
  value = uint64_t(signedValue);
  return true;
}

bool TextReader::parseDouble(double &value, StringRef what) {
  const Token &token = peek();
  if (token.kind != TokenKind::Integer && token.kind != TokenKind::Float &&
      !(token.kind == TokenKind::Identifier &&
        (token.text == "inf" || token.text == "nan")))
    return fail("expected " + what + ", got " + describe(token));
  std::string copy = token.text.str();
  char *end = nullptr;
  errno = 0;
  value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size())
    return fail("invalid " + what + " " + describe(token));
  ++index;
  return true;
}

bool TextReader::parseString(std::string &value, StringRef what) {
  const Token &token = peek();
  if (token.kind != TokenKind::String)
    return fail("expected " + what + " (a quoted string), got " +
                describe(token));
  StringRef body = token.text.drop_front().drop_back();
  value.clear();
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      value += body[i];
      continue;
    }
    char escaped = ++i < body.size() ? body[i] : '\0';
    if (escaped == 'n')
      value += '\n';
    else if (escaped == 't')
      value += '\t';
    else if (escaped == '"' || escaped == '\\')
      value += escaped;
    else
      return fail(token.column + i, "unknown escape '\\" +
                                        std::string(1, escaped) +
                                        "' (use \\\", \\\\, \\n or \\t)");
  }
  ++index;
  return true;
}

bool TextReader::parseIdentifier(StringRef &value, StringRef what) {
  if (peek().kind != TokenKind::Identifier)
    return fail("expected " + what + ", got " + describe(peek()));
  value = next().text;
  return true;
}

bool TextReader::parseDType(DType &type) {
  StringRef word;
  if (!parseIdentifier(word, "an element type"))
    return false;
  std::optional<DType> parsed = symbolizeDType(word);
  if (!parsed)
    return fail(tokens[index - 1].column,
                "unknown element type '" + word +
                    "' (expected f32, f16, bf16, f8E4M3FN, f8E5M2, i8 or i32)");
  type = *parsed;
  return true;
}

bool TextReader::parseIntList(llvm::SmallVectorImpl<int64_t> &values,
                              StringRef what) {
  if (!expect("["))
    return false;
  if (consumeIf("]"))
    return true;
  do {
    int64_t value;
    if (!parseInteger(value, what))
      return false;
    values.push_back(value);
  } while (consumeIf(","));
  return expect("]");
}

bool TextReader::parseView(View &view) {
  StringRef space;
  if (!parseIdentifier(space, "an operand ('dram(...)' or 'sram(...)')"))
    return false;
  size_t spaceColumn = tokens[index - 1].column;
  if (space == "dram") {
    view.space = MemorySpace::Dram;
    if (!expect("(") || !parseIndex(view.buffer, "a buffer id") ||
        !expect(",") || !parseInteger(view.offset, "an element offset") ||
        !expect(")"))
      return false;
  } else if (space == "sram") {
    view.space = MemorySpace::Sram;
    if (!expect("(") || !parseIndex(view.core, "a core") || !expect(",") ||
        !parseInteger(view.offset, "a byte address"))
      return false;
    if (consumeIf(",") && (!expect("chip") || !parseIndex(view.chip, "a chip")))
      return false;
    if (!expect(")"))
      return false;
  } else {
    return fail(spaceColumn, "expected 'dram' or 'sram', got '" + space + "'");
  }
  if (!expect(":") || !parseDType(view.dtype))
    return false;
  size_t shapeColumn = peek().column;
  llvm::SmallVector<int64_t, kMaxRank> shape, strides;
  if (!parseIntList(shape, "a dimension"))
    return false;
  if (shape.size() > kMaxRank)
    return fail(shapeColumn,
                "views have rank 0 to 4, got rank " + Twine(shape.size()));
  for (int64_t dim : shape)
    if (dim < 0)
      return fail(shapeColumn, "dimensions must not be negative");
  if (consumeIf("strides")) {
    size_t stridesColumn = peek().column;
    if (!parseIntList(strides, "a stride"))
      return false;
    if (strides.size() != shape.size())
      return fail(stridesColumn, "expected " + Twine(shape.size()) +
                                     " strides (one per dimension), got " +
                                     Twine(strides.size()));
    for (int64_t stride : strides)
      if (stride < 0)
        return fail(stridesColumn, "strides must not be negative");
  }
  View layout = View::dram(0, 0, view.dtype, shape, strides);
  view.rank = layout.rank;
  view.shape = layout.shape;
  view.strides = layout.strides;
  return true;
}

bool TextReader::parseIdList(llvm::SmallVectorImpl<uint32_t> &ids) {
  if (!expect("("))
    return false;
  do {
    uint32_t id;
    if (!parseIndex(id, "a semaphore id"))
      return false;
    ids.push_back(id);
  } while (consumeIf(","));
  return expect(")");
}

bool TextReader::parseHeader() {
  if (!expect("gaon-npu-program"))
    return fail("a program starts with 'gaon-npu-program <version>'");
  const Token &versionToken = peek();
  uint64_t version = 0;
  if (!parseUnsigned(version, "a version", UINT32_MAX))
    return false;
  if (version == 0 || version > kProgramTextVersion)
    return fail(versionToken.column, "unsupported program version " +
                                         Twine(version) +
                                         " (this reader knows 1 to " +
                                         Twine(kProgramTextVersion) + ")");
  sawHeader = true;
  return true;
}

bool TextReader::parseDeclarationId(StringRef kind, size_t expected) {
  const Token &idToken = peek();
  uint64_t id = 0;
  if (!parseUnsigned(id, "a " + kind.str() + " id", UINT32_MAX - 1))
    return false;
  if (id != expected)
    return fail(idToken.column, kind +
                                    " ids must be 0, 1, 2, ... in order; "
                                    "expected " +
                                    Twine(expected) + ", got " + Twine(id));
  return true;
}

bool TextReader::parseBuffer() {
  const Token &idToken = peek();
  if (!parseDeclarationId("buffer", program.buffers.size()))
    return false;
  Buffer buffer;
  if (!parseString(buffer.name, "a buffer name"))
    return false;
  uint8_t role = 0;
  if (!parseKind<BufferRole>(
          role, symbolizeBufferRole,
          "buffer role (expected input, output, weight or scratch)"))
    return false;
  buffer.role = BufferRole(role);
  if ((buffer.role == BufferRole::Input || buffer.role == BufferRole::Output) &&
      !parseIndex(buffer.roleIndex, "the input/output position"))
    return false;
  if (!expect(":") || !parseDType(buffer.dtype))
    return false;
  size_t shapeColumn = peek().column;
  if (!parseIntList(buffer.shape, "a dimension"))
    return false;
  for (int64_t dim : buffer.shape)
    if (dim < 0)
      return fail(shapeColumn, "dimensions must not be negative");
  bool sawAddress = false, sawSize = false;
  while (!atEnd()) {
    StringRef key;
    if (!parseIdentifier(key, "'chip', 'address' or 'size'"))
      return false;
    if (key == "chip") {
      if (!parseIndex(buffer.chip, "a chip"))
        return false;
    } else if (key == "address") {
      if (!parseUnsigned(buffer.address, "an address", UINT64_MAX >> 1))
        return false;
      sawAddress = true;
    } else if (key == "size") {
      if (!parseUnsigned(buffer.size, "a size", UINT64_MAX >> 1))
        return false;
      sawSize = true;
    } else {
      return fail(tokens[index - 1].column,
                  "unknown buffer field '" + key +
                      "' (expected chip, address or size)");
    }
  }
  if (!sawAddress || !sawSize)
    return fail(std::string("buffer needs ") +
                (sawAddress ? "'size <bytes>'" : "'address <byte>'"));
  uint64_t needed =
      uint64_t(buffer.getNumElements() * getByteWidth(buffer.dtype));
  if (buffer.size < needed)
    return fail(idToken.column,
                "buffer '" + buffer.name + "' has size " + Twine(buffer.size) +
                    " but its shape needs " + Twine(needed) + " bytes");
  program.buffers.push_back(std::move(buffer));
  return true;
}

bool TextReader::parseSemaphore() {
  if (!parseDeclarationId("semaphore", program.semaphores.size()))
    return false;
  Semaphore semaphore;
  if (consumeIf("initial") &&
      !parseIndex(semaphore.initial, "an initial count"))
    return false;
  program.semaphores.push_back(semaphore);
  return true;
}

bool TextReader::parseOp() {
  if (!parseDeclarationId("op", program.ops.size()))
    return false;
  DebugOp op;
  if (!parseString(op.name, "an op name"))
    return false;
  if (peek().kind == TokenKind::String &&
      !parseString(op.location, "a location"))
    return false;
  program.ops.push_back(std::move(op));
  return true;
}

bool TextReader::parseCommand(StringRef keyword) {
  Command command;
  static constexpr CommandKind kinds[] = {
      CommandKind::Dma,          CommandKind::Matmul,
      CommandKind::VectorUnary,  CommandKind::VectorBinary,
      CommandKind::VectorScalar, CommandKind::VectorReduce,
      CommandKind::VectorCast,   CommandKind::VectorFill};
  bool known = false;
  for (CommandKind kind : kinds)
    if (stringifyCommandKind(kind) == keyword) {
      command.kind = kind;
      known = true;
    }
  if (!known)
    return fail(tokens[index - 1].column,
                "unknown declaration or command '" + keyword + "'");

  llvm::SmallVector<View, 3> views(getNumViews(command.kind));
  switch (command.kind) {
  case CommandKind::Dma:
    if (!parseView(views[0]) || !expect("->") || !parseView(views[1]))
      return false;
    break;
  case CommandKind::Matmul:
    if (!parseView(views[0]))
      return false;
    command.transposeLhs = consumeIf("transposed");
    if (!expect(",") || !parseView(views[1]))
      return false;
    command.transposeRhs = consumeIf("transposed");
    if (!expect("->") || !parseView(views[2]))
      return false;
    command.accumulate = consumeIf("accumulate");
    break;
  case CommandKind::VectorUnary:
    if (!parseKind<UnaryKind>(command.opKind, symbolizeUnaryKind,
                              "unary kind") ||
        !parseView(views[0]) || !expect("->") || !parseView(views[1]))
      return false;
    break;
  case CommandKind::VectorBinary:
    if (!parseKind<BinaryKind>(command.opKind, symbolizeBinaryKind,
                               "binary kind") ||
        !parseView(views[0]) || !expect(",") || !parseView(views[1]) ||
        !expect("->") || !parseView(views[2]))
      return false;
    break;
  case CommandKind::VectorScalar:
    if (!parseKind<BinaryKind>(command.opKind, symbolizeBinaryKind,
                               "binary kind"))
      return false;
    command.reversed = consumeIf("reversed");
    if (!parseView(views[0]) || !expect(",") ||
        !parseDouble(command.scalar, "a scalar") || !expect("->") ||
        !parseView(views[1]))
      return false;
    break;
  case CommandKind::VectorReduce:
    if (!parseKind<ReduceKind>(command.opKind, symbolizeReduceKind,
                               "reduction kind") ||
        !parseView(views[0]) || !expect("->") || !parseView(views[1]) ||
        !expect("axis") || !parseIndex(command.axis, "an axis"))
      return false;
    command.accumulate = consumeIf("accumulate");
    break;
  case CommandKind::VectorCast:
    if (!parseView(views[0]) || !expect("->") || !parseView(views[1]))
      return false;
    break;
  case CommandKind::VectorFill:
    if (!parseDouble(command.scalar, "a fill value") || !expect("->") ||
        !parseView(views[0]))
      return false;
    break;
  }

  llvm::SmallVector<uint32_t> waits, signals;
  while (!atEnd()) {
    StringRef key;
    if (!parseIdentifier(key, "'core', 'chip', 'queue', 'wait', 'signal' or "
                              "'op'"))
      return false;
    size_t keyColumn = tokens[index - 1].column;
    bool ok = true;
    if (key == "core")
      ok = parseIndex(command.core, "a core");
    else if (key == "chip")
      ok = parseIndex(command.chip, "a chip");
    else if (key == "queue")
      ok = parseIndex(command.queue, "a DMA queue");
    else if (key == "wait")
      ok = parseIdList(waits);
    else if (key == "signal")
      ok = parseIdList(signals);
    else if (key == "op")
      ok = parseIndex(command.op, "an op id");
    else
      return fail(keyColumn, "unknown command attribute '" + key +
                                 "' (expected core, chip, queue, wait, "
                                 "signal or op)");
    if (!ok)
      return false;
    if (key == "queue" && command.kind != CommandKind::Dma)
      return fail(keyColumn, "only dma commands have a queue");
  }
  if (waits.size() > UINT16_MAX || signals.size() > UINT16_MAX)
    return fail("too many semaphores on one command");

  program.appendCommand(command, views, waits, signals);
  program.commandPositions.push_back(lineNumber);
  return true;
}

llvm::Expected<Program> TextReader::read() {
  program.sourceName = name.str();
  while (!text.empty()) {
    StringRef line;
    std::tie(line, text) = text.split('\n');
    ++lineNumber;
    tokens.clear();
    index = 0;
    Lexer lexer(line);
    std::string lexError;
    if (!lexer.lex(tokens, lexError)) {
      fail(lexer.errorColumn, lexError);
      break;
    }
    if (atEnd())
      continue;
    bool ok;
    if (!sawHeader) {
      ok = parseHeader();
    } else {
      StringRef keyword;
      if (!parseIdentifier(keyword, "a declaration or command"))
        break;
      if (keyword == "chips")
        ok = parseIndex(program.chips, "a chip count") &&
             (program.chips > 0 || fail("a program spans at least one chip"));
      else if (keyword == "buffer")
        ok = parseBuffer();
      else if (keyword == "semaphore")
        ok = parseSemaphore();
      else if (keyword == "op")
        ok = parseOp();
      else
        ok = parseCommand(keyword);
    }
    if (ok && !atEnd())
      fail("unexpected " + describe(peek()) + " at end of line");
    if (!error.empty())
      break;
  }
  if (error.empty() && !sawHeader)
    error = name.str() + ": error: empty program (expected "
                         "'gaon-npu-program 1')";
  if (!error.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  return std::move(program);
}

llvm::Expected<Program> gaon::sim::parseProgramText(StringRef text,
                                                    StringRef bufferName) {
  return TextReader(text, bufferName).read();
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

static void printString(llvm::raw_ostream &os, StringRef value) {
  os << '"';
  for (char c : value) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (c == '\n')
      os << "\\n";
    else if (c == '\t')
      os << "\\t";
    else
      os << c;
  }
  os << '"';
}

static void printList(llvm::raw_ostream &os, llvm::ArrayRef<int64_t> values) {
  os << '[';
  llvm::interleave(values, os, ", ");
  os << ']';
}

/// Shortest text that reads back to the same double.
static void printDouble(llvm::raw_ostream &os, double value) {
  if (std::isnan(value)) {
    os << "nan";
    return;
  }
  if (std::isinf(value)) {
    os << (value < 0 ? "-inf" : "inf");
    return;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    char buffer[40];
    snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) {
      StringRef text(buffer);
      os << text;
      // Keep it a float token.
      if (!text.contains_insensitive('e') && !text.contains('.'))
        os << ".0";
      return;
    }
  }
}

static void printView(llvm::raw_ostream &os, const View &view) {
  if (view.space == MemorySpace::Dram) {
    os << "dram(" << view.buffer << ", " << view.offset << ")";
  } else {
    os << "sram(" << view.core << ", " << view.offset;
    if (view.chip != 0)
      os << ", chip " << view.chip;
    os << ")";
  }
  os << " : " << stringifyDType(view.dtype);
  printList(os, view.getShape());
  if (!view.isContiguous()) {
    os << " strides ";
    printList(os, view.getStrides());
  }
}

void gaon::sim::printProgramText(const Program &program,
                                 llvm::raw_ostream &os) {
  os << "gaon-npu-program " << kProgramTextVersion << "\n";
  if (program.chips != 1)
    os << "chips " << program.chips << "\n";
  for (auto [id, buffer] : llvm::enumerate(program.buffers)) {
    os << "buffer " << id << " ";
    printString(os, buffer.name);
    os << " " << stringifyBufferRole(buffer.role);
    if (buffer.role == BufferRole::Input || buffer.role == BufferRole::Output)
      os << " " << buffer.roleIndex;
    os << " : " << stringifyDType(buffer.dtype);
    printList(os, buffer.shape);
    if (buffer.chip != 0)
      os << " chip " << buffer.chip;
    os << " address " << buffer.address << " size " << buffer.size << "\n";
  }
  for (auto [id, semaphore] : llvm::enumerate(program.semaphores)) {
    os << "semaphore " << id;
    if (semaphore.initial != 0)
      os << " initial " << semaphore.initial;
    os << "\n";
  }
  for (auto [id, op] : llvm::enumerate(program.ops)) {
    os << "op " << id << " ";
    printString(os, op.name);
    if (!op.location.empty()) {
      os << " ";
      printString(os, op.location);
    }
    os << "\n";
  }
  for (const Command &command : program.commands) {
    CommandViews views = program.getViews(command);
    os << stringifyCommandKind(command.kind) << " ";
    switch (command.kind) {
    case CommandKind::Dma:
    case CommandKind::VectorCast:
      printView(os, views[0]);
      os << " -> ";
      printView(os, views[1]);
      break;
    case CommandKind::Matmul:
      printView(os, views[0]);
      os << (command.transposeLhs ? " transposed, " : ", ");
      printView(os, views[1]);
      os << (command.transposeRhs ? " transposed -> " : " -> ");
      printView(os, views[2]);
      if (command.accumulate)
        os << " accumulate";
      break;
    case CommandKind::VectorUnary:
      os << stringifyUnaryKind(command.getUnaryKind()) << " ";
      printView(os, views[0]);
      os << " -> ";
      printView(os, views[1]);
      break;
    case CommandKind::VectorBinary:
      os << stringifyBinaryKind(command.getBinaryKind()) << " ";
      printView(os, views[0]);
      os << ", ";
      printView(os, views[1]);
      os << " -> ";
      printView(os, views[2]);
      break;
    case CommandKind::VectorScalar:
      os << stringifyBinaryKind(command.getBinaryKind())
         << (command.reversed ? " reversed " : " ");
      printView(os, views[0]);
      os << ", ";
      printDouble(os, command.scalar);
      os << " -> ";
      printView(os, views[1]);
      break;
    case CommandKind::VectorReduce:
      os << stringifyReduceKind(command.getReduceKind()) << " ";
      printView(os, views[0]);
      os << " -> ";
      printView(os, views[1]);
      os << " axis " << unsigned(command.axis);
      if (command.accumulate)
        os << " accumulate";
      break;
    case CommandKind::VectorFill:
      printDouble(os, command.scalar);
      os << " -> ";
      printView(os, views[0]);
      break;
    }
    if (command.kind == CommandKind::Dma && command.queue != 0)
      os << " queue " << unsigned(command.queue);
    if (command.core != 0)
      os << " core " << command.core;
    if (command.chip != 0)
      os << " chip " << command.chip;
    auto printIds = [&](StringRef keyword, llvm::ArrayRef<uint32_t> ids) {
      if (ids.empty())
        return;
      os << " " << keyword << "(";
      llvm::interleave(ids, os, ", ");
      os << ")";
    };
    printIds("wait", program.getWaits(command));
    printIds("signal", program.getSignals(command));
    if (command.op != kNoOp)
      os << " op " << command.op;
    os << "\n";
  }
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

bool gaon::sim::isProgramBinary(StringRef bytes) {
  return bytes.starts_with(StringRef(kProgramBinaryMagic, 8));
}

llvm::Expected<Program> gaon::sim::readProgramFile(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read program '" + path.str() +
                                       "': " + buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  StringRef name = path == "-" ? StringRef("<stdin>") : path;
  if (isProgramBinary(bytes))
    return parseProgramBinary(bytes, name);
  return parseProgramText(bytes, name);
}
