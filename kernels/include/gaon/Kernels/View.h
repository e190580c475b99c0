//===- View.h - a strided window onto raw memory ----------------*- C++ -*-===//
//
// A View is what every kernel reads and writes: a pointer to element
// [0, ..., 0], an element type, a shape and per-dimension strides counted in
// ELEMENTS (not bytes). Strides may be zero (a broadcast dimension) or
// negative. A View does not own its memory; in the simulator it points into
// SRAM/DRAM byte arrays, in the CPU reference into tensor storage.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_KERNELS_VIEW_H
#define GAON_KERNELS_VIEW_H

#include "gaon/Kernels/DType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace gaon::kernels {

struct View {
  std::byte *data = nullptr;
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t, 4> shape;
  llvm::SmallVector<int64_t, 4> strides;

  View() = default;
  View(std::byte *data, DType dtype, llvm::ArrayRef<int64_t> shape,
       llvm::ArrayRef<int64_t> strides)
      : data(data), dtype(dtype), shape(shape), strides(strides) {}

  /// A row-major (C order) view of `shape` starting at `data`.
  static View getContiguous(std::byte *data, DType dtype,
                            llvm::ArrayRef<int64_t> shape);
  /// Row-major strides of `shape`, in elements.
  static llvm::SmallVector<int64_t, 4>
  getContiguousStrides(llvm::ArrayRef<int64_t> shape);

  int64_t getRank() const { return static_cast<int64_t>(shape.size()); }
  int64_t getNumElements() const;
  /// True if the elements are laid out row-major without gaps (dimensions
  /// of size 1 may have any stride).
  bool isContiguous() const;

  /// Address of the element at `index` (one entry per dimension).
  std::byte *getElementPtr(llvm::ArrayRef<int64_t> index) const;

  /// The smallest and largest element offset (relative to `data`) the view
  /// touches; {0, -1} when it has no elements. Used for bounds checks.
  std::pair<int64_t, int64_t> getOffsetRange() const;
  /// True if the byte ranges the two views may touch intersect.
  bool mayOverlap(const View &other) const;

  /// Checks the view is well-formed: as many strides as dimensions and no
  /// negative size.
  llvm::Error verify() const;

  /// Dimensions reordered: result dimension i is dimension perm[i].
  View permute(llvm::ArrayRef<int64_t> perm) const;
  /// The window [offsets, offsets + sizes * steps) with the given steps.
  View subview(llvm::ArrayRef<int64_t> offsets, llvm::ArrayRef<int64_t> sizes,
               llvm::ArrayRef<int64_t> steps) const;
  /// NumPy-style broadcast to `target` (which has at least this rank):
  /// leading dimensions are added, size-1 dimensions get stride 0. Fails if
  /// a dimension is neither equal nor 1.
  llvm::Expected<View> broadcastTo(llvm::ArrayRef<int64_t> target) const;
  /// Splits dimension `dim` into `sizes` (whose product must equal it).
  View splitDim(int64_t dim, llvm::ArrayRef<int64_t> sizes) const;
  /// Inserts a dimension of size 1 before `dim`.
  View insertUnitDim(int64_t dim) const;
  /// Drops dimension `dim`, which must have size 1.
  View dropUnitDim(int64_t dim) const;
  /// Merges dimensions `dim` and `dim + 1` into one when the strides allow
  /// it (row-major within the pair), else nullopt.
  std::optional<View> tryMergeDims(int64_t dim) const;
};

/// Prints "f32[2x3 strides 3,1]" for diagnostics.
std::string describe(const View &view);

//===----------------------------------------------------------------------===//
// Bulk loads and stores (row-major element order)
//===----------------------------------------------------------------------===//

/// Reads every element of `view` in row-major order, as doubles.
void loadElements(const View &view, double *out);
/// Reads every element as integers (see loadInt64).
void loadElementsInt64(const View &view, int64_t *out);
/// Reads every element as float (f64 rounds; integers convert).
void loadElementsFloat(const View &view, float *out);
/// Writes `in` (row-major) into `view` with storeElement's rules.
void storeElements(const double *in, const View &view);
/// Writes integers with storeInt64's rules (wrapping).
void storeElementsInt64(const int64_t *in, const View &view);
/// Writes floats, rounding into the view's type.
void storeElementsFloat(const float *in, const View &view);

/// Calls fn(offset) with the element offset of every element of a view of
/// `shape` with `strides`, in row-major order.
template <typename Fn>
void forEachOffset(llvm::ArrayRef<int64_t> shape,
                   llvm::ArrayRef<int64_t> strides, Fn &&fn) {
  int64_t rank = static_cast<int64_t>(shape.size());
  for (int64_t size : shape)
    if (size == 0)
      return;
  if (rank == 0) {
    fn(int64_t(0));
    return;
  }
  llvm::SmallVector<int64_t, 8> index(rank, 0);
  int64_t innerSize = shape[rank - 1], innerStride = strides[rank - 1];
  int64_t base = 0;
  while (true) {
    for (int64_t i = 0, offset = base; i < innerSize;
         ++i, offset += innerStride)
      fn(offset);
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      base += strides[d];
      if (++index[d] < shape[d])
        break;
      base -= strides[d] * shape[d];
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

} // namespace gaon::kernels

#endif // GAON_KERNELS_VIEW_H
