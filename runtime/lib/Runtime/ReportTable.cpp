//===- ReportTable.cpp - The terminal table of a run report ---------------===//

#include "ReportFormat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace gaon::runtime;
using namespace gaon::runtime::detail;

/// `figure` formatted by `format`, followed by its provenance when it
/// differs from the row's.
template <typename Format>
static std::string formatFigure(const std::optional<Figure> &figure,
                                Provenance rowProvenance, Format format) {
  if (!figure)
    return "-";
  std::string text = format(figure->value);
  if (figure->provenance != rowProvenance)
    text += " (" + stringifyProvenance(figure->provenance).str() + ")";
  return text;
}

void gaon::runtime::printTable(const RunReport &report, llvm::raw_ostream &os) {
  std::string baselineHeader = "vs " + report.baseline;
  std::vector<std::vector<std::string>> rows = {
      {"backend", "device", "figures", "latency", report.workUnit + "/s",
       "util", "energy", baselineHeader, "check"}};
  for (const BackendRecord &backend : report.backends) {
    const BackendInfo &info = backend.info;
    if (!backend.error.empty() || !backend.execution) {
      rows.push_back({info.name, info.device, "-", "-", "-", "-", "-", "-",
                      describeCheck(backend)});
      continue;
    }
    const Execution &execution = *backend.execution;
    Provenance provenance = execution.latencySeconds.provenance;
    rows.push_back(
        {info.name, info.device, stringifyProvenance(provenance).str(),
         formatSeconds(execution.latencySeconds.value),
         formatFigure(backend.throughput, provenance,
                      [](double v) { return formatSI(v, ""); }),
         formatFigure(execution.utilization, provenance, formatPercent),
         formatFigure(execution.energyJoules, provenance,
                      [](double v) { return formatSI(v, "J"); }),
         backend.speedup ? formatSpeedup(*backend.speedup) : "-",
         describeCheck(backend)});
  }

  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto &row : rows)
    for (auto [width, cell] : llvm::zip(widths, row))
      width = std::max(width, cell.size());

  os << "model " << report.model << " (" << report.source << ", @"
     << report.entry << "); inputs: ";
  auto allFrom = [&](llvm::StringRef prefix) {
    return llvm::all_of(report.inputs, [&](const InputRecord &input) {
      return llvm::StringRef(input.source).starts_with(prefix);
    });
  };
  if (allFrom("none"))
    os << "none (timing only)";
  else if (allFrom("random"))
    os << "random, seed " << report.seed;
  else
    os << "from files and seed " << report.seed;
  os << "; " << report.workUnit
     << " per run: " << formatNumber(report.workPerRun) << " ("
     << report.workSource << ")\n";
  for (auto [index, row] : llvm::enumerate(rows)) {
    for (auto [column, cell] : llvm::enumerate(row)) {
      os << cell;
      if (column + 1 < row.size())
        os.indent(widths[column] - cell.size() + 2);
    }
    os << "\n";
    if (index == 0) {
      size_t total = 0;
      for (size_t width : widths)
        total += width + 2;
      os << std::string(total - 2, '-') << "\n";
    }
  }

  // What the table cannot say: errors, failed checks, divergences, notes.
  for (const BackendRecord &backend : report.backends) {
    llvm::StringRef name = backend.info.name;
    if (!backend.error.empty()) {
      os << name << ": error: " << backend.error << "\n";
      continue;
    }
    for (const std::string &note : backend.info.notes)
      os << name << ": " << note << "\n";
    if (backend.execution)
      for (const std::string &note : backend.execution->notes)
        os << name << ": " << note << "\n";
    for (auto [index, output] : llvm::enumerate(backend.outputs))
      if (output.check && !output.check->passed)
        os << name << ": output " << index << " " << output.spec.getTypeString()
           << " differs from " << report.reference << ": "
           << output.check->getSummary() << "\n";
    if (backend.divergence)
      os << name << ": first divergent op: #" << backend.divergence->opIndex
         << " " << backend.divergence->opName << " at "
         << backend.divergence->location << " (result "
         << backend.divergence->resultIndex
         << "): " << backend.divergence->check.getSummary() << "\n";
  }
}
