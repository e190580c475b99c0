//===- gaon-opt.cpp - mlir-opt for Gaon's dialects and passes -------------===//
//
// Runs any registered pass or pipeline on MLIR input, exactly like mlir-opt,
// with Gaon's dialects and passes added.
//
//===----------------------------------------------------------------------===//

#include "gaon/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  gaon::registerAllDialects(registry);
  gaon::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Gaon optimizer driver\n", registry));
}
