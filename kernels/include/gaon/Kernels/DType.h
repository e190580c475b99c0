//===- DType.h - element types of Gaon's CPU kernels ------------*- C++ -*-===//
//
// The element types the kernels, the NPU simulator and the CPU reference
// store in memory, their names (the MLIR spellings), and exact scalar
// conversions between them.
//
// Conversion rules (every narrowing float conversion rounds to nearest, ties
// to even, exactly once):
//   - f16, bf16, f8E5M2: IEEE-style. Values past the largest finite number
//     become +-inf; NaN stays NaN (sign kept, quiet bit set: f16 0x7e00,
//     bf16 0x7fc0, f8E5M2 0x7e, each with the sign bit of the input).
//   - f8E4M3FN has no infinities: it SATURATES, as the npu vector.cast does,
//     so anything past +-448 (including +-inf) becomes +-448. NaN becomes
//     0x7f (or 0xff when the sign is set), its only NaN encoding.
//   - float -> integer truncates toward zero and saturates to the integer
//     type's range; NaN becomes 0. Anything -> i1 is (value != 0).
//   - integer -> integer through storeInt64 wraps (two's complement, as arith
//     ops do); through the double path (storeElement) it saturates.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_KERNELS_DTYPE_H
#define GAON_KERNELS_DTYPE_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace gaon::kernels {

/// An element type in memory. i1 is stored as one byte holding 0 or 1. F64
/// is only for the CPU reference (f64 tensors in input IR); NPU commands
/// never use it.
enum class DType : uint8_t {
  F32,
  F16,
  BF16,
  F8E4M3FN,
  F8E5M2,
  I8,
  I32,
  I64,
  I1,
  F64,
};

/// Every DType, in declaration order (for tests and table-driven code).
inline constexpr DType kAllDTypes[] = {
    DType::F32, DType::F16, DType::BF16, DType::F8E4M3FN, DType::F8E5M2,
    DType::I8,  DType::I32, DType::I64,  DType::I1,       DType::F64};

/// Bytes one element occupies in memory (i1: 1).
int64_t getByteWidth(DType dtype);

/// The MLIR spelling: "f32", "f16", "bf16", "f8E4M3FN", "f8E5M2", "i8",
/// "i32", "i64", "i1", "f64".
llvm::StringRef getDTypeName(DType dtype);

/// Parses an MLIR spelling as getDTypeName prints it.
std::optional<DType> parseDType(llvm::StringRef name);

/// True for f32, f16, bf16, the fp8 types and f64.
bool isFloat(DType dtype);
/// True for i8, i32, i64 and i1.
inline bool isInteger(DType dtype) { return !isFloat(dtype); }

/// Largest finite value of a float type (f8E4M3FN: 448, f8E5M2: 57344,
/// f16: 65504, ...); for integer types, the largest value.
double getMaxValue(DType dtype);
/// Smallest (most negative) finite value; the negation of getMaxValue for
/// float types, the type's minimum for integers (i1: 0).
double getMinValue(DType dtype);

//===----------------------------------------------------------------------===//
// Scalar conversions (bit patterns as unsigned integers)
//===----------------------------------------------------------------------===//

uint16_t floatToBF16(float value);
float bf16ToFloat(uint16_t bits);
uint16_t floatToF16(float value);
float f16ToFloat(uint16_t bits);
uint8_t floatToF8E4M3FN(float value);
float f8E4M3FNToFloat(uint8_t bits);
uint8_t floatToF8E5M2(float value);
float f8E5M2ToFloat(uint8_t bits);

/// Exactly-rounded conversions from double (one rounding, not through f32).
uint16_t doubleToBF16(double value);
uint16_t doubleToF16(double value);
uint8_t doubleToF8E4M3FN(double value);
uint8_t doubleToF8E5M2(double value);

/// The value `value` becomes when stored as `dtype` and loaded back.
double roundToDType(double value, DType dtype);

//===----------------------------------------------------------------------===//
// Loading and storing one element
//===----------------------------------------------------------------------===//

/// Reads the element at `ptr` as a double (exact for every type but i64
/// values beyond 2^53).
double loadElement(const std::byte *ptr, DType dtype);
/// Stores `value` at `ptr` with the conversion rules above (rounding,
/// saturation for f8E4M3FN and integers).
void storeElement(std::byte *ptr, DType dtype, double value);

/// Reads the element at `ptr` as an integer (floats truncate toward zero and
/// saturate; exact for every integer type).
int64_t loadInt64(const std::byte *ptr, DType dtype);
/// Stores an integer: integer types keep the low bits (two's complement
/// wrap, i1 keeps bit 0); float types round to nearest.
void storeInt64(std::byte *ptr, DType dtype, int64_t value);

} // namespace gaon::kernels

#endif // GAON_KERNELS_DTYPE_H
