//===- RunReport.h - A side-by-side comparison of backends ------*- C++ -*-===//
//
// The result of running one model on several backends (runComparison in
// Comparison.h), and its four renderings: the terminal table, JSON (schema
// in docs/runtime.md and docs/run-report.schema.json), CSV (one figure per
// row, for scripts) and a single self-contained HTML file (the table, a
// per-op stacked time breakdown per backend and a roofline plot, as inline
// SVG; no network access). Every writer is deterministic.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_RUNREPORT_H
#define GAON_RUNTIME_RUNREPORT_H

#include "gaon/Runtime/Backend.h"
#include "gaon/Runtime/Compare.h"
#include "gaon/Runtime/Execution.h"

#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace gaon::runtime {

/// Version of the JSON report format (docs/runtime.md).
inline constexpr unsigned kRunReportVersion = 1;

/// Where an input tensor came from.
struct InputRecord {
  TensorSpec spec;
  /// "random(seed=7)" or the .npy path it was read from.
  std::string source;
};

/// One output of one backend, checked against the reference.
struct OutputRecord {
  TensorSpec spec;
  /// Absent when the backend computed no values or there is no reference.
  std::optional<TensorCheck> check;
  /// Where the output was written as .npy (empty: not written).
  std::string npyPath;
};

/// The first op whose result leaves the tolerance (from layer dumps).
struct Divergence {
  unsigned opIndex = 0;
  std::string opName;
  std::string location;
  unsigned resultIndex = 0;
  TensorCheck check;
};

/// One backend's part of the comparison.
struct BackendRecord {
  BackendInfo info;
  /// Set when the backend failed to compile or run; nothing else is then.
  std::string error;
  /// Wall-clock compile (and load) time on this host, measured.
  double compileSeconds = 0;
  std::optional<Execution> execution;
  /// Work units per second (RunReport::workUnit); same provenance as the
  /// latency.
  std::optional<Figure> throughput;
  /// Baseline latency / this latency.
  std::optional<double> speedup;
  std::vector<OutputRecord> outputs;
  /// All outputs checked and within tolerance: true/false; absent when no
  /// values were checked.
  std::optional<bool> passed;
  /// With layer dumps: where they are and the first divergent op.
  std::string layerDirectory;
  unsigned layersDumped = 0;
  std::optional<Divergence> divergence;

  bool isReference = false;
  bool isBaseline = false;
};

/// A whole comparison.
struct RunReport {
  /// The model: its name, the file or zoo entry it came from, the entry
  /// function.
  std::string model;
  std::string source;
  std::string entry;
  uint64_t seed = 0;
  std::vector<InputRecord> inputs;
  /// What throughput counts ("items" or "tokens") and how many one run
  /// processes, with how that count was obtained.
  std::string workUnit = "items";
  double workPerRun = 1;
  std::string workSource;
  /// Backend names of the reference (numeric check) and the baseline
  /// (speed-up); the reference is empty when values were not checked.
  std::string reference;
  std::string baseline;
  std::vector<BackendRecord> backends;

  /// True if every backend ran and every checked output passed.
  bool isSuccess() const;
};

/// The terminal table: one row per backend, then one line per failed check
/// or backend error.
void printTable(const RunReport &report, llvm::raw_ostream &os);

llvm::json::Value toJSON(const RunReport &report);
/// The JSON report, pretty-printed.
void writeJson(const RunReport &report, llvm::raw_ostream &os);

/// Long-format CSV: backend,scope,item,metric,value,unit,provenance with one
/// row per figure (scope: run, output, op).
void writeCsv(const RunReport &report, llvm::raw_ostream &os);

/// One self-contained HTML page.
void writeHtml(const RunReport &report, llvm::raw_ostream &os);

/// Writes the report to `path` with `writer`, as an llvm::Error.
llvm::Error writeReportFile(llvm::StringRef path, const RunReport &report,
                            void (*writer)(const RunReport &,
                                           llvm::raw_ostream &));

} // namespace gaon::runtime

#endif // GAON_RUNTIME_RUNREPORT_H
