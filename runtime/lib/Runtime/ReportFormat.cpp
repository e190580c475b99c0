//===- ReportFormat.cpp - Number formatting shared by the report writers --===//

#include "ReportFormat.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace gaon::runtime;

/// `value` with three significant digits.
static std::string formatSignificant(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  double magnitude = std::fabs(value);
  if (magnitude >= 100 || magnitude == 0)
    os << llvm::format("%.0f", value);
  else if (magnitude >= 10)
    os << llvm::format("%.1f", value);
  else
    os << llvm::format("%.2f", value);
  return text;
}

std::string detail::formatSeconds(double seconds) {
  if (!std::isfinite(seconds))
    return "-";
  double magnitude = std::fabs(seconds);
  if (magnitude == 0)
    return "0 s";
  if (magnitude < 1e-6)
    return formatSignificant(seconds * 1e9) + " ns";
  if (magnitude < 1e-3)
    return formatSignificant(seconds * 1e6) + " us";
  if (magnitude < 1)
    return formatSignificant(seconds * 1e3) + " ms";
  return formatSignificant(seconds) + " s";
}

std::string detail::formatSI(double value, llvm::StringRef unit) {
  if (!std::isfinite(value))
    return "-";
  static const struct {
    double scale;
    const char *prefix;
  } prefixes[] = {{1e15, "P"}, {1e12, "T"}, {1e9, "G"},  {1e6, "M"}, {1e3, "k"},
                  {1, ""},     {1e-3, "m"}, {1e-6, "u"}, {1e-9, "n"}};
  double magnitude = std::fabs(value);
  for (const auto &prefix : prefixes)
    if (magnitude >= prefix.scale)
      return formatSignificant(value / prefix.scale) + " " + prefix.prefix +
             unit.str();
  return formatSignificant(value) + " " + unit.str();
}

std::string detail::formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.9g", value);
  return text;
}

std::string detail::formatPercent(double fraction) {
  std::string text;
  llvm::raw_string_ostream os(text);
  double percent = fraction * 100;
  if (percent >= 10)
    os << llvm::format("%.0f%%", percent);
  else
    os << llvm::format("%.2g%%", percent);
  return text;
}

std::string detail::formatSpeedup(double speedup) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (speedup >= 100)
    os << llvm::format("%.0fx", speedup);
  else if (speedup >= 10)
    os << llvm::format("%.1fx", speedup);
  else
    os << llvm::format("%.2fx", speedup);
  return text;
}

std::string detail::describeCheck(const BackendRecord &backend) {
  if (!backend.error.empty())
    return "ERROR";
  if (backend.isReference)
    return "reference";
  if (!backend.passed) {
    if (backend.execution && !backend.execution->producedValues)
      return "no values (" +
             stringifyProvenance(backend.execution->latencySeconds.provenance)
                 .str() +
             " timing)";
    return "not checked";
  }
  double worstCosine = 1;
  for (const OutputRecord &output : backend.outputs)
    if (output.check)
      worstCosine = std::min(worstCosine, output.check->cosine);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << (*backend.passed ? "pass" : "FAIL") << " (cos "
     << llvm::format("%.6f", worstCosine) << ")";
  return text;
}

std::string detail::sanitizeName(llvm::StringRef name) {
  std::string text;
  for (char c : name)
    text += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
             c == '_' || c == '-')
                ? c
                : '-';
  return text;
}
