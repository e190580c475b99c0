//===- Serialize.h - npu IR to the simulator's program ----------*- C++ -*-===//
//
// Builds a gaon::sim::Program from a function of scheduled npu IR (after
// gaon-allocate-sram and gaon-insert-sync): DRAM buffers from the function's
// arguments (inputs), returned buffers (outputs), other DRAM allocations
// (scratch) and globals (weights); semaphores; and one command per npu
// command op, each tagged with a debug op naming the source op and its MLIR
// location. scf.for loops with constant bounds are unrolled while emitting.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_TARGET_NPU_SERIALIZE_H
#define GAON_TARGET_NPU_SERIALIZE_H

#include "gaon/Sim/Program.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <vector>

namespace gaon::npu {

/// A serialised function: the program, plus the contents of the buffers the
/// IR initialises (constant globals) that its caller must load.
struct CompiledProgram {
  sim::Program program;
  /// Buffer id and initial value of every constant buffer.
  std::vector<std::pair<uint32_t, mlir::ElementsAttr>> constants;
  /// Buffer ids of the function's arguments and results, in order.
  std::vector<uint32_t> inputs, outputs;
};

/// Serialises `func`. Ops it cannot emit (anything but npu commands,
/// allocations, views, index arithmetic and constant-bound scf.for loops)
/// get an error at their location and the result is failure.
mlir::FailureOr<CompiledProgram> serializeFunction(mlir::func::FuncOp func);

} // namespace gaon::npu

#endif // GAON_TARGET_NPU_SERIALIZE_H
