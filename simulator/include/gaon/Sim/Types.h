//===- Types.h - The NPU machine's vocabulary -------------------*- C++ -*-===//
//
// The vocabulary of Gaon's NPU abstract machine, spelled exactly as the `npu`
// dialect spells it (dialects/include/gaon/Dialect/NPU/IR/NPUBase.td) so that
// the compiler's serialiser is a one-to-one mapping.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_TYPES_H
#define GAON_SIM_TYPES_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace gaon::sim {

/// Element types the NPU stores, named as MLIR names them.
enum class DType : uint8_t { F32, F16, BF16, F8E4M3FN, F8E5M2, I8, I32 };
constexpr unsigned kNumDTypes = 7;

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

/// Vector-engine op kinds, in the dialect's order.
enum class UnaryKind : uint8_t {
  Copy,
  Neg,
  Abs,
  Relu,
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  Reciprocal,
  Tanh,
  Erf,
  Sigmoid,
  Gelu,
  GeluTanh,
  Silu
};
constexpr unsigned kNumUnaryKinds = 15;
enum class BinaryKind : uint8_t { Add, Sub, Mul, Div, Max, Min, Pow };
constexpr unsigned kNumBinaryKinds = 7;
enum class ReduceKind : uint8_t { Sum, Max, Min };
constexpr unsigned kNumReduceKinds = 3;

/// What a DRAM buffer holds for the program's caller.
enum class BufferRole : uint8_t { Input, Output, Weight, Scratch };

llvm::StringRef stringifyDType(DType type);
std::optional<DType> symbolizeDType(llvm::StringRef name);
/// Bytes per element.
inline int64_t getByteWidth(DType type) {
  constexpr int64_t widths[kNumDTypes] = {4, 2, 2, 1, 1, 1, 4};
  return widths[unsigned(type)];
}
/// The tensor-engine precision of an input element type; none for i32.
std::optional<Precision> getPrecision(DType type);
bool isFloat(DType type);

llvm::StringRef stringifyPrecision(Precision precision);
std::optional<Precision> symbolizePrecision(llvm::StringRef name);

/// "os", "ws", "is", "contraction" (the dialect's spelling).
llvm::StringRef stringifyDataflow(Dataflow dataflow);
std::optional<Dataflow> symbolizeDataflow(llvm::StringRef name);

llvm::StringRef stringifyMemorySpace(MemorySpace space);
llvm::StringRef stringifyEngine(Engine engine);

llvm::StringRef stringifyUnaryKind(UnaryKind kind);
std::optional<UnaryKind> symbolizeUnaryKind(llvm::StringRef name);
llvm::StringRef stringifyBinaryKind(BinaryKind kind);
std::optional<BinaryKind> symbolizeBinaryKind(llvm::StringRef name);
llvm::StringRef stringifyReduceKind(ReduceKind kind);
std::optional<ReduceKind> symbolizeReduceKind(llvm::StringRef name);

llvm::StringRef stringifyBufferRole(BufferRole role);
std::optional<BufferRole> symbolizeBufferRole(llvm::StringRef name);

} // namespace gaon::sim

#endif // GAON_SIM_TYPES_H
