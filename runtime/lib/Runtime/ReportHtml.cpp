//===- ReportHtml.cpp - The self-contained HTML form of a run report ------===//
//
// One HTML file with no external resources: the backend table, the numeric
// check, a per-op stacked time breakdown per backend and a log-log roofline
// plot (inline SVG, tooltips through <title>), per-op tables, and the JSON
// report embedded as <script type="application/json" id="gaon-report">.
//
//===----------------------------------------------------------------------===//

#include "ReportFormat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace gaon::runtime;
using namespace gaon::runtime::detail;

/// `text` with HTML's special characters escaped.
static std::string escape(llvm::StringRef text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
    case '&':
      escaped += "&amp;";
      break;
    case '<':
      escaped += "&lt;";
      break;
    case '>':
      escaped += "&gt;";
      break;
    case '"':
      escaped += "&quot;";
      break;
    default:
      escaped += c;
    }
  }
  return escaped;
}

/// Colours for ops (by name) and backends, from a fixed palette.
static const char *const kPalette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b"};
static const char *getColor(size_t index) {
  return kPalette[index % std::size(kPalette)];
}

static const char *kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right;
         white-space: nowrap; }
th { background: #f0f0f0; } td.l, th.l { text-align: left; }
tr.fail td { background: #fde0e0; } tr.error td { background: #eee; }
.pass { color: #2a7d2a; font-weight: 600; } .FAIL { color: #c00; font-weight: 600; }
.meta { color: #555; font-size: 13px; } .note { color: #555; font-size: 13px; }
svg { background: #fff; border: 1px solid #ddd; }
svg text { font-size: 11px; font-family: system-ui, sans-serif; }
details { margin: 8px 0; }
)css";

namespace {

/// Writes the page section by section.
class HtmlWriter {
public:
  HtmlWriter(const RunReport &report, llvm::raw_ostream &os)
      : report(report), os(os) {
    // Op colours by total time over all backends, largest first.
    llvm::StringMap<double> totals;
    for (const BackendRecord &backend : report.backends)
      if (backend.execution)
        for (const OpRecord &op : backend.execution->ops)
          totals[op.name] += op.seconds;
    std::vector<std::pair<std::string, double>> sorted;
    for (const auto &entry : totals)
      sorted.emplace_back(entry.getKey().str(), entry.getValue());
    llvm::sort(sorted, [](const auto &a, const auto &b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (auto [index, entry] : llvm::enumerate(sorted))
      opColors[entry.first] = getColor(index);
    opNames.reserve(sorted.size());
    for (const auto &entry : sorted)
      opNames.push_back(entry.first);
  }

  void write() {
    os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<title>Gaon run report: " << escape(report.model) << "</title>"
       << "<style>" << kStyle << "</style></head>\n<body>\n";
    writeHeader();
    writeBackendTable();
    writeChecks();
    writeBreakdown();
    writeRoofline();
    writeOpTables();
    writeData();
    os << "</body></html>\n";
  }

private:
  void writeHeader() {
    os << "<h1>Gaon run report: " << escape(report.model) << "</h1>\n"
       << "<p class=\"meta\">Model <code>" << escape(report.source)
       << "</code>, entry <code>@" << escape(report.entry) << "</code>; "
       << report.workUnit << " per run: " << formatNumber(report.workPerRun)
       << " (" << escape(report.workSource) << "). Inputs:";
    for (auto [index, input] : llvm::enumerate(report.inputs))
      os << (index ? ", " : " ") << escape(input.spec.getTypeString()) << " "
         << escape(input.source);
    os << ". Reference: "
       << (report.reference.empty() ? std::string("none (values not checked)")
                                    : escape(report.reference))
       << "; speed-ups are over " << escape(report.baseline) << ".</p>\n"
       << "<p class=\"meta\">Every figure says where it comes from: "
          "<b>measured</b> on this host or GPU, <b>simulated</b> by the NPU "
          "simulator, or <b>modeled</b> analytically.</p>\n";
  }

  void writeBackendTable() {
    os << "<h2>Backends</h2>\n<table id=\"backends\"><tr><th "
          "class=\"l\">backend</th><th class=\"l\">device</th><th "
          "class=\"l\">figures</th><th>latency</th><th>"
       << report.workUnit << "/s</th><th>utilisation</th><th>energy</th><th>vs "
       << escape(report.baseline)
       << "</th><th>compile (measured)</th><th class=\"l\">check</th></tr>\n";
    for (const BackendRecord &backend : report.backends) {
      const BackendInfo &info = backend.info;
      std::string check = describeCheck(backend);
      llvm::StringRef rowClass = !backend.error.empty()        ? "error"
                                 : check.rfind("FAIL", 0) == 0 ? "fail"
                                                               : "ok";
      os << "<tr class=\"" << rowClass << "\" data-backend=\""
         << escape(info.name) << "\"><td class=\"l\">" << escape(info.name)
         << "</td><td class=\"l\">" << escape(info.device) << "</td>";
      if (!backend.execution) {
        os << "<td class=\"l\">-</td><td>-</td><td>-</td><td>-</td><td>-"
              "</td><td>-</td><td>"
           << formatSeconds(backend.compileSeconds) << "</td><td class=\"l\">"
           << escape(check) << "</td></tr>\n";
        continue;
      }
      const Execution &execution = *backend.execution;
      auto cell = [&](const std::optional<Figure> &figure, auto format) {
        if (!figure)
          return std::string("-");
        std::string text = format(figure->value);
        if (figure->provenance != execution.latencySeconds.provenance)
          text += " (" + stringifyProvenance(figure->provenance).str() + ")";
        return escape(text);
      };
      os << "<td class=\"l\">"
         << stringifyProvenance(execution.latencySeconds.provenance)
         << "</td><td>" << formatSeconds(execution.latencySeconds.value)
         << "</td><td>"
         << cell(backend.throughput, [](double v) { return formatSI(v, ""); })
         << "</td><td>" << cell(execution.utilization, formatPercent)
         << "</td><td>"
         << cell(execution.energyJoules,
                 [](double v) { return formatSI(v, "J"); })
         << "</td><td>"
         << (backend.speedup ? formatSpeedup(*backend.speedup) : "-")
         << "</td><td>" << formatSeconds(backend.compileSeconds)
         << "</td><td class=\"l\"><span class=\""
         << (check.rfind("FAIL", 0) == 0   ? "FAIL"
             : check.rfind("pass", 0) == 0 ? "pass"
                                           : "")
         << "\">" << escape(check) << "</span></td></tr>\n";
    }
    os << "</table>\n";
    for (const BackendRecord &backend : report.backends) {
      auto note = [&](llvm::StringRef text) {
        os << "<p class=\"note\"><b>" << escape(backend.info.name)
           << "</b>: " << escape(text) << "</p>\n";
      };
      if (!backend.error.empty())
        note("error: " + backend.error);
      for (const std::string &text : backend.info.notes)
        note(text);
      if (backend.execution)
        for (const std::string &text : backend.execution->notes)
          note(text);
    }
  }

  void writeChecks() {
    bool any = llvm::any_of(report.backends, [](const BackendRecord &backend) {
      return llvm::any_of(backend.outputs, [](const OutputRecord &output) {
        return output.check.has_value();
      });
    });
    if (!any) {
      os << "<h2>Numeric check</h2>\n<p class=\"note\">"
         << (report.reference.empty()
                 ? "Values were not checked (--no-check)."
                 : "No backend besides the reference computed values.")
         << "</p>\n";
      return;
    }
    os << "<h2>Numeric check against "
       << (report.reference.empty() ? std::string("(none)")
                                    : escape(report.reference))
       << "</h2>\n<table id=\"checks\"><tr><th class=\"l\">backend</th><th "
          "class=\"l\">output</th><th>max-abs</th><th>max-rel</th><th>"
          "cosine</th><th>mismatches</th><th>atol / rtol / min cosine</th>"
          "<th class=\"l\">result</th></tr>\n";
    for (const BackendRecord &backend : report.backends)
      for (auto [index, output] : llvm::enumerate(backend.outputs)) {
        if (!output.check)
          continue;
        const TensorCheck &check = *output.check;
        os << "<tr" << (check.passed ? "" : " class=\"fail\"")
           << "><td class=\"l\">" << escape(backend.info.name)
           << "</td><td class=\"l\">" << index << ": "
           << escape(output.spec.getTypeString()) << "</td>"
           << llvm::formatv("<td>{0:e2}</td><td>{1:e2}</td><td>{2:f6}</td>",
                            check.maxAbsError, check.maxRelError, check.cosine)
           << "<td>" << check.mismatches << " / " << check.elements
           << "</td><td>"
           << llvm::formatv("{0} / {1} / {2}", check.tolerance.atol,
                            check.tolerance.rtol, check.tolerance.minCosine)
           << "</td><td class=\"l\"><span class=\""
           << (check.passed ? "pass\">pass" : "FAIL\">FAIL")
           << "</span></td></tr>\n";
      }
    os << "</table>\n";
    for (const BackendRecord &backend : report.backends)
      if (backend.divergence)
        os << "<p class=\"note\"><b>" << escape(backend.info.name)
           << "</b>: first divergent op #" << backend.divergence->opIndex
           << " <code>" << escape(backend.divergence->opName) << "</code> at "
           << escape(backend.divergence->location) << ": "
           << escape(backend.divergence->check.getSummary()) << "</p>\n";
  }

  /// One horizontal bar per backend, split into its ops' shares of the
  /// latency (each bar spans the full width: backends differ by orders of
  /// magnitude, so the absolute latency is printed beside it).
  void writeBreakdown() {
    std::vector<const BackendRecord *> rows;
    for (const BackendRecord &backend : report.backends)
      if (backend.execution && !backend.execution->ops.empty())
        rows.push_back(&backend);
    os << "<h2>Per-op time breakdown</h2>\n";
    if (rows.empty()) {
      os << "<p class=\"note\">No backend reported per-op times.</p>\n";
      return;
    }
    const double left = 150, barWidth = 640, right = 120, rowHeight = 28;
    double legendRows = std::ceil(opNames.size() / 4.0);
    double height = 20 + rows.size() * rowHeight + 16 + legendRows * 18;
    os << llvm::formatv("<svg id=\"breakdown\" width=\"{0}\" height=\"{1}\" "
                        "xmlns=\"http://www.w3.org/2000/svg\">\n",
                        left + barWidth + right, height);
    for (auto [row, backend] : llvm::enumerate(rows)) {
      const Execution &execution = *backend->execution;
      double total = 0;
      for (const OpRecord &op : execution.ops)
        total += op.seconds;
      double y = 20 + row * rowHeight;
      os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">{2}"
                          "</text>\n",
                          left - 8, y + 14, escape(backend->info.name));
      double x = left;
      for (auto [index, op] : llvm::enumerate(execution.ops)) {
        double width = total > 0 ? barWidth * op.seconds / total : 0;
        os << llvm::formatv(
            "<rect class=\"op\" data-backend=\"{0}\" data-op=\"{1}\" "
            "data-seconds=\"{2}\" x=\"{3:f2}\" y=\"{4}\" width=\"{5:f3}\" "
            "height=\"{6}\" fill=\"{7}\"><title>{0}: #{8} {1} at {9}: {10} "
            "({11} of the ops' time, {12})</title></rect>\n",
            escape(backend->info.name), escape(op.name),
            formatNumber(op.seconds), x, y, width, rowHeight - 8,
            opColors[op.name], index, escape(op.location),
            formatSeconds(op.seconds),
            formatPercent(total > 0 ? op.seconds / total : 0),
            stringifyProvenance(execution.opProvenance));
        x += width;
      }
      os << llvm::formatv("<text x=\"{0}\" y=\"{1}\">{2} {3}</text>\n",
                          left + barWidth + 6, y + 14, formatSeconds(total),
                          stringifyProvenance(execution.opProvenance));
    }
    double legendY = 20 + rows.size() * rowHeight + 12;
    for (auto [index, name] : llvm::enumerate(opNames)) {
      double x = left + (index % 4) * 160;
      double y = legendY + (index / 4) * 18;
      os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"10\" "
                          "height=\"10\" fill=\"{2}\"/><text x=\"{3}\" "
                          "y=\"{4}\">{5}</text>\n",
                          x, y, opColors[name], x + 14, y + 9, escape(name));
    }
    os << "</svg>\n";
  }

  /// Log-log roofline: x arithmetic intensity (FLOP/byte), y attained
  /// FLOP/s; one roofline per backend and one point per op.
  void writeRoofline() {
    os << "<h2>Roofline</h2>\n";
    struct Point {
      size_t backend;
      unsigned index;
      const OpRecord *op;
      double intensity, rate;
    };
    std::vector<const BackendRecord *> backends;
    std::vector<Point> points;
    double minX = INFINITY, maxX = 0, minY = INFINITY, maxY = 0;
    for (const BackendRecord &backend : report.backends) {
      if (!backend.execution)
        continue;
      const Execution &execution = *backend.execution;
      size_t backendIndex = backends.size();
      bool any = execution.roofline.isKnown();
      for (auto [index, op] : llvm::enumerate(execution.ops)) {
        if (op.flops <= 0 || op.bytes <= 0 || op.seconds <= 0)
          continue;
        Point point{backendIndex, static_cast<unsigned>(index), &op,
                    op.getIntensity(), op.flops / op.seconds};
        minX = std::min(minX, point.intensity);
        maxX = std::max(maxX, point.intensity);
        minY = std::min(minY, point.rate);
        maxY = std::max(maxY, point.rate);
        points.push_back(point);
        any = true;
      }
      if (!any)
        continue;
      if (execution.roofline.isKnown()) {
        maxY = std::max(maxY, execution.roofline.flopsPerSecond);
        double ridge = execution.roofline.flopsPerSecond /
                       execution.roofline.bytesPerSecond;
        minX = std::min(minX, ridge);
        maxX = std::max(maxX, ridge);
      }
      backends.push_back(&backend);
    }
    if (backends.empty() || !std::isfinite(minX)) {
      os << "<p class=\"note\">No backend reported ops with FLOPs and "
            "bytes.</p>\n";
      return;
    }
    if (!std::isfinite(minY))
      minY = maxY / 1e3;
    // Whole decades around the data.
    double x0 = std::pow(10, std::floor(std::log10(minX)) - 0),
           x1 = std::pow(10, std::ceil(std::log10(maxX)) + 0),
           y0 = std::pow(10, std::floor(std::log10(minY))),
           y1 = std::pow(10, std::ceil(std::log10(maxY)));
    if (x1 <= x0)
      x1 = x0 * 10;
    if (y1 <= y0)
      y1 = y0 * 10;
    const double left = 100, top = 16, width = 560, height = 360;
    auto px = [&](double x) {
      return left + width * std::log10(x / x0) / std::log10(x1 / x0);
    };
    auto py = [&](double y) {
      return top + height - height * std::log10(y / y0) / std::log10(y1 / y0);
    };
    os << llvm::formatv("<svg id=\"roofline\" width=\"{0}\" height=\"{1}\" "
                        "xmlns=\"http://www.w3.org/2000/svg\">\n",
                        left + width + 220, top + height + 50);
    // Decade grid and labels.
    for (double x = x0; x <= x1 * 1.0001; x *= 10)
      os << llvm::formatv("<line x1=\"{0:f1}\" y1=\"{1}\" x2=\"{0:f1}\" "
                          "y2=\"{2}\" stroke=\"#eee\"/><text x=\"{0:f1}\" "
                          "y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
                          px(x), top, top + height, top + height + 14,
                          formatNumber(x));
    for (double y = y0; y <= y1 * 1.0001; y *= 10)
      os << llvm::formatv("<line x1=\"{0}\" y1=\"{1:f1}\" x2=\"{2}\" "
                          "y2=\"{1:f1}\" stroke=\"#eee\"/><text x=\"{3}\" "
                          "y=\"{4:f1}\" text-anchor=\"end\">{5}</text>\n",
                          left, py(y), left + width, left - 4, py(y) + 4,
                          formatSI(y, "FLOP/s"));
    os << llvm::formatv(
        "<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{3}\" fill=\"none\" "
        "stroke=\"#888\"/><text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">"
        "arithmetic intensity (FLOP/byte)</text><text x=\"14\" y=\"{6}\" "
        "transform=\"rotate(-90 14 {6})\" text-anchor=\"middle\">attained "
        "FLOP/s</text>\n",
        left, top, width, height, left + width / 2, top + height + 34,
        top + height / 2);

    for (auto [index, backend] : llvm::enumerate(backends)) {
      const Roofline &roofline = backend->execution->roofline;
      const char *color = getColor(index);
      if (roofline.isKnown()) {
        // The memory slope from x0 to the ridge, then the compute roof.
        double ridge = roofline.flopsPerSecond / roofline.bytesPerSecond;
        double startX = std::max(x0, y0 / roofline.bytesPerSecond);
        os << llvm::formatv(
            "<polyline class=\"roof\" data-backend=\"{0}\" data-peak-flops="
            "\"{1}\" data-peak-bytes=\"{2}\" fill=\"none\" stroke=\"{3}\" "
            "stroke-width=\"2\" points=\"{4:f1},{5:f1} {6:f1},{7:f1} "
            "{8:f1},{7:f1}\"><title>{0}: peak {9}, {10} ({11} {12})</title>"
            "</polyline>\n",
            escape(backend->info.name), formatNumber(roofline.flopsPerSecond),
            formatNumber(roofline.bytesPerSecond), color, px(startX),
            py(std::max(y0, startX * roofline.bytesPerSecond)),
            px(std::min(ridge, x1)), py(std::min(roofline.flopsPerSecond, y1)),
            px(x1), formatSI(roofline.flopsPerSecond, "FLOP/s"),
            formatSI(roofline.bytesPerSecond, "B/s"), roofline.precision,
            stringifyProvenance(roofline.provenance));
      }
      double legendY = top + 10 + index * 18;
      os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"10\" "
                          "height=\"10\" fill=\"{2}\"/><text x=\"{3}\" "
                          "y=\"{4}\">{5}{6}</text>\n",
                          left + width + 14, legendY, color, left + width + 28,
                          legendY + 9, escape(backend->info.name),
                          roofline.isKnown() ? "" : " (no roofline)");
    }
    for (const Point &point : points) {
      const BackendRecord &backend = *backends[point.backend];
      const OpRecord &op = *point.op;
      os << llvm::formatv(
          "<circle class=\"op\" data-backend=\"{0}\" data-op=\"{1}\" "
          "data-intensity=\"{2}\" data-flops-per-second=\"{3}\" cx=\"{4:f1}\" "
          "cy=\"{5:f1}\" r=\"4\" fill=\"{6}\" fill-opacity=\"0.75\" "
          "stroke=\"#333\" stroke-width=\"0.5\"><title>{0}: #{7} {1} at {8}: "
          "{9} FLOP/byte, {10}{11}</title></circle>\n",
          escape(backend.info.name), escape(op.name),
          formatNumber(point.intensity), formatNumber(point.rate),
          px(point.intensity), py(point.rate), getColor(point.backend),
          point.index, escape(op.location),
          llvm::formatv("{0:f2}", point.intensity).str(),
          formatSI(point.rate, "FLOP/s"),
          op.rooflineSeconds > 0
              ? ", " + formatPercent(op.getRooflineFraction()) + " of roofline"
              : std::string());
    }
    os << "</svg>\n<p class=\"note\">Ops without FLOPs or bytes (copies, "
          "reshapes) are not placed. Roofs are each backend's peak rate for "
          "its dominant precision and its peak memory bandwidth.</p>\n";
  }

  void writeOpTables() {
    os << "<h2>Per-op figures</h2>\n";
    for (const BackendRecord &backend : report.backends) {
      if (!backend.execution || backend.execution->ops.empty())
        continue;
      const Execution &execution = *backend.execution;
      double total = 0;
      for (const OpRecord &op : execution.ops)
        total += op.seconds;
      os << "<details><summary>" << escape(backend.info.name) << ": "
         << execution.ops.size() << " ops, times "
         << stringifyProvenance(execution.opProvenance)
         << "</summary>\n<table class=\"ops\" data-backend=\""
         << escape(backend.info.name)
         << "\"><tr><th>#</th><th class=\"l\">op</th><th "
            "class=\"l\">location</th><th>time</th><th>share</th><th>FLOPs"
            "</th><th>bytes</th><th>FLOP/byte</th><th class=\"l\">bound</th>"
            "<th>of roofline</th><th>energy</th></tr>\n";
      for (auto [index, op] : llvm::enumerate(execution.ops))
        os << "<tr><td>" << index << "</td><td class=\"l\">" << escape(op.name)
           << "</td><td class=\"l\">" << escape(op.location) << "</td><td>"
           << formatSeconds(op.seconds) << "</td><td>"
           << formatPercent(total > 0 ? op.seconds / total : 0) << "</td><td>"
           << formatSI(op.flops, "") << "</td><td>" << formatSI(op.bytes, "B")
           << "</td><td>" << llvm::formatv("{0:f2}", op.getIntensity()).str()
           << "</td><td class=\"l\">"
           << (op.bound ? stringifyBound(*op.bound) : "-") << "</td><td>"
           << (op.rooflineSeconds > 0 ? formatPercent(op.getRooflineFraction())
                                      : std::string("-"))
           << "</td><td>"
           << (op.energyJoules ? formatSI(*op.energyJoules, "J")
                               : std::string("-"))
           << "</td></tr>\n";
      os << "</table></details>\n";
    }
  }

  /// The JSON report, for scripts that read the page.
  void writeData() {
    std::string json;
    llvm::raw_string_ostream(json) << llvm::formatv("{0}", toJSON(report));
    // "</" would end the script element early.
    std::string safe;
    for (size_t i = 0; i < json.size(); ++i) {
      if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/')
        safe += "<\\";
      else
        safe += json[i];
    }
    os << "<script type=\"application/json\" id=\"gaon-report\">" << safe
       << "</script>\n";
  }

  const RunReport &report;
  llvm::raw_ostream &os;
  llvm::StringMap<const char *> opColors;
  std::vector<std::string> opNames;
};

} // namespace

void gaon::runtime::writeHtml(const RunReport &report, llvm::raw_ostream &os) {
  HtmlWriter(report, os).write();
}
