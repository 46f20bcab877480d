// RUN: tessera-opt %s --tessera-to-schedule -split-input-file -verify-diagnostics

// What tessera-to-schedule does not lower yet is reported by name; nothing
// passes through silently.

func.func @philox(%x: tensor<?xi32>, %t: f32, %s: i64) -> !bfn.simplex<?x4xf32, log> {
  // expected-error @+1 {{tessera-to-schedule: lowering of 'bfn.paramize' with rng(...) over dynamic site dimensions is not yet implemented}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) rng(%s, %s) : tensor<?xi32>, f32 -> !bfn.simplex<?x4xf32, log>
  return %p : !bfn.simplex<?x4xf32, log>
}

// -----

func.func private @net(tensor<?x2xf32>, f32) -> tensor<?x2xf32>
func.func @step(%p: !bfn.simplex<?x2xf32, log>, %i: index, %n: index, %k: i64) -> !bfn.simplex<?x2xf32, log> {
  // expected-error @+1 {{tessera-to-schedule: lowering of 'bfn.flow_step' with rng(...) over dynamic site dimensions is not yet implemented}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network @net() : !bfn.simplex<?x2xf32, log>, index, index
  return %q : !bfn.simplex<?x2xf32, log>
}

// -----

// A distribution that leaves the block that makes it cannot be lowered.
func.func @escape(%x: tensor<8xf32>, %a: !bfn.accuracy) -> !bfn.sender<gaussian, 8xf32> {
  // expected-error @+1 {{tessera-to-schedule: cannot lower 'bfn.sender': sender/receiver values must be used by bfn ops in the block that creates them}}
  %s = bfn.sender %x, %a : tensor<8xf32>, !bfn.accuracy -> !bfn.sender<gaussian, 8xf32>
  return %s : !bfn.sender<gaussian, 8xf32>
}

// -----

func.func private @E(tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<2xf32>
func.func @g(%h: tensor<2x8xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{tessera-to-schedule: lowering of 'ebt.grad_y' is not yet implemented}}
  %g = ebt.grad_y @E(%h, %y) : (tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}

// -----

// A custom schedule's rate needs 'rate = @fn' until dbeta/dt is derived.
func.func private @b(f32) -> f32
func.func @rate(%t: f32) -> f32 {
  // expected-error @+1 {{the rate of a custom schedule without 'rate = @fn' (a compiler-derived dbeta/dt) is not yet implemented}}
  %r = bfn.rate #bfn.schedule<custom, beta1 = 1.0, beta = @b>(%t) : f32 -> f32
  return %r : f32
}
