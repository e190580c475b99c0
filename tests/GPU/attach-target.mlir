// Ensures gaon-gpu-attach-target records the chip as the module's
// #nvvm.target (sm_90 as sm_90a with PTX 8.0, for wgmma and TMA) and rejects
// chips the GPU path does not support.
// RUN: gaon-opt %s -split-input-file -verify-diagnostics \
// RUN:   --gaon-gpu-attach-target=chip=sm_80 | FileCheck %s --check-prefix=SM80
// RUN: gaon-opt %s -split-input-file -verify-diagnostics \
// RUN:   --gaon-gpu-attach-target="chip=sm_90 opt-level=2" \
// RUN:   | FileCheck %s --check-prefix=SM90
// RUN: not gaon-opt %s -split-input-file --gaon-gpu-attach-target=chip=sm_75 \
// RUN:   2>&1 | FileCheck %s --check-prefix=BAD

// SM80: module attributes {gaon.gpu.target = #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">}
// SM90: module attributes {gaon.gpu.target = #nvvm.target<chip = "sm_90a", features = "+ptx80">}
// BAD: error: unsupported GPU chip 'sm_75' (expected sm_80 or sm_90)
module {
  func.func @f() {
    return
  }
}
