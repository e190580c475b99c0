//===- ONNXImporterImpl.h - the ONNX importer's internals -------*- C++ -*-===//
//
// Shared by the importer's driver (ONNXImporter.cpp) and its op converters
// (ONNXOps*.cpp). A converter sees one node through a NodeContext: typed
// access to inputs (as IR values or as compile-time constants), attributes
// (every attribute a converter does not read is reported as unsupported) and
// outputs.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_LIB_FRONTEND_ONNX_ONNXIMPORTERIMPL_H
#define GAON_LIB_FRONTEND_ONNX_ONNXIMPORTERIMPL_H

#include "gaon/Frontend/GraphBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace gaon::frontend::onnx_import {

/// ONNX TensorProto::DataType values the importer maps to MLIR types.
using ElemType = int32_t;

/// The MLIR element type of an ONNX element type (signless integers for the
/// unsigned ones), or null when it has none (string, complex).
mlir::Type toMLIRType(mlir::MLIRContext *ctx, ElemType type);
/// Whether the ONNX element type is an unsigned integer.
bool isUnsignedType(ElemType type);
/// ONNX's name for an element type ("float", "int64", ...).
std::string typeName(ElemType type);
/// The ONNX element type of an MLIR type, given signedness (for constants
/// built by converters).
ElemType toONNXType(mlir::Type type, bool isUnsigned = false);

/// Reads a TensorProto's values (raw, typed fields or external data relative
/// to `baseDir`) into a DenseElementsAttr. Emits an error at `loc` on failure.
mlir::FailureOr<mlir::DenseElementsAttr>
tensorToAttr(const onnx::TensorProto &tensor, llvm::StringRef baseDir,
             mlir::Location loc);

/// Prints a shape as [a, b, c].
std::string shapeStr(llvm::ArrayRef<int64_t> shape);

/// A scalar arith.constant (GraphBuilder::scalar).
inline mlir::Value cst(mlir::OpBuilder &b, mlir::Location l, mlir::Type t,
                       double v) {
  return GraphBuilder::scalar(b, l, t, v);
}

/// A value of the graph being imported.
struct TensorValue {
  /// The IR value; null while the value is only known as a constant.
  mlir::Value value;
  /// Its value when known at import time (initializers kept as constants,
  /// Constant nodes, folded shape computations).
  mlir::DenseElementsAttr constant;
  ElemType elemType = 0;
  llvm::SmallVector<int64_t> shape;
  /// A graph input's value bound by the caller (ImportOptions::
  /// inputValueFiles): used only where an op needs a compile-time value.
  mlir::DenseElementsAttr boundValue;
  /// Whether this is a graph input (for diagnostics about constant operands).
  bool isGraphInput = false;
};

class GraphImporter;

/// One node under conversion.
class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node, int64_t index,
              mlir::Location loc, GraphBuilder &gb, int64_t opset)
      : graph(graph), node(node), index(index), loc(loc), gb(gb), opset(opset) {
  }

  GraphImporter &graph;
  const onnx::NodeProto &node;
  /// Position of the node in the graph (0-based).
  int64_t index;
  mlir::Location loc;
  GraphBuilder &gb;
  /// Version of the default-domain opset the model imports.
  int64_t opset;

  mlir::MLIRContext *getContext() const { return loc->getContext(); }
  llvm::StringRef opType() const { return node.op_type(); }

  //===--- Diagnostics ----------------------------------------------------===//

  /// An error naming the node (or its position) and its op type:
  /// "node 'n' (Conv): ..." / "node #3 (Conv): ..." (1-based, as the line).
  mlir::InFlightDiagnostic error();
  /// error() << "unsupported " << what; returns failure.
  mlir::LogicalResult unsupported(const llvm::Twine &what);

  //===--- Inputs ---------------------------------------------------------===//

  /// Number of inputs, counting omitted optional ones before the last given.
  unsigned numInputs() const { return node.input_size(); }
  /// Whether optional input `i` is given.
  bool hasInput(unsigned i) const {
    return i < static_cast<unsigned>(node.input_size()) &&
           !node.input(i).empty();
  }
  const TensorValue &info(unsigned i) const;
  llvm::ArrayRef<int64_t> shape(unsigned i) const { return info(i).shape; }
  int64_t rank(unsigned i) const { return info(i).shape.size(); }
  ElemType elemType(unsigned i) const { return info(i).elemType; }
  bool isUnsigned(unsigned i) const { return isUnsignedType(elemType(i)); }
  mlir::Type mlirType(unsigned i) const;
  /// Input `i` as an IR value (materialising constants).
  mlir::Value value(unsigned i);
  /// Input `i`'s value when known at import time, else null.
  mlir::DenseElementsAttr constant(unsigned i) const;
  bool isConstant(unsigned i) const { return bool(constant(i)); }
  /// Input `i` as integers; reports an error when it is not a compile-time
  /// constant (`what` names the operand, e.g. "shape").
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(unsigned i, llvm::StringRef what);
  /// Input `i` as one floating-point number (a compile-time scalar).
  mlir::FailureOr<double> constantScalar(unsigned i, llvm::StringRef what);

  //===--- Attributes -----------------------------------------------------===//

  const onnx::AttributeProto *attr(llvm::StringRef name);
  bool hasAttr(llvm::StringRef name) { return attr(name) != nullptr; }
  int64_t attrInt(llvm::StringRef name, int64_t dflt);
  float attrFloat(llvm::StringRef name, float dflt);
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt);
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name);
  llvm::SmallVector<float> attrFloats(llvm::StringRef name);
  /// Marks an attribute as understood without reading it (e.g. seeds).
  void ignoreAttr(llvm::StringRef name) { readAttrs.insert(name); }
  /// The first attribute of the node no converter read, if any.
  std::optional<std::string> unreadAttribute() const;

  /// Normalises axis `axis` of a rank-`rank` tensor into [0, rank); reports
  /// an error when out of range.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

  //===--- Outputs --------------------------------------------------------===//

  unsigned numOutputs() const { return node.output_size(); }
  bool hasOutput(unsigned i) const {
    return i < static_cast<unsigned>(node.output_size()) &&
           !node.output(i).empty();
  }
  /// Defines output `i`; `isUnsigned` records unsigned integer results.
  void setOutput(unsigned i, mlir::Value v, bool isUnsigned = false);
  /// Defines output `i` as an import-time constant.
  void setConstantOutput(unsigned i, mlir::DenseElementsAttr attr,
                         bool isUnsigned = false);
  /// Defines output `i` with an explicit ONNX element type.
  void setOutputTyped(unsigned i, mlir::Value v, ElemType type);

private:
  llvm::StringSet<> readAttrs;
};

/// Requires input `i` of the node to have a floating-point element type.
mlir::LogicalResult requireFloat(NodeContext &ctx, unsigned i);

/// Converts one node; returns failure after reporting an error.
using Converter = mlir::LogicalResult (*)(NodeContext &);
using ConverterTable = llvm::StringMap<Converter>;

/// Converters by op type, filled by the ONNXOps*.cpp files.
void addElementwiseConverters(ConverterTable &table);
void addNNConverters(ConverterTable &table);
void addTensorConverters(ConverterTable &table);

/// The table of every converter (built once).
const ConverterTable &converters();

//===--- Import-time folding (shape computations) ------------------------===//

/// Largest constant (in elements) the importer evaluates at import time.
constexpr int64_t kFoldLimit = 1 << 16;

/// Whether every given input of the node is an import-time constant of at
/// most kFoldLimit elements, so the node can be evaluated on the host
/// (Shape -> Gather -> Concat -> Reshape chains and the like).
bool allInputsFoldable(NodeContext &ctx);
/// Host versions of slicing, gathering, joining and broadcasting constants
/// (any element type).
mlir::DenseElementsAttr foldSlice(mlir::DenseElementsAttr v,
                                  llvm::ArrayRef<int64_t> offsets,
                                  llvm::ArrayRef<int64_t> sizes,
                                  llvm::ArrayRef<int64_t> strides);
mlir::DenseElementsAttr foldGather(mlir::DenseElementsAttr data,
                                   mlir::DenseElementsAttr indices,
                                   int64_t axis);
mlir::DenseElementsAttr foldConcat(llvm::ArrayRef<mlir::DenseElementsAttr> vs,
                                   int64_t axis);
mlir::DenseElementsAttr foldBroadcast(mlir::DenseElementsAttr v,
                                      llvm::ArrayRef<int64_t> shape);
/// Converts a constant to element type `to` as a Cast would (float to int
/// truncates toward zero; to bool compares with zero).
mlir::DenseElementsAttr foldCast(mlir::DenseElementsAttr v, mlir::Type to,
                                 bool srcUnsigned);
/// Integer values of a constant (sign- or zero-extended).
llvm::SmallVector<int64_t> intValues(mlir::DenseElementsAttr v,
                                     bool isUnsigned = false);

/// Imports one graph into a function.
class GraphImporter {
public:
  llvm::StringMap<TensorValue> values;
  /// Directory of the model file (for external data).
  std::string baseDir;

  TensorValue *lookup(llvm::StringRef name) {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
  /// Materialises a constant-only value as an arith.constant at the point
  /// of first use.
  mlir::Value materialize(TensorValue &v, GraphBuilder &gb);
};

} // namespace gaon::frontend::onnx_import

#endif // GAON_LIB_FRONTEND_ONNX_ONNXIMPORTERIMPL_H
