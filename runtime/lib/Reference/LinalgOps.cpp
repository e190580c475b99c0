//===- LinalgOps.cpp - linalg ops in the reference executor ---------------===//
//
// Every structured linalg op runs through one interpreter of its indexing
// maps and payload (a ScalarProgram evaluated over chunks of lanes along a
// parallel loop, multi-threaded over another parallel loop). Ops the
// kernels do better take a fast path first: contractions (matmul and
// friends, by their maps and mul-add payload) on the Eigen GEMM, named 2-D
// convolutions and poolings on conv2d/pool2d, fill/copy/transpose/broadcast
// as strided copies, linalg.softmax on the softmax kernel.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "ScalarProgram.h"

#include "gaon/Kernels/GraphOps.h"
#include "gaon/Kernels/Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"

#include "llvm/ADT/Sequence.h"
#include "llvm/Support/Parallel.h"

using namespace mlir;
using namespace gaon::runtime;
namespace kernels = gaon::kernels;
using namespace gaon::runtime::reference::detail;
using gaon::kernels::View;
using llvm::Error;
using llvm::Expected;
using llvm::SmallVector;
using Results = SmallVector<HostTensor>;

/// Wraps a kernel error with the op's location.
static Error kernelFailed(Operation *op, Error err) {
  return opError(op, llvm::toString(std::move(err)));
}

//===----------------------------------------------------------------------===//
// Payload matching for the fast paths
//===----------------------------------------------------------------------===//

/// The block argument `value` is, looking through one exact widening cast
/// (extf, extsi), or null.
static BlockArgument throughWideningCast(Value value) {
  if (Operation *def = value.getDefiningOp()) {
    if (!isa<arith::ExtFOp, arith::ExtSIOp>(def))
      return nullptr;
    value = def->getOperand(0);
  }
  return dyn_cast<BlockArgument>(value);
}

/// True if the payload is `yield(add(out, mul(a, b)))` (a and b possibly
/// widened), float or integer throughout, with a and b the two inputs and
/// out the init: the contraction the matmul/conv kernels compute.
static bool isMulAddPayload(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Operation *add = yield.getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add))
    return false;
  bool isFloat = isa<arith::AddFOp>(add);
  BlockArgument out = body->getArgument(2);
  Value product;
  if (add->getOperand(0) == out)
    product = add->getOperand(1);
  else if (add->getOperand(1) == out)
    product = add->getOperand(0);
  else
    return false;
  Operation *mul = product.getDefiningOp();
  if (!mul || (isFloat ? !isa<arith::MulFOp>(mul) : !isa<arith::MulIOp>(mul)))
    return false;
  BlockArgument a = throughWideningCast(mul->getOperand(0));
  BlockArgument b = throughWideningCast(mul->getOperand(1));
  if (!a || !b || a.getOwner() != body || b.getOwner() != body ||
      a.getArgNumber() != 0 || b.getArgNumber() != 1)
    return false;
  // Every operand of the same kind (float or integer) as the payload.
  for (BlockArgument arg : body->getArguments())
    if (isa<FloatType>(arg.getType()) != isFloat ||
        (!isFloat && !isa<IntegerType>(arg.getType())))
      return false;
  // Only the ops above.
  return llvm::range_size(body->getOperations()) <=
         static_cast<size_t>(3 +
                             (mul->getOperand(0).getDefiningOp() != nullptr) +
                             (mul->getOperand(1).getDefiningOp() != nullptr));
}

/// A view of `tensor` whose dimensions follow `dims` (loop dimensions):
/// dimension i is the tensor dimension that `map` indexes with dims[i], or
/// a broadcast dimension of size 1 if the map does not use it.
static View viewOverLoops(const HostTensor &tensor, AffineMap map,
                          llvm::ArrayRef<unsigned> dims) {
  View whole = tensor.getView();
  View result(whole.data, whole.dtype, {}, {});
  for (unsigned dim : dims) {
    std::optional<unsigned> position =
        map.getResultPosition(getAffineDimExpr(dim, map.getContext()));
    if (position) {
      result.shape.push_back(whole.shape[*position]);
      result.strides.push_back(whole.strides[*position]);
    } else {
      result.shape.push_back(1);
      result.strides.push_back(0);
    }
  }
  return result;
}

/// Runs a contraction with one M, N and K dimension (any batch dimensions)
/// on the batched GEMM; nullopt if `op` is not one.
static std::optional<Error> tryContraction(linalg::LinalgOp op,
                                           const HostTensor &a,
                                           const HostTensor &b, HostTensor &c) {
  if (!linalg::isaContractionOpInterface(op) || !isMulAddPayload(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() > 1 || dims->n.size() > 1 ||
      dims->k.size() != 1)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (AffineMap map : maps)
    if (!map.isProjectedPermutation())
      return std::nullopt;
  // Missing M or N (matvec, vecmat, dot) become size-1 dimensions: pick a
  // loop index no map uses.
  unsigned unused = op.getNumLoops();
  unsigned m = dims->m.empty() ? unused : dims->m[0];
  unsigned n = dims->n.empty() ? unused : dims->n[0];
  unsigned k = dims->k[0];
  SmallVector<unsigned> lhsDims(dims->batch.begin(), dims->batch.end());
  SmallVector<unsigned> rhsDims = lhsDims, outDims = lhsDims;
  lhsDims.append({m, k});
  rhsDims.append({k, n});
  outDims.append({m, n});
  return kernels::batchMatmul(viewOverLoops(a, maps[0], lhsDims),
                              viewOverLoops(b, maps[1], rhsDims),
                              viewOverLoops(c, maps[2], outDims),
                              /*accumulate=*/true);
}

/// The two spatial strides and dilations of a named convolution/pooling.
static kernels::Window2D getWindow(DenseIntElementsAttr strides,
                                   DenseIntElementsAttr dilations) {
  kernels::Window2D window;
  auto s = strides.getValues<int64_t>();
  auto d = dilations.getValues<int64_t>();
  window.strides = {s[0], s[1]};
  window.dilations = {d[0], d[1]};
  return window;
}

/// Runs a named 2-D convolution on the conv2d kernel; nullopt if `op` is
/// not one (or its payload is not a plain multiply-accumulate).
static std::optional<Error> tryConvolution(linalg::LinalgOp op,
                                           const HostTensor &input,
                                           const HostTensor &filter,
                                           HostTensor &output) {
  if (!isMulAddPayload(op))
    return std::nullopt;
  View in = input.getView(), fil = filter.getView(), out = output.getView();
  // Everything becomes input [N,H,W,G,Cg], filter [G,KH,KW,Cg,Fg], output
  // [N,OH,OW,G,Fg] views.
  auto run = [&](auto conv, View groupedIn, View groupedFilter,
                 View groupedOut) -> Error {
    return kernels::conv2dGrouped(
        groupedIn, groupedFilter, groupedOut,
        getWindow(conv.getStrides(), conv.getDilations()), true);
  };
  if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(*op))
    return run(conv, in.insertUnitDim(3), fil.insertUnitDim(0),
               out.insertUnitDim(3));
  if (auto conv = dyn_cast<linalg::Conv2DNhwcFhwcOp>(*op))
    return run(conv, in.insertUnitDim(3),
               fil.permute({1, 2, 3, 0}).insertUnitDim(0),
               out.insertUnitDim(3));
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(*op))
    return run(conv, in.permute({0, 2, 3, 1}).insertUnitDim(3),
               fil.permute({2, 3, 1, 0}).insertUnitDim(0),
               out.permute({0, 2, 3, 1}).insertUnitDim(3));
  if (auto conv = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(*op))
    return run(conv, in.insertUnitDim(4),
               fil.permute({2, 0, 1}).insertUnitDim(3).insertUnitDim(4),
               out.insertUnitDim(4));
  if (auto conv = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(*op))
    return run(conv, in.permute({0, 2, 3, 1}).insertUnitDim(4),
               fil.insertUnitDim(3).insertUnitDim(4),
               out.permute({0, 2, 3, 1}).insertUnitDim(4));
  if (auto conv = dyn_cast<linalg::DepthwiseConv2DNhwcHwcmOp>(*op))
    return run(conv, in.insertUnitDim(4),
               fil.permute({2, 0, 1, 3}).insertUnitDim(3), out);
  if (auto conv = dyn_cast<linalg::Conv2DNgchwFgchwOp>(*op))
    // input [N,G,C,H,W], filter [F,G,C,KH,KW], output [N,G,F,OH,OW]
    return run(conv, in.permute({0, 3, 4, 1, 2}), fil.permute({1, 3, 4, 2, 0}),
               out.permute({0, 3, 4, 1, 2}));
  if (auto conv = dyn_cast<linalg::Conv2DNgchwGfchwOp>(*op))
    // filter [G,F,C,KH,KW]
    return run(conv, in.permute({0, 3, 4, 1, 2}), fil.permute({0, 3, 4, 2, 1}),
               out.permute({0, 3, 4, 1, 2}));
  if (auto conv = dyn_cast<linalg::Conv2DNhwgcGfhwcOp>(*op))
    // input [N,H,W,G,C], filter [G,F,KH,KW,C], output [N,OH,OW,G,F]
    return run(conv, in, fil.permute({0, 2, 3, 4, 1}), out);
  return std::nullopt;
}

/// Runs a named 2-D pooling on the pool2d kernel; nullopt if `op` is not
/// one the kernel matches exactly.
static std::optional<Error> tryPooling(linalg::LinalgOp op,
                                       const HostTensor &input,
                                       const HostTensor &window,
                                       HostTensor &output) {
  std::optional<kernels::PoolKind> kind;
  std::optional<kernels::PoolLayout> layout;
  kernels::Window2D geometry;
  auto match = [&](auto pool, kernels::PoolKind poolKind,
                   kernels::PoolLayout poolLayout) {
    kind = poolKind;
    layout = poolLayout;
    geometry = getWindow(pool.getStrides(), pool.getDilations());
  };
  if (auto pool = dyn_cast<linalg::PoolingNhwcMaxOp>(*op))
    match(pool, kernels::PoolKind::Max, kernels::PoolLayout::NHWC);
  else if (auto pool = dyn_cast<linalg::PoolingNhwcMinOp>(*op))
    match(pool, kernels::PoolKind::Min, kernels::PoolLayout::NHWC);
  else if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(*op))
    match(pool, kernels::PoolKind::Max, kernels::PoolLayout::NCHW);
  else if (auto pool = dyn_cast<linalg::PoolingNhwcSumOp>(*op))
    match(pool, kernels::PoolKind::Sum, kernels::PoolLayout::NHWC);
  else if (auto pool = dyn_cast<linalg::PoolingNchwSumOp>(*op))
    match(pool, kernels::PoolKind::Sum, kernels::PoolLayout::NCHW);
  if (!kind)
    return std::nullopt;
  // The kernel sums in double and rounds once: exact for floats' intent,
  // but integer sums must wrap like the payload, so they stay generic.
  if (*kind == kernels::PoolKind::Sum && !kernels::isFloat(output.getDType()))
    return std::nullopt;
  // The payload must be the plain combiner (max/min propagating NaN like
  // the kernel, or add), possibly on a widened input.
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  bool plain =
      combiner && (*kind == kernels::PoolKind::Max
                       ? isa<arith::MaximumFOp, arith::MaxSIOp>(combiner)
                   : *kind == kernels::PoolKind::Min
                       ? isa<arith::MinimumFOp, arith::MinSIOp>(combiner)
                       : isa<arith::AddFOp>(combiner));
  if (!plain)
    return std::nullopt;
  kernels::PoolOptions options;
  options.size = {window.getShape()[0], window.getShape()[1]};
  options.window = geometry;
  return kernels::pool2d(*kind, *layout, input.getView(), output.getView(),
                         options, /*accumulate=*/true);
}

//===----------------------------------------------------------------------===//
// The generic interpreter
//===----------------------------------------------------------------------===//

namespace {
/// How one operand's element offset follows the loop indices.
struct OperandAccess {
  std::byte *data = nullptr;
  DType dtype = DType::F32;
  AffineMap map;
  llvm::SmallVector<int64_t, 4> shape;
  llvm::SmallVector<int64_t, 4> tensorStrides;
  /// Linear maps: offset = base + sum(loopStrides[d] * i[d]).
  bool linear = true;
  llvm::SmallVector<int64_t, 6> loopStrides;
  int64_t base = 0;
};

/// Accumulates `expr` * scale into per-dimension coefficients and a
/// constant; false if it is not linear in the dimensions.
bool linearize(AffineExpr expr, int64_t scale,
               llvm::MutableArrayRef<int64_t> coefficients, int64_t &constant) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    coefficients[dim.getPosition()] += scale;
    return true;
  }
  if (auto value = dyn_cast<AffineConstantExpr>(expr)) {
    constant += scale * value.getValue();
    return true;
  }
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  if (binary.getKind() == AffineExprKind::Add)
    return linearize(binary.getLHS(), scale, coefficients, constant) &&
           linearize(binary.getRHS(), scale, coefficients, constant);
  if (binary.getKind() == AffineExprKind::Mul) {
    if (auto c = dyn_cast<AffineConstantExpr>(binary.getRHS()))
      return linearize(binary.getLHS(), scale * c.getValue(), coefficients,
                       constant);
    if (auto c = dyn_cast<AffineConstantExpr>(binary.getLHS()))
      return linearize(binary.getRHS(), scale * c.getValue(), coefficients,
                       constant);
  }
  return false;
}

/// Evaluates `expr` at loop indices `index` (any affine expression).
int64_t evaluate(AffineExpr expr, llvm::ArrayRef<int64_t> index) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return index[dim.getPosition()];
  if (auto value = dyn_cast<AffineConstantExpr>(expr))
    return value.getValue();
  auto binary = cast<AffineBinaryOpExpr>(expr);
  int64_t lhs = evaluate(binary.getLHS(), index);
  int64_t rhs = evaluate(binary.getRHS(), index);
  switch (binary.getKind()) {
  case AffineExprKind::Add:
    return lhs + rhs;
  case AffineExprKind::Mul:
    return lhs * rhs;
  case AffineExprKind::Mod:
    return rhs == 0 ? 0 : ((lhs % rhs) + rhs) % rhs;
  case AffineExprKind::FloorDiv:
    return rhs == 0
               ? 0
               : (lhs / rhs - ((lhs % rhs != 0) && ((lhs < 0) != (rhs < 0))));
  case AffineExprKind::CeilDiv:
    return rhs == 0
               ? 0
               : (lhs / rhs + ((lhs % rhs != 0) && ((lhs < 0) == (rhs < 0))));
  default:
    return 0;
  }
}

/// The interpreter state of one linalg op.
class GenericRun {
public:
  GenericRun(linalg::LinalgOp op, ValueLookup lookup, Results &results)
      : op(op), lookup(lookup), results(results) {}
  Error run();

private:
  Error prepare();
  /// Runs the iterations whose parallel-loop index is in [begin, end).
  Error runTask(int64_t begin, int64_t end);
  /// Fills offsets[l] for the lanes of a chunk at loop indices `index`
  /// (chunk dimension starting at index[chunkDim]).
  Error computeOffsets(const OperandAccess &access,
                       llvm::ArrayRef<int64_t> index, int64_t lanes,
                       int64_t *offsets) const;

  linalg::LinalgOp op;
  ValueLookup lookup;
  Results &results;
  ScalarProgram program;
  SmallVector<OperandAccess> accesses; // one per op operand
  SmallVector<int64_t> loopSizes;
  /// (slot, operand number) per loaded block argument.
  SmallVector<std::pair<int, unsigned>> argumentSlots;
  /// Output slot per init.
  SmallVector<int> yieldSlots;
  int64_t chunkDim = -1, parallelDim = -1;
  SmallVector<int64_t> outerDims;
};
} // namespace

Error GenericRun::prepare() {
  Block *body = op.getBlock();
  unsigned numLoops = op.getNumLoops();
  loopSizes.assign(numLoops, -1);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned numInputs = op.getNumDpsInputs();
  for (OpOperand &operand : op->getOpOperands()) {
    unsigned number = operand.getOperandNumber();
    OperandAccess access;
    const HostTensor *tensor = number < numInputs
                                   ? lookup(operand.get())
                                   : &results[number - numInputs];
    access.data = const_cast<std::byte *>(tensor->getData());
    access.dtype = tensor->getDType();
    access.map = maps[number];
    access.shape.assign(tensor->getShape().begin(), tensor->getShape().end());
    access.tensorStrides = View::getContiguousStrides(tensor->getShape());
    if (access.map.getNumResults() != access.shape.size())
      return opError(op, "has an indexing map of " +
                             llvm::Twine(access.map.getNumResults()) +
                             " results for operand " + llvm::Twine(number) +
                             " of rank " + llvm::Twine(access.shape.size()));
    for (auto [r, expr] : llvm::enumerate(access.map.getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (!dim)
        continue;
      int64_t &size = loopSizes[dim.getPosition()];
      if (size >= 0 && size != access.shape[r])
        return opError(op, "has loop dimension " +
                               llvm::Twine(dim.getPosition()) + " sized both " +
                               llvm::Twine(size) + " and " +
                               llvm::Twine(access.shape[r]));
      size = access.shape[r];
    }
    accesses.push_back(std::move(access));
  }
  for (auto [d, size] : llvm::enumerate(loopSizes))
    if (size < 0)
      return opError(op, "has loop dimension " + llvm::Twine(d) +
                             " whose size no operand determines");

  // Offsets: linear where the maps allow, bounds checked over the whole
  // iteration space.
  bool empty = llvm::is_contained(loopSizes, 0);
  for (auto [number, access] : llvm::enumerate(accesses)) {
    access.loopStrides.assign(numLoops, 0);
    for (auto [r, expr] : llvm::enumerate(access.map.getResults())) {
      SmallVector<int64_t, 6> coefficients(numLoops, 0);
      int64_t constant = 0;
      if (!linearize(expr, 1, coefficients, constant)) {
        access.linear = false;
        break;
      }
      int64_t lo = constant, hi = constant;
      for (unsigned d = 0; d < numLoops; ++d) {
        int64_t extent = coefficients[d] * (loopSizes[d] - 1);
        (extent < 0 ? lo : hi) += extent;
        access.loopStrides[d] += coefficients[d] * access.tensorStrides[r];
      }
      access.base += constant * access.tensorStrides[r];
      if (!empty && (lo < 0 || hi >= access.shape[r]))
        return opError(op, "indexes dimension " + llvm::Twine(r) +
                               " of operand " + llvm::Twine(number) +
                               " over [" + llvm::Twine(lo) + ", " +
                               llvm::Twine(hi) + "], outside its size " +
                               llvm::Twine(access.shape[r]));
    }
  }

  // Compile the payload.
  for (BlockArgument arg : body->getArguments()) {
    if (arg.use_empty())
      continue;
    Expected<int> slot = program.addInput(arg, arg.getType());
    if (!slot)
      return opError(op, llvm::toString(slot.takeError()));
    argumentSlots.emplace_back(
        *slot, op.getMatchingOpOperand(arg)->getOperandNumber());
  }
  for (Operation &nested : body->without_terminator())
    if (Error err = program.addOp(&nested, lookup))
      return err;
  Operation *yield = body->getTerminator();
  if (yield->getNumOperands() != op.getNumDpsInits())
    return opError(op, "yields " + llvm::Twine(yield->getNumOperands()) +
                           " values for " + llvm::Twine(op.getNumDpsInits()) +
                           " outputs");
  for (Value value : yield->getOperands()) {
    Expected<int> slot = program.addOutput(value, lookup);
    if (!slot)
      return slot.takeError();
    yieldSlots.push_back(*slot);
  }

  // Lanes run along a parallel loop that every output indexes directly, so
  // distinct lanes write distinct elements; prefer the one with the
  // smallest stride in the first output. Threads split another such loop.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto indexesEveryOutput = [&](unsigned d) {
    if (iterators[d] != utils::IteratorType::parallel)
      return false;
    for (OpOperand &init : op.getDpsInitsMutable())
      if (!accesses[init.getOperandNumber()].map.getResultPosition(
              getAffineDimExpr(d, op->getContext())))
        return false;
    return true;
  };
  const OperandAccess &firstOut =
      accesses[op.getDpsInitsMutable().begin()->getOperandNumber()];
  for (unsigned d = 0; d < numLoops; ++d) {
    if (!indexesEveryOutput(d) || loopSizes[d] < 2)
      continue;
    if (chunkDim < 0 || std::abs(firstOut.loopStrides[d]) <=
                            std::abs(firstOut.loopStrides[chunkDim]))
      chunkDim = d;
  }
  for (unsigned d = 0; d < numLoops; ++d) {
    if (static_cast<int64_t>(d) == chunkDim)
      continue;
    if (parallelDim < 0 && indexesEveryOutput(d) && loopSizes[d] > 1)
      parallelDim = d;
    else
      outerDims.push_back(d);
  }
  return Error::success();
}

Error GenericRun::computeOffsets(const OperandAccess &access,
                                 llvm::ArrayRef<int64_t> index, int64_t lanes,
                                 int64_t *offsets) const {
  if (access.linear) {
    int64_t base = access.base;
    for (size_t d = 0; d < index.size(); ++d)
      base += access.loopStrides[d] * index[d];
    int64_t step = chunkDim >= 0 ? access.loopStrides[chunkDim] : 0;
    for (int64_t l = 0; l < lanes; ++l)
      offsets[l] = base + step * l;
    return Error::success();
  }
  SmallVector<int64_t, 6> point(index.begin(), index.end());
  for (int64_t l = 0; l < lanes; ++l) {
    if (chunkDim >= 0)
      point[chunkDim] = index[chunkDim] + l;
    int64_t offset = 0;
    for (auto [r, expr] : llvm::enumerate(access.map.getResults())) {
      int64_t position = evaluate(expr, point);
      if (position < 0 || position >= access.shape[r])
        return opError(op, "indexes position " + llvm::Twine(position) +
                               " of dimension " + llvm::Twine(r) +
                               " whose size is " +
                               llvm::Twine(access.shape[r]));
      offset += position * access.tensorStrides[r];
    }
    offsets[l] = offset;
  }
  return Error::success();
}

Error GenericRun::runTask(int64_t begin, int64_t end) {
  int64_t chunkSize =
      chunkDim >= 0 ? std::min<int64_t>(loopSizes[chunkDim], 1024) : 1;
  int64_t chunkExtent = chunkDim >= 0 ? loopSizes[chunkDim] : 1;
  ScalarProgram::Workspace workspace = program.createWorkspace(chunkSize);
  std::vector<int64_t> offsets(accesses.size() * chunkSize);
  SmallVector<int64_t, 6> index(loopSizes.size(), 0);
  // Only operands with a loaded argument or an output need offsets.
  SmallVector<bool> needed(accesses.size(), false);
  for (auto [slot, number] : argumentSlots)
    needed[number] = true;
  for (OpOperand &init : op.getDpsInitsMutable())
    needed[init.getOperandNumber()] = true;
  unsigned firstInit = op.getNumDpsInputs();

  // [begin, end) splits the parallel loop, or the lane loop if there is
  // no other parallel loop.
  bool splitsLanes = parallelDim < 0;
  int64_t laneBegin = splitsLanes ? begin : 0;
  int64_t laneEnd = splitsLanes ? end : chunkExtent;
  for (int64_t value = splitsLanes ? 0 : begin; value < (splitsLanes ? 1 : end);
       ++value) {
    if (parallelDim >= 0)
      index[parallelDim] = value;
    while (true) {
      for (int64_t start = laneBegin; start < laneEnd; start += chunkSize) {
        int64_t lanes = std::min(chunkSize, laneEnd - start);
        if (chunkDim >= 0)
          index[chunkDim] = start;
        for (size_t number = 0; number < accesses.size(); ++number)
          if (needed[number])
            if (Error err = computeOffsets(accesses[number], index, lanes,
                                           offsets.data() + number * chunkSize))
              return err;
        for (auto [slot, number] : argumentSlots) {
          const LaneType &type = program.getType(slot);
          const OperandAccess &access = accesses[number];
          loadLanes(
              access.data, access.dtype, offsets.data() + number * chunkSize,
              lanes, type,
              type.isFloat ? program.getFloatLanes(workspace, slot) : nullptr,
              type.isFloat ? nullptr : program.getIntLanes(workspace, slot));
        }
        for (auto [slot, dim] : program.getIndexInputs()) {
          int64_t *lanesOut = program.getIntLanes(workspace, slot);
          for (int64_t l = 0; l < lanes; ++l)
            lanesOut[l] = index[dim] + (dim == chunkDim ? l : 0);
        }
        if (Error err = program.run(workspace, lanes))
          return err;
        for (auto [i, slot] : llvm::enumerate(yieldSlots)) {
          const LaneType &type = program.getType(slot);
          const OperandAccess &access = accesses[firstInit + i];
          storeLanes(
              access.data, access.dtype,
              offsets.data() + (firstInit + i) * chunkSize, lanes, type,
              type.isFloat ? program.getFloatLanes(workspace, slot) : nullptr,
              type.isFloat ? nullptr : program.getIntLanes(workspace, slot));
        }
      }
      // Next point of the outer loops (innermost last).
      int64_t k = static_cast<int64_t>(outerDims.size()) - 1;
      for (; k >= 0; --k) {
        int64_t d = outerDims[k];
        if (++index[d] < loopSizes[d])
          break;
        index[d] = 0;
      }
      if (k < 0)
        break;
    }
  }
  return Error::success();
}

Error GenericRun::run() {
  if (Error err = prepare())
    return err;
  if (llvm::is_contained(loopSizes, 0))
    return Error::success();
  int64_t iterations = 1;
  for (int64_t size : loopSizes)
    iterations *= size;
  // Threads take blocks of the second parallel loop or, without one, of
  // the lane loop (e.g. a row reduction), one workspace each.
  int64_t splitDim = parallelDim >= 0 ? parallelDim : chunkDim;
  int64_t extent = splitDim >= 0 ? loopSizes[splitDim] : 1;
  int64_t blocks = parallelDim >= 0 ? std::min<int64_t>(extent, 64)
                                    : std::min<int64_t>(extent / 256, 64);
  // Small ops are not worth the threads.
  if (blocks < 2 || iterations < (1 << 15))
    return runTask(0, extent);
  return llvm::parallelForEachError(
      llvm::seq<int64_t>(0, blocks), [&](int64_t block) {
        return runTask(block * extent / blocks, (block + 1) * extent / blocks);
      });
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

/// Runs the strided-copy fast paths; nullopt if `op` is none of them.
static std::optional<Error> tryCopyLike(linalg::LinalgOp op, ValueLookup lookup,
                                        HostTensor &output) {
  if (auto fill = dyn_cast<linalg::FillOp>(*op)) {
    const HostTensor &value = *lookup(fill.value());
    // Exact through double unless it is a large integer.
    if (kernels::isFloat(value.getDType()) !=
        kernels::isFloat(output.getDType()))
      return std::nullopt;
    constexpr int64_t kExact = int64_t(1) << 53;
    if (value.getDType() == DType::I64 &&
        (value.getInt64(0) > kExact || value.getInt64(0) < -kExact))
      return std::nullopt;
    if (value.getDType() == DType::I1 || output.getDType() == DType::I1)
      return std::nullopt;
    return kernels::fill(value.getDouble(0), output.getView());
  }
  if (isa<linalg::CopyOp>(*op)) {
    const HostTensor &input = *lookup(op.getDpsInputs()[0]);
    if (input.getDType() != output.getDType())
      return std::nullopt;
    return kernels::copy(input.getView(), output.getView());
  }
  if (auto transpose = dyn_cast<linalg::TransposeOp>(*op))
    return kernels::transpose(lookup(transpose.getInput())->getView(),
                              output.getView(), transpose.getPermutation());
  if (auto broadcast = dyn_cast<linalg::BroadcastOp>(*op)) {
    View input = lookup(broadcast.getInput())->getView();
    for (int64_t dim : broadcast.getDimensions())
      input = input.insertUnitDim(dim);
    for (int64_t d = 0; d < input.getRank(); ++d)
      if (input.strides[d] == 0 && input.shape[d] == 1)
        input.shape[d] = output.getShape()[d];
    return kernels::copy(input, output.getView());
  }
  return std::nullopt;
}

Expected<Results> reference::detail::executeLinalgOp(Operation *operation,
                                                     ValueLookup lookup,
                                                     bool &onKernel) {
  onKernel = true;
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(operation)) {
    const HostTensor &input = *lookup(softmax.getInput());
    HostTensor output = *lookup(softmax.getOutput());
    if (Error err = kernels::softmax(input.getView(), output.getView(),
                                     softmax.getDimension()))
      return kernelFailed(operation, std::move(err));
    Results results;
    results.push_back(std::move(output));
    return results;
  }
  auto op = dyn_cast<linalg::LinalgOp>(operation);
  if (!op)
    return opError(operation, "is not supported by the CPU reference");
  if (!op.hasPureTensorSemantics())
    return opError(operation, "works on buffers; the CPU reference runs "
                              "linalg on tensors only");
  // Results start as the inits (outs) and are updated in place.
  Results results;
  for (Value init : op.getDpsInits())
    results.push_back(*lookup(init));

  std::optional<Error> fast;
  if (results.size() == 1) {
    fast = tryCopyLike(op, lookup, results[0]);
    if (!fast && op.getNumDpsInputs() == 2) {
      const HostTensor &a = *lookup(op.getDpsInputs()[0]);
      const HostTensor &b = *lookup(op.getDpsInputs()[1]);
      fast = tryContraction(op, a, b, results[0]);
      if (!fast)
        fast = tryConvolution(op, a, b, results[0]);
      if (!fast)
        fast = tryPooling(op, a, b, results[0]);
    }
  }
  if (fast) {
    if (*fast)
      return kernelFailed(operation, std::move(*fast));
    return results;
  }
  onKernel = false;
  GenericRun run(op, lookup, results);
  if (Error err = run.run())
    return std::move(err);
  return results;
}
