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

static constexpr StringRef kPrecisionNames[] = {"int8", "fp8", "bf16", "fp16",
                                                "fp32"};
static constexpr StringRef kDataflowNames[] = {"os", "ws", "is", "contraction"};
static constexpr StringRef kRoleNames[] = {"input", "output", "weight",
                                           "scratch"};

std::optional<DType> gaon::sim::symbolizeDType(StringRef name) {
  std::optional<DType> type = gaon::kernels::parseDType(name);
  if (type && isNpuDType(*type))
    return type;
  return std::nullopt;
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
  default:
    return std::nullopt;
  }
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

StringRef gaon::sim::stringifyBufferRole(BufferRole role) {
  return kRoleNames[unsigned(role)];
}
std::optional<BufferRole> gaon::sim::symbolizeBufferRole(StringRef name) {
  return lookup<BufferRole>(kRoleNames, name);
}
