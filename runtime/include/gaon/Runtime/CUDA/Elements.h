//===- Elements.h - Host-side reading and filling of plan buffers -*- C++
//-*-===//
//
// What a tool needs to feed a launch plan and look at what comes back:
// deterministic test inputs in any element type, and element values as
// doubles.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_CUDA_ELEMENTS_H
#define GAON_RUNTIME_CUDA_ELEMENTS_H

#include "gaon/Runtime/CUDA/LaunchPlan.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace gaon::runtime::cuda {

/// Fills `bytes` (whole elements of `type`) with values k/16, k uniform in
/// [-16, 16] (integers: k), from a generator seeded with `seed`. The values
/// are exact in every type but f8E5M2, which rounds them to nearest-even.
void fillTestElements(ElementType type, llvm::MutableArrayRef<uint8_t> bytes,
                      uint64_t seed);

/// Element `index` of `bytes`, as a double.
double readElement(ElementType type, llvm::ArrayRef<uint8_t> bytes,
                   size_t index);

/// Summary of a buffer's values, for printing what a run produced.
struct ElementSummary {
  size_t count = 0;
  size_t nonFinite = 0;
  double sum = 0, minimum = 0, maximum = 0;
};
ElementSummary summarizeElements(ElementType type,
                                 llvm::ArrayRef<uint8_t> bytes);

} // namespace gaon::runtime::cuda

#endif // GAON_RUNTIME_CUDA_ELEMENTS_H
