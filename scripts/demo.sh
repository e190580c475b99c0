#!/usr/bin/env bash
# One command from a fresh Debian machine to Gaon's main job: installs the
# packages, builds, and runs the default comparison.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
gaon_install_packages
gaon_build
# Until gaon-run lands, the main job verifies and prints a hand-written NPU
# tile program (DMA in, tensor-engine matmul, vector op, DMA out).
"$GAON_BUILD/bin/gaon-opt" "$GAON_ROOT/models/fixtures/npu-tile-matmul.mlir"
