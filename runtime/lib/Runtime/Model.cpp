//===- Model.cpp - A model as the runtime runs it -------------------------===//

#include "gaon/Runtime/Model.h"

#include "gaon/Runtime/Reference/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

using namespace gaon::runtime;

/// The file location `location` stands for (see formatLocation).
static mlir::FileLineColLoc findFileLocation(mlir::Location location) {
  if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(location))
    return file;
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(location))
    return findFileLocation(name.getChildLoc());
  if (auto callSite = llvm::dyn_cast<mlir::CallSiteLoc>(location))
    return findFileLocation(callSite.getCallee());
  if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(location))
    for (mlir::Location part : llvm::reverse(fused.getLocations()))
      if (mlir::FileLineColLoc file = findFileLocation(part))
        return file;
  return {};
}

std::string gaon::runtime::formatLocation(mlir::Location location) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (mlir::FileLineColLoc file = findFileLocation(location)) {
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
    return text;
  }
  location.print(os);
  return normalizeLocation(text);
}

std::string gaon::runtime::normalizeLocation(llvm::StringRef printed) {
  llvm::StringRef text = printed.trim();
  if (text.consume_front("loc(") && !text.consume_back(")"))
    return printed.str();
  // File positions, "file":line:col, in order of appearance.
  llvm::SmallVector<std::string> positions;
  static const llvm::Regex filePosition("\"([^\"]*)\":([0-9]+):([0-9]+)");
  llvm::StringRef rest = text;
  llvm::SmallVector<llvm::StringRef, 4> groups;
  while (filePosition.match(rest, &groups)) {
    positions.push_back((groups[1] + ":" + groups[2] + ":" + groups[3]).str());
    rest = rest.substr(groups[0].end() - rest.begin());
  }
  if (positions.empty())
    return text.str();
  // As formatLocation: the last part of a fused location, else the first
  // (a name's child, a call site's callee).
  return text.starts_with("fused") ? positions.back() : positions.front();
}

llvm::Expected<std::vector<TensorSpec>>
gaon::runtime::getTensorSpecs(mlir::TypeRange types, llvm::StringRef what) {
  std::vector<TensorSpec> specs;
  for (auto [index, type] : llvm::enumerate(types)) {
    std::string typeText;
    llvm::raw_string_ostream(typeText) << type;
    std::string where =
        what.str() + " " + std::to_string(index) + " (" + typeText + ")";
    auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
    if (!tensor)
      return llvm::createStringError(where + " is not a ranked tensor");
    if (!tensor.hasStaticShape())
      return llvm::createStringError(
          where + " has a dynamic shape; bind its sizes when importing");
    std::optional<DType> dtype = reference::getDType(tensor.getElementType());
    if (!dtype || tensor.getElementType().isIndex())
      return llvm::createStringError(
          where + " has an element type the runtime does not take (f64, f32, "
                  "f16, bf16, f8E4M3FN, f8E5M2, i64, i32, i8, i1)");
    TensorSpec spec;
    spec.name = what.str() + std::to_string(index);
    spec.dtype = *dtype;
    spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    specs.push_back(std::move(spec));
  }
  return specs;
}

llvm::Expected<mlir::func::FuncOp>
gaon::runtime::findEntry(mlir::ModuleOp module, llvm::StringRef entry) {
  llvm::SmallVector<mlir::func::FuncOp> candidates;
  for (auto function : module.getOps<mlir::func::FuncOp>())
    if (!function.isExternal())
      candidates.push_back(function);
  auto listCandidates = [&] {
    std::string names;
    for (mlir::func::FuncOp function : candidates)
      names += (names.empty() ? "@" : ", @") + function.getName().str();
    return names.empty() ? std::string("none") : names;
  };
  if (!entry.empty()) {
    for (mlir::func::FuncOp function : candidates)
      if (function.getName() == entry)
        return function;
    return llvm::createStringError("no function @" + entry.str() +
                                   " in the module (it defines " +
                                   listCandidates() + ")");
  }
  for (mlir::func::FuncOp function : candidates)
    if (function.getName() == "main")
      return function;
  llvm::SmallVector<mlir::func::FuncOp> publicOnes;
  for (mlir::func::FuncOp function : candidates)
    if (function.isPublic())
      publicOnes.push_back(function);
  if (publicOnes.size() == 1)
    return publicOnes.front();
  return llvm::createStringError(
      "cannot tell which function to run: no @main and " +
      std::to_string(publicOnes.size()) + " public functions (" +
      listCandidates() + "); name one with --entry");
}

llvm::Expected<gaon::runtime::SignatureSpecs>
gaon::runtime::getSignatureSpecs(mlir::FunctionType type) {
  auto inputs = getTensorSpecs(type.getInputs(), "argument");
  if (!inputs)
    return inputs.takeError();
  auto outputs = getTensorSpecs(type.getResults(), "result");
  if (!outputs)
    return outputs.takeError();
  return SignatureSpecs{std::move(*inputs), std::move(*outputs)};
}

llvm::Expected<Model>
gaon::runtime::makeModel(mlir::OwningOpRef<mlir::ModuleOp> module,
                         llvm::StringRef source, llvm::StringRef entry) {
  llvm::Expected<mlir::func::FuncOp> function = findEntry(*module, entry);
  if (!function)
    return function.takeError();
  Model model;
  model.source = source.str();
  model.name = llvm::sys::path::stem(source).str();
  model.entry = function->getName().str();
  llvm::Expected<SignatureSpecs> specs =
      getSignatureSpecs(function->getFunctionType());
  if (!specs)
    return specs.takeError();
  model.inputs = std::move(specs->inputs);
  model.outputs = std::move(specs->outputs);
  for (auto [index, spec] : llvm::enumerate(model.inputs))
    if (auto name =
            function->getArgAttrOfType<mlir::StringAttr>(index, "gaon.name"))
      spec.name = name.getValue().str();
  for (auto [index, spec] : llvm::enumerate(model.outputs))
    if (auto name =
            function->getResultAttrOfType<mlir::StringAttr>(index, "gaon.name"))
      spec.name = name.getValue().str();
  if (!model.inputs.empty() && !model.inputs.front().shape.empty()) {
    model.workPerRun = static_cast<double>(model.inputs.front().shape.front());
    model.workSource = "dim 0 of argument 0";
  } else {
    model.workPerRun = 1;
    model.workSource = "one per run";
  }
  model.module = std::move(module);
  return model;
}
