//===- ArithOps.cpp - arith and math ops in the reference executor --------===//
//
// arith and math ops outside linalg bodies: on scalars (rank-0 tensors) or
// elementwise over tensors of one shape, through a one-op ScalarProgram.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "ScalarProgram.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace gaon::runtime;
namespace kernels = gaon::kernels;
using namespace gaon::runtime::reference::detail;
using llvm::Error;
using llvm::Expected;
using Results = llvm::SmallVector<HostTensor>;

Expected<Results> reference::detail::executeElementwiseOp(Operation *op,
                                                          ValueLookup lookup) {
  if (op->getNumResults() != 1)
    return opError(op, "is not supported by the CPU reference");
  Type resultType = op->getResult(0).getType();
  Results results;
  // select with one i1 choosing between whole tensors.
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    if (!isa<ShapedType>(select.getCondition().getType()) &&
        isa<ShapedType>(resultType)) {
      bool condition = lookup(select.getCondition())->getInt64(0) != 0;
      results.push_back(
          *lookup(condition ? select.getTrueValue() : select.getFalseValue()));
      return results;
    }
  }

  // Operands of an elementwise op on tensors share one shape.
  llvm::ArrayRef<int64_t> shape;
  for (Value operand : op->getOperands()) {
    const HostTensor &tensor = *lookup(operand);
    if (!isa<ShapedType>(operand.getType()))
      continue;
    if (shape.empty() && tensor.getRank() > 0)
      shape = tensor.getShape();
    else if (tensor.getShape() != shape)
      return opError(op, "has operands of different shapes");
  }
  Expected<DType> dtype = getStorageDType(op, resultType);
  if (!dtype)
    return dtype.takeError();
  HostTensor result(
      *dtype, isa<ShapedType>(resultType) ? shape : llvm::ArrayRef<int64_t>());

  ScalarProgram program;
  llvm::SmallVector<int> inputs;
  for (Value operand : op->getOperands()) {
    Expected<int> slot = program.addInput(operand, operand.getType());
    if (!slot)
      return opError(op, llvm::toString(slot.takeError()));
    inputs.push_back(*slot);
  }
  auto noExternals = [](Value) -> const HostTensor * { return nullptr; };
  if (Error err = program.addOp(op, noExternals))
    return std::move(err);
  Expected<int> output = program.addOutput(op->getResult(0), noExternals);
  if (!output)
    return output.takeError();

  constexpr int64_t kChunk = 4096;
  int64_t total = result.getNumElements();
  ScalarProgram::Workspace workspace =
      program.createWorkspace(std::min(total, kChunk));
  std::vector<int64_t> offsets(std::min(total, kChunk));
  for (int64_t base = 0; base < total; base += kChunk) {
    int64_t lanes = std::min(kChunk, total - base);
    for (int64_t l = 0; l < lanes; ++l)
      offsets[l] = base + l;
    for (auto [operand, slot] : llvm::zip(op->getOperands(), inputs)) {
      const HostTensor &tensor = *lookup(operand);
      const LaneType &type = program.getType(slot);
      loadLanes(tensor.getData(), tensor.getDType(), offsets.data(), lanes,
                type,
                type.isFloat ? program.getFloatLanes(workspace, slot) : nullptr,
                type.isFloat ? nullptr : program.getIntLanes(workspace, slot));
    }
    if (Error err = program.run(workspace, lanes))
      return std::move(err);
    const LaneType &type = program.getType(*output);
    storeLanes(
        result.getData(), result.getDType(), offsets.data(), lanes, type,
        type.isFloat ? program.getFloatLanes(workspace, *output) : nullptr,
        type.isFloat ? nullptr : program.getIntLanes(workspace, *output));
  }
  results.push_back(std::move(result));
  return results;
}
