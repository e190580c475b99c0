//===- Serialize.cpp - npu IR to the simulator's program ------------------===//

#include "gaon/Target/NPU/Serialize.h"

#include "gaon/Dialect/NPU/IR/NPUOps.h"
#include "gaon/Dialect/NPU/Transforms/Views.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace gaon;
using namespace gaon::npu;

/// Prints anything MLIR prints into a string.
template <typename T> static std::string toText(const T &value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value;
  return text;
}

namespace {

/// Walks the function in program order, unrolling loops, and builds the
/// program.
class Serializer {
public:
  explicit Serializer(func::FuncOp func) : func(func) {}

  FailureOr<CompiledProgram> run();

private:
  LogicalResult declareBuffers();
  LogicalResult emitBlock(Block &block);
  LogicalResult emitCommand(CommandOpInterface command);
  FailureOr<sim::View> getView(Operation *op, Value value);
  std::optional<int64_t> evaluate(Value value);
  uint32_t getDebugOp(Operation *op);
  FailureOr<sim::DType> getDType(Operation *op, Type type);

  func::FuncOp func;
  sim::ProgramBuilder builder;
  CompiledProgram result;
  llvm::DenseMap<Value, uint32_t> buffers;
  llvm::DenseMap<Value, uint32_t> semaphores;
  llvm::DenseMap<Value, int64_t> indices;
  llvm::DenseMap<Type, std::optional<sim::DType>> dtypes;
  llvm::StringMap<uint32_t> debugOps;
  /// The debug op of each (op name, location) seen, so that a location is
  /// printed once, not once per command.
  llvm::DenseMap<std::pair<const void *, const void *>, uint32_t>
      debugOpsBySource;
};

} // namespace

FailureOr<sim::DType> Serializer::getDType(Operation *op, Type type) {
  // Printing the type is what spells it; once per type, not per operand.
  auto [it, inserted] = dtypes.try_emplace(type);
  if (inserted)
    it->second = sim::symbolizeDType(toText(type));
  std::optional<sim::DType> dtype = it->second;
  if (!dtype)
    return op->emitError() << "element type " << type
                           << " has no NPU program spelling";
  return *dtype;
}

std::optional<int64_t> Serializer::evaluate(Value value) {
  if (auto it = indices.find(value); it != indices.end())
    return it->second;
  Operation *op = value.getDefiningOp();
  if (!op)
    return std::nullopt;
  if (std::optional<int64_t> constant = getConstantIntValue(value))
    return constant;
  auto operandValues = [&]() -> std::optional<SmallVector<int64_t>> {
    SmallVector<int64_t> values;
    for (Value operand : op->getOperands()) {
      std::optional<int64_t> v = evaluate(operand);
      if (!v)
        return std::nullopt;
      values.push_back(*v);
    }
    return values;
  };
  std::optional<SmallVector<int64_t>> args = operandValues();
  if (!args)
    return std::nullopt;
  auto applyMap = [&](AffineMap map) -> SmallVector<int64_t> {
    SmallVector<Attribute> attrs;
    Builder b(op->getContext());
    for (int64_t v : *args)
      attrs.push_back(b.getIndexAttr(v));
    SmallVector<Attribute> folded;
    SmallVector<int64_t> out;
    if (failed(map.constantFold(attrs, folded)))
      return out;
    for (Attribute attr : folded)
      out.push_back(cast<IntegerAttr>(attr).getInt());
    return out;
  };
  return llvm::TypeSwitch<Operation *, std::optional<int64_t>>(op)
      .Case<affine::AffineApplyOp>(
          [&](affine::AffineApplyOp apply) -> std::optional<int64_t> {
            SmallVector<int64_t> out = applyMap(apply.getAffineMap());
            if (out.size() != 1)
              return std::nullopt;
            return out.front();
          })
      .Case<affine::AffineMinOp>(
          [&](affine::AffineMinOp min) -> std::optional<int64_t> {
            SmallVector<int64_t> out = applyMap(min.getAffineMap());
            if (out.empty())
              return std::nullopt;
            return *llvm::min_element(out);
          })
      .Case<affine::AffineMaxOp>(
          [&](affine::AffineMaxOp max) -> std::optional<int64_t> {
            SmallVector<int64_t> out = applyMap(max.getAffineMap());
            if (out.empty())
              return std::nullopt;
            return *llvm::max_element(out);
          })
      .Case<arith::AddIOp>([&](auto) { return (*args)[0] + (*args)[1]; })
      .Case<arith::SubIOp>([&](auto) { return (*args)[0] - (*args)[1]; })
      .Case<arith::MulIOp>([&](auto) { return (*args)[0] * (*args)[1]; })
      .Case<arith::DivSIOp, arith::DivUIOp>(
          [&](auto) -> std::optional<int64_t> {
            if ((*args)[1] == 0)
              return std::nullopt;
            return (*args)[0] / (*args)[1];
          })
      .Case<arith::FloorDivSIOp>([&](auto) -> std::optional<int64_t> {
        if ((*args)[1] == 0)
          return std::nullopt;
        return llvm::divideFloorSigned((*args)[0], (*args)[1]);
      })
      .Case<arith::RemSIOp, arith::RemUIOp>(
          [&](auto) -> std::optional<int64_t> {
            if ((*args)[1] == 0)
              return std::nullopt;
            return (*args)[0] % (*args)[1];
          })
      .Case<arith::MinSIOp>(
          [&](auto) { return std::min((*args)[0], (*args)[1]); })
      .Case<arith::MaxSIOp>(
          [&](auto) { return std::max((*args)[0], (*args)[1]); })
      .Case<arith::IndexCastOp>([&](auto) { return (*args)[0]; })
      .Default([](Operation *) { return std::nullopt; });
}

LogicalResult Serializer::declareBuffers() {
  // Inputs: the memref arguments, in order.
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type)
      return func.emitError() << "argument " << arg.getArgNumber()
                              << " is not a memref; serialise after "
                                 "bufferization";
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return func.emitError() << "argument " << arg.getArgNumber()
                              << " must be a statically shaped memref with "
                                 "the identity layout, got "
                              << type;
    FailureOr<sim::DType> dtype = getDType(func, type.getElementType());
    if (failed(dtype))
      return failure();
    uint32_t id = builder.addBuffer(
        "arg" + std::to_string(arg.getArgNumber()), sim::BufferRole::Input,
        result.inputs.size(), *dtype, type.getShape());
    buffers[arg] = id;
    result.inputs.push_back(id);
  }
  // Outputs: the returned buffers, in order.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto type = dyn_cast<MemRefType>(value.getType());
    FailureOr<ResolvedView> view = resolveView(value);
    if (!type || failed(view) || !view->root.getDefiningOp<memref::AllocOp>() ||
        view->offset != 0 ||
        ArrayRef<int64_t>(view->strides) !=
            ArrayRef<int64_t>(sim::getContiguousStrides(type.getShape())) ||
        cast<MemRefType>(view->root.getType()).getNumElements() !=
            type.getNumElements())
      return ret.emitError()
             << "result " << index
             << " must be a whole buffer the function allocates (it is not "
                "an argument, a global or a strided view)";
    if (buffers.count(view->root))
      return ret.emitError()
             << "result " << index << " returns a buffer returned before";
    FailureOr<sim::DType> dtype = getDType(ret, type.getElementType());
    if (failed(dtype))
      return failure();
    uint32_t id = builder.addBuffer("result" + std::to_string(index),
                                    sim::BufferRole::Output, index, *dtype,
                                    type.getShape());
    buffers[view->root] = id;
    result.outputs.push_back(id);
  }
  // Scratch allocations and globals, in program order.
  uint32_t scratch = 0;
  WalkResult walk = func.walk([&](Operation *op) -> WalkResult {
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      if (getMemorySpace(type) == MemorySpace::Sram)
        return op->emitError() << "SRAM buffer has no address; run "
                                  "gaon-allocate-sram first";
      if (buffers.count(alloc) || alloc->use_empty())
        return WalkResult::advance();
      if (!type.hasStaticShape())
        return op->emitError() << "DRAM buffers need static shapes";
      FailureOr<sim::DType> dtype = getDType(op, type.getElementType());
      if (failed(dtype))
        return WalkResult::interrupt();
      buffers[alloc] = builder.addBuffer("scratch" + std::to_string(scratch++),
                                         sim::BufferRole::Scratch, 0, *dtype,
                                         type.getShape());
      return WalkResult::advance();
    }
    if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
      auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
          op, get.getNameAttr());
      MemRefType type = get.getType();
      if (!global || !type.hasStaticShape())
        return op->emitError() << "global '" << get.getName()
                               << "' must exist and have a static shape";
      FailureOr<sim::DType> dtype = getDType(op, type.getElementType());
      if (failed(dtype))
        return WalkResult::interrupt();
      uint32_t id = builder.addBuffer(get.getName(), sim::BufferRole::Weight, 0,
                                      *dtype, type.getShape());
      buffers[get] = id;
      if (auto initial =
              dyn_cast_or_null<ElementsAttr>(global.getInitialValueAttr()))
        result.constants.push_back({id, initial});
      return WalkResult::advance();
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

uint32_t Serializer::getDebugOp(Operation *op) {
  Location loc = op->getLoc();
  std::pair<const void *, const void *> source = {
      op->getName().getAsOpaquePointer(), loc.getAsOpaquePointer()};
  if (auto it = debugOpsBySource.find(source); it != debugOpsBySource.end())
    return it->second;
  std::string name = op->getName().getStringRef().str();
  if (auto nameLoc = dyn_cast<NameLoc>(loc)) {
    name = nameLoc.getName().str();
    loc = nameLoc.getChildLoc();
  }
  std::string location = toText(loc);
  std::string key = name + "\n" + location;
  auto [it, inserted] = debugOps.try_emplace(key, 0);
  if (inserted)
    it->second = builder.addOp(name, location);
  debugOpsBySource[source] = it->second;
  return it->second;
}

FailureOr<sim::View> Serializer::getView(Operation *op, Value value) {
  auto type = cast<MemRefType>(value.getType());
  FailureOr<ResolvedView> view =
      resolveView(value, [&](Value index) { return evaluate(index); });
  if (failed(view))
    return op->emitError() << "cannot resolve operand of type " << type
                           << " to a buffer, offset and strides";
  if (view->sizes.size() > sim::kMaxRank)
    return op->emitError() << "operand of rank " << view->sizes.size()
                           << " exceeds the program's limit of "
                           << sim::kMaxRank;
  FailureOr<sim::DType> dtype = getDType(op, type.getElementType());
  if (failed(dtype))
    return failure();
  if (auto alloc = view->root.getDefiningOp<AllocOp>()) {
    if (!alloc.getAddress())
      return op->emitError() << "SRAM operand has no address; run "
                                "gaon-allocate-sram first";
    int64_t elementBytes = sim::getByteWidth(*dtype);
    return sim::View::sram(alloc.getCore(),
                           int64_t(*alloc.getAddress()) +
                               view->offset * elementBytes,
                           *dtype, view->sizes, view->strides);
  }
  auto it = buffers.find(view->root);
  if (it == buffers.end())
    return op->emitError() << "operand is not a view of a DRAM buffer or an "
                              "allocated SRAM buffer";
  return sim::View::dram(it->second, view->offset, *dtype, view->sizes,
                         view->strides);
}

LogicalResult Serializer::emitCommand(CommandOpInterface command) {
  Operation *op = command.getOperation();
  SmallVector<uint32_t> waits, signals;
  for (Value semaphore : command.getWaitSemaphores())
    waits.push_back(semaphores.lookup(semaphore));
  for (Value semaphore : command.getSignalSemaphores())
    signals.push_back(semaphores.lookup(semaphore));
  sim::CommandOptions options;
  options.core = command.getCoreIndex();
  options.waits = waits;
  options.signals = signals;
  options.op = getDebugOp(op);
  auto view = [&](Value value) { return getView(op, value); };

  if (auto dma = dyn_cast<DmaOp>(op)) {
    FailureOr<sim::View> source = view(dma.getSource()),
                         target = view(dma.getTarget());
    if (failed(source) || failed(target))
      return failure();
    options.queue = dma.getQueue();
    builder.dma(*source, *target, options);
    return success();
  }
  if (auto matmul = dyn_cast<MatmulOp>(op)) {
    FailureOr<sim::View> lhs = view(matmul.getLhs()),
                         rhs = view(matmul.getRhs()),
                         acc = view(matmul.getAcc());
    if (failed(lhs) || failed(rhs) || failed(acc))
      return failure();
    builder.matmul(*lhs, *rhs, *acc, matmul.getTransposeLhs(),
                   matmul.getTransposeRhs(), matmul.getAccumulate(), options);
    return success();
  }
  if (auto unary = dyn_cast<VectorUnaryOp>(op)) {
    FailureOr<sim::View> input = view(unary.getInput()),
                         output = view(unary.getOutput());
    if (failed(input) || failed(output))
      return failure();
    builder.vectorUnary(sim::UnaryKind(unary.getKind()), *input, *output,
                        options);
    return success();
  }
  if (auto binary = dyn_cast<VectorBinaryOp>(op)) {
    FailureOr<sim::View> lhs = view(binary.getLhs()),
                         rhs = view(binary.getRhs()),
                         output = view(binary.getOutput());
    if (failed(lhs) || failed(rhs) || failed(output))
      return failure();
    builder.vectorBinary(sim::BinaryKind(binary.getKind()), *lhs, *rhs, *output,
                         options);
    return success();
  }
  if (auto scalar = dyn_cast<VectorScalarOp>(op)) {
    FailureOr<sim::View> input = view(scalar.getInput()),
                         output = view(scalar.getOutput());
    if (failed(input) || failed(output))
      return failure();
    builder.vectorScalar(sim::BinaryKind(scalar.getKind()), *input,
                         scalar.getScalar().convertToDouble(), *output,
                         scalar.getReversed(), options);
    return success();
  }
  if (auto reduce = dyn_cast<VectorReduceOp>(op)) {
    FailureOr<sim::View> input = view(reduce.getInput()),
                         output = view(reduce.getOutput());
    if (failed(input) || failed(output))
      return failure();
    builder.vectorReduce(sim::ReduceKind(reduce.getKind()), *input, *output,
                         reduce.getAxis(), reduce.getAccumulate(), options);
    return success();
  }
  if (auto cast = dyn_cast<VectorCastOp>(op)) {
    FailureOr<sim::View> input = view(cast.getInput()),
                         output = view(cast.getOutput());
    if (failed(input) || failed(output))
      return failure();
    builder.vectorCast(*input, *output, options);
    return success();
  }
  if (auto fill = dyn_cast<VectorFillOp>(op)) {
    FailureOr<sim::View> output = view(fill.getOutput());
    if (failed(output))
      return failure();
    builder.vectorFill(fill.getValue().convertToDouble(), *output, options);
    return success();
  }
  return op->emitError() << "unknown npu command";
}

LogicalResult Serializer::emitBlock(Block &block) {
  for (Operation &op : block) {
    if (auto command = dyn_cast<CommandOpInterface>(op)) {
      if (failed(emitCommand(command)))
        return failure();
      continue;
    }
    if (auto semaphore = dyn_cast<SemaphoreOp>(op)) {
      if (!semaphores.count(semaphore))
        semaphores[semaphore] = builder.addSemaphore(semaphore.getInitial());
      continue;
    }
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      std::optional<int64_t> lower = evaluate(loop.getLowerBound()),
                             upper = evaluate(loop.getUpperBound()),
                             step = evaluate(loop.getStep());
      if (!lower || !upper || !step || *step <= 0)
        return loop.emitError() << "loop bounds must be constants to unroll";
      if (loop.getNumResults() != 0)
        return loop.emitError() << "loops with results cannot be serialised";
      for (int64_t iv = *lower; iv < *upper; iv += *step) {
        indices[loop.getInductionVar()] = iv;
        if (failed(emitBlock(*loop.getBody())))
          return failure();
      }
      indices.erase(loop.getInductionVar());
      continue;
    }
    if (isa<AllocOp, memref::AllocOp, memref::GetGlobalOp, memref::DeallocOp,
            memref::SubViewOp, memref::TransposeOp, memref::ExpandShapeOp,
            memref::CollapseShapeOp, memref::CastOp, memref::ReinterpretCastOp,
            arith::ConstantOp, scf::YieldOp, func::ReturnOp>(op) ||
        op.getDialect()->getNamespace() == "affine" ||
        (op.getDialect()->getNamespace() == "arith" &&
         llvm::all_of(op.getResultTypes(),
                      [](Type type) { return type.isIntOrIndex(); })))
      continue;
    return op.emitError() << "'" << op.getName()
                          << "' cannot be serialised: an NPU program holds "
                             "only npu commands (run the NPU pipeline first)";
  }
  return success();
}

FailureOr<CompiledProgram> Serializer::run() {
  if (func.getBody().getBlocks().size() != 1)
    return func.emitError() << "expects a function with one block";
  if (failed(declareBuffers()) || failed(emitBlock(func.getBody().front())))
    return failure();
  result.program = builder.take();
  return std::move(result);
}

FailureOr<CompiledProgram> gaon::npu::serializeFunction(func::FuncOp func) {
  return Serializer(func).run();
}
