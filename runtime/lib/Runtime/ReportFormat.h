//===- ReportFormat.h - Number formatting shared by the report writers ----===//
//
// Internal to the runtime library: how the terminal table and the HTML
// report print times, rates and energies.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_LIB_REPORTFORMAT_H
#define GAON_RUNTIME_LIB_REPORTFORMAT_H

#include "gaon/Runtime/RunReport.h"

#include <string>

namespace gaon::runtime::detail {

/// "12.3 us", "1.23 ms", "4.56 s" (three significant digits).
std::string formatSeconds(double seconds);
/// `value` with an SI prefix and `unit`: "1.23 k items/s", "456 mJ".
std::string formatSI(double value, llvm::StringRef unit);
/// `value` in the shortest form that keeps nine significant digits: "8",
/// "0.125", "1.5e+12".
std::string formatNumber(double value);
/// "12.3%".
std::string formatPercent(double fraction);
/// "3.45x".
std::string formatSpeedup(double speedup);
/// The check column: "pass", "FAIL (output 0: ...)", "no values (modeled)",
/// "reference".
std::string describeCheck(const BackendRecord &backend);
/// A file-system-safe form of a backend name: "npu:rngd" -> "npu-rngd".
std::string sanitizeName(llvm::StringRef name);

} // namespace gaon::runtime::detail

#endif // GAON_RUNTIME_LIB_REPORTFORMAT_H
