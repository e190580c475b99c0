//===- GraphBuilder.h - emit graph-level IR as torch-mlir does -*- C++ -*-===//
//
// GraphBuilder emits Gaon's graph level: linalg on tensors (named ops and
// generics), tensor, arith and math, in the op forms torch-mlir's
// linalg-on-tensors backend produces, so the NPU compiler, the GPU compiler
// and the CPU reference all take the ONNX importer's and the model zoo's
// output alike:
//
//   - elementwise ops: linalg.generic with parallel iterators; broadcasting
//     collapses size-1 dimensions away (tensor.collapse_shape) and uses
//     projected-permutation indexing maps;
//   - contractions: linalg.matmul / linalg.batch_matmul with a linalg.fill
//     zero init, linalg.transpose for layout changes;
//   - convolution and pooling: linalg.conv_*_nc*_fc* / depthwise / grouped
//     named ops, linalg.pooling_nc*_{max,sum}, padding with tensor.pad;
//   - reductions: linalg.generic with reduction iterators;
//   - reshapes: tensor.collapse_shape / tensor.expand_shape; slicing and
//     joining: tensor.extract_slice, tensor.concat;
//   - gathers: linalg.generic whose body reads with tensor.extract.
//
// Every shape is static. The builder does not diagnose: callers check their
// inputs (shapes, ranks, attribute values) and report errors with a location
// before calling it.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_FRONTEND_GRAPHBUILDER_H
#define GAON_FRONTEND_GRAPHBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace gaon::frontend {

/// Computes one scalar of an elementwise op from the scalars of its inputs
/// (the block arguments of the generic's body, inputs only, in order).
using ScalarFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Combines an input element with the accumulator of a reduction:
/// (builder, loc, element, accumulator) -> new accumulator.
using CombineFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value, mlir::Value)>;

/// The shape of numpy-style broadcasting of `shapes` (aligned at the last
/// dimension; a size-1 dimension stretches), or nullopt when they clash.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes);

/// Number of elements of a static shape (1 for rank 0).
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// Erases the side-effect-free ops of `block` whose results are unused
/// (reshapes the builder looked through, unused constants). Call once the
/// function is complete.
void eraseDeadOps(mlir::Block &block);

/// Geometry of a convolution or pooling window over the spatial dimensions
/// of an NC... tensor: one entry per spatial dimension.
struct WindowSpec {
  llvm::SmallVector<int64_t> kernel;
  llvm::SmallVector<int64_t> strides;
  llvm::SmallVector<int64_t> dilations;
  llvm::SmallVector<int64_t> padsBegin;
  llvm::SmallVector<int64_t> padsEnd;

  /// Output size of spatial dimension `i` for input size `in`.
  int64_t outputSize(unsigned i, int64_t in) const;
};

enum class PoolKind { Max, Sum };

class GraphBuilder {
public:
  GraphBuilder(mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc) {}

  mlir::OpBuilder &builder() { return b; }
  mlir::Location getLoc() const { return loc; }
  /// Sets the location given to the ops created from now on.
  void setLoc(mlir::Location newLoc) { loc = newLoc; }

  //===--- Types and scalars ----------------------------------------------===//

  static mlir::RankedTensorType getShape(mlir::Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType());
  }
  static llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
    return getShape(v).getShape();
  }
  static mlir::Type elementTypeOf(mlir::Value v) {
    return getShape(v).getElementType();
  }

  /// A scalar arith.constant of `type` (float or integer) holding `value`.
  static mlir::Value scalar(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Type type, double value);
  /// Converts scalar `v` to `to` (float/int/bool; `srcUnsigned` and
  /// `dstUnsigned` select the unsigned conversions of integers).
  static mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value v, mlir::Type to,
                                bool srcUnsigned = false,
                                bool dstUnsigned = false);
  /// GELU of float scalar x: 0.5 x (1 + erf(x / sqrt 2)), or with
  /// `tanhApprox` 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  static mlir::Value geluScalar(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value x, bool tanhApprox);
  /// Lowest / highest finite-or-infinite value of `type`: -inf/+inf for
  /// floats, the signed minimum/maximum for integers.
  static mlir::TypedAttr lowestValue(mlir::Type type);
  static mlir::TypedAttr highestValue(mlir::Type type);

  //===--- Creation -------------------------------------------------------===//

  mlir::Value empty(llvm::ArrayRef<int64_t> shape, mlir::Type elementType);
  /// tensor.empty filled with `value` by linalg.fill.
  mlir::Value fill(llvm::ArrayRef<int64_t> shape, mlir::TypedAttr value);
  mlir::Value fill(llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                   double value);
  /// arith.constant of a dense tensor.
  mlir::Value constant(mlir::DenseElementsAttr value);

  //===--- Elementwise ----------------------------------------------------===//

  /// linalg.generic computing `body` over the numpy broadcast of `inputs`,
  /// producing elements of `resultType`. Inputs must be broadcast-compatible.
  mlir::Value elementwise(mlir::ValueRange inputs, mlir::Type resultType,
                          ScalarFn body);
  /// Broadcasts `v` to `shape` (numpy rules) with a copying linalg.generic.
  mlir::Value broadcastTo(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// Converts every element of `v` to `elementType`.
  mlir::Value cast(mlir::Value v, mlir::Type elementType,
                   bool srcUnsigned = false, bool dstUnsigned = false);

  //===--- Shapes ---------------------------------------------------------===//

  /// Reshape to `shape` (same element count) with collapse/expand_shape.
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// linalg.transpose; result dim i is input dim perm[i].
  mlir::Value transpose(mlir::Value v, llvm::ArrayRef<int64_t> perm);
  /// tensor.extract_slice with positive strides.
  mlir::Value slice(mlir::Value v, llvm::ArrayRef<int64_t> offsets,
                    llvm::ArrayRef<int64_t> sizes,
                    llvm::ArrayRef<int64_t> strides);
  /// Slice of `v` along one axis: [start, start + size).
  mlir::Value sliceAxis(mlir::Value v, int64_t axis, int64_t start,
                        int64_t size);
  /// Reverses `v` along `axis` (a linalg.generic with a reversing map).
  mlir::Value reverse(mlir::Value v, int64_t axis);
  /// tensor.concat along `axis`.
  mlir::Value concat(mlir::ValueRange values, int64_t axis);
  /// tensor.pad with a constant.
  mlir::Value pad(mlir::Value v, llvm::ArrayRef<int64_t> low,
                  llvm::ArrayRef<int64_t> high, mlir::TypedAttr padValue);
  /// A copying linalg.generic to `outShape` reading `in` through `inExprs`
  /// (affine expressions of the output's dims: flips, tiling, gathers).
  mlir::Value copyGeneric(mlir::Value in,
                          llvm::ArrayRef<mlir::AffineExpr> inExprs,
                          llvm::ArrayRef<int64_t> outShape);
  /// Repeats `v` `repeats[i]` times along dim i (a generic with mod maps).
  mlir::Value tile(mlir::Value v, llvm::ArrayRef<int64_t> repeats);

  //===--- Contractions and reductions ------------------------------------===//

  /// numpy.matmul of `a` and `b` (1-D operands promoted, batch dims
  /// broadcast). `accType` is the result element type (default: a's).
  mlir::Value matmul(mlir::Value a, mlir::Value b,
                     mlir::Type accType = nullptr);
  /// Reduces `axes` of `v` with `combine`, starting from `init`. The result
  /// has element type init's type; `keepDims` keeps reduced dims as size 1.
  mlir::Value reduce(mlir::Value v, llvm::ArrayRef<int64_t> axes, bool keepDims,
                     mlir::TypedAttr init, CombineFn combine);
  mlir::Value reduceSum(mlir::Value v, llvm::ArrayRef<int64_t> axes,
                        bool keepDims);
  mlir::Value reduceMax(mlir::Value v, llvm::ArrayRef<int64_t> axes,
                        bool keepDims);
  /// Mean over `axes`, with keepDims.
  mlir::Value reduceMean(mlir::Value v, llvm::ArrayRef<int64_t> axes);
  /// Softmax (or log-softmax) along `axis`, decomposed as torch-mlir does:
  /// max, subtract, exp, sum, divide.
  mlir::Value softmax(mlir::Value v, int64_t axis, bool log = false);

  //===--- Convolution, pooling, gathers ----------------------------------===//

  /// Convolution of an NC<spatial> input with an F<C/groups><kernel> filter
  /// (1 to 3 spatial dims; groups only for 2-D, or depthwise in 1-D/2-D).
  /// `bias` (rank 1, size F) may be null. `accType` defaults to input's.
  /// Returns null when the combination has no linalg op (check
  /// isConvSupported first).
  mlir::Value conv(mlir::Value input, mlir::Value filter, mlir::Value bias,
                   const WindowSpec &window, int64_t groups,
                   mlir::Type accType = nullptr);
  /// Whether conv() handles `spatialRank` with `groups` of `channels`
  /// input channels and `filters` output channels.
  static bool isConvSupported(unsigned spatialRank, int64_t groups,
                              int64_t channels, int64_t filters);
  /// Max or sum pooling of an NC<spatial> tensor (1 to 3 spatial dims);
  /// pads with -inf (max) or 0 (sum, unsigned max).
  mlir::Value pool(mlir::Value input, PoolKind kind, const WindowSpec &window,
                   bool isUnsigned = false);
  /// numpy.take(data, indices, axis): a linalg.generic over the result whose
  /// body reads data with tensor.extract. Negative indices count from the
  /// end.
  mlir::Value gather(mlir::Value data, mlir::Value indices, int64_t axis);

private:
  /// elementwise() with an explicit result shape that every input
  /// broadcasts to.
  mlir::Value elementwiseTo(mlir::ValueRange inputs,
                            llvm::ArrayRef<int64_t> outShape,
                            mlir::Type resultType, ScalarFn body);
  /// Collapses away the dims of `v` for which `drop` is set (all size 1).
  mlir::Value dropUnitDims(mlir::Value v, llvm::ArrayRef<bool> drop);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace gaon::frontend

#endif // GAON_FRONTEND_GRAPHBUILDER_H
