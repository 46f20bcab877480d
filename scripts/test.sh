#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (lit: dialects, passes,
# pipeline, C API, installed headers, mlir-opt plugin).
#   TESSERA_SANITIZE=1 scripts/test.sh  runs the whole suite under ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh
if [ "${TESSERA_SANITIZE:-0}" = "1" ]; then BUILD_DIR=${BUILD_DIR:-build-asan}; else BUILD_DIR=${BUILD_DIR:-build}; fi
exec /usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test"
