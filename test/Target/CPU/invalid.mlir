// What tessera-compile rejects, with the reason, leaving no output behind.
// RUN: split-file %s %t
// RUN: not tessera-compile %t/dynamic.mlir -o %t/dynamic.so 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not test -e %t/dynamic.so
// RUN: not tessera-compile %t/dtype.mlir -o %t/dtype.so 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not tessera-compile %t/private.mlir -o %t/private.so 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not tessera-compile %t/graph-type.mlir -o %t/graph.so 2>&1 | FileCheck %s --check-prefix=GRAPH
// RUN: not tessera-compile %t/ok.mlir --target=spirv -o %t/spirv.so 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not tessera-compile %t/ok.mlir --target=nvvm --chip=sm_13 -o %t/sm13.so 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not test -e %t/sm13.so
// RUN: not tessera-compile %t/missing.mlir -o %t/missing.so 2>&1 | FileCheck %s --check-prefix=MISSING

// DYNAMIC: error: entry @f: argument #0 of type 'tensor<?xf32>' has a dynamic shape; artifact entry points take static shapes
// DTYPE: error: entry @f: argument #0 of type 'tensor<4xui8>' has an element type artifacts do not carry
// NONE: error: tessera-compile: the module has no public function to export
// GRAPH: error: entry @f: argument #0 of type '!bfn.simplex<4x3xf32>' is neither a tensor nor a scalar
// TARGET: error: tessera-compile: unknown target 'spirv'; expected cpu, nvvm or rocdl
// CHIP: error: Minimum NVVM target SM version is sm_20
// MISSING: tessera-compile: {{.*}}missing.mlir

//--- dynamic.mlir
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

//--- ok.mlir
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

//--- dtype.mlir
func.func @f(%x: tensor<4xui8>) -> tensor<4xui8> {
  return %x : tensor<4xui8>
}

//--- private.mlir
func.func private @f(%x: f32) -> f32 {
  return %x : f32
}

//--- graph-type.mlir
func.func @f(%p: !bfn.simplex<4x3xf32>) -> !bfn.simplex<4x3xf32> {
  return %p : !bfn.simplex<4x3xf32>
}
