//===- Common.h - helpers shared by the CPU kernels' sources ----*- C++ -*-===//
//
// Private to kernels/cpu: validation errors and typed element buffers.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_KERNELS_CPU_COMMON_H
#define GAON_KERNELS_CPU_COMMON_H

#include "gaon/Kernels/View.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstring>
#include <initializer_list>
#include <vector>

namespace gaon::kernels::detail {

/// An error "<kernel>: <message>".
inline llvm::Error kernelError(llvm::StringRef kernel,
                               const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (kernel + ": " + message).str());
}

/// A kernel operand and the name errors give it.
struct NamedView {
  llvm::StringRef role;
  const View &view;
};

/// Verifies every view (View::verify) and, when `rank` is not negative,
/// that each has exactly that rank.
llvm::Error verifyViews(llvm::StringRef kernel,
                        std::initializer_list<NamedView> views,
                        int64_t rank = -1);

/// Fails unless `view` has exactly `rank` dimensions.
llvm::Error expectRank(llvm::StringRef kernel, llvm::StringRef role,
                       const View &view, int64_t rank);

/// Fails unless the two views have the same shape.
llvm::Error expectSameShape(llvm::StringRef kernel, llvm::StringRef roleA,
                            const View &a, llvm::StringRef roleB,
                            const View &b);

/// Reads a T from possibly unaligned memory.
template <typename T> T readScalar(const std::byte *ptr) {
  T value;
  std::memcpy(&value, ptr, sizeof(T));
  return value;
}

/// Writes a T to possibly unaligned memory.
template <typename T> void writeScalar(std::byte *ptr, T value) {
  std::memcpy(ptr, &value, sizeof(T));
}

/// All elements of `view` as doubles (row-major).
inline std::vector<double> loadAll(const View &view) {
  std::vector<double> values(view.getNumElements());
  loadElements(view, values.data());
  return values;
}

/// All elements of `view` as int64 (row-major).
inline std::vector<int64_t> loadAllInt64(const View &view) {
  std::vector<int64_t> values(view.getNumElements());
  loadElementsInt64(view, values.data());
  return values;
}

/// All elements of `view` as float (row-major).
inline std::vector<float> loadAllFloat(const View &view) {
  std::vector<float> values(view.getNumElements());
  loadElementsFloat(view, values.data());
  return values;
}

} // namespace gaon::kernels::detail

#endif // GAON_KERNELS_CPU_COMMON_H
