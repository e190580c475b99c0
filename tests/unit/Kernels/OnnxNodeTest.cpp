//===- OnnxNodeTest.cpp - kernels against ONNX backend node tests ---------===//
//
// Ensures the kernels reproduce the expected outputs of the ONNX backend
// node tests shipped by Debian's libonnx-testdata: each case reads
// model.onnx (the node and its attributes) and test_data_set_0/*.pb with
// libonnx's protobuf classes, runs the node through the kernels and
// compares with output_0.pb (rtol 1e-4, atol 1e-6; ONNX itself uses rtol
// 1e-3). Cases whose data is not installed are skipped.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/GraphOps.h"
#include "gaon/Kernels/Ops.h"
#include "gaon/Runtime/HostTensor.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

using namespace gaon::kernels;
using gaon::runtime::HostTensor;
using llvm::Error;
using llvm::Expected;
using llvm::SmallVector;

namespace {

constexpr const char *kNodeTestRoot = "/usr/share/libonnx-testdata/data/node";

/// One node test: the node, its opset and its input/expected tensors.
struct NodeTest {
  onnx::NodeProto node;
  int64_t opset = 0;
  std::vector<HostTensor> inputs;
  std::vector<HostTensor> expected;

  const onnx::AttributeProto *find(llvm::StringRef name) const {
    for (const onnx::AttributeProto &attr : node.attribute())
      if (attr.name() == name)
        return &attr;
    return nullptr;
  }
  int64_t getInt(llvm::StringRef name, int64_t fallback) const {
    const onnx::AttributeProto *attr = find(name);
    return attr ? attr->i() : fallback;
  }
  float getFloat(llvm::StringRef name, float fallback) const {
    const onnx::AttributeProto *attr = find(name);
    return attr ? attr->f() : fallback;
  }
  std::string getString(llvm::StringRef name, std::string fallback) const {
    const onnx::AttributeProto *attr = find(name);
    return attr ? attr->s() : fallback;
  }
  SmallVector<int64_t> getInts(llvm::StringRef name,
                               SmallVector<int64_t> fallback) const {
    const onnx::AttributeProto *attr = find(name);
    if (!attr)
      return fallback;
    return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
  }
};

Expected<HostTensor> toHostTensor(const onnx::TensorProto &proto) {
  DType dtype;
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    dtype = DType::F32;
    break;
  case onnx::TensorProto::DOUBLE:
    dtype = DType::F64;
    break;
  case onnx::TensorProto::FLOAT16:
    dtype = DType::F16;
    break;
  case onnx::TensorProto::BFLOAT16:
    dtype = DType::BF16;
    break;
  case onnx::TensorProto::INT8:
    dtype = DType::I8;
    break;
  case onnx::TensorProto::INT32:
    dtype = DType::I32;
    break;
  case onnx::TensorProto::INT64:
    dtype = DType::I64;
    break;
  case onnx::TensorProto::BOOL:
    dtype = DType::I1;
    break;
  default:
    return llvm::createStringError("unsupported ONNX tensor type " +
                                   std::to_string(proto.data_type()));
  }
  SmallVector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  HostTensor tensor(dtype, shape);
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != static_cast<size_t>(tensor.getSizeInBytes()))
      return llvm::createStringError("raw_data size does not match the shape");
    std::memcpy(tensor.getData(), proto.raw_data().data(),
                proto.raw_data().size());
    return tensor;
  }
  int64_t count = tensor.getNumElements();
  auto expectCount = [&](int size) -> Error {
    if (size != count)
      return llvm::createStringError("typed data size does not match shape");
    return Error::success();
  };
  if (dtype == DType::F32) {
    if (Error err = expectCount(proto.float_data_size()))
      return std::move(err);
    for (int64_t i = 0; i < count; ++i)
      tensor.setDouble(i, proto.float_data(i));
  } else if (dtype == DType::F64) {
    if (Error err = expectCount(proto.double_data_size()))
      return std::move(err);
    for (int64_t i = 0; i < count; ++i)
      tensor.setDouble(i, proto.double_data(i));
  } else if (dtype == DType::I64) {
    if (Error err = expectCount(proto.int64_data_size()))
      return std::move(err);
    for (int64_t i = 0; i < count; ++i)
      tensor.setInt64(i, proto.int64_data(i));
  } else {
    if (Error err = expectCount(proto.int32_data_size()))
      return std::move(err);
    for (int64_t i = 0; i < count; ++i)
      tensor.setInt64(i, proto.int32_data(i));
  }
  return tensor;
}

template <typename Proto>
Error parseFile(const std::string &path, Proto &proto) {
  std::ifstream in(path, std::ios::binary);
  if (!in || !proto.ParseFromIstream(&in))
    return llvm::createStringError("cannot parse " + path);
  return Error::success();
}

/// Loads test `name`; nullopt (with a skip message) when not installed.
Expected<NodeTest> loadNodeTest(const std::string &name) {
  std::string dir = std::string(kNodeTestRoot) + "/" + name;
  onnx::ModelProto model;
  if (Error err = parseFile(dir + "/model.onnx", model))
    return std::move(err);
  NodeTest test;
  if (model.graph().node_size() != 1)
    return llvm::createStringError(name + " has more than one node");
  test.node = model.graph().node(0);
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      test.opset = opset.version();
  for (const auto &[prefix, list] :
       {std::pair<const char *, std::vector<HostTensor> *>{"input",
                                                           &test.inputs},
        {"output", &test.expected}}) {
    for (int i = 0;; ++i) {
      std::string path =
          llvm::formatv("{0}/test_data_set_0/{1}_{2}.pb", dir, prefix, i);
      if (!llvm::sys::fs::exists(path))
        break;
      onnx::TensorProto proto;
      if (Error err = parseFile(path, proto))
        return std::move(err);
      Expected<HostTensor> tensor = toHostTensor(proto);
      if (!tensor)
        return tensor.takeError();
      list->push_back(std::move(*tensor));
    }
  }
  return test;
}

/// `view` with leading unit dimensions up to `rank` (NumPy broadcasting).
View withRank(View view, int64_t rank) {
  while (view.getRank() < rank)
    view = view.insertUnitDim(0);
  return view;
}

//===----------------------------------------------------------------------===//
// Runners: one per ONNX op, producing the node's first output
//===----------------------------------------------------------------------===//

using Runner = std::function<Expected<HostTensor>(NodeTest &)>;

Expected<HostTensor> runUnary(NodeTest &t, UnaryKind kind) {
  HostTensor out(t.expected[0].getDType(), t.inputs[0].getShape());
  if (Error err = unary(kind, t.inputs[0].getView(), out.getView()))
    return std::move(err);
  return out;
}

Expected<HostTensor> runBinary(NodeTest &t, BinaryKind kind) {
  HostTensor out(t.expected[0].getDType(), t.expected[0].getShape());
  int64_t rank = out.getRank();
  if (Error err = binary(kind, withRank(t.inputs[0].getView(), rank),
                         withRank(t.inputs[1].getView(), rank), out.getView()))
    return std::move(err);
  return out;
}

Expected<HostTensor> runMatMul(NodeTest &t) {
  HostTensor out(DType::F32, t.expected[0].getShape());
  int64_t rank = out.getRank();
  if (Error err = batchMatmul(withRank(t.inputs[0].getView(), rank),
                              withRank(t.inputs[1].getView(), rank),
                              out.getView(), false))
    return std::move(err);
  return out;
}

Expected<HostTensor> runGemm(NodeTest &t) {
  // Y = alpha * A' * B' + beta * C, C broadcast to [M, N].
  HostTensor product(DType::F32, t.expected[0].getShape());
  HostTensor out(DType::F32, t.expected[0].getShape());
  if (Error err = matmul(t.inputs[0].getView(), t.getInt("transA", 0),
                         t.inputs[1].getView(), t.getInt("transB", 0),
                         product.getView(), false))
    return std::move(err);
  if (Error err = scalar(BinaryKind::Mul, product.getView(),
                         t.getFloat("alpha", 1.0f), false, out.getView()))
    return std::move(err);
  if (t.inputs.size() < 3)
    return out;
  HostTensor scaledBias(DType::F32, t.inputs[2].getShape());
  if (Error err = scalar(BinaryKind::Mul, t.inputs[2].getView(),
                         t.getFloat("beta", 1.0f), false, scaledBias.getView()))
    return std::move(err);
  if (Error err = binary(BinaryKind::Add, out.getView(),
                         withRank(scaledBias.getView(), 2), out.getView()))
    return std::move(err);
  return out;
}

/// Pads for ONNX auto_pad SAME_UPPER/SAME_LOWER on one spatial dimension.
std::pair<int64_t, int64_t> samePads(int64_t in, int64_t kernel, int64_t stride,
                                     int64_t dilation, bool lower) {
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>(
      (out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
  int64_t small = total / 2, large = total - small;
  return lower ? std::pair{large, small} : std::pair{small, large};
}

/// The window geometry of a Conv/Pool node on NCHW input `input`.
Window2D getWindow(const NodeTest &t, const HostTensor &input,
                   llvm::ArrayRef<int64_t> kernel) {
  Window2D window;
  SmallVector<int64_t> strides = t.getInts("strides", {1, 1});
  SmallVector<int64_t> dilations = t.getInts("dilations", {1, 1});
  SmallVector<int64_t> pads = t.getInts("pads", {0, 0, 0, 0});
  std::string autoPad = t.getString("auto_pad", "NOTSET");
  for (int d = 0; d < 2; ++d) {
    window.strides[d] = strides[d];
    window.dilations[d] = dilations[d];
    window.padding[d] = pads[d];
    window.padding[d + 2] = pads[d + 2];
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      auto [before, after] =
          samePads(input.getShape()[2 + d], kernel[d], strides[d], dilations[d],
                   autoPad == "SAME_LOWER");
      window.padding[d] = before;
      window.padding[d + 2] = after;
    }
  }
  return window;
}

Expected<HostTensor> runConv(NodeTest &t) {
  const HostTensor &input = t.inputs[0], &filter = t.inputs[1];
  SmallVector<int64_t> kernel = {filter.getShape()[2], filter.getShape()[3]};
  HostTensor out(DType::F32, t.expected[0].getShape());
  if (Error err =
          conv2d(ConvLayout::NCHW_FCHW, input.getView(), filter.getView(),
                 out.getView(), getWindow(t, input, kernel),
                 t.getInt("group", 1), false))
    return std::move(err);
  if (t.inputs.size() > 2) {
    // Bias per output channel: [F] as [1, F, 1, 1].
    View bias =
        t.inputs[2].getView().insertUnitDim(0).insertUnitDim(2).insertUnitDim(
            3);
    if (Error err = binary(BinaryKind::Add, out.getView(), bias, out.getView()))
      return std::move(err);
  }
  return out;
}

Expected<HostTensor> runPool(NodeTest &t, PoolKind kind, bool global) {
  const HostTensor &input = t.inputs[0];
  PoolOptions options;
  SmallVector<int64_t> kernel =
      global ? SmallVector<int64_t>{input.getShape()[2], input.getShape()[3]}
             : t.getInts("kernel_shape", {});
  if (kernel.size() != 2)
    return llvm::createStringError("only 2-D pooling is tested");
  options.size = {kernel[0], kernel[1]};
  options.window = getWindow(t, input, kernel);
  options.countIncludePad = t.getInt("count_include_pad", 0) != 0;
  HostTensor out(DType::F32, t.expected[0].getShape());
  if (Error err = pool2d(kind, PoolLayout::NCHW, input.getView(), out.getView(),
                         options, false))
    return std::move(err);
  return out;
}

Expected<HostTensor> runSoftmax(NodeTest &t) {
  if (t.opset < 13)
    return llvm::createStringError("per-axis Softmax needs opset >= 13");
  int64_t axis = t.getInt("axis", -1);
  if (axis < 0)
    axis += t.inputs[0].getRank();
  HostTensor out(DType::F32, t.inputs[0].getShape());
  if (Error err = softmax(t.inputs[0].getView(), out.getView(), axis))
    return std::move(err);
  return out;
}

Expected<HostTensor> runTranspose(NodeTest &t) {
  int64_t rank = t.inputs[0].getRank();
  SmallVector<int64_t> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  HostTensor out(t.inputs[0].getDType(), t.expected[0].getShape());
  if (Error err = transpose(t.inputs[0].getView(), out.getView(),
                            t.getInts("perm", reversed)))
    return std::move(err);
  return out;
}

/// ReduceSum (axes from input 1 since opset 13) and ReduceMax (attribute):
/// one reduce per axis, keeping dimensions, then the final shape.
Expected<HostTensor> runReduce(NodeTest &t, ReduceKind kind) {
  HostTensor current = t.inputs[0];
  SmallVector<int64_t> axes = t.getInts("axes", {});
  if (t.inputs.size() > 1)
    for (int64_t i = 0; i < t.inputs[1].getNumElements(); ++i)
      axes.push_back(t.inputs[1].getInt64(i));
  if (axes.empty() && !t.getInt("noop_with_empty_axes", 0))
    for (int64_t d = 0; d < current.getRank(); ++d)
      axes.push_back(d);
  for (int64_t axis : axes) {
    if (axis < 0)
      axis += current.getRank();
    SmallVector<int64_t> shape(current.getShape());
    shape[axis] = 1;
    HostTensor next(current.getDType(), shape);
    if (Error err =
            reduce(kind, current.getView(), next.getView(), axis, false))
      return std::move(err);
    current = std::move(next);
  }
  current.reshape(t.expected[0].getShape());
  return current;
}

const llvm::StringMap<Runner> &getRunners() {
  static const llvm::StringMap<Runner> runners = {
      {"Relu", [](NodeTest &t) { return runUnary(t, UnaryKind::Relu); }},
      {"Sigmoid", [](NodeTest &t) { return runUnary(t, UnaryKind::Sigmoid); }},
      {"Tanh", [](NodeTest &t) { return runUnary(t, UnaryKind::Tanh); }},
      {"Erf", [](NodeTest &t) { return runUnary(t, UnaryKind::Erf); }},
      {"Exp", [](NodeTest &t) { return runUnary(t, UnaryKind::Exp); }},
      {"Add", [](NodeTest &t) { return runBinary(t, BinaryKind::Add); }},
      {"Mul", [](NodeTest &t) { return runBinary(t, BinaryKind::Mul); }},
      {"MatMul", runMatMul},
      {"Gemm", runGemm},
      {"Conv", runConv},
      {"MaxPool", [](NodeTest &t) { return runPool(t, PoolKind::Max, false); }},
      {"AveragePool",
       [](NodeTest &t) { return runPool(t, PoolKind::Avg, false); }},
      {"GlobalMaxPool",
       [](NodeTest &t) { return runPool(t, PoolKind::Max, true); }},
      {"GlobalAveragePool",
       [](NodeTest &t) { return runPool(t, PoolKind::Avg, true); }},
      {"Softmax", runSoftmax},
      {"Transpose", runTranspose},
      {"ReduceSum", [](NodeTest &t) { return runReduce(t, ReduceKind::Sum); }},
      {"ReduceMax", [](NodeTest &t) { return runReduce(t, ReduceKind::Max); }},
  };
  return runners;
}

class OnnxNodeTest : public ::testing::TestWithParam<const char *> {};

TEST_P(OnnxNodeTest, MatchesExpectedOutput) {
  std::string name = GetParam();
  if (!llvm::sys::fs::exists(std::string(kNodeTestRoot) + "/" + name))
    GTEST_SKIP() << "libonnx-testdata has no " << name;
  Expected<NodeTest> test = loadNodeTest(name);
  ASSERT_TRUE(static_cast<bool>(test)) << llvm::toString(test.takeError());
  auto runner = getRunners().find(test->node.op_type());
  ASSERT_NE(runner, getRunners().end()) << test->node.op_type();
  Expected<HostTensor> got = runner->second(*test);
  ASSERT_TRUE(static_cast<bool>(got)) << llvm::toString(got.takeError());
  const HostTensor &want = test->expected[0];
  ASSERT_EQ(got->getShape(), want.getShape());
  for (int64_t i = 0; i < want.getNumElements(); ++i) {
    double expected = want.getDouble(i), actual = got->getDouble(i);
    ASSERT_NEAR(actual, expected, 1e-6 + 1e-4 * std::fabs(expected))
        << "element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kernels, OnnxNodeTest,
    ::testing::Values(
        "test_relu", "test_sigmoid", "test_sigmoid_example", "test_tanh",
        "test_tanh_example", "test_erf", "test_exp", "test_exp_example",
        "test_add", "test_add_bcast", "test_mul", "test_mul_bcast",
        "test_mul_example", "test_matmul_2d", "test_matmul_3d",
        "test_matmul_4d", "test_gemm_all_attributes", "test_gemm_alpha",
        "test_gemm_beta", "test_gemm_default_matrix_bias",
        "test_gemm_default_no_bias", "test_gemm_default_scalar_bias",
        "test_gemm_default_single_elem_vector_bias",
        "test_gemm_default_vector_bias", "test_gemm_default_zero_bias",
        "test_gemm_transposeA", "test_gemm_transposeB",
        "test_basic_conv_with_padding", "test_basic_conv_without_padding",
        "test_conv_with_strides_padding", "test_conv_with_strides_no_padding",
        "test_conv_with_strides_and_asymmetric_padding",
        "test_conv_with_autopad_same", "test_maxpool_2d_default",
        "test_maxpool_2d_pads", "test_maxpool_2d_strides",
        "test_maxpool_2d_dilations", "test_maxpool_2d_ceil",
        "test_maxpool_2d_precomputed_pads",
        "test_maxpool_2d_precomputed_strides",
        "test_maxpool_2d_precomputed_same_upper", "test_maxpool_2d_same_lower",
        "test_maxpool_2d_same_upper", "test_averagepool_2d_default",
        "test_averagepool_2d_pads",
        "test_averagepool_2d_pads_count_include_pad",
        "test_averagepool_2d_precomputed_pads",
        "test_averagepool_2d_precomputed_pads_count_include_pad",
        "test_averagepool_2d_precomputed_same_upper",
        "test_averagepool_2d_precomputed_strides",
        "test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper",
        "test_averagepool_2d_strides", "test_averagepool_2d_ceil",
        "test_globalaveragepool", "test_globalaveragepool_precomputed",
        "test_globalmaxpool", "test_globalmaxpool_precomputed",
        "test_softmax_axis_0", "test_softmax_axis_1", "test_softmax_axis_2",
        "test_softmax_default_axis", "test_softmax_example",
        "test_softmax_large_number", "test_softmax_negative_axis",
        "test_transpose_default", "test_transpose_all_permutations_0",
        "test_transpose_all_permutations_1",
        "test_transpose_all_permutations_2",
        "test_transpose_all_permutations_3",
        "test_transpose_all_permutations_4",
        "test_transpose_all_permutations_5", "test_reduce_sum_keepdims_example",
        "test_reduce_sum_keepdims_random",
        "test_reduce_sum_do_not_keepdims_example",
        "test_reduce_sum_do_not_keepdims_random",
        "test_reduce_sum_default_axes_keepdims_example",
        "test_reduce_sum_negative_axes_keepdims_random",
        "test_reduce_sum_empty_axes_input_noop_example",
        "test_reduce_max_keepdims_example", "test_reduce_max_keepdims_random",
        "test_reduce_max_do_not_keepdims_random",
        "test_reduce_max_default_axes_keepdim_example",
        "test_reduce_max_negative_axes_keepdims_random"),
    [](const ::testing::TestParamInfo<const char *> &info) {
      return std::string(info.param).substr(5); // drop "test_"
    });

} // namespace
