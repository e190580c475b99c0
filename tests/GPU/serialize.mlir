// Ensures gaon-gpu-serialize assembles gpu.modules with ptxas into cubins
// (format=bin) or PTX (format=isa), records each module's PTX as `gaon.ptx`,
// gives target-less modules the module's gaon.gpu.target, and rejects an
// unknown format.
// REQUIRES: cuda-toolkit
// RUN: gaon-opt %s --gaon-gpu-serialize | FileCheck %s --check-prefix=BIN
// RUN: gaon-opt %s --gaon-gpu-serialize="format=isa keep-ptx=false" \
// RUN:   | FileCheck %s --check-prefix=ISA
// RUN: not gaon-opt %s --gaon-gpu-serialize=format=elf 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD

// BIN: gpu.binary @scale [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">
// BIN-SAME: gaon.ptx = "{{.*}}.target sm_80{{.*}}.visible .entry scale(
// BIN-SAME: mul.rn.f32
// BIN-SAME: bin = "\7FELF

// ISA: gpu.binary @scale [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">
// ISA-NOT: gaon.ptx
// ISA-SAME: assembly = "{{.*}}.visible .entry scale(

// BAD: error: unknown GPU object format 'elf' (expected bin, isa or fatbin)
module attributes {gpu.container_module,
                   gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">} {
  gpu.module @scale {
    llvm.func @scale(%p: !llvm.ptr<1>, %s: f32) attributes {nvvm.kernel} {
      %v = llvm.load %p : !llvm.ptr<1> -> f32
      %w = llvm.fmul %v, %s : f32
      llvm.store %w, %p : f32, !llvm.ptr<1>
      llvm.return
    }
  }
}
