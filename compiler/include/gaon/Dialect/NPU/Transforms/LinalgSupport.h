//===- LinalgSupport.h - what the NPU lowering accepts ----------*- C++ -*-===//
//
// One place that decides which linalg ops the NPU flow lowers and how: the
// graph-level legality check (gaon-normalize-linalg), the tiler
// (gaon-tile-linalg) and the conversion to npu ops
// (gaon-convert-linalg-to-npu) all ask these functions, so they agree.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_DIALECT_NPU_TRANSFORMS_LINALGSUPPORT_H
#define GAON_DIALECT_NPU_TRANSFORMS_LINALGSUPPORT_H

#include "gaon/Dialect/NPU/IR/NPUDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Support/LogicalResult.h"

namespace gaon::npu {

/// How the NPU computes a linalg op.
enum class LinalgOpClass {
  /// A contraction (matmul, batch_matmul, generic mul-add contraction): the
  /// tensor engine.
  Contraction,
  /// A convolution or pooling: window taps of a contraction or of an
  /// elementwise op, after its window loops are tiled to 1.
  Window,
  /// linalg.fill: a vector-engine fill.
  Fill,
  /// linalg.copy: a DMA or vector copy.
  Copy,
  /// Everything else: an elementwise or reduction body on the vector engine.
  Elementwise,
};

/// A value read by one payload step: a block argument of the op's body, the
/// result of an earlier step, or an immediate constant.
struct PayloadOperand {
  enum class Kind { Argument, Step, Constant };
  Kind kind = Kind::Constant;
  unsigned index = 0;
  double constant = 0.0;

  static PayloadOperand argument(unsigned index) {
    return {Kind::Argument, index, 0.0};
  }
  static PayloadOperand step(unsigned index) {
    return {Kind::Step, index, 0.0};
  }
  static PayloadOperand immediate(double value) {
    return {Kind::Constant, 0, value};
  }
  bool isConstant() const { return kind == Kind::Constant; }
};

/// One vector-engine operation of a linalg body.
struct PayloadStep {
  enum class Kind { Unary, Binary, Cast };
  Kind kind = Kind::Unary;
  UnaryKind unary = UnaryKind::Copy;
  BinaryKind binary = BinaryKind::Add;
  /// One operand (unary, cast) or two (binary; at most one constant).
  llvm::SmallVector<PayloadOperand, 2> operands;
  /// Element type of the result.
  mlir::Type type;
  /// The body op this step computes.
  mlir::Operation *op = nullptr;
};

/// The body of a linalg op as a straight-line list of vector-engine steps.
struct Payload {
  llvm::SmallVector<PayloadStep> steps;
  /// What each output (init) operand receives, in order.
  llvm::SmallVector<PayloadOperand> yields;
};

/// Translates the body of `op` into vector-engine steps: arith add/sub/mul/
/// div/max/min/neg, float casts (extf, truncf, sitofp, fptosi), math exp/log/
/// sqrt/rsqrt/tanh/erf/abs/powf, constants (folded where both operands are
/// constant), and `select(cmpf(a, b), a, b)` as max/min. On an unsupported
/// body op, emits an error at that op when `emitErrors` and fails.
mlir::FailureOr<Payload> analyzePayload(mlir::linalg::LinalgOp op,
                                        bool emitErrors);

/// For an output `outputIndex` of a reduction op, the combiner that folds
/// each new value into the output (sum for add, max, min) and the payload
/// operand that is folded in; std::nullopt if the output's yield is not
/// `combine(value, out)`.
std::optional<ReduceKind> getReductionCombiner(mlir::linalg::LinalgOp op,
                                               const Payload &payload,
                                               unsigned outputIndex,
                                               PayloadOperand &folded);

/// An index expression `sum(coefficient * loop) + constant`.
struct LinearIndex {
  llvm::SmallVector<std::pair<unsigned, int64_t>, 2> terms;
  int64_t constant = 0;
};

/// Decomposes `expr` into a LinearIndex with positive coefficients, or
/// std::nullopt for anything else (mod, floordiv, negative strides).
std::optional<LinearIndex> decomposeIndex(mlir::AffineExpr expr);

/// The indexing maps of a window op once its window loops are fixed: each
/// index keeps its one non-window loop (stride dropped) and indexes made of
/// window loops only are dropped. These are projected permutations, so
/// upstream contraction inference works on them.
llvm::SmallVector<mlir::AffineMap>
getTapIndexingMaps(mlir::linalg::LinalgOp op);

/// The batch, M, N and K loops of a contraction (for a window op: of its
/// taps); fails unless M, N and K are all non-empty.
mlir::FailureOr<mlir::linalg::ContractionDimensions>
getContractionDims(mlir::linalg::LinalgOp op);

/// The loops of `op` that slide a window: reduction loops that appear added
/// to another loop in an input's indexing map (kh, kw of a convolution).
llvm::SmallVector<unsigned> getWindowLoops(mlir::linalg::LinalgOp op);

/// Classifies `op` (see LinalgOpClass).
LinalgOpClass classifyLinalgOp(mlir::linalg::LinalgOp op);

/// Checks that the NPU lowering supports `op` as graph-level input: static
/// shapes of supported element types, indexing maps that are projected
/// permutations or convolution windows, a body `analyzePayload` accepts,
/// reductions with a recognised combiner. Emits an error naming what is not
/// supported and fails.
mlir::LogicalResult verifyLinalgOpSupported(mlir::linalg::LinalgOp op);

/// Checks every op of `func` (linalg, tensor, arith, func ops the flow
/// handles); emits one error per unsupported op. Returns the number of
/// unsupported ops.
unsigned verifyFunctionSupported(mlir::Operation *func);

} // namespace gaon::npu

#endif // GAON_DIALECT_NPU_TRANSFORMS_LINALGSUPPORT_H
