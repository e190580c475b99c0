//===- Comparison.h - Run one model on several backends ---------*- C++ -*-===//
//
// runComparison drives backends through the Backend interface alone: it
// makes the inputs (seeded random or .npy files), runs the reference
// backend and then every other backend on the same inputs, checks each
// backend's outputs against the reference's (Compare.h), optionally dumps
// every intermediate tensor and finds the first op that diverges, and
// collects the figures into a RunReport.
//
// Inputs: argument i is HostTensor::random(dtype, shape, deriveSeed(seed,
// i)) unless a .npy file is given for it: uniform in [-1, 1) for float
// types, and in {0, 1} for integer types (which are often indices: token
// ids, token types, masks). Layer dumps go to
// <layerDirectory>/<backend>/NNNN-<op>-r<result>.npy with an index.json;
// outputs to <outputDirectory>/<backend>/output<i>.npy, inputs to
// <outputDirectory>/inputs/input<i>.npy.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_COMPARISON_H
#define GAON_RUNTIME_COMPARISON_H

#include "gaon/Runtime/Backend.h"
#include "gaon/Runtime/Model.h"
#include "gaon/Runtime/RunReport.h"

#include <functional>
#include <string>
#include <vector>

namespace gaon::runtime {

struct ComparisonOptions {
  uint64_t seed = 0;
  /// A .npy file per argument, by position; an empty path (or a missing
  /// entry) means random from the seed.
  std::vector<std::string> inputFiles;
  /// Name of the backend whose latency the speed-ups divide; empty: the
  /// first backend.
  std::string baseline;
  /// Check every backend's outputs against the reference. Without it,
  /// backends that can run timing only (the NPU simulator) do so.
  bool checkValues = true;
  /// Where to write inputs and each backend's outputs as .npy (empty: not
  /// written).
  std::string outputDirectory;
  /// Where to dump every intermediate tensor per backend (empty: no dumps).
  std::string layerDirectory;
  /// Progress of the whole comparison: a label and the fraction of the
  /// current step done (0..1).
  std::function<void(llvm::StringRef label, double fraction)> onProgress;
};

/// The seed of argument `index`: splitmix64(splitmix64(seed) + index), so
/// arguments get unrelated streams and nearby seeds unrelated inputs.
uint64_t deriveSeed(uint64_t seed, unsigned index);

/// The inputs of `model` as `options` says (random or from files).
llvm::Expected<std::vector<HostTensor>>
makeInputs(const Model &model, const ComparisonOptions &options,
           std::vector<InputRecord> *records = nullptr);

/// Runs `model` on `reference` (if not null) and on each of `backends`
/// (which may include the reference: it then runs once). A backend that
/// fails to compile or run is recorded with its error and the comparison
/// goes on; the returned error is for what stops the whole comparison
/// (unreadable inputs, an unknown baseline, unwritable directories).
llvm::Expected<RunReport> runComparison(const Model &model,
                                        llvm::ArrayRef<Backend *> backends,
                                        Backend *reference,
                                        const ComparisonOptions &options);

} // namespace gaon::runtime

#endif // GAON_RUNTIME_COMPARISON_H
