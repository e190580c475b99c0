//===- TileLinalg.cpp - tile linalg groups to the target ------------------===//
//
// Groups linalg ops for fusion, picks tile sizes from the #npu.target and
// tiles each group with upstream TilingInterface tiling: the parallel loops
// of the group's root become an scf.forall over tiles with the group fused
// in; inside a tile, contraction reductions become scf.for loops and window
// loops of convolutions are tiled to 1 and rewritten as strided taps.
//
//===----------------------------------------------------------------------===//

#include "gaon/Dialect/NPU/Transforms/Passes.h"

#include "gaon/Dialect/NPU/Transforms/CostModel.h"
#include "gaon/Dialect/NPU/Transforms/LinalgSupport.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/MathExtras.h"

namespace gaon::npu {
#define GEN_PASS_DEF_TILELINALGPASS
#include "gaon/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace gaon::npu

using namespace mlir;
using namespace gaon::npu;

namespace {

/// Ops tiled together: producers fused into the tiles of `root`.
struct Group {
  linalg::LinalgOp root;
  llvm::SetVector<Operation *> members;
  /// The op whose shape decides the tile sizes: the group's contraction or
  /// window op, else the root.
  linalg::LinalgOp anchor;
};

/// A loop of an op in a group.
using OpLoop = std::pair<Operation *, unsigned>;

/// Tile sizes of the anchor: `parallel` for the tile loop (0 keeps a loop
/// whole), `reduction` for the loops inside a tile (0 keeps it whole).
struct AnchorTiles {
  SmallVector<int64_t> parallel;
  SmallVector<int64_t> reduction;
};

} // namespace

static bool isHeavy(linalg::LinalgOp op) {
  LinalgOpClass opClass = classifyLinalgOp(op);
  return opClass == LinalgOpClass::Contraction ||
         opClass == LinalgOpClass::Window;
}

/// True if `op` is all-parallel elementwise work (incl. copies).
static bool isParallelElementwise(linalg::LinalgOp op) {
  LinalgOpClass opClass = classifyLinalgOp(op);
  return (opClass == LinalgOpClass::Elementwise ||
          opClass == LinalgOpClass::Copy) &&
         op.getNumReductionLoops() == 0;
}

/// Whether `producer` may join `group` (see the pass description).
static bool canJoin(linalg::LinalgOp producer, const Group &group) {
  if (!producer.hasPureTensorSemantics())
    return false;
  for (Operation *user : producer->getUsers())
    if (!group.members.contains(user))
      return false;
  LinalgOpClass producerClass = classifyLinalgOp(producer);
  if (producerClass == LinalgOpClass::Fill)
    return true;
  if (isHeavy(producer)) {
    if (llvm::any_of(group.members, [](Operation *member) {
          return isHeavy(cast<linalg::LinalgOp>(member));
        }))
      return false;
    return llvm::all_of(producer->getUsers(), [](Operation *user) {
      return isParallelElementwise(cast<linalg::LinalgOp>(user));
    });
  }
  // Elementwise work and reductions: not as a prologue of a contraction's
  // inputs (it would be recomputed for every tile of the other operand),
  // but as its initial accumulator.
  for (OpOperand &use : producer->getUses()) {
    auto consumer = cast<linalg::LinalgOp>(use.getOwner());
    if (isHeavy(consumer) && !consumer.isDpsInit(&use))
      return false;
  }
  return true;
}

/// Static loop ranges of `op`.
static SmallVector<int64_t> getRanges(linalg::LinalgOp op) {
  return op.getStaticLoopRanges();
}

/// Largest divisor of `size` that is at most `limit` (at least 1).
static int64_t largestDivisorAtMost(int64_t size, int64_t limit) {
  limit = std::clamp<int64_t>(limit, 1, size);
  for (int64_t d = limit; d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

/// Tiles for a group of loops (outermost first) holding about `points`
/// points: the innermost loops are taken whole while they fit, the next one
/// gets the largest divisor that fits, the outer ones 1.
static SmallVector<int64_t> fillInnermostFirst(ArrayRef<int64_t> sizes,
                                               int64_t points) {
  SmallVector<int64_t> tiles(sizes.size(), 1);
  int64_t budget = std::max<int64_t>(points, 1);
  for (int64_t i = sizes.size() - 1; i >= 0; --i) {
    if (sizes[i] <= budget) {
      tiles[i] = sizes[i];
      budget /= sizes[i];
      continue;
    }
    tiles[i] = largestDivisorAtMost(sizes[i], budget);
    break;
  }
  return tiles;
}

/// Candidate tile vectors for a group of loops: one per distinct tile
/// volume reachable with fillInnermostFirst.
static SmallVector<SmallVector<int64_t>>
getCandidates(ArrayRef<int64_t> sizes) {
  int64_t total = 1;
  for (int64_t size : sizes)
    total *= size;
  SmallVector<SmallVector<int64_t>> candidates;
  llvm::DenseSet<int64_t> seen;
  auto add = [&](int64_t points) {
    SmallVector<int64_t> tiles = fillInnermostFirst(sizes, points);
    int64_t volume = 1;
    for (int64_t t : tiles)
      volume *= t;
    if (seen.insert(volume).second)
      candidates.push_back(std::move(tiles));
  };
  // Divisors of the volume, capped so huge prime-rich volumes stay cheap.
  for (int64_t d = 1; d * d <= total; ++d) {
    if (total % d)
      continue;
    add(d);
    add(total / d);
  }
  return candidates;
}

static int64_t product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t v : values)
    result *= v;
  return result;
}

/// Bytes of one element of `value`'s type.
static int64_t getElementBytes(Value value) {
  Type type = getElementTypeOrSelf(value.getType());
  return llvm::divideCeil(type.getIntOrFloatBitWidth(), 8);
}

/// Picks the contraction tile (tm, tn, tk volumes over the m, n and k loop
/// groups) that minimises the modeled time of the group on `target`.
static AnchorTiles chooseContractionTiles(linalg::LinalgOp anchor,
                                          const Group &group, TargetAttr target,
                                          double sramFraction) {
  FailureOr<linalg::ContractionDimensions> dims = getContractionDims(anchor);
  SmallVector<int64_t> ranges = getRanges(anchor);
  SmallVector<unsigned> window = getWindowLoops(anchor);
  int64_t numLoops = ranges.size();
  AnchorTiles tiles{SmallVector<int64_t>(numLoops, 1),
                    SmallVector<int64_t>(numLoops, 0)};
  for (unsigned w : window)
    tiles.reduction[w] = 1;
  if (failed(dims)) {
    // A window op that is not a contraction (pooling, depthwise): handled as
    // elementwise work over the output; the caller sizes it.
    return tiles;
  }
  auto sizesOf = [&](ArrayRef<unsigned> loops) {
    SmallVector<int64_t> sizes;
    for (unsigned loop : loops)
      sizes.push_back(ranges[loop]);
    return sizes;
  };
  SmallVector<int64_t> mSizes = sizesOf(dims->m), nSizes = sizesOf(dims->n),
                       kSizes = sizesOf(dims->k);
  int64_t m = product(mSizes), n = product(nSizes), k = product(kSizes);
  int64_t batch = product(sizesOf(dims->batch));

  OpOperand *lhs = anchor.getDpsInputOperand(0);
  OpOperand *rhs = anchor.getDpsInputOperand(1);
  OpOperand *acc = anchor.getDpsInitOperand(0);
  int64_t lhsBytes = getElementBytes(lhs->get());
  int64_t rhsBytes = getElementBytes(rhs->get());
  int64_t accBytes = getElementBytes(acc->get());
  int64_t outBytes = getElementBytes(group.root->getResult(0));
  // Every member other than the anchor and fills is an epilogue step with an
  // f32 temporary the size of the output tile; without one the accumulator
  // is the output tile.
  int64_t epilogueSteps = 0;
  for (Operation *member : group.members)
    if (member != anchor && !isa<linalg::FillOp>(member))
      ++epilogueSteps;
  int64_t outputTileBytes =
      epilogueSteps == 0 ? accBytes : accBytes + outBytes + 4 * epilogueSteps;
  int64_t budget = int64_t(double(target.getSramBytes()) * sramFraction);
  // A DMA command waits for its start-up and the DRAM latency before data
  // streams; its queue is busy meanwhile.
  double fixedCost =
      double(target.getDmaStartupCycles() + target.getDramLatency());
  int64_t loadQueues = std::max<int64_t>(1, target.getDmaEngines() - 1);

  // The anchor's loop tiles for one candidate, and the DRAM channel bytes
  // per payload byte of an operand's tile (short strided runs cost more).
  SmallVector<int64_t> loopTiles(ranges);
  for (unsigned loop : dims->batch)
    loopTiles[loop] = 1;
  for (unsigned loop : window)
    loopTiles[loop] = 1;
  auto setTiles = [&](ArrayRef<unsigned> loops, ArrayRef<int64_t> tile) {
    for (auto [loop, size] : llvm::zip(loops, tile))
      loopTiles[loop] = size;
  };
  auto accessFactor = [&](OpOperand *operand, int64_t elementBytes) {
    auto type = dyn_cast<RankedTensorType>(operand->get().getType());
    if (!type || !type.hasStaticShape())
      return 1.0;
    AffineMap map = anchor.getMatchingIndexingMap(operand);
    SmallVector<int64_t> tile;
    for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
      auto loop = dyn_cast<AffineDimExpr>(expr);
      tile.push_back(loop ? loopTiles[loop.getPosition()]
                          : type.getDimSize(dim));
    }
    return getDramAccessFactor(target, type.getShape(), tile, elementBytes);
  };

  SmallVector<SmallVector<int64_t>> mCands = getCandidates(mSizes),
                                    nCands = getCandidates(nSizes),
                                    kCands = getCandidates(kSizes);
  double bestTime = std::numeric_limits<double>::infinity();
  SmallVector<int64_t> bestM, bestN, bestK;
  for (const auto &mTile : mCands) {
    int64_t tm = product(mTile);
    setTiles(dims->m, mTile);
    for (const auto &nTile : nCands) {
      int64_t tn = product(nTile);
      setTiles(dims->n, nTile);
      int64_t tiles = batch * (m / tm) * (n / tn);
      int64_t activeCores = std::min<int64_t>(tiles, target.getCores());
      int64_t tilesPerCore = llvm::divideCeil(tiles, target.getCores());
      double bandwidth = getCoreDramBytesPerCycle(target, activeCores);
      int64_t outputTile = tm * tn * outputTileBytes;
      double storeFactor = accessFactor(acc, outBytes);
      for (const auto &kTile : kCands) {
        int64_t tk = product(kTile);
        int64_t steps = k / tk;
        int64_t lhsTile = tm * tk * lhsBytes, rhsTile = tk * tn * rhsBytes;
        // Operand tiles get two buffers in a K loop of several steps or,
        // without one, in a tile loop of several tiles.
        int64_t operandBuffers = steps > 1 || tilesPerCore > 1 ? 2 : 1;
        int64_t operandBytes = operandBuffers * (lhsTile + rhsTile);
        if (operandBytes + outputTile > budget)
          continue;
        setTiles(dims->k, kTile);
        double compute = double(estimateContractionCycles(target, tm, tn, tk));
        // Two loads per step share the load queues; each command pays the
        // fixed cost.
        double load = (double(lhsTile) * accessFactor(lhs, lhsBytes) +
                       double(rhsTile) * accessFactor(rhs, rhsBytes)) /
                          bandwidth +
                      2.0 * fixedCost / double(loadQueues);
        double epilogue =
            double((epilogueSteps + 1) * estimateVectorCycles(target, tm * tn));
        double store =
            double(tm * tn * outBytes) * storeFactor / bandwidth + fixedCost;
        // Loads overlap compute step by step (a software pipeline: the
        // slower of the two per step, plus the faster once to fill it).
        double steady = double(steps) * std::max(compute, load);
        double fill = std::min(compute, load);
        // With two output buffers (gaon-double-buffer gives them to a core
        // with several tiles where they fit its SRAM) the epilogue and the
        // store of one tile overlap the next tile's steps, though the store
        // still shares the core's DRAM bandwidth with those steps' loads;
        // with one buffer, the next tile waits for them. Two buffers cost
        // SRAM that larger, more efficient tiles may need.
        double time = std::numeric_limits<double>::infinity();
        if (tilesPerCore > 1 && operandBytes + 2 * outputTile <= budget) {
          double dram = double(steps) * load + store;
          time =
              double(tilesPerCore) * std::max({steady, epilogue, store, dram}) +
              fill + epilogue + store;
        }
        time = std::min(
            time, double(tilesPerCore) * (steady + epilogue + store) + fill);
        if (time < bestTime - 1e-9) {
          bestTime = time;
          bestM = mTile;
          bestN = nTile;
          bestK = kTile;
        }
      }
    }
  }
  if (bestM.empty()) {
    // Nothing fits: the smallest tiles; SRAM allocation reports the overflow.
    bestM = fillInnermostFirst(mSizes, 1);
    bestN = fillInnermostFirst(nSizes, 1);
    bestK = fillInnermostFirst(kSizes, 1);
  }
  for (auto [loop, tile] : llvm::zip(dims->m, bestM))
    tiles.parallel[loop] = tile;
  for (auto [loop, tile] : llvm::zip(dims->n, bestN))
    tiles.parallel[loop] = tile;
  for (auto [loop, tile] : llvm::zip(dims->k, bestK)) {
    tiles.parallel[loop] = 0;
    tiles.reduction[loop] = tile;
  }
  for (unsigned loop : window)
    tiles.parallel[loop] = 0;
  for (unsigned loop : dims->batch)
    tiles.parallel[loop] = 1;
  // Loops the contraction inference left out: reductions whole, parallel 1.
  SmallVector<utils::IteratorType> iterators = anchor.getIteratorTypesArray();
  for (int64_t loop = 0; loop < numLoops; ++loop) {
    bool classified = llvm::is_contained(dims->m, loop) ||
                      llvm::is_contained(dims->n, loop) ||
                      llvm::is_contained(dims->k, loop) ||
                      llvm::is_contained(dims->batch, loop) ||
                      llvm::is_contained(window, loop);
    if (!classified && iterators[loop] == utils::IteratorType::reduction)
      tiles.parallel[loop] = 0;
  }
  return tiles;
}

/// Bytes per iteration point of the group's tiles: every operand element of
/// every member, plus an f32 temporary per body op.
static int64_t getBytesPerPoint(const Group &group) {
  int64_t bytes = 0;
  for (Operation *member : group.members) {
    auto op = cast<linalg::LinalgOp>(member);
    for (OpOperand &operand : op->getOpOperands())
      if (isa<RankedTensorType>(operand.get().getType()))
        bytes += getElementBytes(operand.get());
    bytes += 4 * int64_t(std::distance(op.getBlock()->begin(),
                                       op.getBlock()->end()));
  }
  return std::max<int64_t>(bytes, 1);
}

namespace {

struct TileLinalgPass : gaon::npu::impl::TileLinalgPassBase<TileLinalgPass> {
  using Base::Base;

  void runOnOperation() override;

  /// Tiles of the root's loops for `group` (0 keeps a loop whole), and the
  /// tiles inside a tile for the anchor.
  LogicalResult chooseTiles(Group &group, TargetAttr target,
                            SmallVectorImpl<int64_t> &rootTiles,
                            AnchorTiles &anchorTiles);

  LogicalResult tileGroup(RewriterBase &rewriter, Group &group,
                          TargetAttr target);

  LogicalResult tileInsideTile(RewriterBase &rewriter, scf::ForallOp tile,
                               const AnchorTiles &anchorTiles,
                               linalg::LinalgOp anchor);
};

} // namespace

/// Builds the equivalence classes of loops of `group` that index the same
/// tensor dimension along a producer-consumer edge inside the group.
static llvm::EquivalenceClasses<OpLoop> getLoopClasses(const Group &group) {
  llvm::EquivalenceClasses<OpLoop> classes;
  for (Operation *member : group.members) {
    auto consumer = cast<linalg::LinalgOp>(member);
    for (unsigned loop = 0; loop < consumer.getNumLoops(); ++loop)
      classes.insert({member, loop});
    for (OpOperand &operand : consumer->getOpOperands()) {
      auto result = dyn_cast<OpResult>(operand.get());
      if (!result || !group.members.contains(result.getOwner()))
        continue;
      auto producer = cast<linalg::LinalgOp>(result.getOwner());
      AffineMap producerMap = producer.getIndexingMapMatchingResult(result);
      AffineMap consumerMap = consumer.getMatchingIndexingMap(&operand);
      for (auto [p, c] :
           llvm::zip(producerMap.getResults(), consumerMap.getResults())) {
        auto pDim = dyn_cast<AffineDimExpr>(p);
        auto cDim = dyn_cast<AffineDimExpr>(c);
        if (pDim && cDim)
          classes.unionSets({producer, pDim.getPosition()},
                            {consumer, cDim.getPosition()});
      }
    }
  }
  // Members that read the same outside tensor index its dims with the same
  // loops (softmax's max and sum both walk the rows of x).
  llvm::DenseMap<std::pair<Value, unsigned>, OpLoop> firstReader;
  for (Operation *member : group.members) {
    auto op = cast<linalg::LinalgOp>(member);
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value value = input->get();
      if (value.getDefiningOp() &&
          group.members.contains(value.getDefiningOp()))
        continue;
      AffineMap map = op.getMatchingIndexingMap(input);
      for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
        auto loop = dyn_cast<AffineDimExpr>(expr);
        if (!loop)
          continue;
        OpLoop mine = {member, loop.getPosition()};
        auto [it, inserted] =
            firstReader.try_emplace({value, unsigned(dim)}, mine);
        if (!inserted)
          classes.unionSets(it->second, mine);
      }
    }
  }
  return classes;
}

LogicalResult TileLinalgPass::chooseTiles(Group &group, TargetAttr target,
                                          SmallVectorImpl<int64_t> &rootTiles,
                                          AnchorTiles &anchorTiles) {
  linalg::LinalgOp root = group.root, anchor = group.anchor;
  llvm::EquivalenceClasses<OpLoop> classes = getLoopClasses(group);
  SmallVector<int64_t> rootRanges = getRanges(root);
  int64_t numRootLoops = rootRanges.size();

  // Root loops that some member reduces over stay whole.
  SmallVector<bool> tileable(numRootLoops, false);
  SmallVector<utils::IteratorType> rootIterators = root.getIteratorTypesArray();
  for (int64_t loop = 0; loop < numRootLoops; ++loop) {
    if (rootIterators[loop] != utils::IteratorType::parallel)
      continue;
    OpLoop key = {root, loop};
    bool reduced = false;
    for (auto it = classes.findLeader(key); it != classes.member_end(); ++it) {
      auto member = cast<linalg::LinalgOp>(it->first);
      if (member.getIteratorTypesArray()[it->second] !=
          utils::IteratorType::parallel)
        reduced = true;
    }
    tileable[loop] = !reduced;
  }

  // The anchor's own tiles.
  int64_t anchorLoops = anchor.getNumLoops();
  if (!tileSizes.empty()) {
    SmallVector<utils::IteratorType> iterators = anchor.getIteratorTypesArray();
    anchorTiles.parallel.assign(anchorLoops, 0);
    anchorTiles.reduction.assign(anchorLoops, 0);
    for (int64_t loop = 0;
         loop < anchorLoops && loop < int64_t(tileSizes.size()); ++loop) {
      int64_t tile = tileSizes[loop];
      if (tile < 0 || (tile > 0 && getRanges(anchor)[loop] % tile != 0))
        return anchor->emitError()
               << "tile size " << tile << " does not divide loop " << loop
               << " of range " << getRanges(anchor)[loop];
      if (iterators[loop] == utils::IteratorType::parallel)
        anchorTiles.parallel[loop] = tile;
      else
        anchorTiles.reduction[loop] = tile;
    }
    for (unsigned w : getWindowLoops(anchor))
      anchorTiles.reduction[w] = 1;
  } else if (isHeavy(anchor)) {
    anchorTiles = chooseContractionTiles(anchor, group, target, sramFraction);
  } else {
    anchorTiles.parallel.assign(anchorLoops, 0);
    anchorTiles.reduction.assign(anchorLoops, 0);
  }

  bool contraction = isHeavy(anchor) && succeeded(getContractionDims(anchor));
  if (contraction || !tileSizes.empty()) {
    // Root loops take the tile of the anchor loop they correspond to.
    rootTiles.assign(numRootLoops, 0);
    for (int64_t loop = 0; loop < numRootLoops; ++loop) {
      if (!tileable[loop])
        continue;
      OpLoop key = {root, loop};
      for (auto it = classes.findLeader(key); it != classes.member_end(); ++it)
        if (it->first == anchor.getOperation())
          rootTiles[loop] = anchorTiles.parallel[it->second];
    }
    return success();
  }

  // Elementwise work, reductions and non-contraction windows: as many points
  // as fit the budget, whole innermost loops first, and at least one tile
  // per core where the shape allows.
  int64_t budget = int64_t(double(target.getSramBytes()) * sramFraction) /
                   (2 * getBytesPerPoint(group));
  int64_t fixedPoints = 1;
  SmallVector<int64_t> tileableSizes;
  SmallVector<int64_t> tileableLoops;
  for (int64_t loop = 0; loop < numRootLoops; ++loop) {
    if (tileable[loop]) {
      tileableSizes.push_back(rootRanges[loop]);
      tileableLoops.push_back(loop);
    } else {
      fixedPoints *= rootRanges[loop];
    }
  }
  // Reduced loops of members that do not reach the root count as well.
  for (Operation *member : group.members) {
    auto op = cast<linalg::LinalgOp>(member);
    SmallVector<int64_t> ranges = getRanges(op);
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    for (unsigned loop = 0; loop < ranges.size(); ++loop) {
      if (iterators[loop] != utils::IteratorType::reduction)
        continue;
      OpLoop key = {member, loop};
      bool reachesRoot = false;
      for (auto it = classes.findLeader(key); it != classes.member_end(); ++it)
        reachesRoot |= it->first == root.getOperation();
      if (!reachesRoot)
        fixedPoints = std::max(fixedPoints, ranges[loop]);
    }
  }
  int64_t points = budget / fixedPoints;
  // A tile that fits only single-buffered is still a tile: gaon-double-buffer
  // keeps a buffer single when its second copy does not fit.
  if (points < 1)
    points = 2 * budget / fixedPoints;
  if (points < 1)
    return root->emitError()
           << "a tile of this op needs " << fixedPoints
           << " points along the loops it cannot split, "
           << fixedPoints * getBytesPerPoint(group)
           << " bytes of SRAM even single-buffered; target '"
           << target.getName() << "' offers "
           << int64_t(double(target.getSramBytes()) * sramFraction)
           << " (sram-fraction of " << target.getSramBytes() << ")";
  int64_t total = product(tileableSizes);
  if (total >= target.getCores())
    points = std::min(points, std::max<int64_t>(total / target.getCores(), 1));
  SmallVector<int64_t> tiles = fillInnermostFirst(tileableSizes, points);
  rootTiles.assign(numRootLoops, 0);
  for (auto [loop, tile] : llvm::zip(tileableLoops, tiles))
    rootTiles[loop] = tile;
  // A root with nothing to split still gets one tile loop iteration.
  if (tileableLoops.empty()) {
    for (int64_t loop = 0; loop < numRootLoops; ++loop)
      if (rootIterators[loop] == utils::IteratorType::parallel) {
        rootTiles[loop] = rootRanges[loop];
        break;
      }
  }
  // A window anchor that is not a contraction keeps its window loops.
  if (isHeavy(anchor))
    for (unsigned w : getWindowLoops(anchor))
      anchorTiles.reduction[w] = 1;
  return success();
}

/// Rewrites a window op whose window loops all have range 1 as a
/// linalg.generic over the remaining loops that reads strided slices of its
/// input (a "tap").
static FailureOr<linalg::GenericOp> rewriteAsTap(RewriterBase &rewriter,
                                                 linalg::LinalgOp op) {
  SmallVector<unsigned> window = getWindowLoops(op);
  SmallVector<int64_t> ranges = getRanges(op);
  for (unsigned w : window)
    if (ranges[w] != 1)
      return failure();
  int64_t numLoops = ranges.size();
  SmallVector<int64_t> newLoop(numLoops, -1);
  SmallVector<utils::IteratorType> iterators;
  SmallVector<utils::IteratorType> oldIterators = op.getIteratorTypesArray();
  for (int64_t loop = 0, next = 0; loop < numLoops; ++loop) {
    if (llvm::is_contained(window, loop))
      continue;
    newLoop[loop] = next++;
    iterators.push_back(oldIterators[loop]);
  }
  MLIRContext *context = op.getContext();
  unsigned numNewLoops = iterators.size();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<unsigned> droppedArgs;
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (!op.payloadUsesValueFromOperand(input)) {
      droppedArgs.push_back(input->getOperandNumber());
      continue;
    }
    AffineMap map = op.getMatchingIndexingMap(input);
    auto type = cast<RankedTensorType>(input->get().getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    SmallVector<AffineExpr> results;
    SmallVector<int64_t> keptShape;
    bool needsSlice = false;
    for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
      std::optional<LinearIndex> index = decomposeIndex(expr);
      if (!index)
        return failure();
      std::optional<std::pair<unsigned, int64_t>> sliding;
      for (auto term : index->terms)
        if (!llvm::is_contained(window, term.first))
          sliding = term;
      offsets.push_back(rewriter.getIndexAttr(index->constant));
      if (!sliding) {
        sizes.push_back(rewriter.getIndexAttr(1));
        strides.push_back(rewriter.getIndexAttr(1));
        needsSlice = true;
        continue;
      }
      int64_t size = ranges[sliding->first];
      sizes.push_back(rewriter.getIndexAttr(size));
      strides.push_back(rewriter.getIndexAttr(sliding->second));
      keptShape.push_back(size);
      results.push_back(getAffineDimExpr(newLoop[sliding->first], context));
      needsSlice |= sliding->second != 1 || index->constant != 0 ||
                    size != type.getDimSize(dim);
    }
    Value value = input->get();
    if (needsSlice) {
      auto sliceType = RankedTensorType::get(keptShape, type.getElementType());
      value = tensor::ExtractSliceOp::create(rewriter, loc, sliceType, value,
                                             offsets, sizes, strides);
    }
    inputs.push_back(value);
    maps.push_back(AffineMap::get(numNewLoops, 0, results, context));
  }
  SmallVector<Value> inits;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    SmallVector<AffineExpr> results;
    for (AffineExpr expr : map.getResults())
      results.push_back(getAffineDimExpr(
          newLoop[cast<AffineDimExpr>(expr).getPosition()], context));
    inits.push_back(init.get());
    maps.push_back(AffineMap::get(numNewLoops, 0, results, context));
  }
  auto tap = linalg::GenericOp::create(rewriter, loc, op->getResultTypes(),
                                       inputs, inits, maps, iterators);
  rewriter.cloneRegionBefore(op->getRegion(0), tap.getRegion(),
                             tap.getRegion().end());
  Block &body = tap.getRegion().front();
  for (unsigned arg : llvm::reverse(droppedArgs))
    body.eraseArgument(arg);
  rewriter.replaceOp(op, tap->getResults());
  return tap;
}

/// Sums the `npu.cost` fields of the members of `group` (an empty
/// dictionary if none has one). The bound is the larger of the summed
/// compute and memory cycles.
static DictionaryAttr sumCosts(const Group &group) {
  MLIRContext *context = group.root->getContext();
  llvm::StringMap<int64_t> totals;
  bool any = false;
  for (Operation *member : group.members) {
    auto cost =
        member->getAttrOfType<DictionaryAttr>(NPUDialect::kCostAttrName);
    if (!cost)
      continue;
    any = true;
    for (NamedAttribute field : cost)
      if (auto count = dyn_cast<IntegerAttr>(field.getValue()))
        totals[field.getName()] += count.getInt();
  }
  Builder b(context);
  if (!any)
    return b.getDictionaryAttr({});
  SmallVector<NamedAttribute> fields;
  for (StringRef key : {"flops", "bytes", "compute_cycles", "memory_cycles"})
    if (totals.count(key))
      fields.push_back(b.getNamedAttr(key, b.getI64IntegerAttr(totals[key])));
  int64_t flops = totals.lookup("flops"), bytes = totals.lookup("bytes");
  fields.push_back(b.getNamedAttr(
      "intensity", b.getF64FloatAttr(bytes ? double(flops) / bytes : 0.0)));
  if (totals.count("compute_cycles")) {
    int64_t compute = totals["compute_cycles"],
            memory = totals["memory_cycles"];
    fields.push_back(b.getNamedAttr(
        "roofline_cycles", b.getI64IntegerAttr(std::max(compute, memory))));
    fields.push_back(b.getNamedAttr(
        "bound", b.getStringAttr(compute >= memory ? "compute" : "memory")));
  }
  return b.getDictionaryAttr(fields);
}

/// Erases the unused slices tile-and-fuse leaves in and before `forall`.
static void eraseDeadSlices(RewriterBase &rewriter, scf::ForallOp forall) {
  SmallVector<Operation *> slices;
  forall.getBody()->walk(
      [&](tensor::ExtractSliceOp slice) { slices.push_back(slice); });
  for (Operation *slice : llvm::reverse(slices))
    if (slice->use_empty())
      rewriter.eraseOp(slice);
}

LogicalResult TileLinalgPass::tileInsideTile(RewriterBase &rewriter,
                                             scf::ForallOp tile,
                                             const AnchorTiles &anchorTiles,
                                             linalg::LinalgOp anchor) {
  SmallVector<linalg::LinalgOp> heavyOps;
  tile.getBody()->walk([&](linalg::LinalgOp op) {
    if (isHeavy(op))
      heavyOps.push_back(op);
  });
  for (linalg::LinalgOp op : heavyOps) {
    // The tiled anchor keeps the anchor's loop structure.
    if (op.getNumLoops() != anchor.getNumLoops())
      return op->emitError() << "unexpected loop structure after tiling";
    SmallVector<OpFoldResult> sizes;
    bool any = false;
    SmallVector<int64_t> ranges = getRanges(op);
    for (auto [loop, size] : llvm::enumerate(anchorTiles.reduction)) {
      bool split = size > 0 && size < ranges[loop];
      sizes.push_back(rewriter.getIndexAttr(split ? size : 0));
      any |= split;
    }
    linalg::LinalgOp innermost = op;
    if (any) {
      scf::SCFTilingOptions options;
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
      options.setTileSizes(sizes);
      SmallVector<unsigned> reductionDims;
      for (auto [loop, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
        if (iterator == utils::IteratorType::reduction &&
            anchorTiles.reduction[loop] > 0)
          reductionDims.push_back(loop);
      options.setReductionDims(reductionDims);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        return op->emitError() << "failed to tile the reduction loops";
      rewriter.replaceOp(op, tiled->replacements);
      innermost = cast<linalg::LinalgOp>(tiled->tiledOps.back());
    }
    if (classifyLinalgOp(innermost) == LinalgOpClass::Window) {
      if (failed(rewriteAsTap(rewriter, innermost)))
        return innermost->emitError()
               << "cannot rewrite the window as strided taps";
      ++numTaps;
    }
  }
  return success();
}

LogicalResult TileLinalgPass::tileGroup(RewriterBase &rewriter, Group &group,
                                        TargetAttr target) {
  SmallVector<int64_t> rootTiles;
  AnchorTiles anchorTiles;
  if (failed(chooseTiles(group, target, rootTiles, anchorTiles)))
    return failure();

  scf::SCFTilingOptions tilingOptions;
  tilingOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  SmallVector<OpFoldResult> sizes;
  for (int64_t tile : rootTiles)
    sizes.push_back(rewriter.getIndexAttr(tile));
  tilingOptions.setTileSizes(sizes);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tilingOptions);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (group.members.contains(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });

  rewriter.setInsertionPoint(group.root);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(group.root.getOperation()), options);
  if (failed(result))
    return group.root->emitError() << "failed to tile and fuse";
  for (OpResult rootResult : group.root->getResults())
    if (Value replacement = result->replacements.lookup(rootResult))
      rewriter.replaceAllUsesWith(rootResult, replacement);
  numFused += result->fusedProducers.size();

  if (result->loops.empty())
    return group.root->emitError() << "tiling produced no tile loop";
  auto forall = dyn_cast<scf::ForallOp>(result->loops.front().getOperation());
  if (!forall)
    return group.root->emitError() << "tiling produced no scf.forall";

  // Name every op of the tile after the source op whose location it has,
  // so the commands made from it map back to "linalg.matmul at file:line".
  llvm::DenseMap<Location, StringAttr> sourceNames;
  for (Operation *member : group.members)
    sourceNames.try_emplace(member->getLoc(),
                            member->getName().getIdentifier());
  forall->walk([&](Operation *op) {
    if (isa<NameLoc>(op->getLoc()))
      return;
    if (StringAttr name = sourceNames.lookup(op->getLoc()))
      op->setLoc(NameLoc::get(name, op->getLoc()));
  });

  // The group's roofline cost moves to its tile loop: on the tiled ops
  // inside, the whole ops' figures would mislead.
  forall->setAttr(NPUDialect::kCostAttrName, sumCosts(group));
  forall.getBody()->walk(
      [](Operation *op) { op->removeAttr(NPUDialect::kCostAttrName); });

  // Producers fused for several consumers are computed once per tile.
  DominanceInfo dominance;
  eliminateCommonSubExpressions(rewriter, dominance, forall);

  // The members are dead once the slices that fusion left behind are gone.
  eraseDeadSlices(rewriter, forall);
  SmallVector<Operation *> dead(group.members.begin(), group.members.end());
  for (bool progress = true; progress;) {
    progress = false;
    for (Operation *&member : dead) {
      if (member && member->use_empty()) {
        rewriter.eraseOp(member);
        member = nullptr;
        progress = true;
      }
    }
  }
  std::optional<SmallVector<int64_t>> bounds =
      getConstantIntValues(forall.getMixedUpperBound());
  if (bounds)
    numTiles += product(*bounds);
  return tileInsideTile(rewriter, forall, anchorTiles, group.anchor);
}

void TileLinalgPass::runOnOperation() {
  func::FuncOp func = getOperation();
  TargetAttr target = TargetAttr::lookup(func);
  if (!target) {
    func.emitError() << "gaon-tile-linalg needs an #npu.target in scope (set "
                        "npu.target on the module)";
    return signalPassFailure();
  }
  if (sramFraction <= 0.0 || sramFraction > 1.0) {
    func.emitError() << "sram-fraction must be in (0, 1], got " << sramFraction;
    return signalPassFailure();
  }

  SmallVector<linalg::LinalgOp> ops;
  for (Operation &op : func.getBody().getOps())
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      if (linalgOp.hasPureTensorSemantics())
        ops.push_back(linalgOp);

  // Form groups from the last op backwards.
  SmallVector<Group> groups;
  llvm::DenseSet<Operation *> grouped;
  for (linalg::LinalgOp op : llvm::reverse(ops)) {
    if (grouped.contains(op))
      continue;
    Group group;
    group.root = op;
    group.members.insert(op);
    grouped.insert(op);
    SmallVector<Operation *> worklist = {op};
    while (!worklist.empty()) {
      Operation *member = worklist.pop_back_val();
      for (Value operand : member->getOperands()) {
        auto producer = operand.getDefiningOp<linalg::LinalgOp>();
        if (!fuse || !producer || grouped.contains(producer) ||
            producer->getBlock() != member->getBlock() ||
            !canJoin(producer, group))
          continue;
        group.members.insert(producer);
        grouped.insert(producer);
        worklist.push_back(producer);
      }
    }
    group.anchor = group.root;
    for (Operation *member : group.members)
      if (isHeavy(cast<linalg::LinalgOp>(member)))
        group.anchor = cast<linalg::LinalgOp>(member);
    groups.push_back(std::move(group));
  }

  IRRewriter rewriter(&getContext());
  for (Group &group : groups) {
    if (failed(tileGroup(rewriter, group, target)))
      return signalPassFailure();
    ++numGroups;
  }
}
