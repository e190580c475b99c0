//===- CudaCompiler.cpp - graph-level MLIR -> CUDA launch plan ------------===//

#include "gaon/GPU/CudaCompiler.h"

#include "gaon/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using llvm::createStringError;
using llvm::Error;
using llvm::Expected;
using llvm::inconvertibleErrorCode;
namespace rc = gaon::runtime::cuda;

namespace {

/// A device pointer of the plan: a buffer plus a byte offset.
struct BufferRef {
  unsigned buffer = 0;
  uint64_t offset = 0;
};

/// Formats `loc` as the plan's `location` field: "file":line:col where one
/// is known.
static std::string formatLocation(Location loc) {
  if (auto fileLoc = dyn_cast<FileLineColLoc>(loc))
    return ("\"" + fileLoc.getFilename().getValue() +
            "\":" + Twine(fileLoc.getLine()) + ":" + Twine(fileLoc.getColumn()))
        .str();
  if (auto nameLoc = dyn_cast<NameLoc>(loc))
    return formatLocation(nameLoc.getChildLoc());
  if (auto callLoc = dyn_cast<CallSiteLoc>(loc))
    return formatLocation(callLoc.getCallee());
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations()) {
      std::string text = formatLocation(inner);
      if (!text.empty())
        return text;
    }
  return "";
}

/// `type` as MLIR prints it.
static std::string printType(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

/// Bytes of a statically shaped memref value (0 otherwise).
static uint64_t getTypeBytesOf(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return 0;
  return type.getNumElements() *
         ((type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
}

/// Walks the host function (and the kernel functions it calls) and builds
/// the plan.
class PlanExtractor {
public:
  explicit PlanExtractor(ModuleOp module) : module(module) {}

  Expected<rc::LaunchPlan> run(func::FuncOp entry);

private:
  Error fail(Operation *op, const Twine &message) const;
  Expected<rc::ElementType> getElementType(Operation *op, Type type) const;
  Expected<unsigned> addBuffer(Operation *op, MemRefType type,
                               rc::BufferRole role, std::string name,
                               unsigned index = 0);
  Error visitBlock(Block &block, DenseMap<Value, BufferRef> &refs,
                   func::FuncOp kernel);
  Error visitView(Operation *op, DenseMap<Value, BufferRef> &refs);
  Error visitConstantBuffer(memref::GetGlobalOp op,
                            DenseMap<Value, BufferRef> &refs);
  Error visitLaunch(mlir::gpu::LaunchFuncOp launch,
                    DenseMap<Value, BufferRef> &refs, func::FuncOp kernel,
                    unsigned indexInKernel);
  Expected<rc::KernelArgument> getArgument(mlir::gpu::LaunchFuncOp launch,
                                           Value operand,
                                           DenseMap<Value, BufferRef> &refs);
  Expected<rc::KernelArgument>
  getTensorMapArgument(mlir::gpu::LaunchFuncOp launch,
                       nvgpu::TmaCreateDescriptorOp descriptor,
                       DenseMap<Value, BufferRef> &refs);
  Expected<unsigned> getModule(mlir::gpu::LaunchFuncOp launch);

  ModuleOp module;
  rc::LaunchPlan plan;
  llvm::StringMap<unsigned> moduleIndex;
};

} // namespace

Error PlanExtractor::fail(Operation *op, const Twine &message) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getLoc() << ": " << message;
  return createStringError(inconvertibleErrorCode(), os.str());
}

Expected<rc::ElementType> PlanExtractor::getElementType(Operation *op,
                                                        Type type) const {
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  if (std::optional<rc::ElementType> element =
          rc::symbolizeElementType(os.str()))
    return *element;
  return fail(op,
              "element type " + os.str() + " has no launch-plan buffer type");
}

Expected<unsigned> PlanExtractor::addBuffer(Operation *op, MemRefType type,
                                            rc::BufferRole role,
                                            std::string name, unsigned index) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return fail(op, "launch-plan buffers need static, identity-layout "
                    "memrefs, got " +
                        Twine(printType(type)));
  Expected<rc::ElementType> element = getElementType(op, type.getElementType());
  if (!element)
    return element.takeError();
  rc::PlanBuffer buffer;
  buffer.name = std::move(name);
  buffer.role = role;
  buffer.index = index;
  buffer.elementType = *element;
  buffer.shape.assign(type.getShape().begin(), type.getShape().end());
  buffer.bytes = buffer.getNumElements() * rc::getElementBytes(*element);
  plan.buffers.push_back(std::move(buffer));
  return plan.buffers.size() - 1;
}

Error PlanExtractor::visitView(Operation *op,
                               DenseMap<Value, BufferRef> &refs) {
  Value source = op->getOperand(0);
  auto it = refs.find(source);
  if (it == refs.end())
    return fail(op, "views a value that is not a plan buffer");
  BufferRef ref = it->second;
  auto resultType = dyn_cast<MemRefType>(op->getResult(0).getType());
  if (resultType && !resultType.getLayout().isIdentity()) {
    int64_t offset;
    SmallVector<int64_t> strides;
    if (failed(resultType.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset))
      return fail(op, "views a buffer at a dynamic offset");
    auto sourceType = cast<MemRefType>(source.getType());
    int64_t sourceOffset = 0;
    SmallVector<int64_t> sourceStrides;
    if (failed(sourceType.getStridesAndOffset(sourceStrides, sourceOffset)))
      return fail(op, "views a buffer of unknown layout");
    ref.offset += (offset - sourceOffset) *
                  rc::getElementBytes(plan.buffers[ref.buffer].elementType);
  }
  refs[op->getResult(0)] = ref;
  return Error::success();
}

Error PlanExtractor::visitConstantBuffer(memref::GetGlobalOp op,
                                         DenseMap<Value, BufferRef> &refs) {
  auto global =
      module.lookupSymbol<memref::GlobalOp>(op.getNameAttr().getAttr());
  auto value = global ? dyn_cast_or_null<DenseElementsAttr>(
                            global.getInitialValue().value_or(Attribute()))
                      : DenseElementsAttr();
  if (!value || !global.getConstant())
    return fail(op, "reads a global that is not a dense constant");
  Expected<unsigned> id = addBuffer(op, op.getType(), rc::BufferRole::Weight,
                                    global.getSymName().str());
  if (!id)
    return id.takeError();
  rc::PlanBuffer &buffer = plan.buffers[*id];
  ArrayRef<char> raw = value.getRawData();
  buffer.data.resize(buffer.bytes);
  if (value.isSplat()) {
    uint64_t elemBytes = rc::getElementBytes(buffer.elementType);
    for (uint64_t at = 0; at < buffer.bytes; at += elemBytes)
      std::memcpy(buffer.data.data() + at, raw.data(), elemBytes);
  } else if (raw.size() == buffer.bytes) {
    std::memcpy(buffer.data.data(), raw.data(), raw.size());
  } else {
    return fail(op, "constant's data does not match its type's size");
  }
  refs[op.getResult()] = {*id, 0};
  return Error::success();
}

Expected<unsigned> PlanExtractor::getModule(mlir::gpu::LaunchFuncOp launch) {
  StringRef name = launch.getKernelModuleName().getValue();
  auto known = moduleIndex.find(name);
  if (known != moduleIndex.end())
    return known->second;
  auto binary = module.lookupSymbol<mlir::gpu::BinaryOp>(name);
  if (!binary)
    return fail(launch, "launches a kernel of '" + name +
                            "', which is not a gpu.binary (run "
                            "gaon-cuda-pipeline to the end)");
  if (binary.getObjectsAttr().size() != 1)
    return fail(binary, "expected one object per gpu.binary");
  auto object = cast<mlir::gpu::ObjectAttr>(binary.getObjectsAttr()[0]);
  if (object.getFormat() != mlir::gpu::CompilationTarget::Binary &&
      object.getFormat() != mlir::gpu::CompilationTarget::Fatbin)
    return fail(binary,
                "holds " +
                    mlir::gpu::stringifyCompilationTarget(object.getFormat()) +
                    ", not a cubin (compile with format=bin)");
  auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
  if (!target)
    return fail(binary, "is not an NVVM object");
  rc::PlanModule planModule;
  planModule.name = name.str();
  planModule.chip = target.getChip().str();
  StringRef bytes = object.getObject().getValue();
  planModule.cubin.assign(bytes.begin(), bytes.end());
  if (DictionaryAttr properties = object.getProperties())
    if (auto ptx = properties.getAs<StringAttr>(gaon::gpu::kPtxPropertyName))
      planModule.ptx = ptx.getValue().str();
  plan.modules.push_back(std::move(planModule));
  moduleIndex[name] = plan.modules.size() - 1;
  return plan.modules.size() - 1;
}

Expected<rc::KernelArgument>
PlanExtractor::getTensorMapArgument(mlir::gpu::LaunchFuncOp launch,
                                    nvgpu::TmaCreateDescriptorOp descriptor,
                                    DenseMap<Value, BufferRef> &refs) {
  auto cast = descriptor.getTensor().getDefiningOp<memref::CastOp>();
  auto it = cast ? refs.find(cast.getSource()) : refs.end();
  if (it == refs.end())
    return fail(descriptor, "describes a tensor that is not a plan buffer");
  auto type = llvm::cast<MemRefType>(cast.getSource().getType());
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return fail(descriptor, "describes a tensor of non-identity layout");
  Expected<rc::ElementType> element =
      getElementType(descriptor, type.getElementType());
  if (!element)
    return element.takeError();
  rc::TensorMapArgument map;
  map.elementType = *element;
  // Innermost dimension first, as cuTensorMapEncodeTiled takes them.
  uint64_t stride = rc::getElementBytes(*element);
  for (int64_t i = type.getRank() - 1; i >= 0; --i) {
    map.globalDims.push_back(type.getDimSize(i));
    if (i != type.getRank() - 1)
      map.globalStrides.push_back(stride);
    stride *= type.getDimSize(i);
  }
  for (Value box : llvm::reverse(descriptor.getBoxDimensions())) {
    std::optional<int64_t> size = getConstantIntValue(box);
    if (!size)
      return fail(descriptor, "has a dynamic box size");
    map.boxDims.push_back(*size);
  }
  auto descType = descriptor.getTensorMap().getType();
  switch (descType.getSwizzle()) {
  case nvgpu::TensorMapSwizzleKind::SWIZZLE_NONE:
    map.swizzle = rc::TensorMapArgument::Swizzle::None;
    break;
  case nvgpu::TensorMapSwizzleKind::SWIZZLE_32B:
    map.swizzle = rc::TensorMapArgument::Swizzle::B32;
    break;
  case nvgpu::TensorMapSwizzleKind::SWIZZLE_64B:
    map.swizzle = rc::TensorMapArgument::Swizzle::B64;
    break;
  case nvgpu::TensorMapSwizzleKind::SWIZZLE_128B:
    map.swizzle = rc::TensorMapArgument::Swizzle::B128;
    break;
  }
  switch (descType.getL2promo()) {
  case nvgpu::TensorMapL2PromoKind::L2PROMO_NONE:
    map.l2Promotion = rc::TensorMapArgument::L2Promotion::None;
    break;
  case nvgpu::TensorMapL2PromoKind::L2PROMO_64B:
    map.l2Promotion = rc::TensorMapArgument::L2Promotion::B64;
    break;
  case nvgpu::TensorMapL2PromoKind::L2PROMO_128B:
    map.l2Promotion = rc::TensorMapArgument::L2Promotion::B128;
    break;
  case nvgpu::TensorMapL2PromoKind::L2PROMO_256B:
    map.l2Promotion = rc::TensorMapArgument::L2Promotion::B256;
    break;
  }
  if (descType.getInterleave() !=
      nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE)
    return fail(descriptor, "interleaved tensor maps are not supported");
  map.oobFillNaN = descType.getOob() == nvgpu::TensorMapOOBKind::OOB_NAN;
  return rc::KernelArgument::tensorMap(it->second.buffer, it->second.offset,
                                       std::move(map));
}

Expected<rc::KernelArgument>
PlanExtractor::getArgument(mlir::gpu::LaunchFuncOp launch, Value operand,
                           DenseMap<Value, BufferRef> &refs) {
  if (isa<MemRefType>(operand.getType())) {
    auto it = refs.find(operand);
    if (it == refs.end())
      return fail(launch, "passes a memref that is not a plan buffer");
    return rc::KernelArgument::binding(it->second.buffer, it->second.offset);
  }
  if (isa<LLVM::LLVMPointerType>(operand.getType())) {
    auto cast = operand.getDefiningOp<UnrealizedConversionCastOp>();
    auto descriptor =
        cast && cast->getNumOperands() == 1
            ? cast->getOperand(0).getDefiningOp<nvgpu::TmaCreateDescriptorOp>()
            : nvgpu::TmaCreateDescriptorOp();
    if (!descriptor)
      return fail(launch, "passes a pointer that is not a TMA descriptor");
    return getTensorMapArgument(launch, descriptor, refs);
  }
  Attribute value;
  if (!matchPattern(operand, m_Constant(&value)))
    return fail(launch, "passes a scalar that is not a constant");
  if (auto intValue = dyn_cast<IntegerAttr>(value)) {
    if (intValue.getType().isIndex() ||
        intValue.getType().getIntOrFloatBitWidth() == 64)
      return rc::KernelArgument::i64(intValue.getInt());
    if (intValue.getType().getIntOrFloatBitWidth() <= 32)
      return rc::KernelArgument::i32(intValue.getInt());
  }
  if (auto floatValue = dyn_cast<FloatAttr>(value))
    if (floatValue.getType().isF32())
      return rc::KernelArgument::f32(floatValue.getValueAsDouble());
  return fail(launch, "passes a scalar of type " +
                          Twine(printType(operand.getType())) +
                          ", which launch plans cannot express");
}

Error PlanExtractor::visitLaunch(mlir::gpu::LaunchFuncOp launch,
                                 DenseMap<Value, BufferRef> &refs,
                                 func::FuncOp kernel, unsigned indexInKernel) {
  Expected<unsigned> moduleId = getModule(launch);
  if (!moduleId)
    return moduleId.takeError();
  rc::PlanLaunch planLaunch;
  planLaunch.module = *moduleId;
  planLaunch.kernel = launch.getKernelName().getValue().str();
  auto dims = [&](mlir::gpu::KernelDim3 sizes, rc::Dim3 &out) -> Error {
    std::optional<int64_t> x = getConstantIntValue(sizes.x);
    std::optional<int64_t> y = getConstantIntValue(sizes.y);
    std::optional<int64_t> z = getConstantIntValue(sizes.z);
    if (!x || !y || !z)
      return fail(launch, "has a dynamic grid or block size");
    out = {static_cast<uint32_t>(*x), static_cast<uint32_t>(*y),
           static_cast<uint32_t>(*z)};
    return Error::success();
  };
  if (Error error = dims(launch.getGridSizeOperandValues(), planLaunch.grid))
    return error;
  if (Error error = dims(launch.getBlockSizeOperandValues(), planLaunch.block))
    return error;
  if (Value smem = launch.getDynamicSharedMemorySize()) {
    std::optional<int64_t> bytes = getConstantIntValue(smem);
    if (!bytes)
      return fail(launch, "has a dynamic shared-memory size");
    planLaunch.dynamicSharedMemoryBytes = *bytes;
  }
  for (Value operand : launch.getKernelOperands()) {
    Expected<rc::KernelArgument> arg = getArgument(launch, operand, refs);
    if (!arg)
      return arg.takeError();
    planLaunch.arguments.push_back(std::move(*arg));
  }

  // What the GPU passes recorded about the kernel and this launch.
  Operation *source = kernel ? kernel.getOperation() : launch.getOperation();
  planLaunch.location = formatLocation(source->getLoc());
  if (auto name =
          source->getAttrOfType<StringAttr>(gaon::gpu::kKernelSourceAttrName))
    planLaunch.opName = name.getValue().str();
  auto records =
      kernel
          ? kernel->getAttrOfType<ArrayAttr>(gaon::gpu::kKernelLaunchesAttrName)
          : ArrayAttr();
  if (records && indexInKernel < records.size()) {
    auto record = cast<DictionaryAttr>(records[indexInKernel]);
    if (auto flops = record.getAs<IntegerAttr>("flops"))
      planLaunch.flops = flops.getInt();
    if (auto bytes = record.getAs<IntegerAttr>("bytes"))
      planLaunch.bytes = bytes.getInt();
    auto gemm = record.getAs<DenseI64ArrayAttr>("gemm");
    auto tile = record.getAs<DenseI64ArrayAttr>("tile");
    auto type = record.getAs<TypeAttr>("type");
    auto stages = record.getAs<IntegerAttr>("stages");
    if (gemm && tile && type && stages && gemm.size() == 4 &&
        tile.size() == 3) {
      Expected<rc::ElementType> element =
          getElementType(launch, type.getValue());
      if (!element)
        return element.takeError();
      rc::ContractionShape shape;
      shape.batch = gemm[0];
      shape.m = gemm[1];
      shape.n = gemm[2];
      shape.k = gemm[3];
      shape.elementType = *element;
      shape.tileM = tile[0];
      shape.tileN = tile[1];
      shape.tileK = tile[2];
      shape.stages = stages.getInt();
      planLaunch.contraction = shape;
    }
  }
  plan.launches.push_back(std::move(planLaunch));
  return Error::success();
}

Error PlanExtractor::visitBlock(Block &block, DenseMap<Value, BufferRef> &refs,
                                func::FuncOp kernel) {
  unsigned launchesInKernel = 0;
  for (Operation &op : block) {
    Error error =
        llvm::TypeSwitch<Operation *, Error>(&op)
            .Case([&](memref::AllocOp alloc) -> Error {
              Expected<unsigned> id =
                  addBuffer(alloc, alloc.getType(), rc::BufferRole::Temporary,
                            "tmp" + std::to_string(plan.buffers.size()));
              if (!id)
                return id.takeError();
              refs[alloc.getResult()] = {*id, 0};
              return Error::success();
            })
            .Case([&](memref::GetGlobalOp global) {
              return visitConstantBuffer(global, refs);
            })
            .Case<memref::CastOp, memref::ExpandShapeOp,
                  memref::CollapseShapeOp, memref::SubViewOp,
                  memref::ReinterpretCastOp>([&](Operation *view) -> Error {
              if (isa<UnrankedMemRefType>(view->getResult(0).getType()))
                return Error::success(); // A TMA descriptor's operand.
              return visitView(view, refs);
            })
            .Case([&](func::CallOp call) -> Error {
              auto callee =
                  module.lookupSymbol<func::FuncOp>(call.getCalleeAttr());
              if (!callee || callee.isDeclaration() ||
                  !callee->hasAttr(gaon::gpu::kKernelKindAttrName))
                return fail(call, "calls a function that is not a GPU "
                                  "kernel function");
              DenseMap<Value, BufferRef> calleeRefs;
              for (auto [arg, operand] :
                   llvm::zip_equal(callee.getArguments(), call.getOperands())) {
                auto it = refs.find(operand);
                if (it == refs.end())
                  return fail(call, "passes a value that is not a plan "
                                    "buffer");
                calleeRefs[arg] = it->second;
              }
              return visitBlock(callee.getBody().front(), calleeRefs, callee);
            })
            .Case([&](mlir::gpu::LaunchFuncOp launch) {
              return visitLaunch(launch, refs, kernel, launchesInKernel++);
            })
            .Case<arith::ConstantOp, memref::DeallocOp,
                  nvgpu::TmaCreateDescriptorOp, UnrealizedConversionCastOp,
                  func::ReturnOp>([](Operation *) { return Error::success(); })
            .Default([&](Operation *other) {
              return fail(other, "'" + other->getName().getStringRef() +
                                     "' has no launch-plan equivalent");
            });
    if (error)
      return error;
  }
  return Error::success();
}

Expected<rc::LaunchPlan> PlanExtractor::run(func::FuncOp entry) {
  plan.name = entry.getSymName().str();
  DenseMap<Value, BufferRef> refs;
  for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type)
      return fail(entry, "argument " + Twine(i) + " is not a memref");
    Expected<unsigned> id = addBuffer(entry, type, rc::BufferRole::Input,
                                      "arg" + std::to_string(i), i);
    if (!id)
      return id.takeError();
    refs[arg] = {*id, 0};
  }
  if (Error error = visitBlock(entry.getBody().front(), refs, nullptr))
    return std::move(error);

  auto ret = cast<func::ReturnOp>(entry.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    auto it = refs.find(value);
    if (it == refs.end())
      return fail(ret, "result " + Twine(i) + " is not a plan buffer");
    rc::PlanBuffer &buffer = plan.buffers[it->second.buffer];
    if (buffer.role != rc::BufferRole::Temporary || it->second.offset != 0 ||
        getTypeBytesOf(value) != buffer.bytes)
      return fail(ret, "result " + Twine(i) +
                           " is not a whole buffer the function computes "
                           "(an argument, a constant, a view or a result "
                           "twice)");
    buffer.role = rc::BufferRole::Output;
    buffer.index = i;
    buffer.name = "result" + std::to_string(i);
  }
  if (Error error = plan.verify())
    return std::move(error);
  return std::move(plan);
}

/// Finds the function named `entry`, or the module's only public function.
static Expected<func::FuncOp> findEntry(ModuleOp module, StringRef entry) {
  if (!entry.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isDeclaration())
      return createStringError(inconvertibleErrorCode(),
                               "no function '%s' to compile",
                               entry.str().c_str());
    return func;
  }
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isDeclaration() || func.isPrivate())
      continue;
    if (found)
      return createStringError(
          inconvertibleErrorCode(),
          "the module has several public functions (%s, %s); name the entry",
          found.getSymName().str().c_str(), func.getSymName().str().c_str());
    found = func;
  }
  if (!found)
    return createStringError(inconvertibleErrorCode(),
                             "the module has no public function to compile");
  return found;
}

Expected<rc::LaunchPlan> gaon::gpu::extractLaunchPlan(ModuleOp module,
                                                      StringRef entry) {
  Expected<func::FuncOp> func = findEntry(module, entry);
  if (!func)
    return func.takeError();
  return PlanExtractor(module).run(*func);
}

Expected<rc::LaunchPlan>
gaon::gpu::compileForCuda(ModuleOp module, const CudaCompileOptions &options) {
  if (failed(resolveCudaChip(options.chip)))
    return createStringError(inconvertibleErrorCode(),
                             "unsupported GPU chip '%s' (expected sm_80 or "
                             "sm_90)",
                             options.chip.c_str());
  // Name the entry before the pipeline adds kernel functions.
  Expected<func::FuncOp> entry = findEntry(module, options.entry);
  if (!entry)
    return entry.takeError();
  std::string entryName = entry->getSymName().str();

  MLIRContext *ctx = module.getContext();
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    os << diag.getLocation() << ": error: " << diag << "\n";
    for (Diagnostic &note : diag.getNotes())
      os << note.getLocation() << ": note: " << note << "\n";
    return success();
  });

  CudaPipelineOptions pipeline;
  pipeline.chip = options.chip;
  pipeline.allowTf32 = options.allowTf32;
  pipeline.stages = options.stages;
  pipeline.cudaPath = options.cudaPath;
  pipeline.format = "bin";
  PassManager pm(ctx, ModuleOp::getOperationName());
  if (failed(buildCudaPipeline(pm, pipeline)))
    return createStringError(inconvertibleErrorCode(),
                             "cannot build gaon-cuda-pipeline");
  if (failed(pm.run(module)))
    return createStringError(inconvertibleErrorCode(),
                             "gaon-cuda-pipeline failed:\n%s",
                             diagnostics.c_str());
  return extractLaunchPlan(module, entryName);
}
