//===- ProgramChecker.h - Per-command program verification ------*- C++ -*-===//
//
// Private to GaonSim: verifyProgram and the simulator's first pass share
// this checker, so a simulation reads each command once.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_LIB_PROGRAMCHECKER_H
#define GAON_SIM_LIB_PROGRAMCHECKER_H

#include "gaon/Sim/ChipConfig.h"
#include "gaon/Sim/Program.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace gaon::sim {

/// Collects the first errors of a program (at most kMaxErrors).
class ProgramChecker {
public:
  ProgramChecker(const Program &program, const ChipConfig &chip);

  /// Checks the buffers and the chip count.
  void checkGlobals();
  /// Checks command `index`; false if it is invalid (the error is kept).
  /// With `layoutChecked`, the caller vouches that a valid command has the
  /// same kind, attributes, chip, core and queue and views of the same
  /// space, element type, shape, strides, chip and core: only ids, buffers,
  /// alignment and bounds are checked, which reports the same first error.
  bool checkCommand(size_t index, bool layoutChecked = false);
  /// True once enough errors are kept to stop.
  bool isFull() const { return errors.size() >= kMaxErrors; }
  /// The kept errors, one per line, or success.
  llvm::Error takeError();

private:
  static constexpr size_t kMaxErrors = 20;

  bool fail(const llvm::Twine &where, const llvm::Twine &message) {
    if (errors.size() < kMaxErrors)
      errors.push_back(where.str() + ": error: " + message.str());
    return false;
  }
  bool failCommand(const llvm::Twine &message) {
    return fail(program.describeCommand(index),
                stringifyCommandKind(command->kind) + ": " + message);
  }

  bool verifyCommand(bool layoutChecked);
  bool verifyView(const PackedView &view, llvm::StringRef name,
                  bool layoutChecked);
  bool verifyOnCore(const View &view, llvm::StringRef name);
  bool verifyFloat(const View &view, llvm::StringRef name);
  /// `names` names the views in messages.
  bool verifySameType(llvm::ArrayRef<View> views,
                      llvm::ArrayRef<llvm::StringRef> names);
  bool verifySameShape(const View &a, const View &b, llvm::StringRef what);
  bool verifyBroadcastable(const View &operand, const View &output,
                           llvm::StringRef name);
  bool verifyMatmul(llvm::ArrayRef<View> views);
  bool verifyVector(llvm::ArrayRef<View> views);

  /// What bounds checks need of a layout, computed once per layout.
  struct Extent {
    int64_t width = 0;
    int64_t elements = 0;
    /// View::getMaxElementIndex.
    int64_t last = 0;
  };

  const Program &program;
  const ChipConfig &chip;
  /// Per entry of Program::layouts.
  std::vector<Extent> extents;
  size_t index = 0;
  const Command *command = nullptr;
  std::vector<std::string> errors;
};

} // namespace gaon::sim

#endif // GAON_SIM_LIB_PROGRAMCHECKER_H
