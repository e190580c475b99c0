//===- gaon-reference.cpp - run MLIR on the CPU reference executor --------===//
//
// A developer tool: parses graph-level MLIR, runs one function on the CPU
// reference executor with seeded random or .npy inputs, and prints (or
// saves as .npy) its outputs and, optionally, every intermediate tensor.
// Every value it prints is computed by the reference; times are measured
// wall-clock.
//
//===----------------------------------------------------------------------===//

#include "gaon/Runtime/HostTensor.h"
#include "gaon/Runtime/Npy.h"
#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
using namespace gaon::runtime;
namespace cl = llvm::cl;

static cl::opt<std::string>
    inputFile(cl::Positional, cl::desc("<input .mlir file>"), cl::init("-"));
static cl::opt<std::string>
    entry("entry", cl::desc("Function to run (default: the only public one)"));
static cl::opt<uint64_t>
    seed("seed",
         cl::desc("Seed of the random inputs: argument i is filled "
                  "by HostTensor::random with seed + i"),
         cl::init(0));
static cl::list<std::string>
    inputs("input", cl::desc("A .npy file for the next argument (in order; "
                             "the rest are random)"));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Write output_<i>.npy here"));
static cl::opt<std::string> dumpDir(
    "dump-dir",
    cl::desc("Write every intermediate tensor as <n>_<op>_<result>.npy"));
static cl::opt<bool> lowerTosa("lower-tosa",
                               cl::desc("Lower TOSA to linalg first"));
static cl::opt<unsigned> printLimit("print-limit",
                                    cl::desc("Values printed per output"),
                                    cl::init(16));
static cl::opt<bool> printTime("time",
                               cl::desc("Print the measured execution time"));

/// Prints "error: <message>" and returns the tool's failure code.
static int fail(const llvm::Twine &message) {
  llvm::errs() << "gaon-reference: error: " << message << "\n";
  return 1;
}

/// The function to run: --entry, or the only public function with a body.
static func::FuncOp findEntry(ModuleOp module, std::string &why) {
  if (!entry.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func)
      why = "no function named '" + entry + "'";
    return func;
  }
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    if (found) {
      why = "several public functions; pick one with --entry";
      return nullptr;
    }
    found = func;
  }
  if (!found)
    why = "no public function with a body";
  return found;
}

/// Prints `tensor` as "f32[2x3] = [v0, v1, ...]".
static void printTensor(llvm::raw_ostream &os, const HostTensor &tensor) {
  os << tensor.getTypeString() << " = [";
  int64_t count = tensor.getNumElements();
  for (int64_t i = 0; i < count && i < printLimit; ++i) {
    if (i)
      os << ", ";
    if (tensor.getDType() == gaon::kernels::DType::F64)
      os << llvm::format("%.17g", tensor.getDouble(i));
    else if (gaon::kernels::isFloat(tensor.getDType()))
      os << llvm::format("%.9g", tensor.getDouble(i));
    else
      os << tensor.getInt64(i);
  }
  if (count > printLimit)
    os << ", ... (" << count << " values)";
  os << "]\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv, "Runs graph-level MLIR on Gaon's CPU reference executor\n");

  DialectRegistry registry;
  reference::registerReferenceDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(inputFile, &error);
  if (!file)
    return fail(error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return 1; // the handler printed the parse error
  if (lowerTosa && failed(reference::lowerTosaToLinalg(*module)))
    return 1;
  std::string why;
  func::FuncOp func = findEntry(*module, why);
  if (!func)
    return fail(why);

  llvm::SmallVector<HostTensor> arguments;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    Type element = getElementTypeOrSelf(type);
    std::optional<gaon::kernels::DType> dtype = reference::getDType(element);
    if (!dtype)
      return fail(llvm::formatv("argument {0} has a type the reference does "
                                "not store",
                                i));
    if (i < inputs.size()) {
      llvm::Expected<HostTensor> tensor = readNpy(inputs[i], *dtype);
      if (!tensor)
        return fail(llvm::toString(tensor.takeError()));
      arguments.push_back(std::move(*tensor));
      continue;
    }
    llvm::SmallVector<int64_t> shape;
    if (auto shaped = dyn_cast<RankedTensorType>(type)) {
      if (!shaped.hasStaticShape())
        return fail(llvm::formatv("argument {0} has a dynamic shape; give it "
                                  "with --input",
                                  i));
      shape.assign(shaped.getShape().begin(), shaped.getShape().end());
    }
    arguments.push_back(HostTensor::random(*dtype, shape, seed + i));
  }

  reference::ExecuteOptions options;
  reference::ExecuteStats stats;
  options.stats = &stats;
  int64_t dumped = 0;
  std::string dumpError;
  if (!dumpDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir))
      return fail("cannot create '" + dumpDir + "': " + ec.message());
    options.onOpExecuted = [&](Operation *op,
                               llvm::ArrayRef<HostTensor> results) {
      std::string name = op->getName().getStringRef().str();
      std::replace(name.begin(), name.end(), '.', '_');
      for (auto [r, tensor] : llvm::enumerate(results)) {
        llvm::SmallString<128> path(dumpDir);
        llvm::sys::path::append(
            path, llvm::formatv("{0:d4}_{1}_{2}.npy", dumped, name, r).str());
        if (llvm::Error err = writeNpy(path, tensor))
          dumpError = llvm::toString(std::move(err));
      }
      ++dumped;
    };
  }
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<llvm::SmallVector<HostTensor>> results =
      reference::execute(func, arguments, options);
  auto stop = std::chrono::steady_clock::now();
  if (!results)
    return fail(llvm::toString(results.takeError()));
  if (!dumpError.empty())
    return fail(dumpError);

  for (auto [i, tensor] : llvm::enumerate(*results)) {
    llvm::outs() << "output " << i << ": ";
    printTensor(llvm::outs(), tensor);
    if (outputDir.empty())
      continue;
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail("cannot create '" + outputDir + "': " + ec.message());
    llvm::SmallString<128> path(outputDir);
    llvm::sys::path::append(path, "output_" + std::to_string(i) + ".npy");
    if (llvm::Error err = writeNpy(path, tensor))
      return fail(llvm::toString(std::move(err)));
  }
  if (!dumpDir.empty())
    llvm::outs() << "dumped " << dumped << " ops to " << dumpDir << "\n";
  if (printTime)
    llvm::outs() << llvm::formatv(
        "measured: {0:f3} ms wall-clock on the CPU reference ({1} ops; "
        "linalg: {2} on kernels, {3} interpreted)\n",
        std::chrono::duration<double, std::milli>(stop - start).count(),
        stats.ops, stats.linalgOnKernels, stats.linalgInterpreted);
  return 0;
}
