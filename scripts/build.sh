#!/usr/bin/env bash
# Configures (once) and builds Tessera with Ninja against Debian's LLVM/MLIR 22.
#   scripts/build.sh                 -> build/      (Release)
#   TESSERA_SANITIZE=1 scripts/build.sh -> build-asan/ (ASan + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."

LLVM_PREFIX=${LLVM_PREFIX:-/usr/lib/llvm-22}
JOBS=${JOBS:-$(nproc)}
if [ "${TESSERA_SANITIZE:-0}" = "1" ]; then
  BUILD_DIR=${BUILD_DIR:-build-asan}
  EXTRA=(-DTESSERA_ENABLE_SANITIZERS=ON)
else
  BUILD_DIR=${BUILD_DIR:-build}
  EXTRA=()
fi

LAUNCHER=()
if command -v ccache > /dev/null; then
  LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit" \
    "${LAUNCHER[@]}" "${EXTRA[@]}" > "$BUILD_DIR.configure.log" 2>&1 ||
    { cat "$BUILD_DIR.configure.log"; exit 1; }
fi
ninja -C "$BUILD_DIR" -j "$JOBS" --quiet
