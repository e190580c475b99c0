#!/usr/bin/env bash
# One command from a fresh Debian machine to Gaon's main job: installs the
# packages, builds, and runs the default comparison.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
gaon_install_packages
gaon_build
# The main job: a Llama-style decoder layer (models/fixtures) on the CPU
# reference, two NPU presets in the simulator (checked against the
# reference) and the modeled H100; the table, then the HTML/JSON reports.
"$GAON_BUILD/bin/gaon-run" "$GAON_ROOT/models/fixtures/decoder-layer.mlir" \
  --backends cpu,npu:rngd,npu:atom,cuda:h100 \
  --report "$GAON_BUILD/gaon-report.html" --json "$GAON_BUILD/gaon-report.json"
