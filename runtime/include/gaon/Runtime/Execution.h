//===- Execution.h - What one run of a model on a backend gives -*- C++ -*-===//
//
// The figures a backend returns for one execution of a compiled model: the
// latency, energy and utilisation of the whole run and a per-op breakdown,
// each figure labelled with its provenance (measured on real hardware,
// simulated by the NPU simulator, or modeled analytically). Plain data: the
// comparison and the report writers read it, the backends fill it in.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_EXECUTION_H
#define GAON_RUNTIME_EXECUTION_H

#include "gaon/Kernels/DType.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gaon::runtime {

using kernels::DType;

/// Where a figure comes from.
enum class Provenance : uint8_t {
  /// Timed on the hardware that ran the model (wall clock, CUDA events).
  Measured,
  /// Produced by the NPU simulator's event-driven timing model.
  Simulated,
  /// Computed by an analytical model (roofline, GPU performance model,
  /// per-event energy costs).
  Modeled,
};

/// "measured", "simulated", "modeled".
llvm::StringRef stringifyProvenance(Provenance provenance);

/// A number and where it comes from.
struct Figure {
  double value = 0;
  Provenance provenance = Provenance::Modeled;
};

/// Element type and shape of a tensor in a model's signature.
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t, 4> shape;

  int64_t getNumElements() const;
  /// "f32[2x3]".
  std::string getTypeString() const;
};

/// What limits an op on a backend, by the roofline of that backend.
enum class Bound : uint8_t { Compute, Memory };
/// "compute", "memory".
llvm::StringRef stringifyBound(Bound bound);

/// The roofline of one backend: peak arithmetic rate and peak memory
/// bandwidth. An op doing `flops` over `bytes` cannot take less than
/// max(flops / flopsPerSecond, bytes / bytesPerSecond).
struct Roofline {
  double flopsPerSecond = 0;
  double bytesPerSecond = 0;
  /// The precision the arithmetic peak is for ("bf16", "f32").
  std::string precision;
  /// Where the peaks come from (datasheet and chip description: modeled;
  /// micro-benchmarks on the host: measured).
  Provenance provenance = Provenance::Modeled;
  /// How the peaks were obtained, for the report.
  std::string source;

  bool isKnown() const { return flopsPerSecond > 0 && bytesPerSecond > 0; }
  /// The lower bound on the time of `flops` over `bytes`.
  double getBoundSeconds(double flops, double bytes) const;
  Bound getBound(double flops, double bytes) const;
};

/// One op as a backend executed it. Backends that fuse or split the model's
/// ops report the ops they ran (named by the source op they came from).
struct OpRecord {
  /// Source op name ("linalg.matmul") and MLIR location
  /// ("model.mlir":12:3), as the input IR has them.
  std::string name;
  std::string location;
  /// Time attributed to the op on the backend's timeline.
  double seconds = 0;
  /// Work of the op: floating-point operations and compulsory memory
  /// traffic (every operand read once, every result written once), from
  /// the cost analysis of the input IR.
  double flops = 0;
  double bytes = 0;
  /// The backend's roofline applied to this op (0 when the backend has no
  /// roofline), and which of compute and memory binds it.
  double rooflineSeconds = 0;
  std::optional<Bound> bound;
  /// Energy attributed to the op, joules (when the backend models it).
  std::optional<double> energyJoules;

  double getIntensity() const { return bytes > 0 ? flops / bytes : 0; }
  /// Achieved fraction of the roofline: rooflineSeconds / seconds.
  double getRooflineFraction() const {
    return seconds > 0 ? rooflineSeconds / seconds : 0;
  }
};

/// What one execution of a compiled model gives.
struct Execution {
  /// Time of one run, from the first op's start to the last op's end.
  Figure latencySeconds;
  /// Energy of one run, joules.
  std::optional<Figure> energyJoules;
  /// Fraction of the peak arithmetic rate the run sustained (0..1).
  std::optional<Figure> utilization;
  /// The per-op breakdown, in execution order; every OpRecord::seconds has
  /// `opProvenance`.
  std::vector<OpRecord> ops;
  Provenance opProvenance = Provenance::Modeled;
  /// The backend's roofline for the model's dominant precision.
  Roofline roofline;
  /// True if the output buffers now hold computed values (false for
  /// timing-only and modeled runs).
  bool producedValues = false;
  /// Free-form remarks a user should see ("timing mode: no values").
  std::vector<std::string> notes;
};

} // namespace gaon::runtime

#endif // GAON_RUNTIME_EXECUTION_H
