//===- HostTensor.h - a tensor in host memory -------------------*- C++ -*-===//
//
// HostTensor owns a contiguous row-major (C order) buffer with an element
// type and a shape. It is what the CPU reference computes on and what every
// backend of the runtime takes inputs from and returns outputs in. Copies
// are deep (value semantics, like std::vector); move it to pass it on.
//
// Deterministic random contents (fillRandom / random):
//   A PCG32 generator (PCG-XSH-RR 64/32, O'Neill 2014) is seeded with
//   pcg32_srandom(seed, stream 0xda3e39cb94b95bdb). Elements are drawn in
//   row-major order; each consumes two 32-bit outputs a, b forming
//   u = ((a >> 5) * 2^26 + (b >> 6)) * 2^-53, uniform in [0, 1).
//   Float types store lo + (hi - lo) * u rounded to nearest even into the
//   dtype; integer types store floor(lo + (hi - lo + 1) * u) clamped to hi
//   (uniform over the integers lo..hi); i1 uses lo = 0, hi = 1. The
//   sequence depends only on the seed, never on the standard library.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_HOSTTENSOR_H
#define GAON_RUNTIME_HOSTTENSOR_H

#include "gaon/Kernels/View.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gaon::runtime {

using kernels::DType;

/// Range of random values (see the file comment). The defaults are [-1, 1)
/// for float types and -8..8 for integers.
struct RandomRange {
  double lo = -1.0;
  double hi = 1.0;
  static RandomRange getDefault(DType dtype);
};

class HostTensor {
public:
  /// An f32 scalar holding 0.
  HostTensor() : HostTensor(DType::F32, {}) {}
  /// A zero-filled tensor.
  HostTensor(DType dtype, llvm::ArrayRef<int64_t> shape);

  /// A rank-0 tensor holding `value` (rounded into dtype).
  static HostTensor getScalar(DType dtype, double value);
  /// A tensor with `values` in row-major order (rounded into dtype).
  static HostTensor fromDoubles(DType dtype, llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<double> values);
  /// A tensor with integer `values` (exact for integer types).
  static HostTensor fromInt64s(DType dtype, llvm::ArrayRef<int64_t> shape,
                               llvm::ArrayRef<int64_t> values);
  /// A tensor filled deterministically from `seed` (see the file comment).
  static HostTensor random(DType dtype, llvm::ArrayRef<int64_t> shape,
                           uint64_t seed);
  static HostTensor random(DType dtype, llvm::ArrayRef<int64_t> shape,
                           uint64_t seed, RandomRange range);

  DType getDType() const { return dtype; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getRank() const { return static_cast<int64_t>(shape.size()); }
  int64_t getNumElements() const;
  int64_t getSizeInBytes() const { return static_cast<int64_t>(bytes.size()); }

  std::byte *getData() { return bytes.data(); }
  const std::byte *getData() const { return bytes.data(); }
  /// A row-major View of the whole tensor. The const overload is for
  /// reading: kernels take inputs as `const View &` and never write them.
  kernels::View getView();
  kernels::View getView() const;

  /// Element `flatIndex` (row-major) as double / as integer.
  double getDouble(int64_t flatIndex) const;
  int64_t getInt64(int64_t flatIndex) const;
  /// Element at a multi-dimensional index, as double.
  double at(llvm::ArrayRef<int64_t> index) const;
  /// Stores with DType's conversion rules.
  void setDouble(int64_t flatIndex, double value);
  void setInt64(int64_t flatIndex, int64_t value);
  /// Every element as double (row-major).
  std::vector<double> toDoubles() const;

  /// Reinterprets the same elements with another shape of the same count.
  void reshape(llvm::ArrayRef<int64_t> newShape);

  /// Overwrites every element deterministically from `seed`.
  void fillRandom(uint64_t seed);
  void fillRandom(uint64_t seed, RandomRange range);

  /// True if dtype, shape and every byte agree.
  bool isBitwiseEqual(const HostTensor &other) const;

  /// "f32[2x3]" (rank 0: "f32[]").
  std::string getTypeString() const;

private:
  DType dtype;
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<std::byte> bytes;
};

} // namespace gaon::runtime

#endif // GAON_RUNTIME_HOSTTENSOR_H
