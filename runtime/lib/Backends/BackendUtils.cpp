//===- BackendUtils.cpp - What the backends share -------------------------===//

#include "BackendUtils.h"

#include "gaon/Runtime/Model.h"
#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/raw_ostream.h"

using namespace gaon::runtime;
using namespace mlir;

llvm::Error
gaon::runtime::runWithDiagnostics(ModuleOp module,
                                  llvm::function_ref<LogicalResult()> body) {
  // The messages name the op and its location; a dump of the op as the
  // pipeline left it would only bury them.
  MLIRContext *context = module.getContext();
  bool printedOp = context->shouldPrintOpOnDiagnostic();
  context->printOpOnDiagnostic(false);
  auto restore =
      llvm::make_scope_exit([&] { context->printOpOnDiagnostic(printedOp); });
  std::string messages;
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(messages);
    if (!messages.empty())
      os << "\n";
    os << formatLocation(diag.getLocation()) << ": " << diag;
    for (Diagnostic &note : diag.getNotes())
      os << "\n" << formatLocation(note.getLocation()) << ": note: " << note;
    return success();
  });
  if (succeeded(body()))
    return llvm::Error::success();
  return llvm::createStringError(messages.empty() ? "failed without a message"
                                                  : messages);
}

llvm::Expected<EntryFunction>
gaon::runtime::getEntryFunction(ModuleOp module, llvm::StringRef entry) {
  auto function = findEntry(module, entry);
  if (!function)
    return function.takeError();
  llvm::Expected<SignatureSpecs> specs =
      getSignatureSpecs(function->getFunctionType());
  if (!specs)
    return specs.takeError();
  return EntryFunction{*function, std::move(specs->inputs),
                       std::move(specs->outputs)};
}

llvm::Expected<LoweredEntry>
gaon::runtime::getLoweredEntry(ModuleOp module, llvm::StringRef entry) {
  OwningOpRef<ModuleOp> clone(module.clone());
  if (llvm::Error error = runWithDiagnostics(
          *clone, [&] { return reference::lowerTosaToLinalg(*clone); }))
    return std::move(error);
  llvm::Expected<EntryFunction> entryFunction = getEntryFunction(*clone, entry);
  if (!entryFunction)
    return entryFunction.takeError();
  return LoweredEntry{std::move(clone), std::move(*entryFunction)};
}

/// Bytes of a statically shaped tensor (0 otherwise).
static double getTensorBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return 0;
  return double(tensor.getNumElements()) *
         ((tensor.getElementTypeBitWidth() + 7) / 8);
}

static double getElementCount(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return 0;
  return double(tensor.getNumElements());
}

/// True for math functions a GPU computes on its special function units.
static bool isTranscendental(Operation &op) {
  return isa<math::ExpOp, math::Exp2Op, math::ExpM1Op, math::LogOp,
             math::Log2Op, math::Log1pOp, math::TanhOp, math::ErfOp,
             math::RsqrtOp, math::SqrtOp, math::PowFOp, math::SinOp,
             math::CosOp, math::AtanOp, math::Atan2Op>(op);
}

/// True if the op runs as a contraction or a convolution with a filter.
static bool isContractionLike(linalg::LinalgOp op) {
  if (linalg::isaContractionOpInterface(op))
    return true;
  return linalg::isaConvolutionOpInterface(op) && op.getNumDpsInputs() == 2 &&
         op.payloadUsesValueFromOperand(op.getDpsInputOperand(1));
}

static OpWork analyzeLinalg(linalg::LinalgOp op) {
  OpWork work;
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape())
    return work;
  double iterations = 1, parallel = 1;
  for (auto [range, iterator] :
       llvm::zip(op.getStaticLoopRanges(), op.getIteratorTypesArray())) {
    iterations *= double(range);
    if (iterator == utils::IteratorType::parallel)
      parallel *= double(range);
  }
  work.parallelism = static_cast<int64_t>(parallel);
  if (isContractionLike(op)) {
    work.flops = 2 * iterations;
  } else if (!isa<linalg::FillOp, linalg::CopyOp, linalg::TransposeOp,
                  linalg::BroadcastOp>(op)) {
    for (Operation &bodyOp : op.getBlock()->without_terminator()) {
      if (isa<arith::ConstantOp, arith::CmpFOp, arith::CmpIOp, linalg::IndexOp>(
              bodyOp))
        continue;
      work.flops += iterations;
      if (isTranscendental(bodyOp))
        work.transcendentals += iterations;
    }
  }
  for (OpOperand *input : op.getDpsInputOperands())
    work.bytes += getTensorBytes(input->get().getType());
  for (OpOperand &init : op.getDpsInitsMutable()) {
    double bytes = getTensorBytes(init.get().getType());
    work.bytes += bytes;
    if (op.payloadUsesValueFromOperand(&init))
      work.bytes += bytes;
  }
  return work;
}

OpCosts gaon::runtime::analyzeOpCosts(func::FuncOp function) {
  OpCosts costs;
  function.walk([&](Operation *op) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      costs[op] = analyzeLinalg(linalgOp);
      return WalkResult::skip();
    }
    if (op->getNumResults() != 1 ||
        !isa<RankedTensorType>(op->getResult(0).getType()))
      return WalkResult::advance();
    OpWork work;
    Type result = op->getResult(0).getType();
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ReshapeOp,
            tensor::CastOp, tensor::EmptyOp, arith::ConstantOp>(op)) {
      work.isView = true;
    } else if (isa<tensor::InsertSliceOp>(op)) {
      // Reads the slice and writes it into the destination in place.
      work.bytes = 2 * getTensorBytes(op->getOperand(0).getType());
    } else if (isa<tensor::ExtractSliceOp, tensor::PadOp, tensor::ConcatOp>(
                   op)) {
      work.bytes = 2 * getTensorBytes(result);
    } else if (op->getDialect() ==
                   op->getContext()->getLoadedDialect("arith") ||
               op->getDialect() == op->getContext()->getLoadedDialect("math")) {
      // Elementwise on tensors.
      work.flops = getElementCount(result);
      if (isTranscendental(*op))
        work.transcendentals = work.flops;
      for (Value operand : op->getOperands())
        work.bytes += getTensorBytes(operand.getType());
      work.bytes += getTensorBytes(result);
    } else {
      return WalkResult::advance();
    }
    costs[op] = work;
    return WalkResult::advance();
  });
  return costs;
}

OpRecord gaon::runtime::makeOpRecord(Operation *op, const OpCosts &costs,
                                     double seconds, const Roofline &roofline) {
  OpRecord record;
  record.name = op->getName().getStringRef().str();
  record.location = formatLocation(op->getLoc());
  record.seconds = seconds;
  auto it = costs.find(op);
  if (it != costs.end()) {
    record.flops = it->second.flops;
    record.bytes = it->second.bytes;
  }
  if (roofline.isKnown() && (record.flops > 0 || record.bytes > 0)) {
    record.rooflineSeconds =
        roofline.getBoundSeconds(record.flops, record.bytes);
    record.bound = roofline.getBound(record.flops, record.bytes);
  }
  return record;
}
