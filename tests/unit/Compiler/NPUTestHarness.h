//===- NPUTestHarness.h - compile, simulate, compare ------------*- C++ -*-===//
//
// Compiles an MLIR function for a chip with the NPU pipeline, runs the
// program in the simulator's functional mode on seeded random inputs, and
// compares every output with the CPU reference executor run on the input IR.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_TESTS_UNIT_COMPILER_NPUTESTHARNESS_H
#define GAON_TESTS_UNIT_COMPILER_NPUTESTHARNESS_H

#include "gaon/Pipelines/NPUPipeline.h"
#include "gaon/Runtime/HostTensor.h"
#include "gaon/Sim/ChipConfig.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace gaon::testing {

/// Largest error over the outputs, relative to the reference's largest
/// magnitude (at least 1).
struct Comparison {
  double maxAbsError = 0;
  double maxRelError = 0;
  std::string failure;
};

struct CheckOptions {
  /// The chip; default: a 2-core 32x32 systolic chip with 256 KiB of SRAM
  /// per core, so that ops are tiled.
  std::optional<sim::ChipConfig> chip;
  /// Allowed error relative to the largest reference magnitude.
  double tolerance = 1e-4;
  /// Range of the random inputs (per argument; default [-1, 1)).
  std::vector<std::optional<runtime::RandomRange>> ranges;
  NPUCompileOptions pipeline;
};

/// A small tiled test chip ("systolic-32x32" with overrides).
sim::ChipConfig getTestChip(llvm::ArrayRef<std::string> overrides = {});

/// Compiles `source`, simulates it functionally and compares it with the
/// reference. Returns the errors, or a failure message.
Comparison compileAndCompare(llvm::StringRef source,
                             const CheckOptions &options = {});

} // namespace gaon::testing

#endif // GAON_TESTS_UNIT_COMPILER_NPUTESTHARNESS_H
