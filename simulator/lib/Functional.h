//===- Functional.h - Buffers and command execution of functional mode ----===//
//
// Private to GaonSim. Functional mode keeps real bytes for every DRAM buffer
// and every core's SRAM, and executes each command when it completes in
// simulated time, so semaphore order is data order.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_LIB_FUNCTIONAL_H
#define GAON_SIM_LIB_FUNCTIONAL_H

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <vector>

namespace gaon::sim {

class FunctionalMemory {
public:
  FunctionalMemory(const Program &program, const ChipConfig &chip);

  /// The bytes of DRAM buffer `id` (each buffer has its own storage).
  llvm::MutableArrayRef<uint8_t> getBuffer(uint32_t id) { return dram[id]; }
  std::optional<uint32_t> findBuffer(llvm::StringRef name) const {
    return program.findBuffer(name);
  }

  /// Executes one verified command on the buffers.
  llvm::Error execute(const Command &command, llvm::ArrayRef<View> views);

private:
  /// Address of element 0 of `view`.
  std::byte *getBase(const View &view);

  const Program &program;
  const ChipConfig &chip;
  std::vector<std::vector<uint8_t>> dram;
  /// Per (chip, core), allocated on first use.
  std::vector<std::vector<uint8_t>> sram;
};

} // namespace gaon::sim

#endif // GAON_SIM_LIB_FUNCTIONAL_H
