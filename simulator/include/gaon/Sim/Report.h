//===- Report.h - Writing simulation reports --------------------*- C++ -*-===//
//
// The JSON report, the per-op CSV table, the Chrome/Perfetto trace (one
// track per engine per core) and a human-readable summary. All writers are
// deterministic: the same report gives byte-identical output.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_REPORT_H
#define GAON_SIM_REPORT_H

#include "gaon/Sim/Simulator.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace gaon::sim {

void writeJsonReport(const Report &report, const Program &program,
                     llvm::raw_ostream &os);
void writeOpCsv(const Report &report, const Program &program,
                llvm::raw_ostream &os);
/// Needs a report made with SimOptions::collectTrace.
void writeChromeTrace(const Report &report, const Program &program,
                      llvm::raw_ostream &os);
void printSummary(const Report &report, const Program &program,
                  llvm::raw_ostream &os);

/// "busy", "stall-dma", ...: the labels of QueueStats columns.
std::string getQueueName(const QueueStats &queue);

} // namespace gaon::sim

#endif // GAON_SIM_REPORT_H
