//===- ONNXImporter.cpp - ONNX model to graph-level MLIR ------------------===//
//
// The driver: reads the model (binary or textual ONNX, external data),
// creates @main from the graph's inputs and initializers, converts the nodes
// in order through the converter table and returns the graph's outputs.
//
//===----------------------------------------------------------------------===//

#include "gaon/Frontend/ONNXImporter.h"

#include "ONNXImporterImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/defs/parser.h"

using namespace mlir;
using namespace gaon::frontend;
using namespace gaon::frontend::onnx_import;
using llvm::SmallVector;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Element types and tensors
//===----------------------------------------------------------------------===//

Type onnx_import::toMLIRType(MLIRContext *ctx, ElemType type) {
  Builder b(ctx);
  switch (type) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64);
  default:
    return nullptr;
  }
}

bool onnx_import::isUnsignedType(ElemType type) {
  return type == onnx::TensorProto::UINT8 ||
         type == onnx::TensorProto::UINT16 ||
         type == onnx::TensorProto::UINT32 || type == onnx::TensorProto::UINT64;
}

std::string onnx_import::typeName(ElemType type) {
  return onnx::PrimitiveTypeNameMap::ToString(type);
}

ElemType onnx_import::toONNXType(Type type, bool isUnsigned) {
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  switch (type.getIntOrFloatBitWidth()) {
  case 1:
    return onnx::TensorProto::BOOL;
  case 8:
    return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16:
    return isUnsigned ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32:
    return isUnsigned ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  default:
    return isUnsigned ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  }
}

/// Reads the external-data bytes of `t` (location/offset/length relative to
/// `baseDir`) into `bytes`.
static LogicalResult readExternalData(const onnx::TensorProto &t,
                                      StringRef baseDir, std::string &bytes,
                                      Location loc) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = std::stoll(kv.value());
    else if (kv.key() == "length")
      length = std::stoll(kv.value());
  }
  if (location.empty())
    return emitError(loc) << "tensor '" << t.name()
                          << "' has external data without a location";
  SmallVector<char> path(baseDir.begin(), baseDir.end());
  llvm::sys::path::append(path, location);
  StringRef pathRef(path.data(), path.size());
  auto buffer = llvm::MemoryBuffer::getFile(pathRef, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read external data '" << pathRef
                          << "' of tensor '" << t.name()
                          << "': " << buffer.getError().message();
  int64_t size = (*buffer)->getBufferSize();
  if (length < 0)
    length = size - offset;
  if (offset < 0 || offset + length > size)
    return emitError(loc) << "external data of tensor '" << t.name()
                          << "' (offset " << offset << ", length " << length
                          << ") lies outside '" << pathRef << "' (" << size
                          << " bytes)";
  bytes.assign((*buffer)->getBufferStart() + offset, length);
  return success();
}

FailureOr<DenseElementsAttr>
onnx_import::tensorToAttr(const onnx::TensorProto &t, StringRef baseDir,
                          Location loc) {
  MLIRContext *ctx = loc->getContext();
  Type elt = toMLIRType(ctx, t.data_type());
  if (!elt)
    return emitError(loc) << "tensor '" << t.name() << "' has element type "
                          << typeName(t.data_type())
                          << ", which the importer does not support";
  if (t.has_segment())
    return emitError(loc) << "tensor '" << t.name()
                          << "' is segmented, which the importer does not "
                             "support";
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(shape, elt);
  int64_t n = numElements(shape);
  auto mismatch = [&](int64_t got) {
    return emitError(loc) << "tensor '" << t.name() << "' of shape " << type
                          << " holds " << got << " values, expected " << n;
  };

  std::string external;
  const std::string *raw = nullptr;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (failed(readExternalData(t, baseDir, external, loc)))
      return failure();
    raw = &external;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
  }

  if (raw) {
    int64_t eltBytes =
        elt.isInteger(1) ? 1 : (elt.getIntOrFloatBitWidth() + 7) / 8;
    if (static_cast<int64_t>(raw->size()) != n * eltBytes)
      return emitError(loc)
             << "tensor '" << t.name() << "' of shape " << type << " has "
             << raw->size() << " bytes, expected " << n * eltBytes;
    if (elt.isInteger(1)) {
      SmallVector<bool> values;
      for (char c : *raw)
        values.push_back(c != 0);
      return DenseElementsAttr::get(type, ArrayRef<bool>(values));
    }
    ArrayRef<char> bytes(raw->data(), raw->size());
    if (n == 0)
      return DenseElementsAttr::get(type, ArrayRef<Attribute>{});
    bool splat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, bytes, splat))
      return emitError(loc)
             << "tensor '" << t.name() << "' has a malformed raw buffer";
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  }

  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (t.float_data_size() != n)
      return mismatch(t.float_data_size());
    return DenseElementsAttr::get(
        type, ArrayRef<float>(t.float_data().data(), t.float_data_size()));
  case onnx::TensorProto::DOUBLE:
    if (t.double_data_size() != n)
      return mismatch(t.double_data_size());
    return DenseElementsAttr::get(
        type, ArrayRef<double>(t.double_data().data(), t.double_data_size()));
  case onnx::TensorProto::INT64:
    if (t.int64_data_size() != n)
      return mismatch(t.int64_data_size());
    return DenseElementsAttr::get(
        type, ArrayRef<int64_t>(t.int64_data().data(), t.int64_data_size()));
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64: {
    if (t.uint64_data_size() != n)
      return mismatch(t.uint64_data_size());
    SmallVector<llvm::APInt> values;
    for (uint64_t v : t.uint64_data())
      values.emplace_back(elt.getIntOrFloatBitWidth(), v);
    return DenseElementsAttr::get(type, values);
  }
  case onnx::TensorProto::BOOL: {
    if (t.int32_data_size() != n)
      return mismatch(t.int32_data_size());
    SmallVector<bool> values;
    for (int32_t v : t.int32_data())
      values.push_back(v != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    if (t.int32_data_size() != n)
      return mismatch(t.int32_data_size());
    const llvm::fltSemantics &sem = cast<FloatType>(elt).getFloatSemantics();
    SmallVector<llvm::APFloat> values;
    for (int32_t v : t.int32_data())
      values.emplace_back(sem, llvm::APInt(16, static_cast<uint16_t>(v)));
    return DenseElementsAttr::get(type, values);
  }
  default: {
    // INT8, UINT8, INT16, UINT16, INT32 live in int32_data.
    if (t.int32_data_size() != n)
      return mismatch(t.int32_data_size());
    SmallVector<llvm::APInt> values;
    for (int32_t v : t.int32_data())
      values.emplace_back(elt.getIntOrFloatBitWidth(), v, /*isSigned=*/true,
                          /*implicitTrunc=*/true);
    return DenseElementsAttr::get(type, values);
  }
  }
}

std::string onnx_import::shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + std::to_string(d);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

LogicalResult onnx_import::requireFloat(NodeContext &ctx, unsigned i) {
  if (isa<FloatType>(ctx.mlirType(i)))
    return success();
  return ctx.error() << "expects a floating-point input " << i << ", got "
                     << typeName(ctx.elemType(i));
}

InFlightDiagnostic NodeContext::error() {
  InFlightDiagnostic diag = emitError(loc);
  if (node.name().empty())
    diag << "node #" << index + 1;
  else
    diag << "node '" << node.name() << "'";
  diag << " (" << node.op_type() << "): ";
  return diag;
}

LogicalResult NodeContext::unsupported(const llvm::Twine &what) {
  return error() << "unsupported " << what;
}

const TensorValue &NodeContext::info(unsigned i) const {
  return *graph.lookup(node.input(i));
}

Type NodeContext::mlirType(unsigned i) const {
  return toMLIRType(getContext(), elemType(i));
}

Value NodeContext::value(unsigned i) {
  return graph.materialize(*graph.lookup(node.input(i)), gb);
}

DenseElementsAttr NodeContext::constant(unsigned i) const {
  if (!hasInput(i))
    return nullptr;
  return info(i).constant;
}

/// The value of input `i` when a compile-time value is required: a constant
/// or a graph input whose value the caller bound.
static DenseElementsAttr requiredValue(NodeContext &ctx, unsigned i) {
  const TensorValue &v = ctx.info(i);
  if (v.constant)
    return v.constant;
  return v.boundValue;
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(unsigned i,
                                                          StringRef what) {
  DenseElementsAttr attr = requiredValue(*this, i);
  if (!attr) {
    if (info(i).isGraphInput)
      return error() << "input '" << what << "' ('" << node.input(i)
                     << "') must be known at compile time, but is the graph "
                        "input '"
                     << node.input(i)
                     << "'; make it an initializer or bind its value";
    return error() << "input '" << what << "' ('" << node.input(i)
                   << "') must be known at compile time (a constant, an "
                      "initializer or computed from shapes), but depends on "
                      "a runtime value";
  }
  if (!isa<IntegerType>(attr.getElementType()))
    return error() << "input '" << what << "' must be an integer tensor, got "
                   << attr.getType();
  SmallVector<int64_t> values;
  bool isBool = attr.getElementType().isInteger(1);
  for (const llvm::APInt &v : attr.getValues<llvm::APInt>())
    values.push_back(isBool ? v.getZExtValue() : v.getSExtValue());
  return values;
}

FailureOr<double> NodeContext::constantScalar(unsigned i, StringRef what) {
  DenseElementsAttr attr = requiredValue(*this, i);
  if (!attr)
    return error() << "input '" << what << "' ('" << node.input(i)
                   << "') must be known at compile time";
  if (attr.getNumElements() != 1)
    return error() << "input '" << what << "' must hold one value, got "
                   << attr.getType();
  if (isa<FloatType>(attr.getElementType()))
    return (*attr.getValues<llvm::APFloat>().begin()).convertToDouble();
  llvm::APInt v = *attr.getValues<llvm::APInt>().begin();
  if (isUnsigned(i) || attr.getElementType().isInteger(1))
    return static_cast<double>(v.getZExtValue());
  return static_cast<double>(v.getSExtValue());
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) {
  readAttrs.insert(name);
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::attrInt(StringRef name, int64_t dflt) {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : dflt;
}

float NodeContext::attrFloat(StringRef name, float dflt) {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeContext::attrString(StringRef name, StringRef dflt) {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> NodeContext::attrInts(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeContext::attrFloats(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

std::optional<std::string> NodeContext::unreadAttribute() const {
  for (const auto &a : node.attribute())
    if (!readAttrs.contains(a.name()))
      return a.name();
  return std::nullopt;
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= std::max<int64_t>(rank, 1))
    return error() << "axis " << axis << " is out of range for rank " << rank;
  return normalized;
}

void NodeContext::setOutputTyped(unsigned i, Value v, ElemType type) {
  if (!hasOutput(i))
    return;
  TensorValue tv;
  tv.value = v;
  tv.elemType = type;
  tv.shape = llvm::to_vector(GraphBuilder::shapeOf(v));
  graph.values[node.output(i)] = tv;
}

void NodeContext::setOutput(unsigned i, Value v, bool isUnsigned) {
  setOutputTyped(i, v, toONNXType(GraphBuilder::elementTypeOf(v), isUnsigned));
}

void NodeContext::setConstantOutput(unsigned i, DenseElementsAttr attr,
                                    bool isUnsigned) {
  if (!hasOutput(i))
    return;
  TensorValue tv;
  tv.constant = attr;
  tv.elemType = toONNXType(attr.getElementType(), isUnsigned);
  tv.shape = llvm::to_vector(attr.getType().getShape());
  graph.values[node.output(i)] = tv;
}

Value GraphImporter::materialize(TensorValue &v, GraphBuilder &gb) {
  if (!v.value)
    v.value = gb.constant(v.constant);
  return v.value;
}

const ConverterTable &onnx_import::converters() {
  static const ConverterTable table = [] {
    ConverterTable t;
    addElementwiseConverters(t);
    addNNConverters(t);
    addTensorConverters(t);
    return t;
  }();
  return table;
}

SmallVector<StringRef> gaon::frontend::supportedONNXOps() {
  SmallVector<StringRef> names;
  for (const auto &entry : converters())
    names.push_back(entry.getKey());
  llvm::sort(names);
  return names;
}

bool gaon::frontend::isSupportedONNXOp(StringRef opType) {
  return converters().contains(opType);
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

namespace {
/// Imports one model's main graph into @main.
class ModelImporter {
public:
  ModelImporter(const onnx::ModelProto &model, StringRef path,
                const ImportOptions &options, MLIRContext &ctx)
      : model(model), path(path), options(options), ctx(ctx),
        fileLoc(FileLineColLoc::get(&ctx, path, 0, 0)) {
    graph.baseDir = llvm::sys::path::parent_path(path).str();
  }

  FailureOr<OwningOpRef<ModuleOp>> run();

private:
  LogicalResult resolveType(const onnx::ValueInfoProto &info,
                            RankedTensorType &type, ElemType &elemType);
  LogicalResult addInputs(OpBuilder &b, func::FuncOp func);
  LogicalResult convertNodes(OpBuilder &b, int64_t opset);
  LogicalResult addReturn(OpBuilder &b, func::FuncOp func);
  Location nodeLoc(const onnx::NodeProto &node, int index);

  const onnx::ModelProto &model;
  StringRef path;
  const ImportOptions &options;
  MLIRContext &ctx;
  Location fileLoc;
  GraphImporter graph;
  /// Block arguments of bound inputs: erased when no op reads them.
  SmallVector<BlockArgument> boundArgs;
};
} // namespace

Location ModelImporter::nodeLoc(const onnx::NodeProto &node, int index) {
  std::string name = node.name().empty()
                         ? (node.op_type() + "#" + std::to_string(index))
                         : node.name();
  return NameLoc::get(StringAttr::get(&ctx, name),
                      FileLineColLoc::get(&ctx, path, index + 1, 1));
}

LogicalResult ModelImporter::resolveType(const onnx::ValueInfoProto &info,
                                         RankedTensorType &type,
                                         ElemType &elemType) {
  if (!info.type().has_tensor_type())
    return emitError(fileLoc) << "graph input '" << info.name()
                              << "' is not a tensor (sequences, maps and "
                                 "optionals are unsupported)";
  const auto &tt = info.type().tensor_type();
  elemType = tt.elem_type();
  Type elt = toMLIRType(&ctx, elemType);
  if (!elt)
    return emitError(fileLoc)
           << "graph input '" << info.name() << "' has element type "
           << typeName(elemType) << ", which the importer does not support";
  if (!tt.has_shape())
    return emitError(fileLoc) << "graph input '" << info.name()
                              << "' has no shape; the importer needs ranked "
                                 "inputs";
  SmallVector<int64_t> shape;
  for (const auto &[i, dim] : llvm::enumerate(tt.shape().dim())) {
    if (dim.has_dim_value()) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (dim.has_dim_param()) {
      auto it = options.dimBindings.find(dim.dim_param());
      if (it != options.dimBindings.end()) {
        shape.push_back(it->second);
        continue;
      }
      return emitError(fileLoc)
             << "dimension " << i << " of graph input '" << info.name()
             << "' is dynamic ('" << dim.dim_param()
             << "'); bind it with --dim " << dim.dim_param() << "=<size>";
    }
    return emitError(fileLoc)
           << "dimension " << i << " of graph input '" << info.name()
           << "' is unknown and unnamed; the importer needs "
              "static shapes";
  }
  type = RankedTensorType::get(shape, elt);
  return success();
}

/// Reads a TensorProto file (a bound input value).
static FailureOr<DenseElementsAttr>
readTensorFile(StringRef file, Location loc, std::string *name = nullptr) {
  auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read '" << file
                          << "': " << buffer.getError().message();
  onnx::TensorProto tensor;
  if (!tensor.ParseFromArray((*buffer)->getBufferStart(),
                             (*buffer)->getBufferSize()))
    return emitError(loc) << "'" << file << "' is not a TensorProto";
  if (name)
    *name = tensor.name();
  return tensorToAttr(tensor, llvm::sys::path::parent_path(file), loc);
}

FailureOr<DenseElementsAttr>
gaon::frontend::readONNXTensorFile(StringRef path, MLIRContext &context,
                                   std::string *name) {
  return readTensorFile(path, FileLineColLoc::get(&context, path, 0, 0), name);
}

LogicalResult ModelImporter::addInputs(OpBuilder &b, func::FuncOp func) {
  const onnx::GraphProto &g = model.graph();
  Block &entry = func.getBody().front();
  llvm::StringMap<const onnx::TensorProto *> initializers;
  for (const auto &init : g.initializer())
    initializers[init.name()] = &init;
  if (g.sparse_initializer_size())
    return emitError(fileLoc) << "sparse initializers are unsupported";

  auto setArgAttrs = [&](unsigned idx, StringRef name, StringRef kind) {
    func.setArgAttr(idx, "gaon.name", b.getStringAttr(name));
    func.setArgAttr(idx, "gaon.kind", b.getStringAttr(kind));
  };

  // Graph inputs that are not initializers (IR < 4 lists both).
  for (const auto &input : g.input()) {
    if (initializers.count(input.name()))
      continue;
    RankedTensorType type;
    TensorValue tv;
    if (failed(resolveType(input, type, tv.elemType)))
      return failure();
    BlockArgument arg = entry.addArgument(type, fileLoc);
    tv.value = arg;
    tv.shape = llvm::to_vector(type.getShape());
    tv.isGraphInput = true;
    auto bound = options.inputValueFiles.find(input.name());
    if (bound != options.inputValueFiles.end()) {
      FailureOr<DenseElementsAttr> attr =
          readTensorFile(bound->second, fileLoc);
      if (failed(attr))
        return failure();
      // numpy has no bfloat16: such data arrives as uint16 bit patterns.
      if (attr->getType() != type && isa<FloatType>(type.getElementType()) &&
          attr->getElementType().isInteger(16) &&
          type.getElementType().getIntOrFloatBitWidth() == 16 &&
          attr->getType().getShape() == type.getShape())
        *attr = attr->bitcast(type.getElementType());
      if (attr->getType() != type)
        return emitError(fileLoc)
               << "value bound to input '" << input.name() << "' has type "
               << attr->getType() << ", expected " << type;
      tv.boundValue = *attr;
      if (options.foldInputValues)
        tv.constant = *attr;
      boundArgs.push_back(arg);
    }
    graph.values[input.name()] = tv;
  }
  func.setType(b.getFunctionType(entry.getArgumentTypes(), {}));
  for (const auto &input : g.input())
    if (!initializers.count(input.name()))
      setArgAttrs(
          cast<BlockArgument>(graph.values[input.name()].value).getArgNumber(),
          input.name(), "input");

  // Initializers: constants, or weight arguments.
  for (const auto &init : g.initializer()) {
    FailureOr<DenseElementsAttr> attr =
        tensorToAttr(init, graph.baseDir, fileLoc);
    if (failed(attr))
      return failure();
    TensorValue tv;
    tv.elemType = init.data_type();
    tv.shape = llvm::to_vector(attr->getType().getShape());
    if (options.weightsAsArguments && isa<FloatType>(attr->getElementType()) &&
        attr->getNumElements() > 1) {
      BlockArgument arg = entry.addArgument(attr->getType(), fileLoc);
      func.setType(b.getFunctionType(entry.getArgumentTypes(), {}));
      setArgAttrs(arg.getArgNumber(), init.name(), "weight");
      tv.value = arg;
    } else {
      tv.constant = *attr;
    }
    graph.values[init.name()] = tv;
  }
  return success();
}

LogicalResult ModelImporter::convertNodes(OpBuilder &b, int64_t opset) {
  const ConverterTable &table = converters();
  for (const auto &[index, node] : llvm::enumerate(model.graph().node())) {
    Location loc = nodeLoc(node, index);
    GraphBuilder gb(b, loc);
    NodeContext nc(graph, node, index, loc, gb, opset);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return nc.error() << "unsupported op domain '" << node.domain()
                        << "' (the importer converts the default ONNX domain)";
    for (const std::string &input : node.input())
      if (!input.empty() && !graph.lookup(input))
        return nc.error() << "input '" << input
                          << "' is not defined before this node";
    auto it = table.find(node.op_type());
    if (it == table.end())
      return nc.unsupported("op type '" + node.op_type() +
                            "' (no converter; see docs/frontends.md for the "
                            "supported ops)");
    for (unsigned i = 0; i < nc.numInputs(); ++i)
      if (nc.hasInput(i) && !nc.mlirType(i))
        return nc.error() << "input '" << node.input(i) << "' has element type "
                          << typeName(nc.elemType(i))
                          << ", which the importer does not support";
    if (failed(it->second(nc)))
      return failure();
    if (std::optional<std::string> name = nc.unreadAttribute())
      return nc.unsupported("attribute '" + *name + "'");
    for (unsigned i = 0; i < nc.numOutputs(); ++i)
      if (nc.hasOutput(i) && !graph.lookup(node.output(i)))
        return nc.unsupported("output " + llvm::Twine(i) + " ('" +
                              node.output(i) + "')");
  }
  return success();
}

LogicalResult ModelImporter::addReturn(OpBuilder &b, func::FuncOp func) {
  SmallVector<Value> results;
  GraphBuilder gb(b, fileLoc);
  for (const auto &output : model.graph().output()) {
    TensorValue *v = graph.lookup(output.name());
    if (!v)
      return emitError(fileLoc)
             << "graph output '" << output.name() << "' is never defined";
    Value value = graph.materialize(*v, gb);
    // Check the declared type where the model states one.
    const auto &tt = output.type().tensor_type();
    if (output.type().has_tensor_type() && tt.elem_type() &&
        tt.elem_type() != v->elemType)
      return emitError(fileLoc) << "graph output '" << output.name()
                                << "' is declared " << typeName(tt.elem_type())
                                << " but computes " << typeName(v->elemType);
    if (output.type().has_tensor_type() && tt.has_shape()) {
      ArrayRef<int64_t> shape = GraphBuilder::shapeOf(value);
      bool mismatch = tt.shape().dim_size() != static_cast<int>(shape.size());
      for (int i = 0; !mismatch && i < tt.shape().dim_size(); ++i)
        mismatch = tt.shape().dim(i).has_dim_value() &&
                   tt.shape().dim(i).dim_value() != shape[i];
      if (mismatch) {
        std::string declared = "[";
        for (int i = 0; i < tt.shape().dim_size(); ++i) {
          const auto &dim = tt.shape().dim(i);
          declared += (i ? ", " : "") + (dim.has_dim_value()
                                             ? std::to_string(dim.dim_value())
                                             : dim.dim_param());
        }
        return emitError(fileLoc)
               << "graph output '" << output.name() << "' is declared with "
               << "shape " << declared << "] but computes " << value.getType();
      }
    }
    results.push_back(value);
  }
  func::ReturnOp::create(b, fileLoc, results);
  Block &entry = func.getBody().front();
  eraseDeadOps(entry);
  func.setType(b.getFunctionType(entry.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  for (const auto &[i, output] : llvm::enumerate(model.graph().output()))
    func.setResultAttr(i, "gaon.name", b.getStringAttr(output.name()));

  // Bound inputs that no op read at run time leave the signature.
  llvm::BitVector erase(entry.getNumArguments());
  for (BlockArgument arg : boundArgs)
    if (arg.use_empty())
      erase.set(arg.getArgNumber());
  if (erase.any() && failed(func.eraseArguments(erase)))
    return emitError(fileLoc) << "cannot drop bound inputs";
  return success();
}

FailureOr<OwningOpRef<ModuleOp>> ModelImporter::run() {
  int64_t opset = -1;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (opset < 0)
    return emitError(fileLoc)
           << "the model imports no version of the default ONNX opset";

  OpBuilder b(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto func =
      func::FuncOp::create(b, fileLoc, "main", b.getFunctionType({}, {}));
  func->setAttr("gaon.source", b.getStringAttr("onnx"));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  if (failed(addInputs(b, func)) || failed(convertNodes(b, opset)) ||
      failed(addReturn(b, func)))
    return failure();
  if (failed(verify(*module)))
    return emitError(fileLoc) << "the imported module does not verify";
  return module;
}

FailureOr<OwningOpRef<ModuleOp>>
gaon::frontend::importONNXFile(StringRef path, const ImportOptions &options,
                               MLIRContext &context) {
  context.loadDialect<arith::ArithDialect, func::FuncDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      tensor::TensorDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return emitError(fileLoc)
           << "cannot read '" << path << "': " << buffer.getError().message();
  onnx::ModelProto model;
  if (path.ends_with(".onnxtxt")) {
    std::string text((*buffer)->getBuffer());
    onnx::Common::Status status = onnx::OnnxParser::Parse(model, text.c_str());
    if (!status.IsOK())
      return emitError(fileLoc)
             << "not a valid ONNX text model: " << status.ErrorMessage();
  } else if (!model.ParseFromArray((*buffer)->getBufferStart(),
                                   (*buffer)->getBufferSize())) {
    return emitError(fileLoc) << "not a valid ONNX model (protobuf parse "
                                 "failed)";
  }
  if (!model.has_graph())
    return emitError(fileLoc) << "the model has no graph";
  return ModelImporter(model, path, options, context).run();
}
