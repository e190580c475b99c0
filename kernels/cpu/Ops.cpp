//===- Ops.cpp - kernels of the npu dialect's engine commands -------------===//

#include "gaon/Kernels/Ops.h"

#include "Common.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Parallel.h"

#include <Eigen/Core>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace gaon::kernels;
using namespace gaon::kernels::detail;
using llvm::Error;
using llvm::SmallVector;

/// The range of an integer dtype as int64.
static std::pair<int64_t, int64_t> getIntRange(DType dtype) {
  switch (dtype) {
  case DType::I1:
    return {0, 1};
  case DType::I8:
    return {INT8_MIN, INT8_MAX};
  case DType::I32:
    return {INT32_MIN, INT32_MAX};
  default:
    return {INT64_MIN, INT64_MAX};
  }
}

//===----------------------------------------------------------------------===//
// Validation helpers (Common.h)
//===----------------------------------------------------------------------===//

Error detail::verifyViews(llvm::StringRef kernel,
                          std::initializer_list<NamedView> views,
                          int64_t rank) {
  for (const NamedView &named : views) {
    if (Error err = named.view.verify())
      return kernelError(kernel,
                         named.role + ": " + llvm::toString(std::move(err)));
    if (rank >= 0)
      if (Error err = expectRank(kernel, named.role, named.view, rank))
        return err;
  }
  return Error::success();
}

Error detail::expectRank(llvm::StringRef kernel, llvm::StringRef role,
                         const View &view, int64_t rank) {
  if (view.getRank() != rank)
    return kernelError(kernel, llvm::formatv("{0} must have rank {1}, got {2}",
                                             role, rank, describe(view)));
  return Error::success();
}

Error detail::expectSameShape(llvm::StringRef kernel, llvm::StringRef roleA,
                              const View &a, llvm::StringRef roleB,
                              const View &b) {
  if (a.shape != b.shape)
    return kernelError(kernel,
                       llvm::formatv("{0} {1} and {2} {3} differ in shape",
                                     roleA, describe(a), roleB, describe(b)));
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Kind names
//===----------------------------------------------------------------------===//

llvm::StringRef gaon::kernels::stringifyUnaryKind(UnaryKind kind) {
  switch (kind) {
  case UnaryKind::Copy:
    return "copy";
  case UnaryKind::Neg:
    return "neg";
  case UnaryKind::Abs:
    return "abs";
  case UnaryKind::Relu:
    return "relu";
  case UnaryKind::Exp:
    return "exp";
  case UnaryKind::Log:
    return "log";
  case UnaryKind::Sqrt:
    return "sqrt";
  case UnaryKind::Rsqrt:
    return "rsqrt";
  case UnaryKind::Reciprocal:
    return "reciprocal";
  case UnaryKind::Tanh:
    return "tanh";
  case UnaryKind::Erf:
    return "erf";
  case UnaryKind::Sigmoid:
    return "sigmoid";
  case UnaryKind::Gelu:
    return "gelu";
  case UnaryKind::GeluTanh:
    return "gelu_tanh";
  case UnaryKind::Silu:
    return "silu";
  }
  llvm_unreachable("unknown UnaryKind");
}

llvm::StringRef gaon::kernels::stringifyBinaryKind(BinaryKind kind) {
  switch (kind) {
  case BinaryKind::Add:
    return "add";
  case BinaryKind::Sub:
    return "sub";
  case BinaryKind::Mul:
    return "mul";
  case BinaryKind::Div:
    return "div";
  case BinaryKind::Max:
    return "max";
  case BinaryKind::Min:
    return "min";
  case BinaryKind::Pow:
    return "pow";
  }
  llvm_unreachable("unknown BinaryKind");
}

llvm::StringRef gaon::kernels::stringifyReduceKind(ReduceKind kind) {
  switch (kind) {
  case ReduceKind::Sum:
    return "sum";
  case ReduceKind::Max:
    return "max";
  case ReduceKind::Min:
    return "min";
  }
  llvm_unreachable("unknown ReduceKind");
}

std::optional<UnaryKind>
gaon::kernels::symbolizeUnaryKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<UnaryKind>>(name)
      .Case("copy", UnaryKind::Copy)
      .Case("neg", UnaryKind::Neg)
      .Case("abs", UnaryKind::Abs)
      .Case("relu", UnaryKind::Relu)
      .Case("exp", UnaryKind::Exp)
      .Case("log", UnaryKind::Log)
      .Case("sqrt", UnaryKind::Sqrt)
      .Case("rsqrt", UnaryKind::Rsqrt)
      .Case("reciprocal", UnaryKind::Reciprocal)
      .Case("tanh", UnaryKind::Tanh)
      .Case("erf", UnaryKind::Erf)
      .Case("sigmoid", UnaryKind::Sigmoid)
      .Case("gelu", UnaryKind::Gelu)
      .Case("gelu_tanh", UnaryKind::GeluTanh)
      .Case("silu", UnaryKind::Silu)
      .Default(std::nullopt);
}

std::optional<BinaryKind>
gaon::kernels::symbolizeBinaryKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<BinaryKind>>(name)
      .Case("add", BinaryKind::Add)
      .Case("sub", BinaryKind::Sub)
      .Case("mul", BinaryKind::Mul)
      .Case("div", BinaryKind::Div)
      .Case("max", BinaryKind::Max)
      .Case("min", BinaryKind::Min)
      .Case("pow", BinaryKind::Pow)
      .Default(std::nullopt);
}

std::optional<ReduceKind>
gaon::kernels::symbolizeReduceKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<ReduceKind>>(name)
      .Case("sum", ReduceKind::Sum)
      .Case("max", ReduceKind::Max)
      .Case("min", ReduceKind::Min)
      .Default(std::nullopt);
}

//===----------------------------------------------------------------------===//
// Scalar semantics
//===----------------------------------------------------------------------===//

/// max that propagates NaN and orders -0 below +0 (arith.maximumf).
static double maximum(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

/// min that propagates NaN and orders -0 below +0 (arith.minimumf).
static double minimum(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

double gaon::kernels::applyUnary(UnaryKind kind, double x) {
  constexpr double kSqrtHalf = 0.70710678118654752440;
  constexpr double kSqrtTwoOverPi = 0.79788456080286535588;
  switch (kind) {
  case UnaryKind::Copy:
    return x;
  case UnaryKind::Neg:
    return -x;
  case UnaryKind::Abs:
    return std::fabs(x);
  case UnaryKind::Relu:
    return std::isnan(x) ? x : (x > 0.0 ? x : 0.0);
  case UnaryKind::Exp:
    return std::exp(x);
  case UnaryKind::Log:
    return std::log(x);
  case UnaryKind::Sqrt:
    return std::sqrt(x);
  case UnaryKind::Rsqrt:
    return 1.0 / std::sqrt(x);
  case UnaryKind::Reciprocal:
    return 1.0 / x;
  case UnaryKind::Tanh:
    return std::tanh(x);
  case UnaryKind::Erf:
    return std::erf(x);
  case UnaryKind::Sigmoid:
    return 1.0 / (1.0 + std::exp(-x));
  case UnaryKind::Gelu:
    return 0.5 * x * (1.0 + std::erf(x * kSqrtHalf));
  case UnaryKind::GeluTanh:
    return 0.5 * x *
           (1.0 + std::tanh(kSqrtTwoOverPi * (x + 0.044715 * x * x * x)));
  case UnaryKind::Silu:
    return x / (1.0 + std::exp(-x));
  }
  llvm_unreachable("unknown UnaryKind");
}

double gaon::kernels::applyBinary(BinaryKind kind, double lhs, double rhs) {
  switch (kind) {
  case BinaryKind::Add:
    return lhs + rhs;
  case BinaryKind::Sub:
    return lhs - rhs;
  case BinaryKind::Mul:
    return lhs * rhs;
  case BinaryKind::Div:
    return lhs / rhs;
  case BinaryKind::Max:
    return maximum(lhs, rhs);
  case BinaryKind::Min:
    return minimum(lhs, rhs);
  case BinaryKind::Pow:
    return std::pow(lhs, rhs);
  }
  llvm_unreachable("unknown BinaryKind");
}

/// Integer power by squaring (wrapping); negative exponents give 0 unless
/// the base is +-1.
static int64_t intPow(int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 1)
      return 1;
    if (base == -1)
      return (exp & 1) ? -1 : 1;
    return 0;
  }
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  for (uint64_t e = static_cast<uint64_t>(exp); e; e >>= 1, b *= b)
    if (e & 1)
      result *= b;
  return static_cast<int64_t>(result);
}

int64_t gaon::kernels::applyBinaryInt(BinaryKind kind, int64_t lhs,
                                      int64_t rhs) {
  // Wrapping arithmetic through uint64_t (no signed-overflow UB).
  auto ul = static_cast<uint64_t>(lhs), ur = static_cast<uint64_t>(rhs);
  switch (kind) {
  case BinaryKind::Add:
    return static_cast<int64_t>(ul + ur);
  case BinaryKind::Sub:
    return static_cast<int64_t>(ul - ur);
  case BinaryKind::Mul:
    return static_cast<int64_t>(ul * ur);
  case BinaryKind::Div:
    if (rhs == 0)
      return 0;
    if (rhs == -1) // INT64_MIN / -1 wraps
      return static_cast<int64_t>(0 - ul);
    return lhs / rhs;
  case BinaryKind::Max:
    return std::max(lhs, rhs);
  case BinaryKind::Min:
    return std::min(lhs, rhs);
  case BinaryKind::Pow:
    return intPow(lhs, rhs);
  }
  llvm_unreachable("unknown BinaryKind");
}

//===----------------------------------------------------------------------===//
// copy
//===----------------------------------------------------------------------===//

/// Copies elements of `width` bytes between two views of the same shape.
template <typename Word>
static void copyStrided(const View &src, const View &dst) {
  // Walk both views together: offsets of dst follow src's row-major order.
  std::vector<int64_t> dstOffsets;
  dstOffsets.reserve(dst.getNumElements());
  forEachOffset(dst.shape, dst.strides,
                [&](int64_t offset) { dstOffsets.push_back(offset); });
  auto *srcBase = reinterpret_cast<const char *>(src.data);
  auto *dstBase = reinterpret_cast<char *>(dst.data);
  const int64_t *next = dstOffsets.data();
  forEachOffset(src.shape, src.strides, [&](int64_t offset) {
    std::memcpy(dstBase + *next++ * sizeof(Word),
                srcBase + offset * sizeof(Word), sizeof(Word));
  });
}

Error gaon::kernels::copy(const View &src, const View &dst) {
  if (Error err = verifyViews("copy", {{"source", src}, {"target", dst}}))
    return err;
  if (Error err = expectSameShape("copy", "source", src, "target", dst))
    return err;
  if (src.dtype != dst.dtype)
    return kernelError("copy", "source " + describe(src) + " and target " +
                                   describe(dst) + " differ in element type");
  int64_t count = src.getNumElements();
  if (count == 0)
    return Error::success();
  int64_t width = getByteWidth(src.dtype);
  if (src.isContiguous() && dst.isContiguous()) {
    std::memmove(dst.data, src.data, count * width);
    return Error::success();
  }
  View from = src;
  std::vector<std::byte> staging;
  if (src.mayOverlap(dst)) {
    staging.resize(count * width);
    View contiguous = View::getContiguous(staging.data(), src.dtype, src.shape);
    if (Error err = copy(src, contiguous))
      return err;
    from = contiguous;
  }
  switch (width) {
  case 1:
    copyStrided<uint8_t>(from, dst);
    break;
  case 2:
    copyStrided<uint16_t>(from, dst);
    break;
  case 4:
    copyStrided<uint32_t>(from, dst);
    break;
  default:
    copyStrided<uint64_t>(from, dst);
    break;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

namespace {
template <typename Scalar>
using RowMatrix =
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using DynamicStride = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using ConstStridedMap =
    Eigen::Map<const RowMatrix<Scalar>, Eigen::Unaligned, DynamicStride>;
template <typename Scalar>
using StridedMap =
    Eigen::Map<RowMatrix<Scalar>, Eigen::Unaligned, DynamicStride>;

template <typename Scalar> constexpr std::optional<DType> dtypeOf() {
  if constexpr (std::is_same_v<Scalar, float>)
    return DType::F32;
  if constexpr (std::is_same_v<Scalar, double>)
    return DType::F64;
  if constexpr (std::is_same_v<Scalar, int32_t>)
    return DType::I32;
  if constexpr (std::is_same_v<Scalar, int64_t>)
    return DType::I64;
  return std::nullopt;
}

/// True if a 2-D view can be mapped by Eigen as a matrix of its dtype.
bool isMappable(const View &view) {
  return view.strides[0] >= 1 && view.strides[1] >= 1;
}

/// A 2-D operand as an Eigen matrix of `Scalar`: mapped in place when its
/// dtype is Scalar's, otherwise converted into owned storage.
template <typename Scalar> class MatrixOperand {
public:
  explicit MatrixOperand(const View &view)
      : map(nullptr, view.shape[0], view.shape[1], DynamicStride(0, 0)) {
    if (view.dtype == dtypeOf<Scalar>() && isMappable(view)) {
      new (&map) ConstStridedMap<Scalar>(
          reinterpret_cast<const Scalar *>(view.data), view.shape[0],
          view.shape[1], DynamicStride(view.strides[0], view.strides[1]));
      return;
    }
    storage.resize(view.getNumElements());
    if constexpr (std::is_floating_point_v<Scalar>) {
      if constexpr (std::is_same_v<Scalar, float>)
        loadElementsFloat(view, storage.data());
      else
        loadElements(view, storage.data());
    } else {
      std::vector<int64_t> values = loadAllInt64(view);
      std::copy(values.begin(), values.end(), storage.begin());
    }
    new (&map)
        ConstStridedMap<Scalar>(storage.data(), view.shape[0], view.shape[1],
                                DynamicStride(view.shape[1], 1));
  }
  MatrixOperand(const MatrixOperand &) = delete;

  std::vector<Scalar> storage;
  ConstStridedMap<Scalar> map;
};

/// GEMMs with fewer multiply-adds than this run on the calling thread.
constexpr double kParallelWork = 4.0 * 1024 * 1024;

/// result (+)= a * b. Large products are split into row (or column) blocks
/// run in parallel; the split depends only on the shape, so results are
/// the same on any number of threads.
template <typename Result, typename A, typename B>
void gemm(Result &result, const A &a, const B &b, bool accumulate) {
  auto run = [accumulate](auto &&c, const auto &lhs, const auto &rhs) {
    if (accumulate)
      c.noalias() += lhs * rhs;
    else
      c.noalias() = lhs * rhs;
  };
  Eigen::Index m = result.rows(), n = result.cols(), k = a.cols();
  if (static_cast<double>(m) * n * k < kParallelWork) {
    run(result, a, b);
    return;
  }
  bool byRows = m >= n;
  Eigen::Index extent = byRows ? m : n;
  Eigen::Index block = std::max<Eigen::Index>(64, (extent + 15) / 16);
  size_t tasks = static_cast<size_t>((extent + block - 1) / block);
  llvm::parallelFor(0, tasks, [&](size_t task) {
    Eigen::Index start = static_cast<Eigen::Index>(task) * block;
    Eigen::Index size = std::min(block, extent - start);
    if (byRows)
      run(result.middleRows(start, size), a.middleRows(start, size), b);
    else
      run(result.middleCols(start, size), a, b.middleCols(start, size));
  });
}

/// result (+)= op(a) * op(b) for the four transpose combinations.
template <typename Result, typename A, typename B>
void multiply(Result &result, const A &a, bool transposeA, const B &b,
              bool transposeB, bool accumulate) {
  if (transposeA && transposeB)
    gemm(result, a.transpose(), b.transpose(), accumulate);
  else if (transposeA)
    gemm(result, a.transpose(), b, accumulate);
  else if (transposeB)
    gemm(result, a, b.transpose(), accumulate);
  else
    gemm(result, a, b, accumulate);
}

template <typename Scalar>
void floatMatmul(const View &lhs, bool transposeLhs, const View &rhs,
                 bool transposeRhs, const View &acc, bool accumulate) {
  MatrixOperand<Scalar> a(lhs), b(rhs);
  if (acc.dtype == dtypeOf<Scalar>() && isMappable(acc) &&
      !acc.mayOverlap(lhs) && !acc.mayOverlap(rhs)) {
    StridedMap<Scalar> c(reinterpret_cast<Scalar *>(acc.data), acc.shape[0],
                         acc.shape[1],
                         DynamicStride(acc.strides[0], acc.strides[1]));
    multiply(c, a.map, transposeLhs, b.map, transposeRhs, accumulate);
    return;
  }
  RowMatrix<Scalar> c(acc.shape[0], acc.shape[1]);
  if (accumulate) {
    if constexpr (std::is_same_v<Scalar, float>)
      loadElementsFloat(acc, c.data());
    else
      loadElements(acc, c.data());
  }
  multiply(c, a.map, transposeLhs, b.map, transposeRhs, accumulate);
  if constexpr (std::is_same_v<Scalar, float>)
    storeElementsFloat(c.data(), acc);
  else
    storeElements(c.data(), acc);
}

/// Integer matmul computed exactly in `Scalar` (an integer type, or a float
/// type wide enough that every partial sum is an exact integer), then
/// wrapped into acc's width.
template <typename Scalar>
void intMatmul(const View &lhs, bool transposeLhs, const View &rhs,
               bool transposeRhs, const View &acc, bool accumulate) {
  MatrixOperand<Scalar> a(lhs), b(rhs);
  RowMatrix<Scalar> c(acc.shape[0], acc.shape[1]);
  multiply(c, a.map, transposeLhs, b.map, transposeRhs, /*accumulate=*/false);
  std::vector<int64_t> result(c.size());
  for (Eigen::Index i = 0; i < c.size(); ++i)
    result[i] = static_cast<int64_t>(c.data()[i]);
  if (accumulate) {
    std::vector<int64_t> previous = loadAllInt64(acc);
    for (size_t i = 0; i < result.size(); ++i)
      result[i] = applyBinaryInt(BinaryKind::Add, result[i], previous[i]);
  }
  storeElementsInt64(result.data(), acc);
}
} // namespace

Error gaon::kernels::matmul(const View &lhs, bool transposeLhs, const View &rhs,
                            bool transposeRhs, const View &acc,
                            bool accumulate) {
  if (Error err =
          verifyViews("matmul", {{"lhs", lhs}, {"rhs", rhs}, {"acc", acc}}, 2))
    return err;
  int64_t m = lhs.shape[transposeLhs ? 1 : 0];
  int64_t k = lhs.shape[transposeLhs ? 0 : 1];
  int64_t rhsK = rhs.shape[transposeRhs ? 1 : 0];
  int64_t n = rhs.shape[transposeRhs ? 0 : 1];
  if (k != rhsK || acc.shape[0] != m || acc.shape[1] != n)
    return kernelError(
        "matmul",
        llvm::formatv("shapes do not chain: lhs {0}{1}, rhs {2}{3}, acc {4}",
                      describe(lhs), transposeLhs ? " transposed" : "",
                      describe(rhs), transposeRhs ? " transposed" : "",
                      describe(acc)));
  bool floatInputs = isFloat(lhs.dtype) && isFloat(rhs.dtype);
  bool intInputs = isInteger(lhs.dtype) && isInteger(rhs.dtype);
  if (!floatInputs && !intInputs)
    return kernelError("matmul", "lhs " + describe(lhs) + " and rhs " +
                                     describe(rhs) +
                                     " mix float and integer element types");
  if (isFloat(acc.dtype) != floatInputs)
    return kernelError("matmul", "acc " + describe(acc) + " must be a " +
                                     (floatInputs ? "float" : "integer") +
                                     " type for these inputs");
  if (floatInputs) {
    if (lhs.dtype == DType::F64 || rhs.dtype == DType::F64 ||
        acc.dtype == DType::F64)
      floatMatmul<double>(lhs, transposeLhs, rhs, transposeRhs, acc,
                          accumulate);
    else
      floatMatmul<float>(lhs, transposeLhs, rhs, transposeRhs, acc, accumulate);
    return Error::success();
  }
  // 8-bit products are at most 2^14 in magnitude, so every partial sum of K
  // of them is an exact integer in f32 up to K = 2^10 and in f64 up to
  // K = 2^39: the float GEMMs are exact and much faster than Eigen's
  // integer one.
  auto isSmall = [](DType dtype) {
    return dtype == DType::I8 || dtype == DType::I1;
  };
  if (isSmall(lhs.dtype) && isSmall(rhs.dtype) && k <= 1024)
    intMatmul<float>(lhs, transposeLhs, rhs, transposeRhs, acc, accumulate);
  else if (isSmall(lhs.dtype) && isSmall(rhs.dtype))
    intMatmul<double>(lhs, transposeLhs, rhs, transposeRhs, acc, accumulate);
  else
    intMatmul<int64_t>(lhs, transposeLhs, rhs, transposeRhs, acc, accumulate);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Applies `fn` to every value in place.
template <typename T, typename Fn>
static void mapInPlace(std::vector<T> &values, Fn fn) {
  for (T &value : values)
    value = fn(value);
}

Error gaon::kernels::unary(UnaryKind kind, const View &in, const View &out) {
  if (Error err = verifyViews("unary", {{"input", in}, {"output", out}}))
    return err;
  if (Error err = expectSameShape("unary", "input", in, "output", out))
    return err;
  if (kind == UnaryKind::Copy)
    return in.dtype == out.dtype ? copy(in, out) : cast(in, out);
  bool intOk = kind == UnaryKind::Neg || kind == UnaryKind::Abs ||
               kind == UnaryKind::Relu;
  if (isInteger(in.dtype) && isInteger(out.dtype) && intOk) {
    std::vector<int64_t> values = loadAllInt64(in);
    switch (kind) {
    case UnaryKind::Neg:
      mapInPlace(values, [](int64_t x) {
        return static_cast<int64_t>(0 - static_cast<uint64_t>(x));
      });
      break;
    case UnaryKind::Abs:
      mapInPlace(values, [](int64_t x) {
        return x < 0 ? static_cast<int64_t>(0 - static_cast<uint64_t>(x)) : x;
      });
      break;
    default:
      mapInPlace(values, [](int64_t x) { return x > 0 ? x : int64_t(0); });
      break;
    }
    storeElementsInt64(values.data(), out);
    return Error::success();
  }
  if (!isFloat(in.dtype) || !isFloat(out.dtype))
    return kernelError("unary", stringifyUnaryKind(kind) +
                                    " needs float input and output, got " +
                                    describe(in) + " -> " + describe(out));
  std::vector<double> values = loadAll(in);
  switch (kind) {
#define GAON_UNARY_CASE(KIND)                                                  \
  case UnaryKind::KIND:                                                        \
    mapInPlace(values,                                                         \
               [](double x) { return applyUnary(UnaryKind::KIND, x); });       \
    break;
    GAON_UNARY_CASE(Copy)
    GAON_UNARY_CASE(Neg)
    GAON_UNARY_CASE(Abs)
    GAON_UNARY_CASE(Relu)
    GAON_UNARY_CASE(Exp)
    GAON_UNARY_CASE(Log)
    GAON_UNARY_CASE(Sqrt)
    GAON_UNARY_CASE(Rsqrt)
    GAON_UNARY_CASE(Reciprocal)
    GAON_UNARY_CASE(Tanh)
    GAON_UNARY_CASE(Erf)
    GAON_UNARY_CASE(Sigmoid)
    GAON_UNARY_CASE(Gelu)
    GAON_UNARY_CASE(GeluTanh)
    GAON_UNARY_CASE(Silu)
#undef GAON_UNARY_CASE
  }
  storeElements(values.data(), out);
  return Error::success();
}

/// out[i] = lhs[i] op rhs[i] over row-major element arrays, with the kind
/// switch outside the loop.
template <typename T, typename Apply>
static void combine(BinaryKind kind, std::vector<T> &lhs,
                    const std::vector<T> &rhs, Apply apply) {
  switch (kind) {
#define GAON_BINARY_CASE(KIND)                                                 \
  case BinaryKind::KIND:                                                       \
    for (size_t i = 0; i < lhs.size(); ++i)                                    \
      lhs[i] = apply(BinaryKind::KIND, lhs[i], rhs[i]);                        \
    break;
    GAON_BINARY_CASE(Add)
    GAON_BINARY_CASE(Sub)
    GAON_BINARY_CASE(Mul)
    GAON_BINARY_CASE(Div)
    GAON_BINARY_CASE(Max)
    GAON_BINARY_CASE(Min)
    GAON_BINARY_CASE(Pow)
#undef GAON_BINARY_CASE
  }
}

/// out = lhs op rhs for two views already broadcast to out's shape.
static void binaryBroadcast(BinaryKind kind, const View &lhs, const View &rhs,
                            const View &out) {
  if (isInteger(lhs.dtype) && isInteger(rhs.dtype) && isInteger(out.dtype)) {
    std::vector<int64_t> a = loadAllInt64(lhs), b = loadAllInt64(rhs);
    combine(kind, a, b, applyBinaryInt);
    storeElementsInt64(a.data(), out);
    return;
  }
  std::vector<double> a = loadAll(lhs), b = loadAll(rhs);
  combine(kind, a, b, applyBinary);
  storeElements(a.data(), out);
}

Error gaon::kernels::binary(BinaryKind kind, const View &lhs, const View &rhs,
                            const View &out) {
  if (Error err =
          verifyViews("binary", {{"lhs", lhs}, {"rhs", rhs}, {"output", out}}))
    return err;
  SmallVector<View, 2> broadcast;
  for (auto [role, operand] :
       {std::pair<const char *, const View *>{"lhs", &lhs}, {"rhs", &rhs}}) {
    if (Error err = expectRank("binary", role, *operand, out.getRank()))
      return err;
    llvm::Expected<View> view = operand->broadcastTo(out.shape);
    if (!view)
      return kernelError("binary",
                         llvm::Twine(role) + " " + describe(*operand) +
                             " does not broadcast to output " + describe(out) +
                             ": " + llvm::toString(view.takeError()));
    broadcast.push_back(*view);
  }
  binaryBroadcast(kind, broadcast[0], broadcast[1], out);
  return Error::success();
}

Error gaon::kernels::scalar(BinaryKind kind, const View &in, double value,
                            bool reversed, const View &out) {
  if (Error err = verifyViews("scalar", {{"input", in}, {"output", out}}))
    return err;
  if (Error err = expectSameShape("scalar", "input", in, "output", out))
    return err;
  // The immediate as a broadcast view of one element.
  double storage = value;
  View constant(reinterpret_cast<std::byte *>(&storage), DType::F64, out.shape,
                SmallVector<int64_t>(out.getRank(), 0));
  int64_t asInt = static_cast<int64_t>(value);
  if (isInteger(in.dtype) && isInteger(out.dtype) &&
      static_cast<double>(asInt) == value) {
    // Exact integer semantics when the immediate is an integer.
    int64_t intStorage = asInt;
    constant = View(reinterpret_cast<std::byte *>(&intStorage), DType::I64,
                    out.shape, SmallVector<int64_t>(out.getRank(), 0));
    if (reversed)
      binaryBroadcast(kind, constant, in, out);
    else
      binaryBroadcast(kind, in, constant, out);
    return Error::success();
  }
  std::vector<double> a = loadAll(in);
  std::vector<double> b(a.size(), value);
  if (reversed)
    std::swap(a, b);
  combine(kind, a, b, applyBinary);
  storeElements(a.data(), out);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// reduce, cast, fill
//===----------------------------------------------------------------------===//

Error gaon::kernels::reduce(ReduceKind kind, const View &in, const View &out,
                            int64_t axis, bool accumulate) {
  if (Error err = verifyViews("reduce", {{"input", in}, {"output", out}}))
    return err;
  if (axis < 0 || axis >= in.getRank())
    return kernelError("reduce", llvm::formatv("axis {0} is out of range for "
                                               "input {1}",
                                               axis, describe(in)));
  View expected = in;
  expected.shape[axis] = 1;
  if (out.shape != expected.shape)
    return kernelError(
        "reduce",
        llvm::formatv("output {0} must have the input's shape with dimension "
                      "{1} set to 1 (input {2})",
                      describe(out), axis, describe(in)));
  int64_t length = in.shape[axis];
  int64_t inner = 1;
  for (int64_t i = axis + 1; i < in.getRank(); ++i)
    inner *= in.shape[i];
  int64_t outer = out.getNumElements() / std::max<int64_t>(inner, 1);
  if (inner == 0)
    outer = 0;

  auto reduceAll = [&](auto &values, auto &result, auto combine) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t r = 0; r < length; ++r)
        for (int64_t i = 0; i < inner; ++i)
          result[o * inner + i] = combine(result[o * inner + i],
                                          values[(o * length + r) * inner + i]);
  };

  if (isInteger(in.dtype) && isInteger(out.dtype)) {
    std::vector<int64_t> values = loadAllInt64(in);
    std::vector<int64_t> result;
    if (accumulate)
      result = loadAllInt64(out);
    else
      result.assign(out.getNumElements(), kind == ReduceKind::Sum ? 0
                                          : kind == ReduceKind::Max
                                              ? getIntRange(in.dtype).first
                                              : getIntRange(in.dtype).second);
    BinaryKind op = kind == ReduceKind::Sum   ? BinaryKind::Add
                    : kind == ReduceKind::Max ? BinaryKind::Max
                                              : BinaryKind::Min;
    reduceAll(values, result,
              [op](int64_t a, int64_t b) { return applyBinaryInt(op, a, b); });
    storeElementsInt64(result.data(), out);
    return Error::success();
  }
  std::vector<double> values = loadAll(in);
  std::vector<double> result;
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (accumulate)
    result = loadAll(out);
  else
    result.assign(out.getNumElements(), kind == ReduceKind::Sum   ? 0.0
                                        : kind == ReduceKind::Max ? -inf
                                                                  : inf);
  switch (kind) {
  case ReduceKind::Sum:
    reduceAll(values, result, [](double a, double b) { return a + b; });
    break;
  case ReduceKind::Max:
    reduceAll(values, result, maximum);
    break;
  case ReduceKind::Min:
    reduceAll(values, result, minimum);
    break;
  }
  storeElements(result.data(), out);
  return Error::success();
}

Error gaon::kernels::cast(const View &in, const View &out) {
  if (Error err = verifyViews("cast", {{"input", in}, {"output", out}}))
    return err;
  if (Error err = expectSameShape("cast", "input", in, "output", out))
    return err;
  if (in.dtype == out.dtype)
    return copy(in, out);
  if (isInteger(in.dtype) && isInteger(out.dtype)) {
    std::vector<int64_t> values = loadAllInt64(in);
    auto [lo, hi] = getIntRange(out.dtype);
    if (out.dtype == DType::I1)
      mapInPlace(values, [](int64_t x) { return int64_t(x != 0); });
    else
      mapInPlace(values, [lo = lo, hi = hi](int64_t x) {
        return std::min(std::max(x, lo), hi);
      });
    storeElementsInt64(values.data(), out);
    return Error::success();
  }
  std::vector<double> values = loadAll(in);
  storeElements(values.data(), out);
  return Error::success();
}

Error gaon::kernels::fill(double value, const View &out) {
  if (Error err = verifyViews("fill", {{"output", out}}))
    return err;
  std::byte pattern[8];
  storeElement(pattern, out.dtype, value);
  int64_t width = getByteWidth(out.dtype);
  forEachOffset(out.shape, out.strides, [&](int64_t offset) {
    std::memcpy(out.data + offset * width, pattern, width);
  });
  return Error::success();
}
