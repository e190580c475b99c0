#!/usr/bin/env bash
# Installs the Debian packages Gaon needs (skipping what is installed),
# configures and builds. Sourced by demo.sh and test.sh; safe to run again.
set -euo pipefail

GAON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GAON_BUILD="${GAON_BUILD:-$GAON_ROOT/build}"

GAON_PACKAGES=(
  cmake ninja-build g++ python3
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libeigen3-dev libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-jsonschema
)

gaon_install_packages() {
  local missing=()
  for pkg in "${GAON_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "gaon: all ${#GAON_PACKAGES[@]} Debian packages present"
    return
  fi
  echo "gaon: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}

gaon_build() {
  cmake -G Ninja -S "$GAON_ROOT" -B "$GAON_BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_LINK_MLIR_DYLIB=ON -DLLVM_LINK_LLVM_DYLIB=ON \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
  cmake --build "$GAON_BUILD"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  gaon_install_packages
  gaon_build
fi
