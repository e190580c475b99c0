#!/usr/bin/env bash
# One command from a fresh Debian machine to every test passing: installs the
# packages, builds, and runs lit + GoogleTest through ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
gaon_install_packages
gaon_build
cd "$GAON_BUILD"
ctest --output-on-failure -j "$(nproc)"
