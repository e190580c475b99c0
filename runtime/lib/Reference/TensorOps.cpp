//===- TensorOps.cpp - tensor dialect ops in the reference executor -------===//

#include "Internal.h"
#include "ScalarProgram.h"

#include "gaon/Kernels/Ops.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>

using namespace mlir;
using namespace gaon::runtime;
namespace kernels = gaon::kernels;
using namespace gaon::runtime::reference::detail;
using gaon::kernels::View;
using llvm::Error;
using llvm::Expected;
using llvm::SmallVector;
using Results = SmallVector<HostTensor>;

/// Resolves every OpFoldResult in `values`.
static Expected<SmallVector<int64_t>>
resolveAll(Operation *op, llvm::ArrayRef<OpFoldResult> values,
           ValueLookup lookup) {
  SmallVector<int64_t> resolved;
  for (OpFoldResult value : values) {
    Expected<int64_t> index = resolveIndex(op, value, lookup);
    if (!index)
      return index.takeError();
    resolved.push_back(*index);
  }
  return resolved;
}

/// Values of the scalar operands `values`, in order.
static SmallVector<int64_t> scalarValues(ValueRange values,
                                         ValueLookup lookup) {
  SmallVector<int64_t> result;
  for (Value value : values)
    result.push_back(lookup(value)->getInt64(0));
  return result;
}

/// Checks a strided window stays inside `shape`.
static Error checkWindow(Operation *op, llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<int64_t> offsets,
                         llvm::ArrayRef<int64_t> sizes,
                         llvm::ArrayRef<int64_t> strides) {
  for (size_t d = 0; d < shape.size(); ++d) {
    if (sizes[d] < 0)
      return opError(op, "has a negative size in dimension " + llvm::Twine(d));
    if (sizes[d] == 0)
      continue;
    int64_t last = offsets[d] + (sizes[d] - 1) * strides[d];
    if (offsets[d] < 0 || offsets[d] >= shape[d] || last < 0 ||
        last >= shape[d])
      return opError(op, "accesses [" + llvm::Twine(offsets[d]) + ", " +
                             llvm::Twine(last) + "] of dimension " +
                             llvm::Twine(d) + " whose size is " +
                             llvm::Twine(shape[d]));
  }
  return Error::success();
}

/// The window of a slice op on a tensor of `shape`, bounds-checked.
template <typename SliceOp>
static Expected<View> getSliceView(SliceOp op, const View &whole,
                                   ValueLookup lookup) {
  Expected<SmallVector<int64_t>> offsets =
      resolveAll(op, op.getMixedOffsets(), lookup);
  Expected<SmallVector<int64_t>> sizes =
      resolveAll(op, op.getMixedSizes(), lookup);
  Expected<SmallVector<int64_t>> strides =
      resolveAll(op, op.getMixedStrides(), lookup);
  if (!offsets)
    return offsets.takeError();
  if (!sizes)
    return sizes.takeError();
  if (!strides)
    return strides.takeError();
  if (Error err = checkWindow(op, whole.shape, *offsets, *sizes, *strides))
    return std::move(err);
  return whole.subview(*offsets, *sizes, *strides);
}

/// Copies `scalar` (a one-element tensor of the same dtype) everywhere.
static void fillWith(HostTensor &tensor, const HostTensor &scalar) {
  int64_t width = kernels::getByteWidth(tensor.getDType());
  for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
    std::memcpy(tensor.getData() + i * width, scalar.getData(), width);
}

/// Fills `result` by evaluating `body` (block arguments: one index per
/// dimension; terminator: tensor.yield of the element) at every index.
static Error fillFromIndexBody(Operation *op, Block &body, HostTensor &result,
                               ValueLookup lookup) {
  ScalarProgram program;
  SmallVector<int> indexSlots;
  for (BlockArgument arg : body.getArguments()) {
    Expected<int> slot = program.addInput(arg, arg.getType());
    if (!slot)
      return opError(op, llvm::toString(slot.takeError()));
    indexSlots.push_back(*slot);
  }
  for (Operation &nested : body.without_terminator())
    if (Error err = program.addOp(&nested, lookup))
      return err;
  Operation *terminator = body.getTerminator();
  if (terminator->getNumOperands() != 1)
    return opError(op, "has a body that does not yield one value");
  Expected<int> output = program.addOutput(terminator->getOperand(0), lookup);
  if (!output)
    return output.takeError();

  llvm::ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = result.getRank();
  int64_t inner = rank == 0 ? 1 : shape[rank - 1];
  int64_t total = result.getNumElements();
  if (total == 0)
    return Error::success();
  ScalarProgram::Workspace workspace = program.createWorkspace(inner);
  SmallVector<int64_t> offsets(inner);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t base = 0; base < total; base += inner) {
    for (int64_t d = 0; d < rank; ++d) {
      int64_t *lanes = program.getIntLanes(workspace, indexSlots[d]);
      for (int64_t l = 0; l < inner; ++l)
        lanes[l] = d == rank - 1 ? l : index[d];
    }
    if (Error err = program.run(workspace, inner))
      return err;
    for (int64_t l = 0; l < inner; ++l)
      offsets[l] = base + l;
    const LaneType &type = program.getType(*output);
    storeLanes(
        result.getData(), result.getDType(), offsets.data(), inner, type,
        type.isFloat ? program.getFloatLanes(workspace, *output) : nullptr,
        type.isFloat ? nullptr : program.getIntLanes(workspace, *output));
    for (int64_t d = rank - 2; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return Error::success();
}

/// A copy of `source` with `shape` (same element count).
static Expected<HostTensor> reshaped(Operation *op, const HostTensor &source,
                                     llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  if (count != source.getNumElements())
    return opError(op, "reshapes " + source.getTypeString() + " (" +
                           llvm::Twine(source.getNumElements()) +
                           " elements) to " + llvm::Twine(count) + " elements");
  HostTensor result = source;
  result.reshape(shape);
  return result;
}

static Expected<Results> executeExtractSlice(tensor::ExtractSliceOp op,
                                             ValueLookup lookup) {
  const HostTensor &source = *lookup(op.getSource());
  Expected<View> window = getSliceView(op, source.getView(), lookup);
  if (!window)
    return window.takeError();
  View view = *window;
  llvm::SmallBitVector dropped = op.getDroppedDims();
  for (int64_t d = view.getRank() - 1; d >= 0; --d)
    if (dropped.test(d))
      view = view.dropUnitDim(d);
  HostTensor result(source.getDType(), view.shape);
  if (Error err = kernels::copy(view, result.getView()))
    return opError(op, llvm::toString(std::move(err)));
  Results results;
  results.push_back(std::move(result));
  return results;
}

static Expected<Results> executeInsertSlice(tensor::InsertSliceOp op,
                                            ValueLookup lookup) {
  HostTensor result = *lookup(op.getDest());
  Expected<View> window = getSliceView(op, result.getView(), lookup);
  if (!window)
    return window.takeError();
  View source = lookup(op.getSource())->getView();
  llvm::SmallBitVector dropped = op.getDroppedDims();
  for (int64_t d = 0; d < window->getRank(); ++d)
    if (dropped.test(d))
      source = source.insertUnitDim(d);
  if (Error err = kernels::copy(source, *window))
    return opError(op, llvm::toString(std::move(err)));
  Results results;
  results.push_back(std::move(result));
  return results;
}

static Expected<Results> executePad(tensor::PadOp op, ValueLookup lookup) {
  const HostTensor &source = *lookup(op.getSource());
  Expected<SmallVector<int64_t>> low =
      resolveAll(op, op.getMixedLowPad(), lookup);
  Expected<SmallVector<int64_t>> high =
      resolveAll(op, op.getMixedHighPad(), lookup);
  if (!low)
    return low.takeError();
  if (!high)
    return high.takeError();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < source.getRank(); ++d) {
    if ((*low)[d] < 0 || (*high)[d] < 0)
      return opError(op, "has negative padding in dimension " + llvm::Twine(d));
    shape.push_back(source.getShape()[d] + (*low)[d] + (*high)[d]);
  }
  HostTensor result(source.getDType(), shape);
  Value padding = op.getConstantPaddingValue();
  if (const HostTensor *value = padding ? lookup(padding) : nullptr)
    fillWith(result, *value);
  else if (Error err =
               fillFromIndexBody(op, op.getRegion().front(), result, lookup))
    return std::move(err);
  SmallVector<int64_t> ones(source.getRank(), 1);
  View interior = result.getView().subview(*low, source.getShape(), ones);
  if (Error err = kernels::copy(source.getView(), interior))
    return opError(op, llvm::toString(std::move(err)));
  Results results;
  results.push_back(std::move(result));
  return results;
}

static Expected<Results> executeConcat(tensor::ConcatOp op,
                                       ValueLookup lookup) {
  int64_t dim = static_cast<int64_t>(op.getDim());
  SmallVector<const HostTensor *> inputs;
  for (Value input : op.getInputs())
    inputs.push_back(lookup(input));
  SmallVector<int64_t> shape(inputs.front()->getShape());
  shape[dim] = 0;
  for (const HostTensor *input : inputs) {
    for (int64_t d = 0; d < input->getRank(); ++d)
      if (d != dim && input->getShape()[d] != shape[d])
        return opError(op, "concatenates tensors whose dimension " +
                               llvm::Twine(d) + " differ");
    shape[dim] += input->getShape()[dim];
  }
  HostTensor result(inputs.front()->getDType(), shape);
  SmallVector<int64_t> offsets(shape.size(), 0), ones(shape.size(), 1);
  for (const HostTensor *input : inputs) {
    View window = result.getView().subview(offsets, input->getShape(), ones);
    if (Error err = kernels::copy(input->getView(), window))
      return opError(op, llvm::toString(std::move(err)));
    offsets[dim] += input->getShape()[dim];
  }
  Results results;
  results.push_back(std::move(result));
  return results;
}

/// Checks `indices` address an element of `tensor` and returns its flat
/// offset.
static Expected<int64_t> flatIndex(Operation *op, const HostTensor &tensor,
                                   llvm::ArrayRef<int64_t> indices) {
  int64_t flat = 0;
  for (int64_t d = 0; d < tensor.getRank(); ++d) {
    if (indices[d] < 0 || indices[d] >= tensor.getShape()[d])
      return opError(op, "index " + llvm::Twine(indices[d]) +
                             " is out of bounds for dimension " +
                             llvm::Twine(d) + " of " + tensor.getTypeString());
    flat = flat * tensor.getShape()[d] + indices[d];
  }
  return flat;
}

Expected<Results> reference::detail::executeTensorOp(Operation *op,
                                                     ValueLookup lookup) {
  auto single = [](Expected<HostTensor> tensor) -> Expected<Results> {
    if (!tensor)
      return tensor.takeError();
    Results results;
    results.push_back(std::move(*tensor));
    return results;
  };
  return llvm::TypeSwitch<Operation *, Expected<Results>>(op)
      .Case([&](tensor::EmptyOp empty) {
        return single(
            createTensor(op, empty.getType(),
                         scalarValues(empty.getDynamicSizes(), lookup)));
      })
      .Case([&](tensor::ExtractSliceOp slice) {
        return executeExtractSlice(slice, lookup);
      })
      .Case([&](tensor::InsertSliceOp slice) {
        return executeInsertSlice(slice, lookup);
      })
      .Case([&](tensor::CollapseShapeOp collapse) {
        const HostTensor &source = *lookup(collapse.getSrc());
        SmallVector<int64_t> shape;
        for (const ReassociationIndices &group :
             collapse.getReassociationIndices()) {
          int64_t size = 1;
          for (int64_t d : group)
            size *= source.getShape()[d];
          shape.push_back(size);
        }
        return single(reshaped(op, source, shape));
      })
      .Case([&](tensor::ExpandShapeOp expand) {
        Expected<SmallVector<int64_t>> shape =
            resolveAll(op, expand.getMixedOutputShape(), lookup);
        if (!shape)
          return Expected<Results>(shape.takeError());
        return single(reshaped(op, *lookup(expand.getSrc()), *shape));
      })
      .Case([&](tensor::ReshapeOp reshape) {
        const HostTensor &shapeTensor = *lookup(reshape.getShape());
        SmallVector<int64_t> shape;
        for (int64_t i = 0; i < shapeTensor.getNumElements(); ++i)
          shape.push_back(shapeTensor.getInt64(i));
        return single(reshaped(op, *lookup(reshape.getSource()), shape));
      })
      .Case([&](tensor::PadOp pad) { return executePad(pad, lookup); })
      .Case([&](tensor::ConcatOp concat) {
        return executeConcat(concat, lookup);
      })
      .Case([&](tensor::CastOp cast) {
        return single(HostTensor(*lookup(cast.getSource())));
      })
      .Case([&](tensor::BitcastOp bitcast) -> Expected<Results> {
        const HostTensor &source = *lookup(bitcast.getSource());
        Expected<DType> dtype = getStorageDType(op, bitcast.getType());
        if (!dtype)
          return dtype.takeError();
        if (kernels::getByteWidth(*dtype) !=
            kernels::getByteWidth(source.getDType()))
          return opError(op, "bitcasts between element types of different "
                             "storage widths");
        HostTensor result(*dtype, source.getShape());
        std::memcpy(result.getData(), source.getData(),
                    source.getSizeInBytes());
        return single(std::move(result));
      })
      .Case([&](tensor::SplatOp splat) -> Expected<Results> {
        Expected<HostTensor> result = createTensor(
            op, splat.getType(), scalarValues(splat.getDynamicSizes(), lookup));
        if (!result)
          return result.takeError();
        fillWith(*result, *lookup(splat.getInput()));
        return single(std::move(*result));
      })
      .Case([&](tensor::ExtractOp extract) -> Expected<Results> {
        const HostTensor &source = *lookup(extract.getTensor());
        Expected<int64_t> flat =
            flatIndex(op, source, scalarValues(extract.getIndices(), lookup));
        if (!flat)
          return flat.takeError();
        HostTensor element(source.getDType(), {});
        int64_t width = kernels::getByteWidth(source.getDType());
        std::memcpy(element.getData(), source.getData() + *flat * width, width);
        return single(std::move(element));
      })
      .Case([&](tensor::InsertOp insert) -> Expected<Results> {
        HostTensor result = *lookup(insert.getDest());
        Expected<int64_t> flat =
            flatIndex(op, result, scalarValues(insert.getIndices(), lookup));
        if (!flat)
          return flat.takeError();
        int64_t width = kernels::getByteWidth(result.getDType());
        std::memcpy(result.getData() + *flat * width,
                    lookup(insert.getScalar())->getData(), width);
        return single(std::move(result));
      })
      .Case([&](tensor::FromElementsOp fromElements) -> Expected<Results> {
        Expected<HostTensor> result =
            createTensor(op, fromElements.getType(), {});
        if (!result)
          return result.takeError();
        int64_t width = kernels::getByteWidth(result->getDType());
        for (auto [i, element] : llvm::enumerate(fromElements.getElements()))
          std::memcpy(result->getData() + i * width, lookup(element)->getData(),
                      width);
        return single(std::move(*result));
      })
      .Case([&](tensor::GenerateOp generate) -> Expected<Results> {
        Expected<HostTensor> result =
            createTensor(op, generate.getType(),
                         scalarValues(generate.getDynamicExtents(), lookup));
        if (!result)
          return result.takeError();
        if (Error err = fillFromIndexBody(op, generate.getBody().front(),
                                          *result, lookup))
          return std::move(err);
        return single(std::move(*result));
      })
      .Case([&](tensor::DimOp dim) -> Expected<Results> {
        const HostTensor &source = *lookup(dim.getSource());
        int64_t index = lookup(dim.getIndex())->getInt64(0);
        if (index < 0 || index >= source.getRank())
          return opError(op, "asks for dimension " + llvm::Twine(index) +
                                 " of " + source.getTypeString());
        HostTensor result(DType::I64, {});
        result.setInt64(0, source.getShape()[index]);
        return single(std::move(result));
      })
      .Case([&](tensor::RankOp rank) {
        HostTensor result(DType::I64, {});
        result.setInt64(0, lookup(rank.getTensor())->getRank());
        return single(std::move(result));
      })
      .Default([&](Operation *) -> Expected<Results> {
        return opError(op, "is not supported by the CPU reference");
      });
}
