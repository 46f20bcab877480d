// RUN: tessera-opt %s --tessera-to-tile=target=nvvm -split-input-file -verify-diagnostics
// Ops on tensors still need tiling and bufferization.
func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tessera-to-tile{target=nvvm}: lowering of 'arith.addf' is not yet implemented}}
  %b = arith.addf %a, %a : tensor<4xf32>
  // expected-error @+1 {{tessera-to-tile{target=nvvm}: lowering of 'func.return' is not yet implemented}}
  return %b : tensor<4xf32>
}

// -----

// Scalars and memrefs are Tile IR already.
func.func @g(%m: memref<4xf32>, %i: index) -> f32 {
  %v = memref.load %m[%i] : memref<4xf32>
  %w = arith.addf %v, %v : f32
  return %w : f32
}
