//===- Verify.h - Checking a program against a chip -------------*- C++ -*-===//

#ifndef GAON_SIM_VERIFY_H
#define GAON_SIM_VERIFY_H

#include "llvm/Support/Error.h"

namespace gaon::sim {

struct ChipConfig;
class Program;

/// Checks every command of `program` against `chip`: each view lies inside
/// its DRAM buffer or its core's SRAM, cores, chips, DMA queues, semaphores
/// and debug ops exist, shapes and element types agree as the `npu`
/// dialect's verifiers require, and the tensor engine supports the matmul
/// precisions. Errors name the command's line (text) or offset (binary).
llvm::Error verifyProgram(const Program &program, const ChipConfig &chip);

} // namespace gaon::sim

#endif // GAON_SIM_VERIFY_H
