//===- OutlineKernels.cpp - form and outline GPU kernels ------------------===//

#include "gaon/GPU/Passes.h"

#include "KernelAnalysis.h"

#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace gaon::gpu {
#define GEN_PASS_DEF_GPUOUTLINEKERNELS
#include "gaon/GPU/Passes.h.inc"
} // namespace gaon::gpu

using namespace mlir;
using gaon::gpu::KernelKind;

namespace {

/// Ops fused into one kernel, in block order; `root` names the kernel.
struct KernelGroup {
  KernelKind kind;
  Operation *root;
  SmallVector<Operation *> ops;
};

/// Forms the kernels of one function and outlines them.
class FunctionOutliner {
public:
  FunctionOutliner(func::FuncOp func, SymbolTable &symbols)
      : func(func), symbols(symbols) {}

  LogicalResult run();

  int64_t numFused = 0;
  SmallVector<KernelKind> outlinedKinds;

private:
  LogicalResult checkSupported();
  void duplicateSharedFills();
  void duplicateSharedEmpties();
  void formContractionGroups();
  void formRowGroups();
  void formLoopGroups();
  bool dependsOnGroup(Value value, unsigned groupIndex,
                      DenseMap<Operation *, bool> &memo);
  void addToGroup(unsigned groupIndex, Operation *op);
  void addInitFill(unsigned groupIndex, linalg::LinalgOp op);
  LogicalResult outline(const KernelGroup &group, unsigned index);

  func::FuncOp func;
  SymbolTable &symbols;
  SmallVector<KernelGroup> groups;
  DenseMap<Operation *, unsigned> groupOf;
};

} // namespace

LogicalResult FunctionOutliner::checkSupported() {
  if (!func.getBody().hasOneBlock())
    return func.emitError("the GPU path needs single-block functions");
  WalkResult result = func.walk([&](Operation *op) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (op->getParentOp() != func) {
        op->emitError("the GPU path needs linalg ops at function level");
        return WalkResult::interrupt();
      }
      if (!linalgOp.hasPureTensorSemantics()) {
        op->emitError("the GPU path takes linalg on tensors, not buffers");
        return WalkResult::interrupt();
      }
      for (Value operand : op->getOperands()) {
        auto shaped = dyn_cast<ShapedType>(operand.getType());
        if (shaped && !shaped.hasStaticShape()) {
          op->emitError("the GPU path needs static shapes, got ")
              << operand.getType();
          return WalkResult::interrupt();
        }
      }
      return WalkResult::skip();
    }
    if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
      if (!empty.getType().hasStaticShape()) {
        op->emitError("the GPU path needs static shapes, got ")
            << empty.getType();
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// Gives every use of a `linalg.fill` its own copy, so each kernel owns the
/// fill of its accumulator.
void FunctionOutliner::duplicateSharedFills() {
  SmallVector<linalg::FillOp> fills(
      func.getBody().front().getOps<linalg::FillOp>());
  for (linalg::FillOp fill : fills) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : fill->getResult(0).getUses())
      uses.push_back(&use);
    for (OpOperand *use : llvm::drop_begin(uses)) {
      OpBuilder b(fill);
      use->set(b.clone(*fill)->getResult(0));
    }
  }
}

/// Gives every use of a `tensor.empty` its own copy, so each output of a
/// kernel starts from a tensor.empty nothing else uses.
void FunctionOutliner::duplicateSharedEmpties() {
  SmallVector<tensor::EmptyOp> empties(
      func.getBody().front().getOps<tensor::EmptyOp>());
  for (tensor::EmptyOp empty : empties) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : empty->getResult(0).getUses())
      uses.push_back(&use);
    for (OpOperand *use : llvm::drop_begin(uses)) {
      OpBuilder b(empty);
      use->set(b.clone(*empty)->getResult(0));
    }
  }
}

void FunctionOutliner::addToGroup(unsigned groupIndex, Operation *op) {
  groups[groupIndex].ops.push_back(op);
  groupOf[op] = groupIndex;
}

/// Adds the `linalg.fill` producing the init of `op` to its group when the
/// fill has no other user.
void FunctionOutliner::addInitFill(unsigned groupIndex, linalg::LinalgOp op) {
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto fill = init.get().getDefiningOp<linalg::FillOp>();
    if (fill && fill->hasOneUse() && !groupOf.count(fill))
      addToGroup(groupIndex, fill);
  }
}

bool FunctionOutliner::dependsOnGroup(Value value, unsigned groupIndex,
                                      DenseMap<Operation *, bool> &memo) {
  Operation *def = value.getDefiningOp();
  if (!def || def->getParentOp() != func)
    return false;
  auto it = memo.find(def);
  if (it != memo.end())
    return it->second;
  memo[def] = false;
  bool depends = false;
  auto member = groupOf.find(def);
  if (member != groupOf.end() && member->second == groupIndex) {
    depends = true;
  } else {
    for (Value operand : def->getOperands())
      if (dependsOnGroup(operand, groupIndex, memo)) {
        depends = true;
        break;
      }
  }
  memo[def] = depends;
  return depends;
}

void FunctionOutliner::formContractionGroups() {
  for (Operation &op : func.getBody().front()) {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
    if (!linalgOp || groupOf.count(&op) ||
        !gaon::gpu::isContractionRoot(linalgOp))
      continue;
    unsigned index = groups.size();
    groups.push_back({KernelKind::Contraction, &op, {}});
    addInitFill(index, linalgOp);
    addToGroup(index, &op);
    // The chain of single-use elementwise consumers over the same domain
    // becomes the epilogue.
    Value current = op.getResult(0);
    auto type = cast<RankedTensorType>(current.getType());
    while (current.hasOneUse()) {
      OpOperand &use = *current.getUses().begin();
      auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
      if (!user || groupOf.count(user) || user->getNumResults() != 1 ||
          !gaon::gpu::isAllParallel(user) ||
          user.getNumLoops() != static_cast<unsigned>(type.getRank()) ||
          !user.isDpsInput(&use) ||
          !user.getMatchingIndexingMap(&use).isIdentity() ||
          user.getStaticLoopRanges() != SmallVector<int64_t>(type.getShape()))
        break;
      bool identityOutputs = true;
      for (OpOperand &init : user.getDpsInitsMutable())
        identityOutputs &= user.getMatchingIndexingMap(&init).isIdentity();
      if (!identityOutputs)
        break;
      addToGroup(index, user);
      ++numFused;
      current = user->getResult(0);
    }
  }
}

void FunctionOutliner::formRowGroups() {
  Block &body = func.getBody().front();
  for (Operation &op : body) {
    auto reduction = dyn_cast<linalg::GenericOp>(&op);
    if (!reduction || groupOf.count(&op))
      continue;
    std::optional<gaon::gpu::RowDomain> domain =
        gaon::gpu::getRowReductionDomain(reduction);
    if (!domain)
      continue;
    unsigned index = groups.size();
    groups.push_back({KernelKind::Reduction, &op, {}});
    addInitFill(index, reduction);
    addToGroup(index, &op);
    DenseMap<Operation *, gaon::gpu::RowOpClass> classes;
    classes[&op] = gaon::gpu::RowOpClass::Reduction;

    // Later ops on the same rows that read a value of the group join it, as
    // long as none of their other inputs depends on the group (which would
    // need a second kernel in between).
    for (Operation *next = op.getNextNode(); next; next = next->getNextNode()) {
      auto generic = dyn_cast<linalg::GenericOp>(next);
      if (!generic || groupOf.count(next))
        continue;
      std::optional<gaon::gpu::RowOpClass> cls =
          gaon::gpu::classifyRowOp(generic, *domain);
      if (!cls)
        continue;
      bool readsGroup = false, valid = true;
      DenseMap<Operation *, bool> memo;
      for (OpOperand *input : generic.getDpsInputOperands()) {
        Operation *def = input->get().getDefiningOp();
        auto member = def ? classes.find(def) : classes.end();
        if (member != classes.end()) {
          readsGroup = true;
          valid &= gaon::gpu::isValidRowAccess(
              member->second, *cls, generic.getMatchingIndexingMap(input),
              *domain);
        } else if (dependsOnGroup(input->get(), index, memo)) {
          valid = false;
        }
      }
      for (OpOperand &init : generic.getDpsInitsMutable())
        if (dependsOnGroup(init.get(), index, memo))
          valid = false;
      if (!readsGroup || !valid)
        continue;
      addInitFill(index, generic);
      addToGroup(index, next);
      classes[next] = *cls;
      ++numFused;
    }
  }
}

void FunctionOutliner::formLoopGroups() {
  for (Operation &op : func.getBody().front()) {
    if (!isa<linalg::LinalgOp>(op) || groupOf.count(&op))
      continue;
    unsigned index = groups.size();
    groups.push_back({KernelKind::Loop, &op, {}});
    if (!isa<linalg::FillOp>(op))
      addInitFill(index, cast<linalg::LinalgOp>(op));
    addToGroup(index, &op);
  }
}

LogicalResult FunctionOutliner::run() {
  if (failed(checkSupported()))
    return failure();
  duplicateSharedFills();
  duplicateSharedEmpties();
  formContractionGroups();
  formRowGroups();
  formLoopGroups();
  for (KernelGroup &group : groups)
    llvm::sort(group.ops, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
  for (auto [index, group] : llvm::enumerate(groups))
    if (failed(outline(group, index)))
      return failure();
  if (!sortTopologically(&func.getBody().front()))
    return func.emitError("kernels of this function form a cycle");
  // The empties and constants the kernels took over.
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
    if (isa<tensor::EmptyOp, arith::ConstantOp>(op) && op.use_empty())
      op.erase();
  return success();
}

/// Returns the tensor.empty a DPS init starts from, looking through fills.
static tensor::EmptyOp getRootEmpty(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    init = fill.getDpsInitOperand(0)->get();
  return init.getDefiningOp<tensor::EmptyOp>();
}

LogicalResult FunctionOutliner::outline(const KernelGroup &group,
                                        unsigned index) {
  llvm::SmallPtrSet<Operation *, 8> members(group.ops.begin(), group.ops.end());
  auto isMember = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return def && members.contains(def);
  };

  // Outputs: results used outside the kernel; each is written into a fresh
  // buffer passed by the caller in place of the tensor.empty it starts from.
  SmallVector<Value> outputs;
  DenseMap<Value, unsigned> outputOfEmpty;
  for (Operation *op : group.ops) {
    for (OpResult result : op->getResults()) {
      bool usedOutside = llvm::any_of(result.getUsers(), [&](Operation *u) {
        return !members.contains(u);
      });
      if (!usedOutside)
        continue;
      auto dps = cast<DestinationStyleOpInterface>(op);
      tensor::EmptyOp empty =
          getRootEmpty(dps.getDpsInitOperand(result.getResultNumber())->get());
      if (!empty || outputOfEmpty.count(empty.getResult()))
        return op->emitError("GPU kernel output must start from its own "
                             "tensor.empty (run gaon-gpu-prepare-graph)");
      outputOfEmpty[empty.getResult()] = outputs.size();
      outputs.push_back(result);
    }
  }

  // Inputs: values from outside the kernel, except empties and constants,
  // which are recreated inside (an empty once per use, so that
  // bufferisation gives every intermediate its own buffer).
  llvm::SetVector<Value> inputs;
  SmallVector<Operation *> cloneInside;
  llvm::SmallPtrSet<Operation *, 8> cloned;
  auto visitOperand = [&](Value v) -> LogicalResult {
    if (isMember(v) || outputOfEmpty.count(v))
      return success();
    Operation *def = v.getDefiningOp();
    if (def && isa<tensor::EmptyOp>(def))
      return success();
    if (def && isa<arith::ConstantOp>(def)) {
      if (cloned.insert(def).second)
        cloneInside.push_back(def);
      return success();
    }
    if (!isa<RankedTensorType>(v.getType()))
      return group.root->emitError("GPU kernels take tensors and constants; "
                                   "cannot pass ")
             << v.getType();
    inputs.insert(v);
    return success();
  };
  for (Operation *op : group.ops) {
    for (Value operand : op->getOperands())
      if (failed(visitOperand(operand)))
        return failure();
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    for (Value v : captured)
      if (failed(visitOperand(v)))
        return failure();
  }

  // The kernel function.
  MLIRContext *ctx = func.getContext();
  SmallVector<Type> argTypes, resultTypes;
  for (Value v : inputs)
    argTypes.push_back(v.getType());
  for (Value v : outputs) {
    argTypes.push_back(v.getType());
    resultTypes.push_back(v.getType());
  }
  OpBuilder moduleBuilder(func);
  std::string name = (func.getSymName() + "_k" + std::to_string(index)).str();
  auto kernel =
      func::FuncOp::create(moduleBuilder, group.root->getLoc(), name,
                           FunctionType::get(ctx, argTypes, resultTypes));
  kernel.setPrivate();
  symbols.insert(kernel);
  int64_t flops = 0, bytes = 0;
  for (Operation *op : group.ops)
    flops += gaon::gpu::countFlops(cast<linalg::LinalgOp>(op));
  for (Type t : argTypes)
    bytes += gaon::gpu::getTypeBytes(t);
  kernel->setAttr(gaon::gpu::kKernelKindAttrName,
                  StringAttr::get(ctx, stringifyKernelKind(group.kind)));
  kernel->setAttr(gaon::gpu::kKernelSourceAttrName,
                  StringAttr::get(ctx, group.root->getName().getStringRef()));
  kernel->setAttr(gaon::gpu::kKernelFlopsAttrName,
                  IntegerAttr::get(IntegerType::get(ctx, 64), flops));
  kernel->setAttr(gaon::gpu::kKernelBytesAttrName,
                  IntegerAttr::get(IntegerType::get(ctx, 64), bytes));

  Block *entry = kernel.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  for (auto [i, v] : llvm::enumerate(inputs))
    mapping.map(v, entry->getArgument(i));
  for (auto [empty, outIndex] : outputOfEmpty)
    mapping.map(empty, entry->getArgument(inputs.size() + outIndex));
  for (Operation *op : cloneInside)
    b.clone(*op, mapping);
  for (Operation *op : group.ops) {
    // A fresh tensor.empty for each op's intermediate inits.
    SmallVector<Value> freshEmpties;
    for (Value operand : op->getOperands()) {
      auto empty = operand.getDefiningOp<tensor::EmptyOp>();
      if (!empty || mapping.contains(operand))
        continue;
      mapping.map(operand, b.clone(*empty)->getResult(0));
      freshEmpties.push_back(operand);
    }
    b.clone(*op, mapping);
    for (Value v : freshEmpties)
      mapping.erase(v);
  }
  SmallVector<Value> returned;
  for (Value v : outputs)
    returned.push_back(mapping.lookup(v));
  func::ReturnOp::create(b, group.root->getLoc(), returned);

  // The call, with a fresh tensor.empty per output.
  OpBuilder hostBuilder(group.ops.back());
  SmallVector<Value> operands(inputs.begin(), inputs.end());
  for (Value v : outputs) {
    auto type = cast<RankedTensorType>(v.getType());
    operands.push_back(
        tensor::EmptyOp::create(hostBuilder, group.root->getLoc(),
                                type.getShape(), type.getElementType()));
  }
  auto call =
      func::CallOp::create(hostBuilder, group.root->getLoc(), kernel, operands);
  for (auto [v, r] : llvm::zip_equal(outputs, call.getResults()))
    v.replaceAllUsesWith(r);
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
  outlinedKinds.push_back(group.kind);
  return success();
}

namespace {
struct GpuOutlineKernelsPass
    : public gaon::gpu::impl::GpuOutlineKernelsBase<GpuOutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> hosts;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isDeclaration() &&
          !func->hasAttr(gaon::gpu::kKernelKindAttrName))
        hosts.push_back(func);
    for (func::FuncOp func : hosts) {
      FunctionOutliner outliner(func, symbols);
      if (failed(outliner.run()))
        return signalPassFailure();
      numFusedOps += outliner.numFused;
      for (KernelKind kind : outliner.outlinedKinds) {
        ++numKernels;
        switch (kind) {
        case KernelKind::Contraction:
          ++numContraction;
          break;
        case KernelKind::Reduction:
          ++numReduction;
          break;
        case KernelKind::Loop:
          ++numLoop;
          break;
        }
      }
    }
  }
};
} // namespace
