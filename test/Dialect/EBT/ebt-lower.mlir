// RUN: tessera-opt %s --tessera-ebt-lower -split-input-file -verify-diagnostics

// Until the lowering lands, every ebt op is reported once per op name.

func.func private @E(tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<2xf32>
func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %T: index, %eta: f32) -> tensor<2x3xf32> {
  // expected-error @+1 {{tessera-ebt-lower: lowering of 'ebt.infer' is not yet implemented}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta verify token : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32) -> (tensor<2x3xf32>, tensor<4x2xf32>)
  return %y : tensor<2x3xf32>
}

// -----

// bfn ops are not this pass's business.
func.func @g(%t: f32) -> !bfn.accuracy {
  %b = bfn.beta #bfn.schedule<linear, beta1 = 1.0>(%t) : f32 -> !bfn.accuracy
  return %b : !bfn.accuracy
}
