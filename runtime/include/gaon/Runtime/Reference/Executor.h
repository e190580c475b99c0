//===- Executor.h - the CPU reference executor ------------------*- C++ -*-===//
//
// Runs graph-level MLIR (linalg on tensors and friends) op by op on the host
// with the Eigen kernels of kernels/cpu, producing the values every backend
// is checked against.
//
// Supported ops:
//   func      func.func bodies, func.call, func.return
//   linalg    every structured op: linalg.generic with any body of the
//             arith/math ops below, parallel and reduction iterators and
//             any affine indexing maps (interpreted over chunks of lanes,
//             multi-threaded over parallel loops); named ops (matmul and
//             batch_matmul incl. indexing_maps/transposed forms, contract,
//             matvec/vecmat/dot, conv_*, depthwise_conv_*, pooling_*, fill,
//             copy, transpose, broadcast, reduce, map, elementwise and the
//             unary/binary named ops) — contractions run on the Eigen GEMM,
//             2-D convolutions and poolings on the conv2d/pool2d kernels;
//             linalg.softmax
//   tensor    empty, extract_slice, insert_slice, collapse_shape,
//             expand_shape, reshape, pad, concat, cast, splat, extract,
//             insert, from_elements, generate, dim, rank, bitcast
//   arith     every op on scalars and elementwise on tensors, constant
//             (dense, splat, dense_resource)
//   math      the elementwise functions (exp, log, tanh, erf, powf, ...)
//   scf       for, if, yield (tensor-level loops)
//   ml_program global, global_load_const, global_load, global_store
//   bufferization materialize_in_destination (tensor form)
// Types: f32, f16, bf16, f8E4M3FN, f8E5M2, f64, i1, i8, i32, i64, index
// (stored as i64); narrower intermediate integers (e.g. i16) inside bodies.
//
// Numerics: scalar arithmetic is exact IEEE in the op's type (computed in
// double, rounded to the type after every op); contractions and
// convolutions accumulate in f32 (float) or exactly (integer) and round
// once into the result type, as the kernels do (gaon/Kernels/Ops.h).
// Undefined arith cases get defined results: integer division by zero
// gives 0, out-of-range float->int conversions saturate, shifts past the
// width give 0. tensor.empty is zero-filled.
//
// An op the executor cannot run is an error naming the op and its location
// (file:line:col), never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_REFERENCE_EXECUTOR_H
#define GAON_RUNTIME_REFERENCE_EXECUTOR_H

#include "gaon/Runtime/HostTensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/LogicalResult.h"

#include <functional>
#include <optional>

namespace mlir {
class DialectRegistry;
class ModuleOp;
class Operation;
class Type;

namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace gaon::runtime::reference {

/// How the ops of an execution ran (measured counts).
struct ExecuteStats {
  /// Ops executed (not counting ops inside bodies).
  int64_t ops = 0;
  /// linalg ops that ran on a kernel fast path (GEMM, conv2d, pool2d,
  /// strided copy, fill, softmax).
  int64_t linalgOnKernels = 0;
  /// linalg ops that ran through the payload interpreter.
  int64_t linalgInterpreted = 0;
};

struct ExecuteOptions {
  /// Called after every op of the executed functions (not ops inside linalg
  /// or pad bodies) with the op and its results, scalars as rank-0 tensors.
  /// Used to dump every intermediate tensor (gaon-run --dump-layers).
  std::function<void(mlir::Operation *, llvm::ArrayRef<HostTensor>)>
      onOpExecuted;
  /// When set, incremented with how every op ran.
  ExecuteStats *stats = nullptr;
};

/// Runs `func` on `inputs` (one per argument, matching its tensor or scalar
/// types; dynamic dimensions take the input's size) and returns its results.
llvm::Expected<llvm::SmallVector<HostTensor>>
execute(mlir::func::FuncOp func, llvm::ArrayRef<HostTensor> inputs,
        const ExecuteOptions &options = {});

/// Lowers every TOSA op in `module` to linalg, tensor and arith with the
/// upstream passes (tosa-to-linalg-named, tosa-to-linalg, tosa-to-arith,
/// tosa-to-tensor, then canonicalize), so `execute` can run it. Failures
/// are reported through the context's diagnostic handler.
llvm::LogicalResult lowerTosaToLinalg(mlir::ModuleOp module);

/// Adds the dialects the executor understands (func, arith, math, tensor,
/// linalg, scf, ml_program, bufferization, tosa) to `registry`.
void registerReferenceDialects(mlir::DialectRegistry &registry);

/// The storage DType of an MLIR element type (index is i64), if any.
std::optional<DType> getDType(mlir::Type elementType);

} // namespace gaon::runtime::reference

#endif // GAON_RUNTIME_REFERENCE_EXECUTOR_H
