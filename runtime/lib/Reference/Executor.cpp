//===- Executor.cpp - the CPU reference executor --------------------------===//
//
// The op-by-op driver: binds every SSA value to a HostTensor, dispatches
// each op to the linalg, tensor or arith/math implementations, runs
// func.call and scf control flow, and frees values after their last use.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/Reference/Executor.h"

#include "Internal.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace gaon::runtime;
namespace kernels = gaon::kernels;
using namespace gaon::runtime::reference;
using namespace gaon::runtime::reference::detail;
using llvm::Error;
using llvm::Expected;

//===----------------------------------------------------------------------===//
// Shared helpers (Internal.h)
//===----------------------------------------------------------------------===//

/// "file:line:col" of the first file location in `loc`, else its text.
static std::string formatLocation(Location loc) {
  std::string text;
  loc->walk([&](Location nested) {
    if (auto file = dyn_cast<FileLineColLoc>(nested)) {
      text = (file.getFilename().getValue() + ":" +
              llvm::Twine(file.getLine()) + ":" + llvm::Twine(file.getColumn()))
                 .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (text.empty()) {
    llvm::raw_string_ostream os(text);
    loc.print(os);
  }
  return text;
}

Error reference::detail::opError(Operation *op, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 formatLocation(op->getLoc()) + ": '" +
                                     op->getName().getStringRef() + "' op " +
                                     message.str());
}

std::optional<DType> reference::getDType(Type type) {
  if (type.isIndex())
    return DType::I64;
  if (auto intType = dyn_cast<IntegerType>(type)) {
    switch (intType.getWidth()) {
    case 1:
      return DType::I1;
    case 8:
      return DType::I8;
    case 32:
      return DType::I32;
    case 64:
      return DType::I64;
    default:
      return std::nullopt;
    }
  }
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (isa<Float8E4M3FNType>(type))
    return DType::F8E4M3FN;
  if (isa<Float8E5M2Type>(type))
    return DType::F8E5M2;
  return std::nullopt;
}

/// The type as MLIR prints it.
static std::string typeToString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

Expected<DType> reference::detail::getStorageDType(Operation *op, Type type) {
  Type element = getElementTypeOrSelf(type);
  if (std::optional<DType> dtype = getDType(element))
    return *dtype;
  return opError(op, "has element type '" + typeToString(element) +
                         "', which the CPU reference does not store");
}

Expected<HostTensor>
reference::detail::createTensor(Operation *op, Type type,
                                llvm::ArrayRef<int64_t> dynamicSizes) {
  Expected<DType> dtype = getStorageDType(op, type);
  if (!dtype)
    return dtype.takeError();
  if (!isa<ShapedType>(type))
    return HostTensor(*dtype, {});
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return opError(op, "has type '" + typeToString(type) +
                           "'; the CPU reference runs ranked tensors only");
  llvm::SmallVector<int64_t, 4> shape;
  size_t next = 0;
  for (int64_t size : tensorType.getShape()) {
    if (!ShapedType::isDynamic(size)) {
      shape.push_back(size);
      continue;
    }
    if (next >= dynamicSizes.size())
      return opError(op, "has a dynamic size the reference cannot resolve");
    if (dynamicSizes[next] < 0)
      return opError(op, "has a negative dynamic size " +
                             llvm::Twine(dynamicSizes[next]));
    shape.push_back(dynamicSizes[next++]);
  }
  // Refuse sizes no host could hold rather than failing to allocate.
  constexpr double kMaxBytes = 0x1p40;
  double bytes = static_cast<double>(kernels::getByteWidth(*dtype));
  for (int64_t size : shape)
    bytes *= static_cast<double>(size);
  if (bytes > kMaxBytes)
    return opError(op, llvm::formatv("needs a tensor of {0:e} bytes, more "
                                     "than the CPU reference allocates",
                                     bytes)
                           .str());
  return HostTensor(*dtype, shape);
}

Expected<int64_t> reference::detail::resolveIndex(Operation *op,
                                                  OpFoldResult value,
                                                  ValueLookup lookup) {
  if (auto attr = dyn_cast<Attribute>(value)) {
    if (auto integer = dyn_cast<IntegerAttr>(attr))
      return integer.getValue().getSExtValue();
    return opError(op, "has a non-integer static index");
  }
  const HostTensor *tensor = lookup(cast<Value>(value));
  if (!tensor || tensor->getNumElements() != 1)
    return opError(op, "uses an index the reference has no value for");
  return tensor->getInt64(0);
}

/// Fills `tensor` with copies of its element 0.
static void replicateFirstElement(HostTensor &tensor) {
  int64_t width = kernels::getByteWidth(tensor.getDType());
  for (int64_t i = 1, e = tensor.getNumElements(); i < e; ++i)
    std::memcpy(tensor.getData() + i * width, tensor.getData(), width);
}

Expected<HostTensor> reference::detail::tensorFromAttr(Operation *op,
                                                       Attribute attr) {
  auto typed = dyn_cast<TypedAttr>(attr);
  if (!typed)
    return opError(op, "has an untyped constant");
  Type type = typed.getType();
  Expected<HostTensor> tensor = createTensor(op, type, {});
  if (!tensor)
    return tensor.takeError();
  DType dtype = tensor->getDType();
  int64_t bytes = tensor->getSizeInBytes();

  if (auto floatAttr = dyn_cast<FloatAttr>(attr)) {
    tensor->setDouble(0, floatAttr.getValueAsDouble());
    return tensor;
  }
  if (auto intAttr = dyn_cast<IntegerAttr>(attr)) {
    tensor->setInt64(0, intAttr.getValue().getSExtValue());
    return tensor;
  }
  if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(attr)) {
    if (tensor->getNumElements() == 0)
      return tensor;
    Type element = dense.getElementType();
    if (dense.isSplat()) {
      if (isa<FloatType>(element)) {
        llvm::APFloat value = dense.getSplatValue<llvm::APFloat>();
        bool losesInfo;
        value.convert(llvm::APFloat::IEEEdouble(),
                      llvm::APFloat::rmNearestTiesToEven, &losesInfo);
        tensor->setDouble(0, value.convertToDouble());
      } else if (element.isInteger(1)) {
        tensor->setInt64(0, dense.getSplatValue<bool>() ? 1 : 0);
      } else {
        tensor->setInt64(0, dense.getSplatValue<llvm::APInt>().getSExtValue());
      }
      replicateFirstElement(*tensor);
      return tensor;
    }
    if (element.isInteger(1)) {
      int64_t i = 0;
      for (bool value : dense.getValues<bool>())
        tensor->setInt64(i++, value ? 1 : 0);
      return tensor;
    }
    llvm::ArrayRef<char> raw = dense.getRawData();
    if (static_cast<int64_t>(raw.size()) != bytes)
      return opError(op, "has constant data of an unexpected size");
    std::memcpy(tensor->getData(), raw.data(), bytes);
    return tensor;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return opError(op, "uses dense_resource '" +
                             resource.getRawHandle().getKey() +
                             "', whose data is not loaded");
    llvm::ArrayRef<char> raw = blob->getData();
    if (dtype == DType::I1 || static_cast<int64_t>(raw.size()) != bytes)
      return opError(op, "has dense_resource data of " +
                             llvm::Twine(raw.size()) + " bytes for " +
                             tensor->getTypeString());
    std::memcpy(tensor->getData(), raw.data(), bytes);
    (void)dtype;
    return tensor;
  }
  return opError(op, "has a constant kind the CPU reference does not read");
}

//===----------------------------------------------------------------------===//
// The interpreter
//===----------------------------------------------------------------------===//

namespace {
class Interpreter {
public:
  Interpreter(const ExecuteOptions &options) : options(options) {}

  Expected<llvm::SmallVector<HostTensor>>
  call(func::FuncOp func, llvm::SmallVector<HostTensor> arguments);

private:
  /// Values of one function activation.
  using Frame = llvm::DenseMap<Value, HostTensor>;

  /// Runs `block` with `arguments` bound to its arguments and returns the
  /// values its terminator yields or returns.
  Expected<llvm::SmallVector<HostTensor>>
  runBlock(Frame &frame, Block &block, llvm::SmallVector<HostTensor> arguments);
  Error executeOp(Frame &frame, Operation *op);
  Expected<llvm::SmallVector<HostTensor>> executeScfFor(Frame &frame,
                                                        scf::ForOp op);
  Expected<HostTensor *> getGlobal(Operation *user, SymbolRefAttr name);

  const ExecuteOptions &options;
  /// ml_program globals by symbol name, loaded on first use.
  llvm::StringMap<HostTensor> globals;
  int depth = 0;
};
} // namespace

/// Checks `tensor` fits `type` (element type and static sizes).
static Error checkFits(Operation *op, llvm::StringRef what, Type type,
                       const HostTensor &tensor) {
  std::optional<DType> dtype = reference::getDType(getElementTypeOrSelf(type));
  bool fits = dtype && *dtype == tensor.getDType();
  if (auto shaped = dyn_cast<RankedTensorType>(type)) {
    fits = fits && shaped.getRank() == tensor.getRank();
    for (int64_t d = 0; fits && d < shaped.getRank(); ++d)
      fits = shaped.isDynamicDim(d) ||
             shaped.getDimSize(d) == tensor.getShape()[d];
  } else if (isa<ShapedType>(type)) {
    fits = false;
  } else {
    fits = fits && tensor.getRank() == 0;
  }
  if (!fits)
    return opError(op, what + " expects '" + typeToString(type) + "', got " +
                           tensor.getTypeString());
  return Error::success();
}

Expected<llvm::SmallVector<HostTensor>>
Interpreter::call(func::FuncOp func, llvm::SmallVector<HostTensor> arguments) {
  if (func.isExternal())
    return opError(func, "is a declaration without a body");
  if (arguments.size() != func.getNumArguments())
    return opError(func, "takes " + llvm::Twine(func.getNumArguments()) +
                             " arguments, got " +
                             llvm::Twine(arguments.size()));
  for (auto [i, argument] : llvm::enumerate(arguments))
    if (Error err = checkFits(func, "argument " + std::to_string(i),
                              func.getArgumentTypes()[i], argument))
      return std::move(err);
  if (++depth > 64)
    return opError(func, "recurses deeper than 64 calls");
  Frame frame;
  auto results = runBlock(frame, func.getBody().front(), std::move(arguments));
  --depth;
  return results;
}

Expected<llvm::SmallVector<HostTensor>>
Interpreter::runBlock(Frame &frame, Block &block,
                      llvm::SmallVector<HostTensor> arguments) {
  for (auto [arg, value] : llvm::zip(block.getArguments(), arguments))
    frame[arg] = std::move(value);
  // The last op of this block that uses each value defined in it, so the
  // value can be freed right after.
  llvm::DenseMap<Value, Operation *> lastUse;
  for (Operation &op : block)
    op.walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (operand.getParentBlock() == &block)
          lastUse[operand] = &op;
    });
  llvm::DenseMap<Operation *, llvm::SmallVector<Value, 2>> deadAfter;
  for (auto [value, op] : lastUse)
    deadAfter[op].push_back(value);

  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      if (!isa<func::ReturnOp, scf::YieldOp>(op))
        return opError(&op, "is not a terminator the reference can run");
      llvm::SmallVector<HostTensor> results;
      for (Value operand : op.getOperands()) {
        auto it = frame.find(operand);
        if (it == frame.end())
          return opError(&op, "returns a value the reference has not computed");
        // Values used again later (e.g. returned twice) are copied.
        if (lastUse.lookup(operand) == &op &&
            llvm::count(op.getOperands(), operand) == 1)
          results.push_back(std::move(it->second));
        else
          results.push_back(it->second);
      }
      return results;
    }
    if (Error err = executeOp(frame, &op))
      return std::move(err);
    for (Value value : deadAfter.lookup(&op))
      frame.erase(value);
  }
  return opError(block.getParentOp(), "has a block without a terminator");
}

Expected<HostTensor *> Interpreter::getGlobal(Operation *user,
                                              SymbolRefAttr name) {
  std::string key = name.getLeafReference().str();
  auto it = globals.find(key);
  if (it != globals.end())
    return &it->second;
  auto global =
      SymbolTable::lookupNearestSymbolFrom<ml_program::GlobalOp>(user, name);
  if (!global)
    return opError(user, "refers to an unknown global '" + key + "'");
  if (!global.getValue())
    return opError(global, "has no initial value");
  Expected<HostTensor> value = tensorFromAttr(global, *global.getValue());
  if (!value)
    return value.takeError();
  return &(globals[key] = std::move(*value));
}

Expected<llvm::SmallVector<HostTensor>>
Interpreter::executeScfFor(Frame &frame, scf::ForOp op) {
  auto scalar = [&](Value value) -> Expected<int64_t> {
    auto it = frame.find(value);
    if (it == frame.end())
      return opError(op, "uses a bound the reference has not computed");
    return it->second.getInt64(0);
  };
  Expected<int64_t> lower = scalar(op.getLowerBound());
  Expected<int64_t> upper = scalar(op.getUpperBound());
  Expected<int64_t> step = scalar(op.getStep());
  if (!lower || !upper || !step) {
    llvm::consumeError(lower.takeError());
    llvm::consumeError(upper.takeError());
    llvm::consumeError(step.takeError());
    return opError(op, "has bounds the reference has not computed");
  }
  if (*step <= 0)
    return opError(op, "has a non-positive step " + llvm::Twine(*step));
  Expected<DType> ivType = getStorageDType(op, op.getInductionVar().getType());
  if (!ivType)
    return ivType.takeError();
  llvm::SmallVector<HostTensor> carried;
  for (Value init : op.getInitArgs())
    carried.push_back(frame.find(init)->second);
  for (int64_t iv = *lower; iv < *upper; iv += *step) {
    llvm::SmallVector<HostTensor> arguments;
    HostTensor index(*ivType, {});
    index.setInt64(0, iv);
    arguments.push_back(std::move(index));
    for (HostTensor &value : carried)
      arguments.push_back(std::move(value));
    Expected<llvm::SmallVector<HostTensor>> yielded =
        runBlock(frame, *op.getBody(), std::move(arguments));
    if (!yielded)
      return yielded.takeError();
    carried = std::move(*yielded);
  }
  return carried;
}

Error Interpreter::executeOp(Frame &frame, Operation *op) {
  auto lookup = [&](Value value) -> const HostTensor * {
    auto it = frame.find(value);
    return it == frame.end() ? nullptr : &it->second;
  };
  for (Value operand : op->getOperands())
    if (!lookup(operand))
      return opError(op, "uses a value the reference has not computed");

  Expected<llvm::SmallVector<HostTensor>> results =
      llvm::SmallVector<HostTensor>();
  Dialect *dialect = op->getDialect();
  if (auto call = dyn_cast<func::CallOp>(op)) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        op, call.getCalleeAttr());
    if (!callee)
      return opError(op,
                     "calls an unknown function '" + call.getCallee() + "'");
    llvm::SmallVector<HostTensor> arguments;
    for (Value operand : call.getOperands())
      arguments.push_back(*lookup(operand));
    results = this->call(callee, std::move(arguments));
  } else if (auto forOp = dyn_cast<scf::ForOp>(op)) {
    results = executeScfFor(frame, forOp);
  } else if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
    bool condition = lookup(ifOp.getCondition())->getInt64(0) != 0;
    Region &region = condition ? ifOp.getThenRegion() : ifOp.getElseRegion();
    if (region.empty())
      results = llvm::SmallVector<HostTensor>();
    else
      results = runBlock(frame, region.front(), {});
  } else if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    Expected<HostTensor> value = tensorFromAttr(op, constant.getValue());
    if (!value)
      return value.takeError();
    results->push_back(std::move(*value));
  } else if (auto load = dyn_cast<ml_program::GlobalLoadConstOp>(op)) {
    Expected<HostTensor *> global = getGlobal(op, load.getGlobal());
    if (!global)
      return global.takeError();
    results->push_back(**global);
  } else if (auto load = dyn_cast<ml_program::GlobalLoadOp>(op)) {
    Expected<HostTensor *> global = getGlobal(op, load.getGlobal());
    if (!global)
      return global.takeError();
    results->push_back(**global);
  } else if (auto store = dyn_cast<ml_program::GlobalStoreOp>(op)) {
    Expected<HostTensor *> global = getGlobal(op, store.getGlobal());
    if (!global)
      return global.takeError();
    **global = *lookup(store.getValue());
  } else if (auto materialize =
                 dyn_cast<bufferization::MaterializeInDestinationOp>(op)) {
    if (op->getNumResults() != 1)
      return opError(op, "writes to a buffer; the reference runs tensors only");
    results->push_back(*lookup(materialize.getSource()));
  } else if (isa_and_nonnull<linalg::LinalgDialect>(dialect)) {
    bool onKernel = false;
    results = executeLinalgOp(op, lookup, onKernel);
    if (options.stats && results)
      ++(onKernel ? options.stats->linalgOnKernels
                  : options.stats->linalgInterpreted);
  } else if (isa_and_nonnull<tensor::TensorDialect>(dialect)) {
    results = executeTensorOp(op, lookup);
  } else if (isa_and_nonnull<arith::ArithDialect, math::MathDialect>(dialect)) {
    results = executeElementwiseOp(op, lookup);
  } else if (isa<ml_program::GlobalOp, func::FuncOp>(op)) {
    return Error::success();
  } else if (isa_and_nonnull<tosa::TosaDialect>(dialect)) {
    return opError(op, "is a TOSA op: lower the module with "
                       "lowerTosaToLinalg first");
  } else {
    return opError(op, "is not supported by the CPU reference");
  }
  if (!results)
    return results.takeError();
  if (results->size() != op->getNumResults())
    return opError(op, "produced " + llvm::Twine(results->size()) +
                           " values for " + llvm::Twine(op->getNumResults()) +
                           " results");
  for (auto [result, value] : llvm::zip(op->getResults(), *results))
    if (Error err = checkFits(op, "result", result.getType(), value))
      return err;
  if (options.stats)
    ++options.stats->ops;
  if (options.onOpExecuted)
    options.onOpExecuted(op, *results);
  for (auto [result, value] : llvm::zip(op->getResults(), *results))
    frame[result] = std::move(value);
  return Error::success();
}

Expected<llvm::SmallVector<HostTensor>>
reference::execute(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs,
                   const ExecuteOptions &options) {
  Interpreter interpreter(options);
  return interpreter.call(
      func, llvm::SmallVector<HostTensor>(inputs.begin(), inputs.end()));
}

void reference::registerReferenceDialects(DialectRegistry &registry) {
  registry.insert<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                  tensor::TensorDialect, linalg::LinalgDialect, scf::SCFDialect,
                  ml_program::MLProgramDialect,
                  bufferization::BufferizationDialect, tosa::TosaDialect>();
}
