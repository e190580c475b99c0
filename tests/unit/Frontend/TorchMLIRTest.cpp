//===- TorchMLIRTest.cpp - torch-mlir fixtures on the CPU reference -------===//
//
// The torch-mlir fixtures of tests/Frontend/TorchMLIR go through
// importModel (TOSA lowered) and compute the right numbers on the CPU
// reference executor.
//
//===----------------------------------------------------------------------===//

#include "gaon/Frontend/Import.h"
#include "gaon/Runtime/HostTensor.h"
#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace gaon;
using runtime::HostTensor;

namespace {

/// Runs @main of `module` on `inputs`.
llvm::SmallVector<HostTensor> execute(mlir::ModuleOp module,
                                      llvm::ArrayRef<HostTensor> inputs) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  auto out = runtime::reference::execute(main, inputs);
  EXPECT_TRUE(bool(out)) << llvm::toString(out.takeError());
  return out ? std::move(*out) : llvm::SmallVector<HostTensor>();
}

TEST(TorchMLIR, LinalgAndTosaFormsAgree) {
  // The same MLP written as torch-mlir's linalg-on-tensors (ml_program
  // globals) and TOSA output: equal outputs, rows of exp(log_softmax) sum
  // to one.
  std::string dir = GAON_TORCH_MLIR_FIXTURES;
  mlir::MLIRContext context;
  auto linalg = frontend::importModel(dir + "/mlp-linalg.mlir", {}, context);
  auto tosa = frontend::importModel(dir + "/mlp-tosa.mlir", {}, context);
  ASSERT_TRUE(bool(linalg)) << llvm::toString(linalg.takeError());
  ASSERT_TRUE(bool(tosa)) << llvm::toString(tosa.takeError());
  HostTensor x = HostTensor::random(runtime::DType::F32, {2, 8}, 5);
  auto a = execute(**linalg, {x});
  auto b = execute(**tosa, {x});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(a[0].getDouble(i), b[0].getDouble(i), 1e-4);
  for (int row = 0; row < 2; ++row) {
    double sum = 0;
    for (int c = 0; c < 4; ++c)
      sum += std::exp(a[0].at({row, c}));
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST(TorchMLIR, CausalAttentionFixtureRuns) {
  std::string dir = GAON_TORCH_MLIR_FIXTURES;
  mlir::MLIRContext context;
  auto module =
      frontend::importModel(dir + "/attention-linalg.mlir", {}, context);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  HostTensor x = HostTensor::random(runtime::DType::F32, {4, 8}, 1);
  HostTensor w[3] = {HostTensor::random(runtime::DType::F32, {8, 8}, 2),
                     HostTensor::random(runtime::DType::F32, {8, 8}, 3),
                     HostTensor::random(runtime::DType::F32, {8, 8}, 4)};
  auto out = execute(**module, {x, w[0], w[1], w[2]});
  ASSERT_EQ(out.size(), 1u);
  // Causal: the first token attends only to itself, so its output is its
  // own value projection x[0] @ Wv.
  for (int d = 0; d < 8; ++d) {
    double expected = 0;
    for (int c = 0; c < 8; ++c)
      expected += x.at({0, c}) * w[2].at({c, d});
    EXPECT_NEAR(out[0].at({0, d}), expected, 1e-5);
  }
}

} // namespace
