//===- Types.cpp - Names of the simulator's enumerations ------------------===//

#include "gaon/Sim/Types.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/ErrorHandling.h"

using namespace gaon::sim;
using llvm::StringRef;

/// Looks `name` up in `names`, indexed by enum value.
template <typename Enum>
static std::optional<Enum> lookup(llvm::ArrayRef<StringRef> names,
                                  StringRef name) {
  for (auto [i, candidate] : llvm::enumerate(names))
    if (candidate == name)
      return Enum(i);
  return std::nullopt;
}

static constexpr StringRef kDTypeNames[] = {"f32",    "f16", "bf16", "f8E4M3FN",
                                            "f8E5M2", "i8",  "i32"};
static constexpr StringRef kPrecisionNames[] = {"int8", "fp8", "bf16", "fp16",
                                                "fp32"};
static constexpr StringRef kDataflowNames[] = {"os", "ws", "is", "contraction"};
static constexpr StringRef kUnaryNames[] = {
    "copy", "neg",     "abs",   "relu",       "exp",
    "log",  "sqrt",    "rsqrt", "reciprocal", "tanh",
    "erf",  "sigmoid", "gelu",  "gelu_tanh",  "silu"};
static constexpr StringRef kBinaryNames[] = {"add", "sub", "mul", "div",
                                             "max", "min", "pow"};
static constexpr StringRef kReduceNames[] = {"sum", "max", "min"};
static constexpr StringRef kRoleNames[] = {"input", "output", "weight",
                                           "scratch"};

StringRef gaon::sim::stringifyDType(DType type) {
  return kDTypeNames[unsigned(type)];
}
std::optional<DType> gaon::sim::symbolizeDType(StringRef name) {
  return lookup<DType>(kDTypeNames, name);
}

std::optional<Precision> gaon::sim::getPrecision(DType type) {
  switch (type) {
  case DType::F32:
    return Precision::Fp32;
  case DType::F16:
    return Precision::Fp16;
  case DType::BF16:
    return Precision::Bf16;
  case DType::F8E4M3FN:
  case DType::F8E5M2:
    return Precision::Fp8;
  case DType::I8:
    return Precision::Int8;
  case DType::I32:
    return std::nullopt;
  }
  llvm_unreachable("unknown DType");
}

bool gaon::sim::isFloat(DType type) {
  return type != DType::I8 && type != DType::I32;
}

StringRef gaon::sim::stringifyPrecision(Precision precision) {
  return kPrecisionNames[unsigned(precision)];
}
std::optional<Precision> gaon::sim::symbolizePrecision(StringRef name) {
  return lookup<Precision>(kPrecisionNames, name);
}

StringRef gaon::sim::stringifyDataflow(Dataflow dataflow) {
  return kDataflowNames[unsigned(dataflow)];
}
std::optional<Dataflow> gaon::sim::symbolizeDataflow(StringRef name) {
  return lookup<Dataflow>(kDataflowNames, name);
}

StringRef gaon::sim::stringifyMemorySpace(MemorySpace space) {
  return space == MemorySpace::Dram ? "dram" : "sram";
}

StringRef gaon::sim::stringifyEngine(Engine engine) {
  static constexpr StringRef names[] = {"dma", "tensor", "vector"};
  return names[unsigned(engine)];
}

StringRef gaon::sim::stringifyUnaryKind(UnaryKind kind) {
  return kUnaryNames[unsigned(kind)];
}
std::optional<UnaryKind> gaon::sim::symbolizeUnaryKind(StringRef name) {
  return lookup<UnaryKind>(kUnaryNames, name);
}
StringRef gaon::sim::stringifyBinaryKind(BinaryKind kind) {
  return kBinaryNames[unsigned(kind)];
}
std::optional<BinaryKind> gaon::sim::symbolizeBinaryKind(StringRef name) {
  return lookup<BinaryKind>(kBinaryNames, name);
}
StringRef gaon::sim::stringifyReduceKind(ReduceKind kind) {
  return kReduceNames[unsigned(kind)];
}
std::optional<ReduceKind> gaon::sim::symbolizeReduceKind(StringRef name) {
  return lookup<ReduceKind>(kReduceNames, name);
}
StringRef gaon::sim::stringifyBufferRole(BufferRole role) {
  return kRoleNames[unsigned(role)];
}
std::optional<BufferRole> gaon::sim::symbolizeBufferRole(StringRef name) {
  return lookup<BufferRole>(kRoleNames, name);
}
