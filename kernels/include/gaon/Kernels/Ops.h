//===- Ops.h - kernels of the npu dialect's engine commands -----*- C++ -*-===//
//
// One function per command of the `npu` dialect (see
// dialects/include/gaon/Dialect/NPU/IR/NPUOps.td), with the same semantics.
// The simulator's functional mode and the CPU reference both call these.
//
// Numerics:
//   - Elementwise and reduction kernels load every element as double,
//     compute in double and round ONCE when storing into the output's dtype
//     (DType.h's rules). Sums accumulate in double. Integer operands (all of
//     lhs, rhs and out integer) compute exactly in int64 and wrap on store.
//   - max/min propagate NaN (as arith.maximumf/minimumf), and so do
//     relu, reduce max and reduce min.
//   - matmul multiplies and accumulates in f32 for float inputs (f64 when an
//     operand is f64), in exact integer arithmetic for integer inputs (i32
//     accumulation wrapping, as the tensor engine does), then rounds (or
//     wraps) once into acc's dtype.
//
// Every kernel validates its views (shapes, ranks, dtypes) and returns an
// llvm::Error naming the mismatch instead of touching memory. Input and
// output views may alias (the kernels read all inputs before writing).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_KERNELS_OPS_H
#define GAON_KERNELS_OPS_H

#include "gaon/Kernels/View.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace gaon::kernels {

/// The npu dialect's vector.unary kinds; the enumerator values equal
/// gaon::npu::UnaryKind's, so static_cast converts between them.
enum class UnaryKind : uint32_t {
  Copy = 0,
  Neg = 1,
  Abs = 2,
  Relu = 3,
  Exp = 4,
  Log = 5,
  Sqrt = 6,
  Rsqrt = 7,
  Reciprocal = 8,
  Tanh = 9,
  Erf = 10,
  Sigmoid = 11,
  Gelu = 12,     ///< 0.5 x (1 + erf(x / sqrt 2))
  GeluTanh = 13, ///< 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  Silu = 14,     ///< x * sigmoid(x)
};

/// vector.binary / vector.scalar kinds (values equal gaon::npu::BinaryKind).
enum class BinaryKind : uint32_t {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  Max = 4,
  Min = 5,
  Pow = 6,
};

/// vector.reduce kinds (values equal gaon::npu::ReduceKind).
enum class ReduceKind : uint32_t { Sum = 0, Max = 1, Min = 2 };

/// The dialect's spelling ("gelu_tanh", "add", "sum", ...).
llvm::StringRef stringifyUnaryKind(UnaryKind kind);
llvm::StringRef stringifyBinaryKind(BinaryKind kind);
llvm::StringRef stringifyReduceKind(ReduceKind kind);
std::optional<UnaryKind> symbolizeUnaryKind(llvm::StringRef name);
std::optional<BinaryKind> symbolizeBinaryKind(llvm::StringRef name);
std::optional<ReduceKind> symbolizeReduceKind(llvm::StringRef name);

/// Scalar semantics of one op (double arithmetic), shared with the CPU
/// reference so both agree bit for bit.
double applyUnary(UnaryKind kind, double x);
double applyBinary(BinaryKind kind, double lhs, double rhs);
/// Integer semantics: div truncates toward zero and x/0 == 0; pow with a
/// negative exponent is 0 unless the base is +-1.
int64_t applyBinaryInt(BinaryKind kind, int64_t lhs, int64_t rhs);

/// npu.dma: copies `src` into `dst`, same shape and dtype (bit-exact).
llvm::Error copy(const View &src, const View &dst);

/// npu.matmul: acc = lhs * rhs (acc += lhs * rhs with `accumulate`).
/// Without transposes lhs is MxK, rhs KxN, acc MxN; a transposed lhs is
/// stored KxM, a transposed rhs NxK. Inputs are both float or both integer;
/// acc is any float type for float inputs, any integer type for integers.
llvm::Error matmul(const View &lhs, bool transposeLhs, const View &rhs,
                   bool transposeRhs, const View &acc, bool accumulate);

/// npu.vector.unary: out = f(in), same shape. `copy` accepts any dtypes
/// (converting like cast); neg, abs and relu also accept integers; the rest
/// need float input and output.
llvm::Error unary(UnaryKind kind, const View &in, const View &out);

/// npu.vector.binary: out = lhs op rhs. lhs and rhs have out's rank; each of
/// their dimensions equals out's or is 1 (broadcast).
llvm::Error binary(BinaryKind kind, const View &lhs, const View &rhs,
                   const View &out);

/// npu.vector.scalar: out = in op scalar (scalar op in with `reversed`).
llvm::Error scalar(BinaryKind kind, const View &in, double scalar,
                   bool reversed, const View &out);

/// npu.vector.reduce: reduces `in` along `axis` into `out`, which has in's
/// shape with that dimension 1. With `accumulate` the result is combined
/// with what out holds.
llvm::Error reduce(ReduceKind kind, const View &in, const View &out,
                   int64_t axis, bool accumulate);

/// npu.vector.cast: converts each element into out's dtype (same shape):
/// round to nearest even for floats, truncate and saturate float->int,
/// saturate int->int (DType.h).
llvm::Error cast(const View &in, const View &out);

/// npu.vector.fill: sets every element of out to `value` (rounded or
/// saturated into out's dtype).
llvm::Error fill(double value, const View &out);

} // namespace gaon::kernels

#endif // GAON_KERNELS_OPS_H
