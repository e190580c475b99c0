//===- gaon-onnx-conformance.cpp - ONNX node tests on the CPU reference ---===//
//
// Runs the ONNX backend node tests (Debian's libonnx-testdata:
// <dir>/test_*/model.onnx with test_data_set_*/input_*.pb and output_*.pb)
// through gaon-import's importer and the CPU reference executor, and
// compares every output with the expected one.
//
// A test is skipped, with its reason printed, when it uses an op the
// importer does not claim, a type with no place in graph-level MLIR or the
// CPU reference (strings, sequences, optionals, 16-bit integers), or a
// feature the importer reports as unsupported. Every other test either
// passes or fails; the run ends with "N passed, N failed, N skipped" and
// exits non-zero if any failed.
//
// Inputs a node needs at compile time (a Reshape's shape, Slice bounds) are
// given to the importer as ImportOptions::inputValueFiles; an input no op
// reads at run time leaves @main. Tolerances: |actual - expected| <= atol +
// rtol * |expected| with rtol 1e-3, atol 1e-5 for f32/f64 (ONNX's backend
// tests use rtol 1e-3) and rtol 1e-2, atol 1e-3 for f16/bf16; integers and
// booleans compare exactly (bitwise at their width).
//
// `--backend npu:<chip>` also compiles every test that passes on the
// reference for that backend and runs it there (the NPU simulator in
// functional mode), comparing with the same expected outputs and
// tolerances; a test the backend's compiler rejects is skipped with its
// message. The backend's tally is printed on its own line.
//
//===----------------------------------------------------------------------===//

#include "gaon/Frontend/Import.h"
#include "gaon/Frontend/ONNXImporter.h"
#include "gaon/InitAll.h"
#include "gaon/Runtime/Backends.h"
#include "gaon/Runtime/HostTensor.h"
#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"

#include "onnx/onnx_pb.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace gaon;
using llvm::SmallVector;
using llvm::StringRef;
using runtime::HostTensor;
namespace cl = llvm::cl;

static cl::OptionCategory category("gaon-onnx-conformance options");
static cl::opt<std::string>
    nodeDir(cl::Positional, cl::desc("<node test directory>"),
            cl::init("/usr/share/libonnx-testdata/data/node"),
            cl::cat(category));
static cl::opt<std::string> filter("filter",
                                   cl::desc("Run only tests matching this "
                                            "regex"),
                                   cl::init(""), cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("Also print passing tests"),
                             cl::cat(category));
static cl::opt<std::string>
    backendSpec("backend",
                cl::desc("Also run the tests the reference passes on this "
                         "backend (e.g. npu:systolic-32x32) and check them"),
                cl::init(""), cl::cat(category));
static cl::opt<bool> listClaimed("list-claimed",
                                 cl::desc("Print the ONNX ops the importer "
                                          "claims and exit"),
                                 cl::cat(category));

namespace {
enum class Outcome { Pass, Fail, Skip };
struct Result {
  Outcome outcome;
  std::string reason;
};
} // namespace

static Result pass() { return {Outcome::Pass, ""}; }
static Result fail(const llvm::Twine &why) {
  return {Outcome::Fail, why.str()};
}
static Result skip(const llvm::Twine &why) {
  return {Outcome::Skip, why.str()};
}

/// Why the CPU reference cannot hold ONNX element type `t`, or empty.
static std::string unsupportedType(int32_t t) {
  switch (t) {
  case onnx::TensorProto::STRING:
    return "string tensors";
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return "16-bit integer tensors (the CPU reference has no 16-bit storage)";
  case onnx::TensorProto::COMPLEX64:
  case onnx::TensorProto::COMPLEX128:
    return "complex tensors";
  default:
    return "";
  }
}

/// Checks the model for what the importer and the reference can take.
static std::optional<Result> precheck(const onnx::ModelProto &model) {
  std::set<std::string> missing;
  for (const auto &node : model.graph().node())
    if ((!node.domain().empty() && node.domain() != "ai.onnx") ||
        !frontend::isSupportedONNXOp(node.op_type()))
      missing.insert((node.domain().empty() ? "" : node.domain() + ".") +
                     node.op_type());
  if (!missing.empty()) {
    std::string list;
    for (const std::string &op : missing)
      list += (list.empty() ? "" : ", ") + op;
    return skip("unsupported op " + list);
  }
  auto checkValue =
      [&](const onnx::ValueInfoProto &v) -> std::optional<Result> {
    if (!v.type().has_tensor_type())
      return skip("non-tensor value '" + v.name() +
                  "' (sequence/optional/map)");
    std::string why = unsupportedType(v.type().tensor_type().elem_type());
    if (!why.empty())
      return skip(why);
    return std::nullopt;
  };
  for (const auto &v : model.graph().input())
    if (auto r = checkValue(v))
      return r;
  for (const auto &v : model.graph().output())
    if (auto r = checkValue(v))
      return r;
  for (const auto &t : model.graph().initializer()) {
    std::string why = unsupportedType(t.data_type());
    if (!why.empty())
      return skip(why);
  }
  return std::nullopt;
}

/// Copies a constant into a HostTensor of the matching storage type.
static FailureOr<HostTensor> toHostTensor(DenseElementsAttr attr) {
  std::optional<runtime::DType> dtype =
      runtime::reference::getDType(attr.getElementType());
  if (!dtype)
    return failure();
  HostTensor t(*dtype, attr.getType().getShape());
  int64_t i = 0;
  if (isa<FloatType>(attr.getElementType())) {
    for (const llvm::APFloat &v : attr.getValues<llvm::APFloat>())
      t.setDouble(i++, v.convertToDouble());
  } else {
    bool isBool = attr.getElementType().isInteger(1);
    for (const llvm::APInt &v : attr.getValues<llvm::APInt>())
      t.setInt64(i++, isBool ? v.getZExtValue() : v.getSExtValue());
  }
  return t;
}

/// Compares `actual` with `expected`; empty when they agree.
static std::string compare(const HostTensor &actual, DenseElementsAttr expected,
                           StringRef name) {
  Type elt = expected.getElementType();
  if (actual.getShape() != expected.getType().getShape()) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << "output '" << name << "' has shape " << actual.getTypeString()
       << ", expected " << expected.getType();
    return s;
  }
  int64_t i = 0;
  if (auto ft = dyn_cast<FloatType>(elt)) {
    bool narrow = ft.getWidth() <= 16;
    double rtol = narrow ? 1e-2 : 1e-3, atol = narrow ? 1e-3 : 1e-5;
    for (const llvm::APFloat &v : expected.getValues<llvm::APFloat>()) {
      double e = v.convertToDouble(), a = actual.getDouble(i);
      bool ok = (std::isnan(e) && std::isnan(a)) || (std::isinf(e) && a == e) ||
                std::abs(a - e) <= atol + rtol * std::abs(e);
      if (!ok)
        return llvm::formatv("output '{0}' element {1} is {2}, expected {3}",
                             name, i, a, e)
            .str();
      ++i;
    }
    return "";
  }
  unsigned width = elt.getIntOrFloatBitWidth();
  uint64_t mask = width >= 64 ? ~uint64_t(0) : ((uint64_t(1) << width) - 1);
  for (const llvm::APInt &v : expected.getValues<llvm::APInt>()) {
    uint64_t e = v.getZExtValue() & mask;
    uint64_t a = static_cast<uint64_t>(actual.getInt64(i)) & mask;
    if (a != e)
      return llvm::formatv("output '{0}' element {1} is {2}, expected {3}",
                           name, i, actual.getInt64(i), v.getSExtValue())
          .str();
    ++i;
  }
  return "";
}

/// Files dir/prefix<N>.pb in order of N.
static SmallVector<std::string> numberedFiles(StringRef dir, StringRef prefix) {
  SmallVector<std::string> files;
  for (int n = 0;; ++n) {
    SmallVector<char> path(dir.begin(), dir.end());
    llvm::sys::path::append(path, prefix + std::to_string(n) + ".pb");
    std::string p(path.begin(), path.end());
    if (!llvm::sys::fs::exists(p))
      return files;
    files.push_back(p);
  }
}

/// Runs one test data set of a model.
static Result checkOutputs(ArrayRef<HostTensor> outputs, StringRef dataDir,
                           MLIRContext &context);

/// Compiles `module` for `backend`, runs it on `args` and checks the
/// outputs; a compile error is a skip with the compiler's first message.
static Result runOnBackend(runtime::Backend &backend, ModuleOp module,
                           ArrayRef<HostTensor> args, StringRef dataDir,
                           MLIRContext &context) {
  auto firstLine = [](llvm::Error error) {
    std::string text = llvm::toString(std::move(error));
    return StringRef(text).split('\n').first.str();
  };
  auto executable = backend.compile(module, "main");
  if (!executable)
    return skip(firstLine(executable.takeError()));
  auto outputs = runtime::runOnce(backend, **executable, args);
  if (!outputs)
    return fail("execute: " + firstLine(outputs.takeError()));
  return checkOutputs(*outputs, dataDir, context);
}

/// Runs one data set on the reference and, given a `backend`, on it (its
/// outcome in `onBackend`, left alone unless the reference passes).
static Result runDataSet(StringRef modelPath, const onnx::ModelProto &model,
                         StringRef dataDir, MLIRContext &context,
                         runtime::Backend *backend, Result *onBackend) {
  // Graph inputs that are not initializers, in order.
  llvm::StringSet<> initializers;
  for (const auto &init : model.graph().initializer())
    initializers.insert(init.name());
  SmallVector<std::string> inputNames;
  for (const auto &in : model.graph().input())
    if (!initializers.contains(in.name()))
      inputNames.push_back(in.name());

  llvm::StringMap<const onnx::TypeProto *> declared;
  for (const auto &in : model.graph().input())
    declared[in.name()] = &in.type();

  frontend::ImportOptions options;
  std::map<std::string, DenseElementsAttr> inputs;
  SmallVector<std::string> inputFiles = numberedFiles(dataDir, "input_");
  for (auto [n, file] : llvm::enumerate(inputFiles)) {
    std::string name;
    FailureOr<DenseElementsAttr> attr =
        frontend::readONNXTensorFile(file, context, &name);
    if (failed(attr))
      return fail("cannot read " + file);
    if (name.empty() && n < inputNames.size())
      name = inputNames[n];
    // The test data stores bfloat16 as uint16 bit patterns.
    const onnx::TypeProto *type = declared.lookup(name);
    if (type &&
        type->tensor_type().elem_type() == onnx::TensorProto::BFLOAT16 &&
        attr->getElementType().isInteger(16))
      *attr = attr->bitcast(BFloat16Type::get(&context));
    inputs[name] = *attr;
    // Data whose shape contradicts the model's declaration (a CastLike's
    // "like" input in some tests) is not bound; see the argument loop.
    bool shapeMatches = true;
    if (type && type->tensor_type().has_shape()) {
      const auto &dims = type->tensor_type().shape().dim();
      ArrayRef<int64_t> shape = attr->getType().getShape();
      shapeMatches = dims.size() == static_cast<int>(shape.size());
      for (int d = 0; shapeMatches && d < dims.size(); ++d)
        shapeMatches =
            !dims[d].has_dim_value() || dims[d].dim_value() == shape[d];
    }
    if (shapeMatches)
      options.inputValueFiles[name] = file;
  }

  auto module = frontend::importModel(modelPath, options, context);
  std::string error = module ? "" : llvm::toString(module.takeError());
  if (!module && StringRef(error).contains("must be known at compile time")) {
    // A value computed from an input feeds a compile-time operand: fold
    // the inputs into the graph.
    options.foldInputValues = true;
    module = frontend::importModel(modelPath, options, context);
    error = module ? "" : llvm::toString(module.takeError());
  }
  if (!module) {
    StringRef first = StringRef(error).split('\n').first;
    StringRef message =
        first.contains(": error: ") ? first.split(": error: ").second : first;
    if (message.contains("unsupported "))
      return skip(message);
    return fail("import: " + message);
  }

  func::FuncOp main = (*module)->lookupSymbol<func::FuncOp>("main");
  SmallVector<HostTensor> args;
  for (unsigned i = 0; i < main.getNumArguments(); ++i) {
    auto name = main.getArgAttrOfType<StringAttr>(i, "gaon.name");
    auto it = name ? inputs.find(name.str()) : inputs.end();
    if (it == inputs.end())
      return fail("no data for argument " + std::to_string(i));
    auto argType = cast<RankedTensorType>(main.getArgument(i).getType());
    DenseElementsAttr value = it->second;
    if (value.getType().getShape() != argType.getShape()) {
      // Only an argument no op reads may take data of another shape.
      if (!main.getArgument(i).use_empty())
        return fail("test data for input '" + name.str() +
                    "' does not match the model's declared shape");
      value = DenseElementsAttr::get(
          argType, Builder(&context).getZeroAttr(argType.getElementType()));
    }
    FailureOr<HostTensor> t = toHostTensor(value);
    if (failed(t))
      return skip("input type " + std::to_string(i) +
                  " has no CPU reference storage");
    args.push_back(std::move(*t));
  }
  auto outputs = runtime::reference::execute(main, args);
  if (!outputs)
    return fail(
        "execute: " +
        StringRef(llvm::toString(outputs.takeError())).split('\n').first);

  Result onReference = checkOutputs(*outputs, dataDir, context);
  if (onReference.outcome != Outcome::Pass || !backend)
    return onReference;
  *onBackend = runOnBackend(*backend, module->get(), args, dataDir, context);
  return onReference;
}

/// Compares `outputs` with the expected outputs of `dataDir`.
static Result checkOutputs(ArrayRef<HostTensor> outputs, StringRef dataDir,
                           MLIRContext &context) {
  SmallVector<std::string> outputFiles = numberedFiles(dataDir, "output_");
  if (outputFiles.size() != outputs.size())
    return fail(llvm::formatv("{0} outputs, expected {1}", outputs.size(),
                              outputFiles.size()));
  for (auto [n, file] : llvm::enumerate(outputFiles)) {
    std::string name;
    FailureOr<DenseElementsAttr> expected =
        frontend::readONNXTensorFile(file, context, &name);
    if (failed(expected))
      return fail("cannot read " + file);
    // bfloat16 results are stored as uint16 bit patterns.
    if (outputs[n].getDType() == runtime::DType::BF16 &&
        expected->getElementType().isInteger(16))
      *expected = expected->bitcast(BFloat16Type::get(&context));
    std::string mismatch = compare(outputs[n], *expected, name);
    if (!mismatch.empty())
      return fail(mismatch);
  }
  return pass();
}

/// Runs every data set of the test in `dir`.
static Result runTest(StringRef dir, MLIRContext &context,
                      runtime::Backend *backend, Result *onBackend) {
  SmallVector<char> modelPath(dir.begin(), dir.end());
  llvm::sys::path::append(modelPath, "model.onnx");
  std::string path(modelPath.begin(), modelPath.end());
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fail("cannot read " + path);
  onnx::ModelProto model;
  if (!model.ParseFromArray((*buffer)->getBufferStart(),
                            (*buffer)->getBufferSize()))
    return fail("model.onnx is not a ModelProto");
  if (std::optional<Result> r = precheck(model))
    return *r;

  std::error_code ec;
  SmallVector<std::string> dataDirs;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
      dataDirs.push_back(it->path());
  llvm::sort(dataDirs);
  if (dataDirs.empty())
    return fail("no test_data_set_* directory");
  for (const std::string &data : dataDirs) {
    Result onData = pass();
    Result r = runDataSet(path, model, data, context, backend, &onData);
    if (r.outcome != Outcome::Pass)
      return r;
    // The backend's outcome is its first non-pass over the data sets.
    if (onData.outcome != Outcome::Pass && onBackend->outcome == Outcome::Pass)
      *onBackend = onData;
  }
  return pass();
}

/// A backend's skip message reduced to its class: no test file location,
/// no explanation after the first clause, numbers as N.
static std::string getSkipClass(StringRef reason) {
  if (size_t at = reason.find(".onnx:"); at != StringRef::npos)
    reason = reason.drop_front(at).split(": ").second;
  for (StringRef end : {" (", ";", ", which", ": "})
    reason = reason.split(end).first;
  std::string text;
  for (size_t i = 0; i < reason.size(); ++i) {
    if (!llvm::isDigit(reason[i])) {
      text += reason[i];
      continue;
    }
    text += 'N';
    while (i + 1 < reason.size() && llvm::isDigit(reason[i + 1]))
      ++i;
  }
  return text;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "gaon-onnx-conformance: ONNX node tests through gaon's importer and "
      "the CPU reference executor\n");
  if (listClaimed) {
    for (StringRef op : frontend::supportedONNXOps())
      llvm::outs() << op << "\n";
    return 0;
  }

  llvm::Regex pattern(filter.empty() ? std::string(".") : filter);
  std::string regexError;
  if (!pattern.isValid(regexError)) {
    llvm::errs() << "gaon-onnx-conformance: error: bad --filter: " << regexError
                 << "\n";
    return 1;
  }
  std::error_code ec;
  SmallVector<std::string> tests;
  for (llvm::sys::fs::directory_iterator it(nodeDir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = llvm::sys::path::filename(it->path());
    if (name.starts_with("test_") && pattern.match(name))
      tests.push_back(it->path());
  }
  if (ec) {
    llvm::errs() << "gaon-onnx-conformance: error: cannot list '" << nodeDir
                 << "': " << ec.message() << "\n";
    return 1;
  }
  llvm::sort(tests);

  DialectRegistry registry;
  frontend::registerImportDialects(registry);
  runtime::reference::registerReferenceDialects(registry);
  std::unique_ptr<runtime::Backend> backend;
  if (!backendSpec.empty()) {
    gaon::registerAllDialects(registry);
    auto created = runtime::createBackend(backendSpec);
    if (!created) {
      llvm::errs() << "gaon-onnx-conformance: error: "
                   << llvm::toString(created.takeError()) << "\n";
      return 1;
    }
    backend = std::move(*created);
  }
  int passed = 0, failed = 0, skipped = 0;
  int backendPassed = 0, backendFailed = 0, backendSkipped = 0;
  std::map<std::string, int> skipReasons, backendSkipReasons;
  for (const std::string &test : tests) {
    // A fresh context per test keeps memory flat over the whole run.
    MLIRContext context(registry);
    context.printOpOnDiagnostic(false);
    Result onBackend = pass();
    Result r = runTest(test, context, backend.get(), &onBackend);
    StringRef name = llvm::sys::path::filename(test);
    if (backend && r.outcome == Outcome::Pass) {
      switch (onBackend.outcome) {
      case Outcome::Pass:
        ++backendPassed;
        break;
      case Outcome::Fail:
        ++backendFailed;
        llvm::outs() << backendSpec << " FAIL " << name << ": "
                     << onBackend.reason << "\n";
        break;
      case Outcome::Skip:
        ++backendSkipped;
        if (verbose)
          llvm::outs() << backendSpec << " SKIP " << name << ": "
                       << onBackend.reason << "\n";
        ++backendSkipReasons[getSkipClass(onBackend.reason)];
        break;
      }
    }
    switch (r.outcome) {
    case Outcome::Pass:
      ++passed;
      if (verbose)
        llvm::outs() << "PASS " << name << "\n";
      break;
    case Outcome::Fail:
      ++failed;
      llvm::outs() << "FAIL " << name << ": " << r.reason << "\n";
      break;
    case Outcome::Skip:
      ++skipped;
      llvm::outs() << "SKIP " << name << ": " << r.reason << "\n";
      ++skipReasons[StringRef(r.reason).starts_with("unsupported op ")
                        ? "unsupported op"
                        : r.reason];
      break;
    }
  }
  llvm::outs() << "\nskip reasons:\n";
  for (const auto &[reason, count] : skipReasons)
    llvm::outs() << llvm::format("  %4d  ", count) << reason << "\n";
  llvm::outs() << passed << " passed, " << failed << " failed, " << skipped
               << " skipped (" << tests.size() << " node tests)\n";
  if (backend) {
    llvm::outs() << "\n" << backendSpec << " skip reasons:\n";
    for (const auto &[reason, count] : backendSkipReasons)
      llvm::outs() << llvm::format("  %4d  ", count) << reason << "\n";
    llvm::outs() << backendSpec << ": " << backendPassed << " passed, "
                 << backendFailed << " failed, " << backendSkipped
                 << " skipped (of the " << passed << " the reference passes)\n";
  }
  return failed || backendFailed ? 1 : 0;
}
