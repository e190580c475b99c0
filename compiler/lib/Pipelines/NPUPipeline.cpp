//===- NPUPipeline.cpp - the NPU compilation pipeline ---------------------===//

#include "gaon/Pipelines/NPUPipeline.h"

#include "gaon/Conversion/Passes.h"
#include "gaon/Dialect/NPU/Transforms/Passes.h"
#include "gaon/Target/NPU/Passes.h"
#include "gaon/Target/NPU/Target.h"
#include "gaon/Transforms/Passes.h"

#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

/// Adds passes in order until the one named `stopAfter` is in.
class PipelineBuilder {
public:
  PipelineBuilder(OpPassManager &pm, StringRef stopAfter)
      : pm(pm), stopAfter(stopAfter) {}

  /// Adds a module-level pass.
  void add(std::unique_ptr<Pass> pass) {
    if (stopped)
      return;
    StringRef argument = pass->getArgument();
    pm.addPass(std::move(pass));
    checkStop(argument);
  }
  /// Pass arguments added so far, in order.
  ArrayRef<StringRef> getNames() const { return names; }
  /// Adds a function-level pass.
  void addToFunctions(std::unique_ptr<Pass> pass) {
    if (stopped)
      return;
    StringRef argument = pass->getArgument();
    pm.addNestedPass<func::FuncOp>(std::move(pass));
    checkStop(argument);
  }
  bool reachedStop() const { return stopAfter.empty() || stopped; }

private:
  void checkStop(StringRef argument) {
    names.push_back(argument);
    if (!stopAfter.empty() && argument == stopAfter)
      stopped = true;
  }
  OpPassManager &pm;
  SmallVector<StringRef> names;
  StringRef stopAfter;
  bool stopped = false;
};

} // namespace

/// Adds the whole pipeline through `builder`.
static void addPasses(PipelineBuilder &builder,
                      const gaon::NPUCompileOptions &options) {
  if (!options.target.empty()) {
    gaon::npu::SetNPUTargetPassOptions target;
    target.target = options.target;
    target.overrides.assign(options.overrides.begin(), options.overrides.end());
    builder.add(gaon::npu::createSetNPUTargetPass(target));
  }
  // Input: TOSA to linalg, calls inlined.
  builder.addToFunctions(tosa::createTosaToLinalgNamed());
  builder.addToFunctions(tosa::createTosaToLinalg());
  builder.addToFunctions(createTosaToArithPass());
  builder.addToFunctions(createTosaToTensorPass());
  builder.add(createInlinerPass());
  builder.add(createCanonicalizerPass());
  // Graph level.
  builder.addToFunctions(gaon::createNormalizeLinalgPass());
  builder.add(createCanonicalizerPass());
  if (options.fuse)
    builder.addToFunctions(gaon::createFuseElementwisePass());
  builder.addToFunctions(gaon::createAnnotateCostsPass());
  // Tiles in SRAM.
  gaon::npu::TileLinalgPassOptions tile;
  tile.sramFraction = options.sramFraction;
  tile.fuse = options.fuse;
  tile.tileSizes.assign(options.tileSizes.begin(), options.tileSizes.end());
  builder.addToFunctions(gaon::npu::createTileLinalgPass(tile));
  builder.addToFunctions(gaon::npu::createPromoteTilesPass());
  builder.add(bufferization::createEmptyTensorToAllocTensorPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  builder.add(bufferization::createOneShotBufferizePass(bufferize));
  builder.add(createCanonicalizerPass());
  builder.add(createCSEPass());
  // Cores, buffers, commands.
  builder.addToFunctions(gaon::npu::createAssignCoresPass());
  gaon::npu::DoubleBufferPassOptions doubleBuffer;
  doubleBuffer.buffers = options.buffers;
  builder.addToFunctions(gaon::npu::createDoubleBufferPass(doubleBuffer));
  builder.addToFunctions(gaon::createConvertLinalgToNPUPass());
  // Straight-line schedule. No canonicalisation of the loops first:
  // gaon-unroll-loops folds the unrolled code anyway, and simplifying the
  // regions of thousands of per-core loops cost more than it saved.
  builder.addToFunctions(gaon::npu::createUnrollLoopsPass());
  builder.addToFunctions(gaon::npu::createAssignDmaQueuesPass());
  builder.addToFunctions(gaon::npu::createAllocateSramPass());
  builder.addToFunctions(gaon::npu::createSinkStoresPass());
  builder.addToFunctions(gaon::npu::createInsertSyncPass());
}

gaon::NPUCompileOptions gaon::NPUPipelineOptions::toCompileOptions() const {
  NPUCompileOptions options;
  options.target = target;
  options.overrides.assign(overrides.begin(), overrides.end());
  options.fuse = fuse;
  options.sramFraction = sramFraction;
  options.tileSizes.assign(tileSizes.begin(), tileSizes.end());
  options.buffers = buffers;
  options.stopAfter = stopAfter;
  return options;
}

LogicalResult gaon::buildNPUPipeline(OpPassManager &pm,
                                     const NPUCompileOptions &options) {
  PipelineBuilder builder(pm, options.stopAfter);
  addPasses(builder, options);
  return success(builder.reachedStop());
}

SmallVector<StringRef> gaon::getNPUPipelinePassNames() {
  OpPassManager pm(ModuleOp::getOperationName());
  NPUCompileOptions options;
  PipelineBuilder builder(pm, "");
  addPasses(builder, options);
  return llvm::to_vector(builder.getNames());
}

void gaon::registerNPUPipeline() {
  // Registered by hand rather than through PassPipelineRegistration so that
  // a stop-after naming no pass fails the pipeline instead of running it
  // whole.
  registerPassPipeline(
      "gaon-npu-pipeline",
      "Compile linalg on tensors (or TOSA) to scheduled npu IR for a chip: "
      "normalise, fuse, annotate costs, tile, promote to SRAM, bufferize, "
      "assign cores, double-buffer, convert to npu commands, unroll, spread "
      "DMAs, allocate SRAM, sink stores, insert semaphores",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        NPUPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (failed(buildNPUPipeline(pm, options.toCompileOptions())))
          return errorHandler("gaon-npu-pipeline: stop-after='" +
                              options.stopAfter +
                              "' names no pass of the pipeline");
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(NPUPipelineOptions());
      });
}

FailureOr<gaon::npu::CompiledProgram>
gaon::compileForNPU(ModuleOp module, const sim::ChipConfig &chip,
                    const NPUCompileOptions &options) {
  MLIRContext *context = module.getContext();
  module->setAttr(npu::NPUDialect::kTargetAttrName,
                  npu::getTargetAttr(context, chip));
  NPUCompileOptions pipeline = options;
  pipeline.target.clear();
  pipeline.overrides.clear();
  pipeline.stopAfter.clear();
  PassManager pm(context);
  if (failed(buildNPUPipeline(pm, pipeline)) || failed(pm.run(module)))
    return failure();
  func::FuncOp func;
  for (auto candidate : module.getOps<func::FuncOp>())
    if (!candidate.isExternal()) {
      if (func)
        return module.emitError() << "compileForNPU compiles one function";
      func = candidate;
    }
  if (!func)
    return module.emitError() << "no function to compile";
  return npu::serializeFunction(func);
}
