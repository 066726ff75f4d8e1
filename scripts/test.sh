#!/usr/bin/env bash
# The README's test command: set up, configure, build and run every test.
#   PRESET=asan scripts/test.sh     runs the suite under ASan + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${PRESET:-release}"
scripts/setup.sh
tests/interop/install.sh
cmake --preset "$preset"
cmake --build --preset "$preset" --parallel "$(nproc)"
ctest --preset "$preset"
