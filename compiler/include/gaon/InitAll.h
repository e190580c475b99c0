//===- InitAll.h - register Gaon's dialects and passes ----------*- C++ -*-===//
//
// One place that knows every dialect and pass a Gaon tool can meet, so
// gaon-opt, gaon-compile and the runtime agree.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_INITALL_H
#define GAON_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace gaon {

/// Adds the upstream dialects Gaon's inputs and lowerings use (func, arith,
/// math, tensor, linalg, tosa, scf, memref, bufferization, vector, gpu,
/// nvgpu, nvvm, llvm, transform, ...), their interface extensions, and every
/// Gaon dialect.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers upstream MLIR passes and every Gaon pass and pipeline with the
/// global pass registry (for command-line parsing).
void registerAllPasses();

} // namespace gaon

#endif // GAON_INITALL_H
