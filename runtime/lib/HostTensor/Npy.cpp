//===- Npy.cpp - NumPy .npy files for HostTensor --------------------------===//

#include "gaon/Runtime/Npy.h"

#include "gaon/Kernels/Ops.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace gaon::runtime;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static_assert(llvm::sys::IsLittleEndianHost,
              "the .npy reader assumes a little-endian host");

static constexpr char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicSize = 6;

StringRef gaon::runtime::getNpyDescr(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::F16:
    return "<f2";
  case DType::BF16:
    return "<u2";
  case DType::F8E4M3FN:
  case DType::F8E5M2:
    return "|u1";
  case DType::I8:
    return "|i1";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::I1:
    return "|b1";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {
/// A cursor over the header dictionary that reports errors with offsets.
class HeaderParser {
public:
  HeaderParser(StringRef text, size_t base, StringRef name)
      : text(text), base(base), name(name) {}

  Error error(const llvm::Twine &message) const {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("{0}: byte {1}: {2}", name, base + pos, message.str())
            .str());
  }
  void skipSpace() {
    while (pos < text.size() && llvm::isSpace(text[pos]))
      ++pos;
  }
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool consume(StringRef word) {
    skipSpace();
    if (!text.substr(pos).starts_with(word))
      return false;
    pos += word.size();
    return true;
  }
  Expected<std::string> parseString() {
    skipSpace();
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return error("expected a quoted string");
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == StringRef::npos)
      return error("unterminated string");
    std::string value = text.substr(pos, end - pos).str();
    pos = end + 1;
    return value;
  }
  Expected<int64_t> parseInt() {
    skipSpace();
    size_t start = pos;
    while (pos < text.size() && llvm::isDigit(text[pos]))
      ++pos;
    int64_t value;
    if (text.substr(start, pos - start).getAsInteger(10, value))
      return error("expected a non-negative integer");
    return value;
  }
  bool atEnd() {
    skipSpace();
    return pos >= text.size();
  }

private:
  StringRef text;
  size_t base;
  StringRef name;
  size_t pos = 0;
};

struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  llvm::SmallVector<int64_t, 4> shape;
};
} // namespace

static Expected<NpyHeader> parseHeader(HeaderParser &parser) {
  NpyHeader header;
  bool sawDescr = false, sawOrder = false, sawShape = false;
  if (!parser.consume('{'))
    return parser.error("expected '{' opening the header dictionary");
  while (!parser.consume('}')) {
    Expected<std::string> key = parser.parseString();
    if (!key)
      return key.takeError();
    if (!parser.consume(':'))
      return parser.error("expected ':' after key '" + *key + "'");
    if (*key == "descr") {
      Expected<std::string> descr = parser.parseString();
      if (!descr)
        return descr.takeError();
      header.descr = *descr;
      sawDescr = true;
    } else if (*key == "fortran_order") {
      if (parser.consume("True"))
        header.fortranOrder = true;
      else if (!parser.consume("False"))
        return parser.error("expected True or False for 'fortran_order'");
      sawOrder = true;
    } else if (*key == "shape") {
      if (!parser.consume('('))
        return parser.error("expected '(' opening 'shape'");
      while (!parser.consume(')')) {
        Expected<int64_t> size = parser.parseInt();
        if (!size)
          return size.takeError();
        header.shape.push_back(*size);
        if (parser.consume(')'))
          break;
        if (!parser.consume(','))
          return parser.error("expected ',' or ')' in 'shape'");
      }
      sawShape = true;
    } else {
      return parser.error("unexpected key '" + *key + "'");
    }
    if (parser.consume('}'))
      break;
    if (!parser.consume(','))
      return parser.error("expected ',' or '}' after a header entry");
  }
  if (!sawDescr || !sawOrder || !sawShape)
    return parser.error(
        "header must have 'descr', 'fortran_order' and 'shape'");
  return header;
}

/// The DType for a 'descr', or an error naming it.
static Expected<DType> resolveDescr(StringRef descr,
                                    std::optional<DType> rawDType,
                                    const HeaderParser &parser) {
  if (descr.size() < 2)
    return parser.error("unsupported dtype '" + descr + "'");
  char order = descr[0];
  StringRef kind = descr.drop_front();
  if (order == '>')
    return parser.error("big-endian dtype '" + descr +
                        "' is not supported; save it little-endian");
  if (order != '<' && order != '|' && order != '=')
    kind = descr;
  std::optional<DType> dtype = llvm::StringSwitch<std::optional<DType>>(kind)
                                   .Case("f4", DType::F32)
                                   .Case("f8", DType::F64)
                                   .Case("f2", DType::F16)
                                   .Case("i1", DType::I8)
                                   .Case("i4", DType::I32)
                                   .Case("i8", DType::I64)
                                   .Case("b1", DType::I1)
                                   .Default(std::nullopt);
  if (dtype)
    return *dtype;
  if (kind == "u2" || kind == "u1") {
    bool wide = kind == "u2";
    if (rawDType && wide && *rawDType == DType::BF16)
      return DType::BF16;
    if (rawDType && !wide &&
        (*rawDType == DType::F8E4M3FN || *rawDType == DType::F8E5M2))
      return *rawDType;
    return parser.error(
        "dtype '" + descr + "' holds raw " +
        (wide ? "bf16" : "f8E4M3FN/f8E5M2") +
        " bit patterns only when the caller says which type it is");
  }
  return parser.error("unsupported dtype '" + descr + "'");
}

Expected<HostTensor> gaon::runtime::parseNpy(StringRef contents, StringRef name,
                                             std::optional<DType> rawDType) {
  auto fail = [&](size_t offset, const llvm::Twine &message) {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("{0}: byte {1}: {2}", name, offset, message.str()).str());
  };
  if (contents.size() < kMagicSize + 4 ||
      !contents.starts_with(StringRef(kMagic, kMagicSize)))
    return fail(0, "not a .npy file (missing the \\x93NUMPY magic)");
  auto major = static_cast<uint8_t>(contents[6]);
  size_t lengthBytes = major == 1 ? 2 : 4;
  if (major < 1 || major > 3)
    return fail(6, llvm::formatv("unsupported .npy version {0}", major).str());
  size_t headerStart = 8 + lengthBytes;
  if (contents.size() < headerStart)
    return fail(8, "truncated header length");
  uint32_t headerLength = 0;
  std::memcpy(&headerLength, contents.data() + 8, lengthBytes);
  if (contents.size() < headerStart + headerLength)
    return fail(8, llvm::formatv("header of {0} bytes runs past the end of "
                                 "the file",
                                 headerLength)
                       .str());
  HeaderParser parser(contents.substr(headerStart, headerLength), headerStart,
                      name);
  Expected<NpyHeader> header = parseHeader(parser);
  if (!header)
    return header.takeError();
  Expected<DType> dtype = resolveDescr(header->descr, rawDType, parser);
  if (!dtype)
    return dtype.takeError();

  size_t dataStart = headerStart + headerLength;
  llvm::SmallVector<int64_t, 4> storedShape = header->shape;
  if (header->fortranOrder)
    std::reverse(storedShape.begin(), storedShape.end());
  HostTensor stored(*dtype, storedShape);
  if (contents.size() - dataStart !=
      static_cast<size_t>(stored.getSizeInBytes()))
    return fail(dataStart,
                llvm::formatv("expected {0} bytes of data for {1}, found {2}",
                              stored.getSizeInBytes(), stored.getTypeString(),
                              contents.size() - dataStart)
                    .str());
  std::memcpy(stored.getData(), contents.data() + dataStart,
              stored.getSizeInBytes());
  if (!header->fortranOrder)
    return std::move(stored);
  // Fortran order is C order of the reversed shape: transpose it back.
  HostTensor tensor(*dtype, header->shape);
  llvm::SmallVector<int64_t, 4> reverse;
  for (int64_t i = stored.getRank() - 1; i >= 0; --i)
    reverse.push_back(i);
  if (Error err =
          kernels::copy(stored.getView().permute(reverse), tensor.getView()))
    return std::move(err);
  return std::move(tensor);
}

Expected<HostTensor> gaon::runtime::readNpy(StringRef path,
                                            std::optional<DType> rawDType) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path, rawDType);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

std::string gaon::runtime::serializeNpy(const HostTensor &tensor) {
  std::string dict;
  llvm::raw_string_ostream os(dict);
  os << "{'descr': '" << getNpyDescr(tensor.getDType())
     << "', 'fortran_order': False, 'shape': (";
  for (int64_t size : tensor.getShape())
    os << size << ", ";
  if (tensor.getRank() > 0)
    dict.resize(dict.size() - (tensor.getRank() == 1 ? 1 : 2));
  os << "), }";
  // Pad with spaces and a newline so the data starts at a multiple of 64.
  size_t prefix = kMagicSize + 2 + 2;
  bool version2 = prefix + dict.size() + 1 > 65535;
  if (version2)
    prefix += 2;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::string out(kMagic, kMagicSize);
  out.push_back(static_cast<char>(version2 ? 2 : 1));
  out.push_back(0);
  uint32_t length = static_cast<uint32_t>(dict.size());
  out.append(reinterpret_cast<const char *>(&length), version2 ? 4 : 2);
  out += dict;
  out.append(reinterpret_cast<const char *>(tensor.getData()),
             tensor.getSizeInBytes());
  return out;
}

Error gaon::runtime::writeNpy(StringRef path, const HostTensor &tensor) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write '" + path +
                                           "': " + ec.message());
  os << serializeNpy(tensor);
  os.close();
  if (os.has_error())
    return llvm::createStringError(
        os.error(), "cannot write '" + path + "': " + os.error().message());
  return Error::success();
}
