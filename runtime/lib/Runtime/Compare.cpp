//===- Compare.cpp - Numeric check of a tensor against a reference --------===//

#include "gaon/Runtime/Compare.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace gaon::runtime;

Tolerance Tolerance::getDefault(DType dtype) {
  switch (dtype) {
  case DType::F64:
    return {1e-9, 1e-9, 0.999999};
  case DType::F32:
    return {1e-4, 1e-3, 0.99999};
  case DType::F16:
    return {1e-2, 1e-2, 0.999};
  case DType::BF16:
    return {5e-2, 5e-2, 0.999};
  case DType::F8E4M3FN:
    return {0.25, 0.25, 0.99};
  case DType::F8E5M2:
    return {0.5, 0.5, 0.98};
  case DType::I8:
  case DType::I32:
  case DType::I64:
  case DType::I1:
    return {0, 0, 1};
  }
  return {0, 0, 1};
}

std::string TensorCheck::getSummary() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (!error.empty()) {
    os << error;
    return text;
  }
  os << "max-abs " << llvm::format("%.3g", maxAbsError) << ", max-rel "
     << llvm::format("%.3g", maxRelError) << ", cosine "
     << llvm::format("%.6f", cosine) << ", " << mismatches << " of " << elements
     << " outside tolerance";
  if (firstMismatch >= 0)
    os << " (first at " << firstMismatch << ": "
       << llvm::format("%g", firstMismatchActual) << " vs "
       << llvm::format("%g", firstMismatchExpected) << ")";
  return text;
}

/// True if `a` and `r` agree under `tolerance`, treating NaN and the
/// infinities as equal only to themselves.
static bool isClose(double a, double r, const Tolerance &tolerance) {
  if (std::isnan(a) || std::isnan(r))
    return std::isnan(a) && std::isnan(r);
  if (std::isinf(a) || std::isinf(r))
    return a == r;
  return std::fabs(a - r) <= tolerance.atol + tolerance.rtol * std::fabs(r);
}

TensorCheck gaon::runtime::compareTensors(const HostTensor &actual,
                                          const HostTensor &reference,
                                          const Tolerance &tolerance) {
  TensorCheck check;
  check.tolerance = tolerance;
  check.elements = reference.getNumElements();
  if (actual.getDType() != reference.getDType() ||
      actual.getShape() != reference.getShape()) {
    check.error = "got " + actual.getTypeString() + ", expected " +
                  reference.getTypeString();
    check.cosine = 0;
    return check;
  }

  std::vector<double> a = actual.toDoubles(), r = reference.toDoubles();
  double dot = 0, normA = 0, normR = 0;
  bool nonFinite = false;
  for (int64_t i = 0; i < check.elements; ++i) {
    double x = a[i], y = r[i];
    if (!isClose(x, y, tolerance)) {
      if (check.mismatches++ == 0) {
        check.firstMismatch = i;
        check.firstMismatchActual = x;
        check.firstMismatchExpected = y;
      }
    }
    if (!std::isfinite(x) || !std::isfinite(y)) {
      // Matching NaN/inf pairs carry no error; anything else is unbounded.
      if (!isClose(x, y, tolerance)) {
        nonFinite = true;
        check.maxAbsError = check.maxRelError = INFINITY;
      }
      continue;
    }
    double error = std::fabs(x - y);
    check.maxAbsError = std::max(check.maxAbsError, error);
    check.maxRelError = std::max(
        check.maxRelError, error / std::max(std::fabs(y), tolerance.atol));
    dot += x * y;
    normA += x * x;
    normR += y * y;
  }
  if (nonFinite)
    check.cosine = 0;
  else if (normA == 0 && normR == 0)
    check.cosine = 1;
  else if (normA == 0 || normR == 0)
    check.cosine = 0;
  else
    check.cosine = dot / (std::sqrt(normA) * std::sqrt(normR));
  check.passed = check.mismatches == 0 && check.cosine >= tolerance.minCosine;
  return check;
}

TensorCheck gaon::runtime::compareTensors(const HostTensor &actual,
                                          const HostTensor &reference) {
  return compareTensors(actual, reference,
                        Tolerance::getDefault(reference.getDType()));
}
