//===- LaunchPlan.cpp - Launch plan data, verifier and artifact I/O -------===//

#include "gaon/Runtime/CUDA/LaunchPlan.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <climits>
#include <cstring>

using namespace llvm;

namespace gaon::runtime::cuda {

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

namespace {
struct ElementTypeInfo {
  ElementType type;
  StringLiteral name;
  unsigned bytes;
};
} // namespace

static constexpr ElementTypeInfo kElementTypes[] = {
    {ElementType::F32, "f32", 4},       {ElementType::F16, "f16", 2},
    {ElementType::BF16, "bf16", 2},     {ElementType::F8E4M3FN, "f8E4M3FN", 1},
    {ElementType::F8E5M2, "f8E5M2", 1}, {ElementType::I8, "i8", 1},
    {ElementType::I32, "i32", 4},       {ElementType::I64, "i64", 8}};

StringRef stringifyElementType(ElementType type) {
  return kElementTypes[static_cast<unsigned>(type)].name;
}

std::optional<ElementType> symbolizeElementType(StringRef name) {
  for (const ElementTypeInfo &info : kElementTypes)
    if (info.name == name)
      return info.type;
  return std::nullopt;
}

unsigned getElementBytes(ElementType type) {
  return kElementTypes[static_cast<unsigned>(type)].bytes;
}

static constexpr StringLiteral kRoleNames[] = {"input", "output", "weight",
                                               "temporary"};

StringRef stringifyBufferRole(BufferRole role) {
  return kRoleNames[static_cast<unsigned>(role)];
}

std::optional<BufferRole> symbolizeBufferRole(StringRef name) {
  for (auto [i, roleName] : llvm::enumerate(kRoleNames))
    if (roleName == name)
      return static_cast<BufferRole>(i);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Plan types
//===----------------------------------------------------------------------===//

int64_t PlanBuffer::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

KernelArgument KernelArgument::binding(unsigned buffer, uint64_t byteOffset) {
  KernelArgument arg;
  arg.kind = Kind::Buffer;
  arg.buffer = buffer;
  arg.byteOffset = byteOffset;
  return arg;
}

KernelArgument KernelArgument::i32(int32_t value) {
  KernelArgument arg;
  arg.kind = Kind::I32;
  arg.intValue = value;
  return arg;
}

KernelArgument KernelArgument::i64(int64_t value) {
  KernelArgument arg;
  arg.kind = Kind::I64;
  arg.intValue = value;
  return arg;
}

KernelArgument KernelArgument::f32(float value) {
  KernelArgument arg;
  arg.kind = Kind::F32;
  arg.floatValue = value;
  return arg;
}

KernelArgument KernelArgument::tensorMap(unsigned buffer, uint64_t byteOffset,
                                         TensorMapArgument map) {
  KernelArgument arg;
  arg.kind = Kind::TensorMap;
  arg.buffer = buffer;
  arg.byteOffset = byteOffset;
  arg.map = std::move(map);
  return arg;
}

bool TensorMapArgument::operator==(const TensorMapArgument &other) const {
  return elementType == other.elementType && globalDims == other.globalDims &&
         globalStrides == other.globalStrides && boxDims == other.boxDims &&
         swizzle == other.swizzle && l2Promotion == other.l2Promotion &&
         oobFillNaN == other.oobFillNaN;
}

static constexpr StringLiteral kSwizzleNames[] = {"none", "32B", "64B", "128B"};
static constexpr StringLiteral kL2PromotionNames[] = {"none", "64B", "128B",
                                                      "256B"};

bool KernelArgument::operator==(const KernelArgument &other) const {
  if (kind != other.kind)
    return false;
  switch (kind) {
  case Kind::Buffer:
    return buffer == other.buffer && byteOffset == other.byteOffset;
  case Kind::I32:
  case Kind::I64:
    return intValue == other.intValue;
  case Kind::F32:
    return std::memcmp(&floatValue, &other.floatValue, sizeof(float)) == 0;
  case Kind::TensorMap:
    return buffer == other.buffer && byteOffset == other.byteOffset &&
           map == other.map;
  }
  return false;
}

bool ContractionShape::operator==(const ContractionShape &other) const {
  return batch == other.batch && m == other.m && n == other.n && k == other.k &&
         elementType == other.elementType && tileM == other.tileM &&
         tileN == other.tileN && tileK == other.tileK && stages == other.stages;
}

std::vector<unsigned> LaunchPlan::getInputs() const {
  std::vector<unsigned> ids;
  for (auto [i, buffer] : llvm::enumerate(buffers))
    if (buffer.role == BufferRole::Input)
      ids.push_back(i);
  llvm::sort(ids, [&](unsigned a, unsigned b) {
    return buffers[a].index < buffers[b].index;
  });
  return ids;
}

std::vector<unsigned> LaunchPlan::getOutputs() const {
  std::vector<unsigned> ids;
  for (auto [i, buffer] : llvm::enumerate(buffers))
    if (buffer.role == BufferRole::Output)
      ids.push_back(i);
  llvm::sort(ids, [&](unsigned a, unsigned b) {
    return buffers[a].index < buffers[b].index;
  });
  return ids;
}

std::string LaunchPlan::describeLaunch(unsigned id) const {
  const PlanLaunch &launch = launches[id];
  std::string text = ("launches[" + Twine(id) + "] (").str();
  text += launch.opName.empty() ? "kernel " + launch.kernel : launch.opName;
  if (!launch.location.empty())
    text += " at " + launch.location;
  return text + ")";
}

uint64_t LaunchPlan::getTotalFlops() const {
  uint64_t total = 0;
  for (const PlanLaunch &launch : launches)
    total += launch.flops;
  return total;
}

uint64_t LaunchPlan::getTotalBytes() const {
  uint64_t total = 0;
  for (const PlanLaunch &launch : launches)
    total += launch.bytes;
  return total;
}

//===----------------------------------------------------------------------===//
// Verifier
//===----------------------------------------------------------------------===//

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// "buffers[2] ('lhs')"
static std::string describeBuffer(const LaunchPlan &plan, unsigned id) {
  return ("buffers[" + Twine(id) + "] ('" + plan.buffers[id].name + "')").str();
}

/// Checks that the Input (or Output) buffers are numbered 0..n-1, once each.
static Error verifyIndices(const LaunchPlan &plan, BufferRole role) {
  std::vector<unsigned> ids =
      role == BufferRole::Input ? plan.getInputs() : plan.getOutputs();
  for (auto [position, id] : llvm::enumerate(ids)) {
    if (plan.buffers[id].index == position)
      continue;
    return makeError(
        describeBuffer(plan, id) + ": " + stringifyBufferRole(role) +
        " index " + Twine(plan.buffers[id].index) + " is " +
        (plan.buffers[id].index < position ? "used twice" : "not contiguous") +
        "; " + stringifyBufferRole(role) + "s must be numbered 0.." +
        Twine(ids.size() - 1));
  }
  return Error::success();
}

static Error verifyBuffer(const LaunchPlan &plan, unsigned id) {
  const PlanBuffer &buffer = plan.buffers[id];
  std::string what = describeBuffer(plan, id);
  if (buffer.name.empty())
    return makeError("buffers[" + Twine(id) + "]: empty name");
  int64_t elements = 1;
  for (int64_t dim : buffer.shape) {
    if (dim < 0)
      return makeError(what + ": negative dimension " + Twine(dim));
    if (MulOverflow(elements, dim, elements))
      return makeError(what + ": shape has more than 2^63 elements");
  }
  uint64_t needed = 0;
  if (MulOverflow(elements, int64_t(getElementBytes(buffer.elementType)),
                  elements))
    return makeError(what + ": shape needs more than 2^63 bytes");
  needed = static_cast<uint64_t>(elements);
  if (buffer.bytes < needed)
    return makeError(what + ": " + Twine(buffer.bytes) +
                     " bytes cannot hold its shape, which needs " +
                     Twine(needed));
  if (buffer.role == BufferRole::Weight && buffer.data.size() != buffer.bytes)
    return makeError(what + ": a weight must carry exactly its " +
                     Twine(buffer.bytes) + " bytes, it carries " +
                     Twine(buffer.data.size()));
  if (buffer.role != BufferRole::Weight && !buffer.data.empty())
    return makeError(what + ": only weights carry data, this is a " +
                     stringifyBufferRole(buffer.role));
  return Error::success();
}

/// Checks what cuTensorMapEncodeTiled requires of a tiled tensor map, and
/// that the tensor lies inside its buffer.
static Error verifyTensorMap(const LaunchPlan &plan, const KernelArgument &arg,
                             const std::string &what) {
  const TensorMapArgument &map = arg.map;
  size_t rank = map.globalDims.size();
  if (rank < 1 || rank > 5)
    return makeError(what + ": a tensor map has 1 to 5 dimensions, got " +
                     Twine(rank));
  if (map.globalStrides.size() != rank - 1 || map.boxDims.size() != rank)
    return makeError(what + ": a rank-" + Twine(rank) + " tensor map needs " +
                     Twine(rank - 1) + " strides and " + Twine(rank) +
                     " box dimensions");
  if (arg.byteOffset % 16 != 0)
    return makeError(what +
                     ": TMA needs a 16-byte aligned tensor, the offset "
                     "is " +
                     Twine(arg.byteOffset) + " bytes");
  uint64_t elemBytes = getElementBytes(map.elementType);
  uint64_t extent = elemBytes * (map.globalDims[0] ? map.globalDims[0] : 1);
  for (size_t d = 0; d < rank; ++d) {
    if (map.globalDims[d] == 0 || map.globalDims[d] > (uint64_t(1) << 32))
      return makeError(what + ": tensor-map dimension " + Twine(d) +
                       " must be in [1, 2^32], got " +
                       Twine(map.globalDims[d]));
    if (map.boxDims[d] == 0 || map.boxDims[d] > 256)
      return makeError(what + ": tensor-map box dimension " + Twine(d) +
                       " must be in [1, 256], got " + Twine(map.boxDims[d]));
    if (d == 0)
      continue;
    uint64_t stride = map.globalStrides[d - 1];
    if (stride % 16 != 0 || stride >= (uint64_t(1) << 40))
      return makeError(what + ": tensor-map stride " + Twine(d) +
                       " must be a multiple of 16 below 2^40 bytes, got " +
                       Twine(stride));
    extent = std::max(extent, stride * map.globalDims[d]);
  }
  uint64_t span = map.swizzle == TensorMapArgument::Swizzle::B128  ? 128
                  : map.swizzle == TensorMapArgument::Swizzle::B64 ? 64
                  : map.swizzle == TensorMapArgument::Swizzle::B32 ? 32
                                                                   : 0;
  if (span && map.boxDims[0] * elemBytes > span)
    return makeError(
        what + ": the innermost box (" + Twine(map.boxDims[0] * elemBytes) +
        " bytes) is wider than the " + Twine(span) + "-byte swizzle");
  uint64_t bytes = plan.buffers[arg.buffer].bytes;
  if (arg.byteOffset + extent > bytes)
    return makeError(what + ": the tensor map spans " + Twine(extent) +
                     " bytes from offset " + Twine(arg.byteOffset) + " of " +
                     describeBuffer(plan, arg.buffer) + ", which has " +
                     Twine(bytes));
  return Error::success();
}

static Error verifyModule(const LaunchPlan &plan, unsigned id) {
  const PlanModule &module = plan.modules[id];
  std::string what =
      ("modules[" + Twine(id) + "] ('" + module.name + "')").str();
  if (module.name.empty())
    return makeError("modules[" + Twine(id) + "]: empty name");
  static const Regex chipPattern("^sm_[0-9]+a?$");
  if (!chipPattern.match(module.chip))
    return makeError(what + ": chip '" + module.chip +
                     "' is not of the form sm_<major><minor>, e.g. sm_90");
  if (module.cubin.empty())
    return makeError(what + ": empty cubin");
  return Error::success();
}

static Error verifyLaunch(const LaunchPlan &plan, unsigned id) {
  const PlanLaunch &launch = plan.launches[id];
  std::string what = plan.describeLaunch(id);
  if (launch.module >= plan.modules.size())
    return makeError(what + ": module " + Twine(launch.module) +
                     " does not exist; the plan has " +
                     Twine(plan.modules.size()) + " modules");
  if (launch.kernel.empty())
    return makeError(what + ": empty kernel name");
  const Dim3 &grid = launch.grid, &block = launch.block;
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > INT32_MAX ||
      grid.y > 65535 || grid.z > 65535)
    return makeError(what + ": grid (" + Twine(grid.x) + ", " + Twine(grid.y) +
                     ", " + Twine(grid.z) +
                     ") is outside CUDA's limits ([1, 2^31-1], [1, 65535], "
                     "[1, 65535])");
  if (block.x == 0 || block.y == 0 || block.z == 0 || block.z > 64 ||
      block.count() > 1024)
    return makeError(what + ": block (" + Twine(block.x) + ", " +
                     Twine(block.y) + ", " + Twine(block.z) +
                     ") is outside CUDA's limits (each at least 1, z at most "
                     "64, at most 1024 threads)");
  for (auto [i, arg] : llvm::enumerate(launch.arguments)) {
    if (arg.kind != KernelArgument::Kind::Buffer &&
        arg.kind != KernelArgument::Kind::TensorMap)
      continue;
    std::string argWhat = what + ": argument " + std::to_string(i);
    if (arg.buffer >= plan.buffers.size())
      return makeError(argWhat + " binds buffer " + Twine(arg.buffer) +
                       ", but the plan has " + Twine(plan.buffers.size()) +
                       " buffers");
    uint64_t bytes = plan.buffers[arg.buffer].bytes;
    if (arg.byteOffset != 0 && arg.byteOffset >= bytes)
      return makeError(argWhat + " points " + Twine(arg.byteOffset) +
                       " bytes into " + describeBuffer(plan, arg.buffer) +
                       ", which has " + Twine(bytes) + " bytes");
    if (arg.kind == KernelArgument::Kind::TensorMap)
      if (Error error = verifyTensorMap(plan, arg, argWhat))
        return error;
  }
  if (const std::optional<ContractionShape> &c = launch.contraction) {
    if (c->batch < 1 || c->m < 1 || c->n < 1 || c->k < 1)
      return makeError(what +
                       ": contraction sizes must be at least 1, got "
                       "batch " +
                       Twine(c->batch) + " M " + Twine(c->m) + " N " +
                       Twine(c->n) + " K " + Twine(c->k));
    if (c->tileM < 0 || c->tileN < 0 || c->tileK < 0 || c->stages < 0)
      return makeError(what + ": contraction tile sizes and stages must not "
                              "be negative");
  }
  return Error::success();
}

Error LaunchPlan::verify() const {
  StringSet<> names;
  for (unsigned i = 0, e = buffers.size(); i < e; ++i) {
    if (Error error = verifyBuffer(*this, i))
      return error;
    if (!names.insert(buffers[i].name).second)
      return makeError(describeBuffer(*this, i) + ": name used twice");
  }
  if (Error error = verifyIndices(*this, BufferRole::Input))
    return error;
  if (Error error = verifyIndices(*this, BufferRole::Output))
    return error;
  for (unsigned i = 0, e = modules.size(); i < e; ++i)
    if (Error error = verifyModule(*this, i))
      return error;
  for (unsigned i = 0, e = launches.size(); i < e; ++i)
    if (Error error = verifyLaunch(*this, i))
      return error;
  return Error::success();
}

//===----------------------------------------------------------------------===//
// JSON header
//===----------------------------------------------------------------------===//

// File layout (docs/gpu.md): the 8-byte magic, the format version and the
// header size as little-endian u32, the JSON header, zero padding to
// kBlobAlignment, then the blobs, each starting kBlobAlignment-aligned.
// Blob references in the header are {"offset", "size"} relative to the start
// of the blob section.
static constexpr uint64_t kPreambleBytes = 16;
static constexpr uint64_t kBlobAlignment = 64;

namespace {
/// Blob contents in the order the writer lays them out.
struct BlobLayout {
  std::vector<ArrayRef<uint8_t>> blobs;
  uint64_t size = 0;

  json::Value add(ArrayRef<uint8_t> bytes) {
    uint64_t offset = size;
    blobs.push_back(bytes);
    size = alignTo(size + bytes.size(), kBlobAlignment);
    return json::Object{{"offset", offset}, {"size", uint64_t(bytes.size())}};
  }
};
} // namespace

static ArrayRef<uint8_t> asBytes(StringRef text) {
  return ArrayRef(reinterpret_cast<const uint8_t *>(text.data()), text.size());
}

/// The header; blobs are laid out in `layout`, or shown by size alone when
/// it is null.
static json::Value buildHeader(const LaunchPlan &plan, BlobLayout *layout) {
  auto blob = [&](ArrayRef<uint8_t> bytes) -> json::Value {
    if (layout)
      return layout->add(bytes);
    return json::Object{{"size", uint64_t(bytes.size())}};
  };

  json::Array buffers;
  for (const PlanBuffer &buffer : plan.buffers) {
    json::Object object{{"name", buffer.name},
                        {"role", stringifyBufferRole(buffer.role)},
                        {"type", stringifyElementType(buffer.elementType)},
                        {"shape", buffer.shape},
                        {"bytes", buffer.bytes}};
    if (buffer.role == BufferRole::Input || buffer.role == BufferRole::Output)
      object["index"] = buffer.index;
    if (buffer.role == BufferRole::Weight)
      object["data"] = blob(buffer.data);
    buffers.push_back(std::move(object));
  }

  json::Array modules;
  for (const PlanModule &module : plan.modules) {
    json::Object object{{"name", module.name},
                        {"chip", module.chip},
                        {"cubin", blob(module.cubin)}};
    if (!module.ptx.empty())
      object["ptx"] = blob(asBytes(module.ptx));
    modules.push_back(std::move(object));
  }

  json::Array launches;
  for (const PlanLaunch &launch : plan.launches) {
    json::Array args;
    for (const KernelArgument &arg : launch.arguments) {
      switch (arg.kind) {
      case KernelArgument::Kind::Buffer:
        args.push_back(
            json::Object{{"buffer", arg.buffer}, {"offset", arg.byteOffset}});
        break;
      case KernelArgument::Kind::I32:
        args.push_back(json::Object{{"i32", arg.intValue}});
        break;
      case KernelArgument::Kind::I64:
        args.push_back(json::Object{{"i64", arg.intValue}});
        break;
      case KernelArgument::Kind::F32:
        args.push_back(json::Object{{"f32", double(arg.floatValue)}});
        break;
      case KernelArgument::Kind::TensorMap: {
        const TensorMapArgument &map = arg.map;
        args.push_back(json::Object{
            {"tensorMap",
             json::Object{
                 {"buffer", arg.buffer},
                 {"offset", arg.byteOffset},
                 {"type", stringifyElementType(map.elementType)},
                 {"dims", json::Array(map.globalDims)},
                 {"strides", json::Array(map.globalStrides)},
                 {"box", json::Array(map.boxDims)},
                 {"swizzle", kSwizzleNames[unsigned(map.swizzle)]},
                 {"l2Promotion", kL2PromotionNames[unsigned(map.l2Promotion)]},
                 {"oobFill", map.oobFillNaN ? "nan" : "zero"}}}});
        break;
      }
      }
    }
    json::Object object{
        {"module", launch.module},
        {"kernel", launch.kernel},
        {"grid", json::Array{launch.grid.x, launch.grid.y, launch.grid.z}},
        {"block", json::Array{launch.block.x, launch.block.y, launch.block.z}},
        {"sharedMemoryBytes", launch.dynamicSharedMemoryBytes},
        {"args", std::move(args)},
        {"op", launch.opName},
        {"loc", launch.location},
        {"flops", launch.flops},
        {"bytes", launch.bytes}};
    if (launch.registersPerThread)
      object["registers"] = launch.registersPerThread;
    if (const std::optional<ContractionShape> &c = launch.contraction)
      object["contraction"] =
          json::Object{{"batch", c->batch},
                       {"m", c->m},
                       {"n", c->n},
                       {"k", c->k},
                       {"type", stringifyElementType(c->elementType)},
                       {"tile", json::Array{c->tileM, c->tileN, c->tileK}},
                       {"stages", c->stages}};
    launches.push_back(std::move(object));
  }

  return json::Object{{"name", plan.name},
                      {"buffers", std::move(buffers)},
                      {"modules", std::move(modules)},
                      {"launches", std::move(launches)}};
}

json::Value toJSON(const LaunchPlan &plan) {
  return buildHeader(plan, nullptr);
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

Error writeLaunchPlan(const LaunchPlan &plan, raw_ostream &os) {
  if (Error error = plan.verify())
    return makeError("cannot write launch plan '" + plan.name +
                     "': " + toString(std::move(error)));
  BlobLayout layout;
  std::string header;
  raw_string_ostream(header) << buildHeader(plan, &layout);
  if (header.size() > UINT32_MAX)
    return makeError("cannot write launch plan '" + plan.name +
                     "': header larger than 4 GiB");

  os.write(kLaunchPlanMagic, sizeof(kLaunchPlanMagic));
  support::endian::write<uint32_t>(os, kLaunchPlanFormatVersion,
                                   endianness::little);
  support::endian::write<uint32_t>(os, header.size(), endianness::little);
  os << header;
  uint64_t written = kPreambleBytes + header.size();
  os.write_zeros(alignTo(written, kBlobAlignment) - written);
  for (ArrayRef<uint8_t> blob : layout.blobs) {
    os.write(reinterpret_cast<const char *>(blob.data()), blob.size());
    os.write_zeros(alignTo(blob.size(), kBlobAlignment) - blob.size());
  }
  return Error::success();
}

Error writeLaunchPlanFile(const LaunchPlan &plan, StringRef path) {
  std::error_code ec;
  ToolOutputFile file(path, ec, sys::fs::OF_None);
  if (ec)
    return makeError("cannot open '" + path + "' for writing: " + ec.message());
  if (Error error = writeLaunchPlan(plan, file.os()))
    return error;
  file.os().flush();
  if (file.os().has_error())
    return makeError("cannot write '" + path +
                     "': " + file.os().error().message());
  file.keep();
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

static bool fromJSON(const json::Value &value, ElementType &type,
                     json::Path path) {
  std::optional<StringRef> name = value.getAsString();
  std::optional<ElementType> parsed =
      name ? symbolizeElementType(*name) : std::nullopt;
  if (!parsed) {
    path.report("expected an element type: f32, f16, bf16, f8E4M3FN, f8E5M2, "
                "i8, i32 or i64");
    return false;
  }
  type = *parsed;
  return true;
}

static bool fromJSON(const json::Value &value, BufferRole &role,
                     json::Path path) {
  std::optional<StringRef> name = value.getAsString();
  std::optional<BufferRole> parsed =
      name ? symbolizeBufferRole(*name) : std::nullopt;
  if (!parsed) {
    path.report("expected a buffer role: input, output, weight or temporary");
    return false;
  }
  role = *parsed;
  return true;
}

static bool fromJSON(const json::Value &value, Dim3 &dim, json::Path path) {
  const json::Array *array = value.getAsArray();
  if (!array || array->size() != 3) {
    path.report("expected [x, y, z]");
    return false;
  }
  return fromJSON((*array)[0], dim.x, path.index(0)) &&
         fromJSON((*array)[1], dim.y, path.index(1)) &&
         fromJSON((*array)[2], dim.z, path.index(2));
}

static bool fromJSON(const json::Value &value, KernelArgument &arg,
                     json::Path path) {
  const json::Object *object = value.getAsObject();
  if (!object || object->size() == 0) {
    path.report("expected {\"buffer\", \"offset\"}, {\"i32\"}, {\"i64\"} or "
                "{\"f32\"}");
    return false;
  }
  json::ObjectMapper mapper(value, path);
  if (object->get("buffer")) {
    arg.kind = KernelArgument::Kind::Buffer;
    return mapper.map("buffer", arg.buffer) &&
           mapper.map("offset", arg.byteOffset);
  }
  if (const json::Value *v = object->get("i32")) {
    arg.kind = KernelArgument::Kind::I32;
    std::optional<int64_t> i = v->getAsInteger();
    if (!i || *i < INT32_MIN || *i > INT32_MAX) {
      path.field("i32").report("expected a 32-bit integer");
      return false;
    }
    arg.intValue = *i;
    return true;
  }
  if (object->get("i64")) {
    arg.kind = KernelArgument::Kind::I64;
    return mapper.map("i64", arg.intValue);
  }
  if (object->get("f32")) {
    arg.kind = KernelArgument::Kind::F32;
    double d = 0;
    if (!mapper.map("f32", d))
      return false;
    arg.floatValue = static_cast<float>(d);
    return true;
  }
  if (const json::Value *v = object->get("tensorMap")) {
    arg.kind = KernelArgument::Kind::TensorMap;
    json::Path mapPath = path.field("tensorMap");
    json::ObjectMapper fields(*v, mapPath);
    TensorMapArgument &map = arg.map;
    std::string swizzle, l2Promotion, oobFill;
    if (!(fields && fields.map("buffer", arg.buffer) &&
          fields.map("offset", arg.byteOffset) &&
          fields.map("type", map.elementType) &&
          fields.map("dims", map.globalDims) &&
          fields.map("strides", map.globalStrides) &&
          fields.map("box", map.boxDims) && fields.map("swizzle", swizzle) &&
          fields.map("l2Promotion", l2Promotion) &&
          fields.map("oobFill", oobFill)))
      return false;
    auto lookup = [&](ArrayRef<StringLiteral> names, StringRef name,
                      StringRef field, auto &out) {
      for (auto [i, known] : llvm::enumerate(names))
        if (known == name) {
          out = static_cast<std::remove_reference_t<decltype(out)>>(i);
          return true;
        }
      mapPath.field(field).report("unknown value");
      return false;
    };
    if (!lookup(kSwizzleNames, swizzle, "swizzle", map.swizzle) ||
        !lookup(kL2PromotionNames, l2Promotion, "l2Promotion", map.l2Promotion))
      return false;
    if (oobFill != "zero" && oobFill != "nan") {
      mapPath.field("oobFill").report("expected \"zero\" or \"nan\"");
      return false;
    }
    map.oobFillNaN = oobFill == "nan";
    return true;
  }
  path.report("expected {\"buffer\", \"offset\"}, {\"i32\"}, {\"i64\"} or "
              "{\"f32\"}");
  return false;
}

static bool fromJSON(const json::Value &value, ContractionShape &c,
                     json::Path path) {
  json::ObjectMapper mapper(value, path);
  std::vector<int64_t> tile;
  if (!(mapper && mapper.map("batch", c.batch) && mapper.map("m", c.m) &&
        mapper.map("n", c.n) && mapper.map("k", c.k) &&
        mapper.map("type", c.elementType) && mapper.map("tile", tile) &&
        mapper.map("stages", c.stages)))
    return false;
  if (tile.size() != 3) {
    path.field("tile").report("expected [M, N, K]");
    return false;
  }
  c.tileM = tile[0];
  c.tileN = tile[1];
  c.tileK = tile[2];
  return true;
}

namespace {
/// Parses the header, resolving blob references against the blob section.
class HeaderReader {
public:
  explicit HeaderReader(ArrayRef<uint8_t> blobs) : blobs(blobs) {}

  bool read(const json::Value &value, LaunchPlan &plan, json::Path path) {
    json::ObjectMapper mapper(value, path);
    if (!(mapper && mapper.map("name", plan.name)))
      return false;
    return readArray(value, "buffers", plan.buffers, path) &&
           readArray(value, "modules", plan.modules, path) &&
           readArray(value, "launches", plan.launches, path);
  }

private:
  template <typename T>
  bool readArray(const json::Value &parent, StringLiteral field,
                 std::vector<T> &out, json::Path path) {
    const json::Value *value = parent.getAsObject()->get(field);
    json::Path fieldPath = path.field(field);
    if (!value) {
      fieldPath.report("missing value");
      return false;
    }
    const json::Array *array = value->getAsArray();
    if (!array) {
      fieldPath.report("expected array");
      return false;
    }
    out.resize(array->size());
    for (unsigned i = 0, e = array->size(); i < e; ++i)
      if (!readElement((*array)[i], out[i], fieldPath.index(i)))
        return false;
    return true;
  }

  bool readElement(const json::Value &value, PlanBuffer &buffer,
                   json::Path path) {
    json::ObjectMapper mapper(value, path);
    if (!(mapper && mapper.map("name", buffer.name) &&
          mapper.map("role", buffer.role) &&
          mapper.map("type", buffer.elementType) &&
          mapper.map("shape", buffer.shape) &&
          mapper.map("bytes", buffer.bytes)))
      return false;
    if (buffer.role == BufferRole::Input || buffer.role == BufferRole::Output)
      if (!mapper.map("index", buffer.index))
        return false;
    if (buffer.role == BufferRole::Weight)
      return readBlob(value, "data", buffer.data, path);
    return true;
  }

  bool readElement(const json::Value &value, PlanModule &module,
                   json::Path path) {
    json::ObjectMapper mapper(value, path);
    if (!(mapper && mapper.map("name", module.name) &&
          mapper.map("chip", module.chip) &&
          readBlob(value, "cubin", module.cubin, path)))
      return false;
    if (!value.getAsObject()->get("ptx"))
      return true;
    std::vector<uint8_t> ptx;
    if (!readBlob(value, "ptx", ptx, path))
      return false;
    module.ptx.assign(ptx.begin(), ptx.end());
    return true;
  }

  bool readElement(const json::Value &value, PlanLaunch &launch,
                   json::Path path) {
    json::ObjectMapper mapper(value, path);
    return mapper && mapper.map("module", launch.module) &&
           mapper.map("kernel", launch.kernel) &&
           mapper.map("grid", launch.grid) &&
           mapper.map("block", launch.block) &&
           mapper.map("sharedMemoryBytes", launch.dynamicSharedMemoryBytes) &&
           mapper.map("args", launch.arguments) &&
           mapper.map("op", launch.opName) &&
           mapper.map("loc", launch.location) &&
           mapper.map("flops", launch.flops) &&
           mapper.map("bytes", launch.bytes) &&
           mapper.map("contraction", launch.contraction) &&
           mapper.mapOptional("registers", launch.registersPerThread);
  }

  bool readBlob(const json::Value &parent, StringLiteral field,
                std::vector<uint8_t> &out, json::Path path) {
    json::Path fieldPath = path.field(field);
    const json::Value *value = parent.getAsObject()->get(field);
    if (!value) {
      fieldPath.report("missing value");
      return false;
    }
    uint64_t offset = 0, size = 0;
    json::ObjectMapper mapper(*value, fieldPath);
    if (!(mapper && mapper.map("offset", offset) && mapper.map("size", size)))
      return false;
    if (offset > blobs.size() || size > blobs.size() - offset) {
      fieldPath.report("blob lies outside the file (truncated artifact?)");
      return false;
    }
    out.assign(blobs.begin() + offset, blobs.begin() + offset + size);
    return true;
  }

  ArrayRef<uint8_t> blobs;
};
} // namespace

Expected<LaunchPlan> readLaunchPlan(MemoryBufferRef buffer) {
  StringRef name = buffer.getBufferIdentifier();
  StringRef bytes = buffer.getBuffer();
  auto fail = [&](const Twine &message) {
    return makeError(name + ": " + message);
  };
  if (bytes.size() < kPreambleBytes ||
      !bytes.starts_with(StringRef(kLaunchPlanMagic, sizeof(kLaunchPlanMagic))))
    return fail("not a Gaon CUDA launch plan (the file does not start with "
                "'GAONCUPL')");
  const char *preamble = bytes.data() + sizeof(kLaunchPlanMagic);
  uint32_t version = support::endian::read32(preamble, endianness::little);
  uint32_t headerSize =
      support::endian::read32(preamble + 4, endianness::little);
  if (version != kLaunchPlanFormatVersion)
    return fail("launch plan format version " + Twine(version) +
                " is not supported; this build reads version " +
                Twine(kLaunchPlanFormatVersion) +
                " (recompile the model with this build's gaon-compile)");
  if (headerSize > bytes.size() - kPreambleBytes)
    return fail("header of " + Twine(headerSize) +
                " bytes runs past the end "
                "of the " +
                Twine(bytes.size()) + "-byte file (truncated?)");
  StringRef headerText = bytes.substr(kPreambleBytes, headerSize);
  uint64_t blobStart = alignTo(kPreambleBytes + headerSize, kBlobAlignment);
  ArrayRef<uint8_t> blobs;
  if (blobStart <= bytes.size())
    blobs = asBytes(bytes.substr(blobStart));

  Expected<json::Value> header = json::parse(headerText);
  if (!header)
    return fail("malformed JSON header: " + toString(header.takeError()));
  LaunchPlan plan;
  json::Path::Root root("header");
  if (!HeaderReader(blobs).read(*header, plan, root))
    return fail(toString(root.getError()));
  if (Error error = plan.verify())
    return fail(toString(std::move(error)));
  return plan;
}

Expected<LaunchPlan> readLaunchPlanFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!file)
    return makeError("cannot open launch plan '" + path +
                     "': " + file.getError().message());
  return readLaunchPlan((*file)->getMemBufferRef());
}

} // namespace gaon::runtime::cuda
