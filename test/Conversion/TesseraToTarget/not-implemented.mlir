// RUN: tessera-opt %s --tessera-to-target="target=rocdl chip=gfx942" -verify-diagnostics
// RUN: tessera-opt --tessera-to-target %S/../../Pipelines/empty.mlir | FileCheck %s --check-prefix=EMPTY

// EMPTY: module {
// EMPTY-NEXT: }

// expected-error @+1 {{tessera-to-target{target=rocdl chip=gfx942}: lowering of 'func.func' is not yet implemented}}
func.func @f(%a: f32) -> f32 {
  // expected-error @+1 {{tessera-to-target{target=rocdl chip=gfx942}: lowering of 'arith.addf' is not yet implemented}}
  %b = arith.addf %a, %a : f32
  // expected-error @+1 {{tessera-to-target{target=rocdl chip=gfx942}: lowering of 'func.return' is not yet implemented}}
  return %b : f32
}
