//===- NPUPipeline.h - the NPU compilation pipeline -------------*- C++ -*-===//
//
// gaon-npu-pipeline: linalg on tensors (or TOSA) to scheduled npu IR, every
// step a registered pass. gaon-compile runs it and serialises the result.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_PIPELINES_NPUPIPELINE_H
#define GAON_PIPELINES_NPUPIPELINE_H

#include "gaon/Target/NPU/Serialize.h"

#include "mlir/Pass/PassOptions.h"

#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
class OpPassManager;
} // namespace mlir

namespace gaon::sim {
struct ChipConfig;
} // namespace gaon::sim

namespace gaon {

/// What the NPU pipeline can be told (a plain, copyable struct).
struct NPUCompileOptions {
  /// Chip preset or YAML file; empty keeps the module's npu.target.
  std::string target;
  /// Edits of the chip description, path=value.
  std::vector<std::string> overrides;
  /// Fuse elementwise ops and tile epilogues with their producers.
  bool fuse = true;
  /// Fraction of a core's SRAM one group's tiles may use.
  double sramFraction = 0.75;
  /// Tile sizes of every group's anchor loops instead of the cost model's
  /// (empty: the cost model), for experiments such as tile sweeps.
  std::vector<int64_t> tileSizes;
  /// Copies of each loop-body SRAM buffer (1: no double buffering).
  unsigned buffers = 2;
  /// Stop after the pass with this argument (empty: run all).
  std::string stopAfter;
};

/// The same options as a textual pipeline's options
/// (gaon-npu-pipeline{target=rngd buffers=1}).
struct NPUPipelineOptions
    : public mlir::PassPipelineOptions<NPUPipelineOptions> {
  NPUCompileOptions toCompileOptions() const;

  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("Chip preset or YAML file (default: keep the module's "
                     "npu.target)")};
  ListOption<std::string> overrides{
      *this, "set",
      llvm::cl::desc("Edits of the chip description, "
                     "path=value")};
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Fuse elementwise ops and tile epilogues "
                                   "with their producers"),
                    llvm::cl::init(true)};
  Option<double> sramFraction{
      *this, "sram-fraction",
      llvm::cl::desc("Fraction of a core's SRAM one group's tiles may use"),
      llvm::cl::init(0.75)};
  ListOption<int64_t> tileSizes{
      *this, "tile-sizes",
      llvm::cl::desc("Tile sizes of every group's anchor loops instead of "
                     "the cost model's choice (0 keeps a loop whole), for "
                     "experiments")};
  Option<unsigned> buffers{
      *this, "buffers",
      llvm::cl::desc("Copies of each loop-body SRAM buffer (1: no double "
                     "buffering)"),
      llvm::cl::init(2)};
  Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("Stop after the pass with this argument (e.g. "
                     "gaon-tile-linalg)")};
};

/// Adds the NPU pipeline to `pm` (which runs on builtin.module). Fails if
/// `stop-after` names no pass of the pipeline.
llvm::LogicalResult buildNPUPipeline(mlir::OpPassManager &pm,
                                     const NPUCompileOptions &options);

/// The pass arguments of the pipeline, in order (for --help and docs).
llvm::SmallVector<llvm::StringRef> getNPUPipelinePassNames();

/// Registers `gaon-npu-pipeline` with the global pipeline registry.
void registerNPUPipeline();

/// Compiles `module` (one function, linalg on tensors or TOSA) for `chip`:
/// sets its #npu.target from the chip, runs the NPU pipeline (`options`;
/// its target, overrides and stopAfter fields are ignored) and serialises
/// the function.
/// Errors are reported through the context's diagnostic handler.
mlir::FailureOr<npu::CompiledProgram>
compileForNPU(mlir::ModuleOp module, const sim::ChipConfig &chip,
              const NPUCompileOptions &options = {});

} // namespace gaon

#endif // GAON_PIPELINES_NPUPIPELINE_H
