//===- KernelTestUtils.h - buffers and loops for kernel tests ---*- C++ -*-===//

#ifndef GAON_TESTS_UNIT_KERNELS_KERNELTESTUTILS_H
#define GAON_TESTS_UNIT_KERNELS_KERNELTESTUTILS_H

#include "gaon/Kernels/View.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

/// Asserts an llvm::Error is success, printing it otherwise.
#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    llvm::Error err = (expr);                                                  \
    ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));    \
  } while (false)

/// Expects `expr` to fail with a message containing `needle`.
#define EXPECT_ERROR(expr, needle)                                             \
  do {                                                                         \
    llvm::Error err = (expr);                                                  \
    ASSERT_TRUE(static_cast<bool>(err));                                       \
    std::string message = llvm::toString(std::move(err));                      \
    EXPECT_NE(message.find(needle), std::string::npos) << message;             \
  } while (false)

namespace gaon::kernels::testing {

/// Owned bytes for a contiguous tensor, with views onto it.
class Buffer {
public:
  Buffer(DType dtype, llvm::ArrayRef<int64_t> shape)
      : dtype(dtype), shape(shape),
        bytes(std::max<int64_t>(
                  1, View(nullptr, dtype, shape, {}).getNumElements()) *
              getByteWidth(dtype)) {}

  View view() { return View::getContiguous(bytes.data(), dtype, shape); }

  /// Fills with uniform values in [lo, hi) from a seeded linear
  /// congruential generator (portable), rounded into the dtype.
  Buffer &randomize(uint64_t seed, double lo = -1.0, double hi = 1.0) {
    uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    View all = view();
    int64_t width = getByteWidth(dtype);
    for (int64_t i = 0, e = all.getNumElements(); i < e; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      double u = static_cast<double>(state >> 11) * 0x1.0p-53;
      storeElement(bytes.data() + i * width, dtype, lo + (hi - lo) * u);
    }
    return *this;
  }

  double at(llvm::ArrayRef<int64_t> index) const {
    int64_t offset = 0, stride = 1;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      offset += index[d] * stride;
      stride *= shape[d];
    }
    return loadElement(bytes.data() + offset * getByteWidth(dtype), dtype);
  }

  DType dtype;
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<std::byte> bytes;
};

/// Element of a view as double.
inline double get(const View &view, llvm::ArrayRef<int64_t> index) {
  return loadElement(view.getElementPtr(index), view.dtype);
}

/// Calls fn(index) for every index of `shape` in row-major order.
template <typename Fn>
void forEachIndex(llvm::ArrayRef<int64_t> shape, Fn &&fn) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  llvm::SmallVector<int64_t, 4> index(shape.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    fn(llvm::ArrayRef<int64_t>(index));
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// Relative precision of a dtype (unit roundoff), for tolerances.
inline double unitRoundoff(DType dtype) {
  switch (dtype) {
  case DType::F64:
    return 0x1.0p-53;
  case DType::F32:
    return 0x1.0p-24;
  case DType::F16:
    return 0x1.0p-11;
  case DType::BF16:
    return 0x1.0p-8;
  case DType::F8E4M3FN:
    return 0x1.0p-4;
  case DType::F8E5M2:
    return 0x1.0p-3;
  default:
    return 0.0;
  }
}

} // namespace gaon::kernels::testing

#endif // GAON_TESTS_UNIT_KERNELS_KERNELTESTUTILS_H
