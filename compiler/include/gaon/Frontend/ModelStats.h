//===- ModelStats.h - parameters, FLOPs and bytes of a model ----*- C++ -*-===//
//
// Counts taken from graph-level IR (never estimated from a name):
//
//   parameters   elements of @main's weight arguments (gaon.kind =
//                "weight"), of ml_program globals and of non-splat dense
//                constants with more than one element;
//   FLOPs        per linalg op: iteration-space size x arithmetic ops in its
//                body (arith/math, not casts, constants or index ops), so a
//                matmul counts 2*M*N*K. Split into contraction FLOPs
//                (matmul/batch_matmul/conv and generics that are
//                contractions or convolutions) and other FLOPs (elementwise,
//                reductions, pooling);
//   bytes        weight bytes; input/output bytes of @main; the sum of every
//                linalg op's operand and result bytes (unfused traffic).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_FRONTEND_MODELSTATS_H
#define GAON_FRONTEND_MODELSTATS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace gaon::frontend {

struct ModelStats {
  int64_t parameters = 0;
  int64_t weightBytes = 0;
  /// Bytes of non-weight arguments (token ids, images, KV caches).
  int64_t inputBytes = 0;
  int64_t outputBytes = 0;
  int64_t contractionFlops = 0;
  int64_t otherFlops = 0;
  /// Sum over linalg ops of operand + result bytes (no fusion, no reuse).
  int64_t unfusedBytes = 0;
  int64_t linalgOps = 0;

  int64_t flops() const { return contractionFlops + otherFlops; }
  /// Weights + inputs + outputs: the DRAM traffic of a perfectly fused run.
  int64_t minimumBytes() const {
    return weightBytes + inputBytes + outputBytes;
  }
};

/// Counts `func` (usually @main).
ModelStats computeStats(mlir::func::FuncOp func);
/// Counts the module's @main (or its only function).
ModelStats computeStats(mlir::ModuleOp module);

/// Bytes of one element of `type` (sub-byte types round up).
int64_t elementBytes(mlir::Type type);

/// "8.03e9"-style short form with the exact figure: "8,030,261,248 (8.03e9)".
std::string formatCount(int64_t value);

/// Prints `stats` as labelled lines (used by gaon-import --stats).
void printStats(const ModelStats &stats, llvm::raw_ostream &os);

} // namespace gaon::frontend

#endif // GAON_FRONTEND_MODELSTATS_H
