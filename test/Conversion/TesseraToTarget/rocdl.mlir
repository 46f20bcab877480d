// RUN: tessera-opt %s --tessera-pipeline="target=rocdl stop-after=tile out-params=true" -o %t.tile.mlir
// RUN: tessera-opt %t.tile.mlir --tessera-to-target="target=rocdl format=isa" | FileCheck %s --check-prefix=ISA90A
// RUN: tessera-opt %t.tile.mlir --tessera-to-target="target=rocdl chip=gfx942 format=isa" | FileCheck %s --check-prefix=ISA942
// The default format is an HSACO linked by ld.lld against the ROCm
// device libraries.
// RUN: tessera-opt %t.tile.mlir --tessera-to-target="target=rocdl chip=gfx942" | FileCheck %s --check-prefix=HSACO
// RUN: not tessera-opt %t.tile.mlir --tessera-to-target="target=rocdl format=ptx" 2>&1 | FileCheck %s --check-prefix=FORMAT

// ISA90A:     gpu.binary @softplus_kernel [#gpu.object<#rocdl.target<O = 3, chip = "gfx90a">, assembly = "{{.*}}.amdgcn_target \22amdgcn-amd-amdhsa--gfx90a{{.*}}softplus_kernel:{{.*}}global_load_dword
// ISA942:     gpu.binary @softplus_kernel [#gpu.object<#rocdl.target<O = 3, chip = "gfx942">, assembly = "{{.*}}amdgcn-amd-amdhsa--gfx942
// HSACO:      gpu.binary @softplus_kernel [#gpu.object<#rocdl.target<O = 3, chip = "gfx942">, bin = "\7FELF
// FORMAT:     error: tessera-to-target{target=rocdl}: format must be bin or isa, got 'ptx'

func.func @softplus(%a: tensor<1024xf32>) -> tensor<1024xf32> {
  %e = math.exp %a : tensor<1024xf32>
  %one = arith.constant dense<1.0> : tensor<1024xf32>
  %s = arith.addf %e, %one : tensor<1024xf32>
  %l = math.log %s : tensor<1024xf32>
  return %l : tensor<1024xf32>
}
