//===- ONNXImporterTest.cpp - the ONNX importer end to end ----------------===//
//
// What lit cannot show: initializers in external-data files, TensorProto
// element encodings, inputs bound from TensorProto files, errors as
// llvm::Error values with locations, and an imported attention block
// computing the right numbers on the CPU reference executor.
//
//===----------------------------------------------------------------------===//

#include "gaon/Frontend/ONNXImporter.h"
#include "gaon/Frontend/Import.h"
#include "gaon/Runtime/HostTensor.h"
#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"

#include "gtest/gtest.h"

#include <cmath>
#include <fstream>

using namespace gaon;
using runtime::HostTensor;

namespace {

/// A fresh temporary directory, removed with the fixture.
class TempDir : public testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("gaon-onnx", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  std::string path(llvm::StringRef name) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  void write(const std::string &file, const google::protobuf::Message &msg) {
    std::ofstream out(file, std::ios::binary);
    ASSERT_TRUE(msg.SerializeToOstream(&out));
  }
  llvm::SmallString<128> dir;
};

onnx::ModelProto parseModel(const char *text) {
  onnx::ModelProto model;
  auto status = onnx::OnnxParser::Parse(model, text);
  EXPECT_TRUE(status.IsOK()) << status.ErrorMessage();
  return model;
}

/// The dense constant @main returns directly (first result).
mlir::DenseElementsAttr returnedConstant(mlir::ModuleOp module) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  auto ret =
      llvm::cast<mlir::func::ReturnOp>(main.getBody().front().getTerminator());
  auto cst = ret.getOperand(0).getDefiningOp<mlir::arith::ConstantOp>();
  return cst ? llvm::dyn_cast<mlir::DenseElementsAttr>(cst.getValue())
             : mlir::DenseElementsAttr();
}

TEST_F(TempDir, ExternalDataInitializer) {
  onnx::ModelProto model = parseModel(R"(
<ir_version: 8, opset_import: ["" : 17]>
g () => (float[2, 3] y) {
  y = Identity(w)
}
)");
  // w lives in weights.bin at offset 8.
  onnx::TensorProto *w = model.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(2);
  w->add_dims(3);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto addKey = [&](const char *key, const std::string &value) {
    auto *entry = w->add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  addKey("location", "weights.bin");
  addKey("offset", "8");
  addKey("length", "24");
  float values[6] = {1.5f, -2.f, 0.25f, 8.f, 3.f, -0.5f};
  {
    std::ofstream bin(path("weights.bin"), std::ios::binary);
    char pad[8] = {};
    bin.write(pad, 8);
    bin.write(reinterpret_cast<const char *>(values), sizeof(values));
  }
  write(path("model.onnx"), model);

  mlir::MLIRContext context;
  auto module = frontend::importModel(path("model.onnx"), {}, context);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  mlir::DenseElementsAttr attr = returnedConstant(**module);
  ASSERT_TRUE(attr);
  int i = 0;
  for (float v : attr.getValues<float>())
    EXPECT_EQ(v, values[i++]);

  // A truncated data file is an error naming the tensor.
  {
    std::ofstream bin(path("weights.bin"), std::ios::binary);
    bin.write("short", 5);
  }
  auto bad = frontend::importModel(path("model.onnx"), {}, context);
  ASSERT_FALSE(bool(bad));
  std::string message = llvm::toString(bad.takeError());
  EXPECT_NE(message.find("external data of tensor 'w'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("model.onnx"), std::string::npos) << message;
}

TEST_F(TempDir, TensorEncodings) {
  mlir::MLIRContext context;
  auto roundTrip = [&](const onnx::TensorProto &t) {
    write(path("t.pb"), t);
    auto attr = frontend::readONNXTensorFile(path("t.pb"), context);
    EXPECT_TRUE(mlir::succeeded(attr));
    return mlir::succeeded(attr) ? *attr : mlir::DenseElementsAttr();
  };
  onnx::TensorProto t;
  t.add_dims(3);
  // float16 and bfloat16 bit patterns in int32_data.
  t.set_data_type(onnx::TensorProto::FLOAT16);
  for (int bits : {0x3C00, 0xC000, 0x3800}) // 1, -2, 0.5
    t.add_int32_data(bits);
  auto h = roundTrip(t);
  ASSERT_TRUE(h && h.getElementType().isF16());
  std::vector<double> hv;
  for (const llvm::APFloat &v : h.getValues<llvm::APFloat>())
    hv.push_back(v.convertToDouble());
  EXPECT_EQ(hv, (std::vector<double>{1, -2, 0.5}));
  t.set_data_type(onnx::TensorProto::BFLOAT16);
  auto bf = roundTrip(t);
  ASSERT_TRUE(bf && bf.getElementType().isBF16());
  // uint8 keeps its bits in i8; bool from raw bytes.
  onnx::TensorProto u;
  u.add_dims(2);
  u.set_data_type(onnx::TensorProto::UINT8);
  u.add_int32_data(200);
  u.add_int32_data(7);
  auto ua = roundTrip(u);
  ASSERT_TRUE(ua && ua.getElementType().isInteger(8));
  EXPECT_EQ((*ua.getValues<llvm::APInt>().begin()).getZExtValue(), 200u);
  onnx::TensorProto b;
  b.add_dims(3);
  b.set_data_type(onnx::TensorProto::BOOL);
  b.set_raw_data(std::string("\x01\x00\x01", 3));
  auto ba = roundTrip(b);
  ASSERT_TRUE(ba && ba.getElementType().isInteger(1));
  std::vector<bool> bv(ba.getValues<bool>().begin(),
                       ba.getValues<bool>().end());
  EXPECT_EQ(bv, (std::vector<bool>{true, false, true}));
  // int64 raw data, little-endian.
  onnx::TensorProto l;
  l.add_dims(2);
  l.set_data_type(onnx::TensorProto::INT64);
  int64_t raw[2] = {-3, 1LL << 40};
  l.set_raw_data(std::string(reinterpret_cast<const char *>(raw), 16));
  auto la = roundTrip(l);
  ASSERT_TRUE(la);
  EXPECT_EQ(la.getValues<int64_t>()[1], 1LL << 40);
  // A count mismatch is an error, not a crash.
  onnx::TensorProto bad;
  bad.add_dims(4);
  bad.set_data_type(onnx::TensorProto::FLOAT);
  bad.add_float_data(1.f);
  write(path("bad.pb"), bad);
  mlir::MLIRContext quiet;
  quiet.getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  EXPECT_TRUE(
      mlir::failed(frontend::readONNXTensorFile(path("bad.pb"), quiet)));
}

TEST_F(TempDir, BoundInputsLeaveTheSignature) {
  onnx::ModelProto model = parseModel(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 3] x, int64[2] shape, int64[2] idx) => (float[3, 2] y, float[2, 3] z) {
  y = Reshape(x, shape)
  z = Gather(x, idx)
}
)");
  write(path("model.onnx"), model);
  onnx::TensorProto shape;
  shape.set_data_type(onnx::TensorProto::INT64);
  shape.add_dims(2);
  shape.add_int64_data(3);
  shape.add_int64_data(-1);
  write(path("shape.pb"), shape);
  onnx::TensorProto idx = shape;
  idx.set_int64_data(0, 1);
  idx.set_int64_data(1, 0);
  write(path("idx.pb"), idx);

  frontend::ImportOptions options;
  options.inputValueFiles["shape"] = path("shape.pb");
  options.inputValueFiles["idx"] = path("idx.pb");
  mlir::MLIRContext context;
  auto module = frontend::importModel(path("model.onnx"), options, context);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  auto main = (*module)->lookupSymbol<mlir::func::FuncOp>("main");
  // shape is only needed at compile time; idx is read by Gather at run time.
  ASSERT_EQ(main.getNumArguments(), 2u);
  EXPECT_EQ(main.getArgAttrOfType<mlir::StringAttr>(0, "gaon.name").str(), "x");
  EXPECT_EQ(main.getArgAttrOfType<mlir::StringAttr>(1, "gaon.name").str(),
            "idx");
  EXPECT_EQ(
      main.getResultTypes()[0],
      mlir::RankedTensorType::get({3, 2}, mlir::Float32Type::get(&context)));

  // Without the binding the error names the node, the operand and the input.
  auto error = frontend::importModel(path("model.onnx"), {}, context);
  ASSERT_FALSE(bool(error));
  std::string message = llvm::toString(error.takeError());
  EXPECT_NE(message.find("model.onnx:1:1: error: node #1 (Reshape): input "
                         "'shape' ('shape') must be known at compile time"),
            std::string::npos)
      << message;
}

/// Runs @main of `module` on `inputs`.
llvm::SmallVector<HostTensor> execute(mlir::ModuleOp module,
                                      llvm::ArrayRef<HostTensor> inputs) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  auto out = runtime::reference::execute(main, inputs);
  EXPECT_TRUE(bool(out)) << llvm::toString(out.takeError());
  return out ? std::move(*out) : llvm::SmallVector<HostTensor>();
}

TEST_F(TempDir, AttentionComputesSoftmaxQKV) {
  // Two heads of scaled dot-product attention with an additive mask, as
  // torch.onnx exports it; checked against a direct loop computation.
  onnx::ModelProto model = parseModel(R"(
<ir_version: 8, opset_import: ["" : 17]>
attention (float[1, 3, 4] q, float[1, 3, 4] k, float[1, 3, 4] v, float[3, 3] mask) => (float[1, 3, 4] y)
<int64[4] heads = {1, 3, 2, 2}, int64[3] merged = {1, 3, 4}, float scale = {1.41421356}>
{
  qh = Reshape(q, heads)
  kh = Reshape(k, heads)
  vh = Reshape(v, heads)
  qt = Transpose <perm = [0, 2, 1, 3]> (qh)
  kt = Transpose <perm = [0, 2, 3, 1]> (kh)
  vt = Transpose <perm = [0, 2, 1, 3]> (vh)
  s = MatMul(qt, kt)
  sd = Div(s, scale)
  sm = Add(sd, mask)
  p = Softmax <axis = -1> (sm)
  o = MatMul(p, vt)
  ot = Transpose <perm = [0, 2, 1, 3]> (o)
  y = Reshape(ot, merged)
}
)");
  write(path("attention.onnx"), model);
  mlir::MLIRContext context;
  auto module = frontend::importModel(path("attention.onnx"), {}, context);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());

  HostTensor q = HostTensor::random(runtime::DType::F32, {1, 3, 4}, 1);
  HostTensor k = HostTensor::random(runtime::DType::F32, {1, 3, 4}, 2);
  HostTensor v = HostTensor::random(runtime::DType::F32, {1, 3, 4}, 3);
  HostTensor mask(runtime::DType::F32, {3, 3});
  for (int i = 0; i < 3; ++i)
    for (int j = i + 1; j < 3; ++j)
      mask.setDouble(i * 3 + j, -1e9);
  auto out = execute(**module, {q, k, v, mask});
  ASSERT_EQ(out.size(), 1u);
  for (int h = 0; h < 2; ++h)
    for (int i = 0; i < 3; ++i) {
      double scores[3], max = -1e300, sum = 0;
      for (int j = 0; j < 3; ++j) {
        double dot = 0;
        for (int d = 0; d < 2; ++d)
          dot += q.at({0, i, 2 * h + d}) * k.at({0, j, 2 * h + d});
        scores[j] = dot / std::sqrt(2.0) + mask.at({i, j});
        max = std::max(max, scores[j]);
      }
      for (double &s : scores)
        sum += (s = std::exp(s - max));
      for (int d = 0; d < 2; ++d) {
        double expected = 0;
        for (int j = 0; j < 3; ++j)
          expected += scores[j] / sum * v.at({0, j, 2 * h + d});
        EXPECT_NEAR(out[0].at({0, i, 2 * h + d}), expected, 1e-5);
      }
    }
}

} // namespace
