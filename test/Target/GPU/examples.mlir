// Every example compiles to an artifact for each GPU target, with its device
// code embedded: a cubin for sm_90 (ptxas assembled it) and an HSACO for
// gfx90a and gfx942, which llvm-objdump disassembles. A GPU artifact loaded
// into a cpu context is refused with the reason; without a GPU driver the
// cuda backend reports it. (The GPU runs themselves: bench/gpu/examples.sh.)
//
// RUN: bash -c 'for f in %tessera_src/examples/bfn/*.mlir %tessera_src/examples/ebt/*.mlir; do \
// RUN:   n=$(basename $f .mlir); \
// RUN:   tessera-compile $f --target=nvvm -o %t.$n.nvvm.so && \
// RUN:   tessera-compile $f --target=rocdl -o %t.$n.gfx90a.so && \
// RUN:   tessera-compile $f --target=rocdl --chip=gfx942 -o %t.$n.gfx942.so && \
// RUN:   echo "$n: compiled" || exit 1; \
// RUN: done' | FileCheck %s --check-prefix=ALL
// ALL-DAG: attention_infer: compiled
// ALL-DAG: bilinear_verify: compiled
// ALL-DAG: categorical_loss: compiled
// ALL-DAG: continuous_loss: compiled
// ALL-DAG: mlp_infer: compiled
// ALL-DAG: sampling: compiled
//
// The host code calls the runtime's mgpu* ABI; the manifest names the target.
// RUN: llvm-nm -D %t.categorical_loss.nvvm.so | FileCheck %s --check-prefix=NM
// NM-DAG: T _tessera_entry_losses
// NM-DAG: U mgpuLaunchKernel
// NM-DAG: U mgpuModuleLoad
// NM-DAG: R tessera_manifest
//
// The device binaries are ELF images inside the artifact: cut out the first
// HSACO (an ELF whose machine is AMDGPU) and disassemble it.
// RUN: %python %S/Inputs/embedded-elf.py %t.categorical_loss.gfx942.so amdgpu %t.gfx942.hsaco
// RUN: llvm-objdump -d --triple=amdgcn-amd-amdhsa --mcpu=gfx942 %t.gfx942.hsaco | FileCheck %s --check-prefix=HSACO
// HSACO: file format elf64-amdgpu
// HSACO: <{{.*}}_kernel>:
// HSACO: s_endpgm
// RUN: %python %S/Inputs/embedded-elf.py %t.categorical_loss.nvvm.so cuda %t.sm90.cubin
// RUN: llvm-readelf -h %t.sm90.cubin | FileCheck %s --check-prefix=CUBIN
// CUBIN: Machine: NVIDIA CUDA
//
// RUN: not tessera-run %t.categorical_loss.nvvm.so --entry losses 2>&1 | FileCheck %s --check-prefix=CPUCTX
// CPUCTX: tessera-run: manifest: the artifact targets 'nvvm'; a cpu context runs cpu artifacts (create the context with the cuda backend)
// RUN: env LD_LIBRARY_PATH=%t.none not tessera-run %t.categorical_loss.nvvm.so --entry losses --backend cuda 2>&1 | FileCheck %s --check-prefix=NODRIVER
// NODRIVER: tessera-run: cuda backend: cannot load the driver library libcuda.so.1
// RUN: not tessera-run %t.categorical_loss.gfx90a.so --entry losses 2>&1 | FileCheck %s --check-prefix=ROCDL
// ROCDL: the artifact targets 'rocdl'; a cpu context runs cpu artifacts (the hip backend does not launch rocdl artifacts yet)
