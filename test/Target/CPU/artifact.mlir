// tessera-compile --target=cpu: one shared object with the host code, an
// entry trampoline per public function and the signature manifest.
// RUN: tessera-compile %s -o %t.so
// RUN: llvm-nm -D --defined-only %t.so | FileCheck %s --check-prefix=SYMS
// RUN: llvm-objdump -s -j .rodata %t.so | FileCheck %s --check-prefix=RODATA

// SYMS-DAG: T _tessera_entry_scale
// SYMS-DAG: T _mlir_ciface_scale
// SYMS-DAG: R tessera_manifest
// SYMS-NOT: helper

// The manifest starts "tessera-artifact 1\ntarget cpu\nentry scale 2 1".
// RODATA: tessera-artifact

func.func private @helper(%x: f32) -> f32 {
  %c = arith.constant 3.0 : f32
  %y = arith.mulf %x, %c : f32
  return %y : f32
}

func.func @scale(%x: tensor<16xf32>, %s: f32) -> tensor<16xf32> {
  %e = tensor.empty() : tensor<16xf32>
  %t = call @helper(%s) : (f32) -> f32
  %f = linalg.fill ins(%t : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %r = arith.mulf %x, %f : tensor<16xf32>
  return %r : tensor<16xf32>
}
