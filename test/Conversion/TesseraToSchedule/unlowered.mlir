// RUN: tessera-opt %s --tessera-to-schedule -split-input-file -verify-diagnostics

// What tessera-to-schedule cannot lower is reported by name; nothing passes
// through silently.

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
