// RUN: tessera-opt %s --tessera-to-schedule -split-input-file -verify-diagnostics

// Until the lowering lands, every bfn/ebt op is reported, once per op name;
// nothing passes through silently.

func.func @f(%x: tensor<8xi32>, %a: !bfn.accuracy, %l: tensor<8x4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{tessera-to-schedule: lowering of 'bfn.output' is not yet implemented}}
  %p = bfn.output %l : (tensor<8x4xf32>) -> !bfn.simplex<8x4xf32, log>
  // expected-error @+1 {{tessera-to-schedule: lowering of 'bfn.sender' is not yet implemented}}
  %s = bfn.sender %x, %a : tensor<8xi32>, !bfn.accuracy -> !bfn.sender<categorical, 8x4xf32>
  // expected-error @+1 {{tessera-to-schedule: lowering of 'bfn.receiver' is not yet implemented}}
  %r = bfn.receiver %p, %a : !bfn.simplex<8x4xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 8x4xf32>
  // expected-error @+1 {{tessera-to-schedule: lowering of 'bfn.kl' is not yet implemented}}
  %kl = bfn.kl %s, %r at %l : !bfn.sender<categorical, 8x4xf32>, !bfn.receiver<categorical, 8x4xf32>, tensor<8x4xf32> -> tensor<8xf32>
  // Reported once per op name.
  %kl2 = bfn.kl %s, %r at %l : !bfn.sender<categorical, 8x4xf32>, !bfn.receiver<categorical, 8x4xf32>, tensor<8x4xf32> -> tensor<8xf32>
  return %kl : tensor<8xf32>
}

// -----

func.func private @E(tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<2xf32>
func.func @g(%h: tensor<2x8xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{tessera-to-schedule: lowering of 'ebt.grad_y' is not yet implemented}}
  %g = ebt.grad_y @E(%h, %y) : (tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}

