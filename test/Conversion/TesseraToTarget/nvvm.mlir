// RUN: tessera-opt %s --tessera-pipeline="target=nvvm stop-after=tile out-params=true" -o %t.tile.mlir
// RUN: tessera-opt %t.tile.mlir --tessera-to-target="target=nvvm format=isa" -o %t.isa.mlir
// RUN: FileCheck %s --check-prefix=HOST < %t.isa.mlir
// RUN: FileCheck %s --check-prefix=PTX90 < %t.isa.mlir
// libdevice is linked in: no external function is left for the driver.
// RUN: not grep -c "extern .func" %t.isa.mlir
// RUN: env -u CUDA_HOME -u CUDA_PATH -u CUDA_ROOT tessera-opt %t.tile.mlir --tessera-to-target="target=nvvm format=isa" | not grep -c "extern .func"
// RUN: not tessera-opt %t.tile.mlir --tessera-to-target="target=nvvm toolkit=%t.nowhere" 2>&1 | FileCheck %s --check-prefix=NOCUDA
// NOCUDA: error: CUDA path: {{.*}}nowhere does not exist or is not a directory
// RUN: tessera-opt %t.tile.mlir --tessera-to-target="target=nvvm chip=sm_80 format=isa" | FileCheck %s --check-prefix=PTX80
// The default format is a cubin: ptxas assembled the PTX.
// RUN: tessera-opt %t.tile.mlir --tessera-to-target="target=nvvm" | FileCheck %s --check-prefix=CUBIN

// Host code is the llvm dialect calling the mgpu* runtime ABI; the launch
// stays a gpu.launch_func until translation to LLVM IR.
// HOST:       llvm.func @softplus(
// HOST:         llvm.call @mgpuStreamCreate()
// HOST:         gpu.launch_func <%{{.*}} : !llvm.ptr> @softplus_kernel::@softplus_kernel
// HOST:         llvm.call @mgpuStreamSynchronize
// HOST:         llvm.call @mgpuStreamDestroy

// PTX90:      gpu.binary @softplus_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, {{.*}}assembly = "{{.*}}.target sm_90{{.*}}.visible .entry softplus_kernel({{.*}}ex2.approx

// PTX80:      gpu.binary @softplus_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_80">, {{.*}}.target sm_80

// CUBIN:      gpu.binary @softplus_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, {{.*}}bin = "\7FELF

func.func @softplus(%a: tensor<1024xf32>) -> tensor<1024xf32> {
  %e = math.exp %a : tensor<1024xf32>
  %one = arith.constant dense<1.0> : tensor<1024xf32>
  %s = arith.addf %e, %one : tensor<1024xf32>
  %l = math.log %s : tensor<1024xf32>
  return %l : tensor<1024xf32>
}
