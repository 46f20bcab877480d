# -*- Python -*-
import os
import subprocess
import sys

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TESSERA"
# lit's internal shell: portable, and it provides `not` (Debian ships none).
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tessera_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "lib", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%tessera_libs", config.tessera_libs_dir))
config.substitutions.append(("%tessera_src", config.tessera_src_root))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%tessera_obj", config.tessera_obj_root))

# Host tools built without ASan (the packaged mlir-opt and mlir-runner) load
# our instrumented plugin / test library only with the ASan runtime preloaded.
asan_prefix = ""
if config.tessera_sanitizers:
    libasan = subprocess.run([config.c_compiler, "-print-file-name=libasan.so"],
                             capture_output=True, text=True).stdout.strip()
    asan_prefix = "env LD_PRELOAD=" + libasan + " "

# Executed tests: lower to LLVM on the CPU and run with the packaged
# mlir-runner, checking numbers through libTesseraTestUtils.
llvm_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(("%cpu_pipeline",
    "--tessera-to-schedule --tessera-to-tile=target=cpu --tessera-to-target=target=cpu"))
# libomp: site loops with enough work run on OpenMP threads.
libomp = os.path.join(llvm_lib_dir, "libomp" + config.llvm_shlib_ext)
config.substitutions.append(("%run_cpu",
    asan_prefix + "%s -e main -entry-point-result=void -shared-libs=%s,%s,%s" % (
        os.path.join(config.llvm_tools_dir, "mlir-runner"),
        os.path.join(config.tessera_libs_dir, "libTesseraTestUtils" + config.llvm_shlib_ext),
        os.path.join(llvm_lib_dir, "libmlir_c_runner_utils" + config.llvm_shlib_ext),
        libomp)))
config.substitutions.append(("%run_example",
    asan_prefix + "%s -e main -entry-point-result=void -shared-libs=%s,%s,%s" % (
        os.path.join(config.llvm_tools_dir, "mlir-runner"),
        os.path.join(llvm_lib_dir, "libmlir_runner_utils" + config.llvm_shlib_ext),
        os.path.join(llvm_lib_dir, "libmlir_c_runner_utils" + config.llvm_shlib_ext),
        libomp)))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# The packaged tools (mlir-opt, FileCheck, not) and ours.
tool_dirs = [config.tessera_tools_dir, config.llvm_tools_dir]
tools = [
    "tessera-opt",
    "tessera-capi-test",
    "tessera-compile",
    "tessera-runtime-test",
    "tessera-cuda-host-test",
    "tessera-runners-test",
    "tessera-run",
    "split-file",
    "llvm-nm",
    "llvm-objdump",
    "llvm-readelf",
    ToolSubst("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

if config.tessera_build_plugin:
    config.available_features.add("plugin")

if config.tessera_sanitizers:
    config.available_features.add("asan")
    config.substitutions.append(("%asan_preload", asan_prefix.strip()))
    config.substitutions.append(("%sanitizer_flags", "-fsanitize=address,undefined"))
    # Our instrumented code inlines LLVM's BumpPtrAllocator, which poisons
    # fresh slabs that the uninstrumented libMLIR.so then hands out without
    # unpoisoning: user poisoning is meaningless in this mixed process.
    config.environment["ASAN_OPTIONS"] = "allow_user_poisoning=0:detect_leaks=1:abort_on_error=1"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    # LeakSanitizer's exit-time scan crashes in its tracer while libomp's
    # worker threads idle; one thread runs the same OpenMP code (a team of
    # one) without workers.
    config.environment["OMP_NUM_THREADS"] = "1"
else:
    config.substitutions.append(("%asan_preload", ""))
    config.substitutions.append(("%sanitizer_flags", ""))
