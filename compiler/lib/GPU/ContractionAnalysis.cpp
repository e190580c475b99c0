//===- ContractionAnalysis.cpp - GEMM view of contraction kernels ---------===//

#include "ContractionAnalysis.h"

#include "Emitters.h"
#include "KernelAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace gaon::gpu {

int64_t GemmDim::size() const {
  int64_t total = 1;
  for (int64_t s : sizes)
    total *= s;
  return total;
}

/// Fills `dim` with `loops` and their sizes.
static GemmDim makeDim(ArrayRef<unsigned> loops, ArrayRef<int64_t> ranges) {
  GemmDim dim;
  for (unsigned loop : loops) {
    dim.loops.push_back(loop);
    dim.sizes.push_back(ranges[loop]);
  }
  return dim;
}

/// Describes how operand `input` of `op` is laid out relative to the GEMM
/// dims `k` and `mn`; fails if neither is its innermost memory dim.
static std::optional<GemmOperand> analyzeOperand(linalg::LinalgOp op,
                                                 OpOperand *input,
                                                 const GemmDim &k,
                                                 const GemmDim &mn) {
  GemmOperand operand;
  operand.buffer = input->get();
  operand.map = op.getMatchingIndexingMap(input);
  if (operand.map.getNumResults() == 0)
    return std::nullopt;
  auto last = dyn_cast<AffineDimExpr>(operand.map.getResults().back());
  if (!last)
    return std::nullopt;
  unsigned loop = last.getPosition();
  if (loop == k.loops.back()) {
    operand.major = Major::K;
    operand.contiguousExtent = k.sizes.back();
  } else if (loop == mn.loops.back()) {
    operand.major = Major::MN;
    operand.contiguousExtent = mn.sizes.back();
  } else {
    return std::nullopt;
  }
  for (AffineExpr expr : operand.map.getResults().drop_back())
    if (expr.isFunctionOfDim(loop))
      return std::nullopt;
  return operand;
}

/// True if `value` is a zero constant.
static bool isZero(Value value) {
  return matchPattern(value, m_AnyZeroFloat()) || matchPattern(value, m_Zero());
}

std::optional<GemmProblem> analyzeGemm(func::FuncOp kernel,
                                       std::string &whyNot) {
  SmallVector<linalg::LinalgOp> ops = getKernelOps(kernel);
  auto it = llvm::find_if(
      ops, [](linalg::LinalgOp op) { return isContractionRoot(op); });
  if (it == ops.end()) {
    whyNot = "no contraction the tensor-core kernels handle";
    return std::nullopt;
  }
  GemmProblem problem;
  linalg::LinalgOp op = *it;
  problem.contraction = op;
  Value accBuffer = op.getDpsInitOperand(0)->get();
  for (linalg::LinalgOp before : llvm::make_range(ops.begin(), it)) {
    auto fill = dyn_cast<linalg::FillOp>(before.getOperation());
    if (!fill || fill.getDpsInitOperand(0)->get() != accBuffer ||
        !isZero(fill.getDpsInputOperand(0)->get())) {
      whyNot = "accumulator does not start from a zero fill";
      return std::nullopt;
    }
  }

  problem.inputType = getElementTypeOrSelf(op.getDpsInputs()[0].getType());
  problem.resultType = getElementTypeOrSelf(accBuffer.getType());
  if (getElementTypeOrSelf(op.getDpsInputs()[1].getType()) !=
      problem.inputType) {
    whyNot = "operands of different element types";
    return std::nullopt;
  }

  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (isa<linalg::Conv2DNhwcHwcfOp>(op)) {
    // Loops (n, oh, ow, f, kh, kw, c): implicit GEMM with M = (n, oh, ow),
    // N = f, K = (kh, kw, c).
    problem.isConvolution = true;
    problem.m = makeDim({0, 1, 2}, ranges);
    problem.n = makeDim({3}, ranges);
    problem.k = makeDim({4, 5, 6}, ranges);
  } else {
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::inferContractionDims(op);
    if (failed(dims)) {
      whyNot = "cannot infer the contraction dimensions";
      return std::nullopt;
    }
    SmallVector<unsigned> batch(dims->batch.begin(), dims->batch.end());
    llvm::sort(batch);
    problem.batch = makeDim(batch, ranges);
    problem.m = makeDim({dims->m[0]}, ranges);
    problem.n = makeDim({dims->n[0]}, ranges);
    problem.k = makeDim({dims->k[0]}, ranges);
  }

  std::optional<GemmOperand> a =
      analyzeOperand(op, op.getDpsInputOperand(0), problem.k, problem.m);
  std::optional<GemmOperand> b =
      analyzeOperand(op, op.getDpsInputOperand(1), problem.k, problem.n);
  if (!a || !b) {
    whyNot = "an operand is contiguous in neither K nor M/N";
    return std::nullopt;
  }
  problem.a = *a;
  problem.b = *b;
  if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0))
           .isProjectedPermutation()) {
    whyNot = "result is not indexed by a projected permutation";
    return std::nullopt;
  }

  // Epilogue: the elementwise chain reading the accumulator buffer.
  Value previous = accBuffer;
  auto accShape = cast<MemRefType>(accBuffer.getType()).getShape();
  llvm::SmallPtrSet<Value, 4> written = {accBuffer};
  for (linalg::LinalgOp next : llvm::make_range(std::next(it), ops.end())) {
    auto generic = dyn_cast<linalg::GenericOp>(next.getOperation());
    if (!generic || !isAllParallel(generic) || generic.getNumDpsInits() != 1 ||
        generic.getStaticLoopRanges() != SmallVector<int64_t>(accShape) ||
        !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
             .isIdentity()) {
      whyNot = "an op after the contraction is not an elementwise epilogue";
      return std::nullopt;
    }
    bool readsPrevious = false;
    for (OpOperand *input : generic.getDpsInputOperands()) {
      if (input->get() == previous) {
        if (!generic.getMatchingIndexingMap(input).isIdentity()) {
          whyNot = "epilogue reads the accumulator through a non-identity map";
          return std::nullopt;
        }
        readsPrevious = true;
      } else if (written.contains(input->get())) {
        whyNot = "epilogue reads an earlier intermediate";
        return std::nullopt;
      }
    }
    if (!readsPrevious) {
      whyNot = "an op after the contraction does not read its result";
      return std::nullopt;
    }
    problem.epilogue.push_back(generic);
    previous = generic.getDpsInitOperand(0)->get();
    written.insert(previous);
  }
  auto finalArg = dyn_cast<BlockArgument>(previous);
  if (!finalArg || finalArg.getOwner() != &kernel.getBody().front()) {
    whyNot = "the kernel's result is not one of its output buffers";
    return std::nullopt;
  }
  return problem;
}

int64_t chooseCopyElems(const GemmProblem &problem,
                        ArrayRef<int64_t> bytesCandidates) {
  int64_t elemBytes = problem.inputType.getIntOrFloatBitWidth() / 8;
  for (int64_t bytes : bytesCandidates) {
    int64_t elems = bytes / elemBytes;
    if (elems >= 1 && problem.a.contiguousExtent % elems == 0 &&
        problem.b.contiguousExtent % elems == 0)
      return elems;
  }
  return 0;
}

SmallVector<Value> buildLoopIndices(OpBuilder &b, Location loc,
                                    const GemmProblem &problem,
                                    ArrayRef<Value> batchIndices, Value m,
                                    Value n, Value k) {
  Value zero = indexConstant(b, loc, 0);
  linalg::LinalgOp op = problem.contraction;
  SmallVector<Value> indices(op.getNumLoops(), zero);
  for (auto [loop, index] : llvm::zip_equal(problem.batch.loops, batchIndices))
    indices[loop] = index;
  auto place = [&](const GemmDim &dim, Value linear) {
    if (!linear)
      return;
    for (auto [loop, index] :
         llvm::zip_equal(dim.loops, delinearize(b, loc, linear, dim.sizes)))
      indices[loop] = index;
  };
  place(problem.m, m);
  place(problem.n, n);
  place(problem.k, k);
  return indices;
}

void emitEpilogueStore(OpBuilder &b, Location loc, const GemmProblem &problem,
                       ArrayRef<Value> batchIndices, Value m, Value n,
                       Value acc) {
  linalg::LinalgOp op = problem.contraction;
  SmallVector<Value> loopIndices =
      buildLoopIndices(b, loc, problem, batchIndices, m, n, Value());
  OpOperand *init = op.getDpsInitOperand(0);
  SmallVector<Value> point =
      applyMap(b, loc, op.getMatchingIndexingMap(init), loopIndices);
  Value value = acc;
  if (value.getType() != problem.resultType)
    value = arith::TruncFOp::create(b, loc, problem.resultType, value);
  Value buffer = init->get();
  linalg::LinalgOp last = op;
  for (linalg::GenericOp generic : problem.epilogue) {
    SmallVector<Value> args;
    for (OpOperand &operand : generic->getOpOperands()) {
      if (operand.get() == buffer && generic.isDpsInput(&operand))
        args.push_back(value);
      else if (generic.payloadUsesValueFromOperand(&operand))
        args.push_back(loadOperand(b, loc, generic, operand, point));
      else
        args.push_back(Value());
    }
    value = clonePayload(b, loc, generic, args, point).front();
    buffer = generic.getDpsInitOperand(0)->get();
    last = generic;
  }
  if (last == op) {
    memref::StoreOp::create(b, loc, value, buffer, point);
    return;
  }
  storeOperand(b, loc, last, *last.getDpsInitOperand(0), point, value);
}

} // namespace gaon::gpu
