//===- Types.h - The NPU machine's vocabulary -------------------*- C++ -*-===//
//
// The vocabulary of Gaon's NPU abstract machine, spelled exactly as the `npu`
// dialect spells it (dialects/include/gaon/Dialect/NPU/IR/NPUBase.td) so that
// the compiler's serialiser is a one-to-one mapping.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_TYPES_H
#define GAON_SIM_TYPES_H

#include "gaon/Kernels/DType.h"
#include "gaon/Kernels/Ops.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace gaon::sim {

/// Element types and vector-op kinds are the CPU kernels' (gaon/Kernels), so
/// the simulator, its functional mode, the reference and the compiler share
/// one vocabulary. The NPU stores the subset isNpuDType accepts.
using kernels::BinaryKind;
using kernels::DType;
using kernels::getByteWidth;
using kernels::isFloat;
using kernels::ReduceKind;
using kernels::stringifyBinaryKind;
using kernels::stringifyReduceKind;
using kernels::stringifyUnaryKind;
using kernels::symbolizeBinaryKind;
using kernels::symbolizeReduceKind;
using kernels::symbolizeUnaryKind;
using kernels::UnaryKind;

/// True for the element types NPU buffers hold: f32, f16, bf16, f8E4M3FN,
/// f8E5M2, i8 and i32 (the values 0..6 of DType, which the binary program
/// form stores).
inline bool isNpuDType(DType type) {
  return uint8_t(type) <= uint8_t(DType::I32);
}

/// Tensor-engine input precisions, named as datasheets name them. Both fp8
/// formats (f8E4M3FN, f8E5M2) run at the `fp8` rate.
enum class Precision : uint8_t { Int8, Fp8, Bf16, Fp16, Fp32 };
constexpr unsigned kNumPrecisions = 5;

/// Tensor-engine dataflows: systolic output/weight/input stationary (the
/// SCALE-Sim v2 model) or an RNGD-style contraction array.
enum class Dataflow : uint8_t {
  OutputStationary,
  WeightStationary,
  InputStationary,
  Contraction
};

/// Where a view lives.
enum class MemorySpace : uint8_t { Dram, Sram };

/// The engines of a core.
enum class Engine : uint8_t { Dma, Tensor, Vector };

/// Numbers of vector-engine op kinds (kernels::UnaryKind etc. in order).
constexpr unsigned kNumUnaryKinds = 15;
constexpr unsigned kNumBinaryKinds = 7;
constexpr unsigned kNumReduceKinds = 3;

/// What a DRAM buffer holds for the program's caller.
enum class BufferRole : uint8_t { Input, Output, Weight, Scratch };

/// The MLIR spelling of an element type ("bf16", ...).
inline llvm::StringRef stringifyDType(DType type) {
  return kernels::getDTypeName(type);
}
/// Parses an NPU element type; none for other names and for non-NPU types.
std::optional<DType> symbolizeDType(llvm::StringRef name);
/// The tensor-engine precision of an input element type; none for i32.
std::optional<Precision> getPrecision(DType type);

llvm::StringRef stringifyPrecision(Precision precision);
std::optional<Precision> symbolizePrecision(llvm::StringRef name);

/// "os", "ws", "is", "contraction" (the dialect's spelling).
llvm::StringRef stringifyDataflow(Dataflow dataflow);
std::optional<Dataflow> symbolizeDataflow(llvm::StringRef name);

llvm::StringRef stringifyMemorySpace(MemorySpace space);
llvm::StringRef stringifyEngine(Engine engine);

llvm::StringRef stringifyBufferRole(BufferRole role);
std::optional<BufferRole> symbolizeBufferRole(llvm::StringRef name);

} // namespace gaon::sim

#endif // GAON_SIM_TYPES_H
