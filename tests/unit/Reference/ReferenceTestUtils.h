//===- ReferenceTestUtils.h - parse-and-run helpers -------------*- C++ -*-===//

#ifndef GAON_TESTS_UNIT_REFERENCE_REFERENCETESTUTILS_H
#define GAON_TESTS_UNIT_REFERENCE_REFERENCETESTUTILS_H

#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace gaon::runtime::testing {

/// Parses MLIR snippets into a context with the executor's dialects and
/// runs their functions.
class ReferenceFixture : public ::testing::Test {
protected:
  ReferenceFixture() {
    mlir::DialectRegistry registry;
    reference::registerReferenceDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Parses `source` as "test.mlir"; diagnostics land in `diagnostics`.
  mlir::ModuleOp parse(llvm::StringRef source) {
    mlir::ScopedDiagnosticHandler handler(&context,
                                          [&](mlir::Diagnostic &diag) {
                                            diagnostics += diag.str() + "\n";
                                            return mlir::success();
                                          });
    module = mlir::parseSourceString<mlir::ModuleOp>(
        source, mlir::ParserConfig(&context), "test.mlir");
    return module.get();
  }

  /// Runs function `name` of `source` on `inputs`.
  llvm::Expected<llvm::SmallVector<HostTensor>>
  run(llvm::StringRef source, llvm::StringRef name,
      llvm::ArrayRef<HostTensor> inputs,
      const reference::ExecuteOptions &options = {}) {
    if (!parse(source))
      return llvm::createStringError("parse failed: " + diagnostics);
    auto func = module->lookupSymbol<mlir::func::FuncOp>(name);
    if (!func)
      return llvm::createStringError("no function " + name.str());
    return reference::execute(func, inputs, options);
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string diagnostics;
};

/// Unwraps an Expected in a test, failing with its message.
#define ASSERT_EXPECTED(var, expr)                                             \
  auto var##OrErr = (expr);                                                    \
  ASSERT_TRUE(static_cast<bool>(var##OrErr))                                   \
      << llvm::toString(var##OrErr.takeError());                               \
  auto &var = *var##OrErr

/// Expects every element of `got` within `tolerance` (absolute plus the
/// same relative) of `want`.
inline void expectClose(const HostTensor &got, const std::vector<double> &want,
                        double tolerance) {
  ASSERT_EQ(got.getNumElements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got.getDouble(i), want[i], tolerance * (1 + std::fabs(want[i])))
        << "element " << i;
}

} // namespace gaon::runtime::testing

#endif // GAON_TESTS_UNIT_REFERENCE_REFERENCETESTUTILS_H
