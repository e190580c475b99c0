#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: build Gaon, run every test (the GPU tests
# run for real there: baseline kernels and cuBLAS against CPU references,
# the launcher on the real driver), compile the graph fixtures of
# tests/GPUCheck for this GPU and launch them (and compare them with the CPU
# reference through gaon-run where it exists), and benchmark generated GEMMs
# against cuBLAS (bf16 2048^3, 4096^3, 8192^3 and skinny M = 1..128; outputs
# checked against the CPU), printing TFLOP/s and the ratio.
# Non-interactive; each step has a time limit so the whole check stays
# under ~8 minutes on an H200 including the build. It prints what it
# measured, what it skipped and why, and keeps a log in $GAON_BUILD.
#
#   scripts/gpu-check.sh                 # GAON_BUILD=build by default
#   GAON_GPU_CHECK_JOBS=8 scripts/gpu-check.sh
#
# Exit status: 0 when every step that ran passed, 1 when one failed, 2
# when there is no GPU (nothing measured).
set -uo pipefail

GAON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GAON_BUILD="${GAON_BUILD:-$GAON_ROOT/build}"
JOBS="${GAON_GPU_CHECK_JOBS:-$(nproc)}"
WORK="$GAON_BUILD/gpu-check"
LOG="$WORK/gpu-check.log"
BF16_SHAPES="2048x2048x2048,4096x4096x4096,8192x8192x8192"
SKINNY_SHAPES="1x8192x8192,2x8192x8192,4x8192x8192,8x8192x8192,16x8192x8192,32x8192x8192,64x8192x8192,128x8192x8192"

mkdir -p "$WORK"
: > "$LOG"
exec > >(tee -a "$LOG") 2>&1

START=$(date +%s)
FAILED=()
SKIPPED=()
step() { echo; echo "== $* ($(( $(date +%s) - START )) s elapsed)"; }
# run_limited SECONDS NAME COMMAND...: runs COMMAND with a time limit and
# records a failure under NAME.
run_limited() {
  local limit=$1 name=$2
  shift 2
  timeout --signal=TERM --kill-after=10 "$limit" "$@"
  local rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "gpu-check: $name ran past its ${limit} s limit"
    FAILED+=("$name (time limit)")
  elif [ $rc -ne 0 ]; then
    echo "gpu-check: $name failed (exit $rc)"
    FAILED+=("$name")
  fi
  return $rc
}

step "GPU"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total,clocks.max.sm \
    --format=csv
  CAP=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
  CHIP="sm_${CAP}"
else
  echo "gpu-check: no GPU found (nvidia-smi missing or sees no GPU); nothing to measure."
  echo "gpu-check: on a machine without a GPU run scripts/test.sh instead (GPU tests skip there)."
  exit 2
fi
echo "target chip: $CHIP; CUDA toolkit: $(/usr/local/cuda/bin/nvcc --version | tail -1)"

step "configure and build ($JOBS jobs)"
if run_limited 360 build bash -c "
    cmake -G Ninja -S '$GAON_ROOT' -B '$GAON_BUILD' -DCMAKE_BUILD_TYPE=Release \
      -DMLIR_LINK_MLIR_DYLIB=ON -DLLVM_LINK_LLVM_DYLIB=ON \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit > '$WORK/configure.log' \
    && ninja -C '$GAON_BUILD' -j '$JOBS' > '$WORK/build.log'"; then
  echo "built in $(( $(date +%s) - START )) s"
else
  tail -40 "$WORK/configure.log" "$WORK/build.log" 2>/dev/null
  echo "gpu-check: the build failed; nothing else can run."
  exit 1
fi
BIN="$GAON_BUILD/bin"

step "every test (ctest; GPU tests run on this machine)"
run_limited 150 ctest ctest --test-dir "$GAON_BUILD" -j "$JOBS" \
  --output-on-failure > "$WORK/ctest.log" 2>&1
grep -E "tests passed|tests failed|Total Test time" "$WORK/ctest.log"
grep -A200 "The following tests did not run" "$WORK/ctest.log" | grep -E "^\s+[0-9]+ - " \
  && echo "(skipped tests above: on a GPU machine a GPU test should not skip)"
grep -A100 "The following tests FAILED" "$WORK/ctest.log" || true
echo "GPU tests (measured on this GPU):"
for t in BaselinesGPUTest DeviceTest.SystemDriverOpensOrExplains; do
  grep -E "Test +#[0-9]+: $t" "$WORK/ctest.log" | sed 's/^/  /'
done

step "graph fixtures on the GPU (tests/GPUCheck: compile, launch, compare)"
# Each fixture is compiled for this GPU and launched (gaon-cuda-run: no
# fault, finite outputs); where gaon-run exists its outputs are compared
# with the CPU reference (gaon-run --backends cpu,cuda).
HAVE_COMPILE=0
if [ -x "$BIN/gaon-compile" ] && "$BIN/gaon-compile" --help 2>&1 | grep -q cuda; then
  HAVE_COMPILE=1
fi
HAVE_RUN=0
if [ -x "$BIN/gaon-run" ] && "$BIN/gaon-run" --help 2>&1 | grep -q backends; then
  HAVE_RUN=1
fi
FIXTURE_FAILS=0
for fixture in "$GAON_ROOT"/tests/GPUCheck/*.mlir; do
  name=$(basename "$fixture" .mlir)
  plan="$WORK/$name.cuplan"
  if [ $HAVE_COMPILE -eq 1 ]; then
    if timeout 120 "$BIN/gaon-compile" --target="cuda:$CHIP" "$fixture" -o "$plan" \
         > "$WORK/compile-$name.log" 2>&1; then
      if timeout 60 "$BIN/gaon-cuda-run" "$plan" --iterations=5 --warmup=1 \
           --sync-each-launch > "$WORK/run-$name.log" 2>&1; then
        if grep -qE " [1-9][0-9]* non-finite" "$WORK/run-$name.log"; then
          echo "FAILED  $name: non-finite outputs"; FIXTURE_FAILS=$((FIXTURE_FAILS + 1))
        else
          echo "ran     $name: $(grep -E '^  total:' "$WORK/run-$name.log" | sed 's/^  //')"
        fi
      else
        echo "FAILED  $name: $(tail -1 "$WORK/run-$name.log")"
        FIXTURE_FAILS=$((FIXTURE_FAILS + 1))
      fi
    else
      echo "skipped $name: gaon-compile: $(tail -1 "$WORK/compile-$name.log")"
      SKIPPED+=("fixture $name: gaon-compile failed")
    fi
  fi
  if [ $HAVE_RUN -eq 1 ]; then
    if timeout 120 "$BIN/gaon-run" "$fixture" --backends cpu,cuda \
         > "$WORK/compare-$name.log" 2>&1; then
      echo "matches $name: outputs agree with the CPU reference (gaon-run)"
    else
      echo "FAILED  $name: gaon-run: $(tail -1 "$WORK/compare-$name.log")"
      FIXTURE_FAILS=$((FIXTURE_FAILS + 1))
    fi
  fi
done
[ $HAVE_COMPILE -eq 1 ] || SKIPPED+=("graph fixtures: no gaon-compile --target cuda:$CHIP")
[ $HAVE_RUN -eq 1 ] || SKIPPED+=("CPU-reference comparison of fixtures: no gaon-run --backends")
[ $FIXTURE_FAILS -eq 0 ] || FAILED+=("graph fixtures ($FIXTURE_FAILS)")

step "generated GEMMs (gaon-compile --target cuda:$CHIP)"
PLAN_DIR="$WORK/plans"
mkdir -p "$PLAN_DIR"
if [ $HAVE_COMPILE -eq 1 ]; then
  IFS=',' read -ra ALL <<< "$BF16_SHAPES,$SKINNY_SHAPES"
  for shape in "${ALL[@]}"; do
    IFS='x' read -r M N K <<< "$shape"
    mlir="$PLAN_DIR/gemm_${shape}.mlir"
    cat > "$mlir" <<MLIR
// C(f32) = A(bf16) x B(bf16): the GEMM gaon-cuda-bench compares with cuBLAS.
func.func @gemm(%a: tensor<${M}x${K}xbf16>, %b: tensor<${K}x${N}xbf16>) -> tensor<${M}x${N}xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<${M}x${N}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<${M}x${N}xf32>) -> tensor<${M}x${N}xf32>
  %c = linalg.matmul ins(%a, %b : tensor<${M}x${K}xbf16>, tensor<${K}x${N}xbf16>)
                     outs(%init : tensor<${M}x${N}xf32>) -> tensor<${M}x${N}xf32>
  return %c : tensor<${M}x${N}xf32>
}
MLIR
    if ! timeout 60 "$BIN/gaon-compile" --target="cuda:$CHIP" "$mlir" \
         -o "$PLAN_DIR/gemm_${shape}_bf16.cuplan" > "$PLAN_DIR/compile-$shape.log" 2>&1; then
      echo "gaon-compile failed for $shape: $(tail -1 "$PLAN_DIR/compile-$shape.log")"
      SKIPPED+=("generated GEMM $shape: gaon-compile failed")
    fi
  done
else
  echo "gpu-check: $BIN/gaon-compile with a cuda target is not built yet;"
  echo "           benchmarking cuBLAS alone (the generated columns stay empty)."
  SKIPPED+=("generated GEMMs: no gaon-compile --target cuda:$CHIP")
fi

step "GEMM benchmark: generated vs cuBLAS (bf16, fp32 accumulation)"
run_limited 150 "GEMM benchmark" "$BIN/gaon-cuda-bench" --type=bf16 \
  --shapes="$BF16_SHAPES,$SKINNY_SHAPES" --plans="$PLAN_DIR" \
  --warmup=5 --iterations=20

step "summary"
echo "elapsed: $(( $(date +%s) - START )) s; log: $LOG"
for s in "${SKIPPED[@]}"; do echo "skipped: $s"; done
if [ ${#FAILED[@]} -gt 0 ]; then
  for f in "${FAILED[@]}"; do echo "FAILED: $f"; done
  exit 1
fi
echo "gpu-check: every step that ran passed"
