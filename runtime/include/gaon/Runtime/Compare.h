//===- Compare.h - Numeric check of a tensor against a reference -*- C++
//-*-===//
//
// How Gaon decides that a backend computed the same values as the CPU
// reference. For every element pair (actual a, reference r):
//
//   abs error   |a - r|
//   rel error   |a - r| / max(|r|, atol)      (atol keeps it finite near 0)
//   mismatch    |a - r| > atol + rtol * |r|   (numpy.allclose's rule)
//
// and for the whole tensor the cosine similarity of a and r as vectors
// (1 when both are all zero). A tensor passes when it has the reference's
// shape and dtype, no element mismatches, and cosine >= minCosine. NaN
// matches NaN at the same position and nothing else; an infinity matches
// the same infinity. Integer tensors must be exact.
//
// Default tolerances per element type (docs/runtime.md explains them): the
// reference computes in f32/f64 with one rounding per op; a backend that
// tiles or reorders a reduction differs by a few units in the last place
// of the accumulation type per op, so tolerances scale with each type's
// machine epsilon and allow for a few layers of accumulated rounding.
//
//   dtype      atol     rtol     minCosine
//   f64        1e-9     1e-9     0.999999
//   f32        1e-4     1e-3     0.99999
//   f16        1e-2     1e-2     0.999
//   bf16       5e-2     5e-2     0.999
//   f8E4M3FN   0.25     0.25     0.99
//   f8E5M2     0.5      0.5      0.98
//   i8/i32/i64/i1  0    0        1 (exact)
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_COMPARE_H
#define GAON_RUNTIME_COMPARE_H

#include "gaon/Runtime/HostTensor.h"

#include <cstdint>
#include <string>

namespace gaon::runtime {

/// When two tensors count as equal (see the file comment).
struct Tolerance {
  double atol = 0;
  double rtol = 0;
  double minCosine = 1;

  /// The documented default for tensors of `dtype`.
  static Tolerance getDefault(DType dtype);
};

/// The outcome of comparing one tensor with its reference.
struct TensorCheck {
  Tolerance tolerance;
  bool passed = false;
  /// Set when the tensors cannot be compared element by element (different
  /// shape or dtype); the error figures are then meaningless.
  std::string error;
  int64_t elements = 0;
  double maxAbsError = 0;
  double maxRelError = 0;
  double cosine = 1;
  /// Elements outside atol + rtol * |r|, and the first of them (row-major
  /// index, -1 if none) with its two values.
  int64_t mismatches = 0;
  int64_t firstMismatch = -1;
  double firstMismatchActual = 0;
  double firstMismatchExpected = 0;

  /// "max-abs 1.2e-06, max-rel 3.4e-05, cosine 1.000000, 0 mismatches".
  std::string getSummary() const;
};

/// Compares `actual` with `reference` element by element.
TensorCheck compareTensors(const HostTensor &actual,
                           const HostTensor &reference,
                           const Tolerance &tolerance);
/// With the default tolerance of the reference's dtype.
TensorCheck compareTensors(const HostTensor &actual,
                           const HostTensor &reference);

} // namespace gaon::runtime

#endif // GAON_RUNTIME_COMPARE_H
