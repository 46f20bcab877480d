// RUN: tessera-opt %s --tessera-to-tile=target=nvvm -split-input-file -verify-diagnostics

// Graph ops must go through tessera-to-schedule first.
func.func @graph(%x: tensor<4xi32>, %t: f32, %s: i64) -> !bfn.simplex<4x3xf32> {
  // expected-error @+1 {{tessera-to-tile{target=nvvm}: lowering of 'bfn.paramize' is not yet implemented}}
  %p = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 3.0>(%t) rng(%s, %s)
      : tensor<4xi32>, f32 -> !bfn.simplex<4x3xf32>
  return %p : !bfn.simplex<4x3xf32>
}

// -----

// An external host function cannot be handed a buffer of unknown shape.
func.func private @consume(memref<*xf32>)
func.func @unknown_shape(%u: memref<*xf32>) {
  // expected-error @+1 {{'func.call' op operand #0 is an unranked buffer of unknown shape; tessera-to-tile{target=nvvm} cannot copy it to the host for the call}}
  call @consume(%u) : (memref<*xf32>) -> ()
  return
}

// -----

// ... nor one too large to stage on the host stack.
func.func private @consume_big(memref<1048576xf32>)
func.func @too_big(%m: memref<1048576xf32>) {
  // expected-error @+1 {{operand #0 ('memref<1048576xf32>') must be a contiguous static buffer of at most 1 MiB for tessera-to-tile{target=nvvm} to copy it to the host for the call of external function @consume_big}}
  call @consume_big(%m) : (memref<1048576xf32>) -> ()
  return
}
