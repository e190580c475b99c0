//===- ModelStats.cpp - parameters, FLOPs and bytes from the IR -----------===//

#include "gaon/Frontend/ModelStats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace gaon::frontend;

int64_t gaon::frontend::elementBytes(Type type) {
  if (type.isIndex())
    return 8;
  if (type.isIntOrFloat())
    return (type.getIntOrFloatBitWidth() + 7) / 8;
  return 0;
}

/// Bytes of a statically shaped tensor or memref (0 for other types).
static int64_t bytesOf(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return isa<ShapedType>(type) ? 0 : elementBytes(type);
  return shaped.getNumElements() * elementBytes(shaped.getElementType());
}

/// Whether `op` in a linalg body is arithmetic (counted as a FLOP): arith
/// and math ops except constants, conversions and index computations.
static bool isArithmetic(Operation *op) {
  if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()))
    return false;
  if (isa<arith::ConstantOp, arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp,
          arith::UIToFPOp, arith::FPToSIOp, arith::FPToUIOp, arith::ExtSIOp,
          arith::ExtUIOp, arith::TruncIOp, arith::IndexCastOp,
          arith::BitcastOp>(op))
    return false;
  return llvm::none_of(op->getResultTypes(),
                       [](Type t) { return t.isIndex(); });
}

/// Contractions and convolutions (matmul-like bodies with a multiply);
/// pooling ops implement the convolution interface but do not multiply.
static bool isContraction(linalg::LinalgOp op) {
  if (linalg::isaContractionOpInterface(op))
    return true;
  if (!linalg::isaConvolutionOpInterface(op))
    return false;
  bool multiplies = false;
  op->getRegion(0).walk([&](Operation *inner) {
    multiplies |= isa<arith::MulFOp, arith::MulIOp>(inner);
  });
  return multiplies;
}

ModelStats gaon::frontend::computeStats(func::FuncOp func) {
  ModelStats s;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    Type t = func.getArgument(i).getType();
    auto kind = func.getArgAttrOfType<StringAttr>(i, "gaon.kind");
    if (kind && kind.getValue() == "weight") {
      if (auto shaped = dyn_cast<ShapedType>(t);
          shaped && shaped.hasStaticShape())
        s.parameters += shaped.getNumElements();
      s.weightBytes += bytesOf(t);
    } else {
      s.inputBytes += bytesOf(t);
    }
  }
  for (Type t : func.getResultTypes())
    s.outputBytes += bytesOf(t);

  func.walk([&](Operation *op) {
    if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
      if (dense && !dense.isSplat() && dense.getNumElements() > 1 &&
          isa<FloatType>(dense.getElementType())) {
        s.parameters += dense.getNumElements();
        s.weightBytes += bytesOf(dense.getType());
      }
      return;
    }
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp)
      return;
    ++s.linalgOps;
    int64_t iterations = 1;
    for (int64_t r : linalgOp.getStaticLoopRanges())
      iterations *= r;
    int64_t perIteration = 0;
    for (Operation &inner : linalgOp->getRegion(0).front())
      perIteration += isArithmetic(&inner);
    int64_t flops = iterations * perIteration;
    if (isContraction(linalgOp))
      s.contractionFlops += flops;
    else
      s.otherFlops += flops;
    for (OpOperand *in : linalgOp.getDpsInputOperands())
      s.unfusedBytes += bytesOf(in->get().getType());
    for (Type t : op->getResultTypes())
      s.unfusedBytes += bytesOf(t);
  });
  return s;
}

ModelStats gaon::frontend::computeStats(ModuleOp module) {
  func::FuncOp main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal())
        main = f;
  ModelStats s = main ? computeStats(main) : ModelStats();
  for (auto global : module.getOps<ml_program::GlobalOp>()) {
    if (auto shaped = dyn_cast<ShapedType>(global.getType());
        shaped && shaped.hasStaticShape())
      s.parameters += shaped.getNumElements();
    s.weightBytes += bytesOf(global.getType());
  }
  return s;
}

std::string gaon::frontend::formatCount(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      grouped += ',';
    grouped += digits[i];
  }
  if (value < 0)
    grouped = "-" + grouped;
  if (std::abs(value) < 1000)
    return grouped;
  std::string sci;
  llvm::raw_string_ostream os(sci);
  os << llvm::format("%.3g", static_cast<double>(value));
  return grouped + " (" + sci + ")";
}

void gaon::frontend::printStats(const ModelStats &s, llvm::raw_ostream &os) {
  auto line = [&](llvm::StringRef label, int64_t v) {
    os << "  " << llvm::left_justify(label, 22) << formatCount(v) << "\n";
  };
  line("parameters", s.parameters);
  line("weight bytes", s.weightBytes);
  line("input bytes", s.inputBytes);
  line("output bytes", s.outputBytes);
  line("FLOPs (contraction)", s.contractionFlops);
  line("FLOPs (other)", s.otherFlops);
  line("FLOPs (total)", s.flops());
  line("bytes (minimum)", s.minimumBytes());
  line("bytes (unfused ops)", s.unfusedBytes);
  double intensity = s.minimumBytes()
                         ? static_cast<double>(s.flops()) / s.minimumBytes()
                         : 0.0;
  os << "  " << llvm::left_justify("FLOP/byte (minimum)", 22)
     << llvm::format("%.2f", intensity) << "\n";
  line("linalg ops", s.linalgOps);
}
