// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// docs/bfn-math.md G3: K = 3, x = class 1, alpha = 0.5,
// p_O = (0.6, 0.3, 0.1), y = (1.2, -0.1, -0.9):
// paper (joint) 0.3652758535, reference (factorized) 0.4449894569, and the
// discrete-time loss term for n = 10: 3.652758535.

func.func private @tessera_check_close(f32, f64, f64, i64)

func.func @kl(%x: tensor<1xi32>, %a: !bfn.accuracy, %p: !bfn.simplex<1x3xf32, log>, %y: tensor<1x3xf32>) -> (tensor<1xf32>, tensor<1xf32>, f32) {
  %s = bfn.sender %x, %a : tensor<1xi32>, !bfn.accuracy -> !bfn.sender<categorical, 1x3xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<1x3xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 1x3xf32>
  %joint = bfn.kl %s, %r at %y : !bfn.sender<categorical, 1x3xf32>, !bfn.receiver<categorical, 1x3xf32>, tensor<1x3xf32> -> tensor<1xf32>
  %fact = bfn.kl %s, %r at %y {receiver_form = #bfn.receiver_form<factorized>} : !bfn.sender<categorical, 1x3xf32>, !bfn.receiver<categorical, 1x3xf32>, tensor<1x3xf32> -> tensor<1xf32>
  %n = arith.constant 10 : index
  %ln = bfn.discrete_loss %s, %r, %n at %y : !bfn.sender<categorical, 1x3xf32>, !bfn.receiver<categorical, 1x3xf32>, index, tensor<1x3xf32> -> f32
  return %joint, %fact, %ln : tensor<1xf32>, tensor<1xf32>, f32
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %x = arith.constant dense<0> : tensor<1xi32>
  %a = bfn.accuracy_constant 0.5
  %probs = arith.constant dense<[[0.6, 0.3, 0.1]]> : tensor<1x3xf32>
  %pp = bfn.pack %probs : tensor<1x3xf32> -> !bfn.simplex<1x3xf32>
  %lp = bfn.simplex_cast %pp : !bfn.simplex<1x3xf32> to !bfn.simplex<1x3xf32, log>
  %y = arith.constant dense<[[1.2, -0.1, -0.9]]> : tensor<1x3xf32>
  %j, %f, %l = call @kl(%x, %a, %lp, %y) : (tensor<1xi32>, !bfn.accuracy, !bfn.simplex<1x3xf32, log>, tensor<1x3xf32>) -> (tensor<1xf32>, tensor<1xf32>, f32)
  %jv = tensor.extract %j[%c0] : tensor<1xf32>
  %fv = tensor.extract %f[%c0] : tensor<1xf32>
  %rtol = arith.constant 1.0e-5 : f64
  %g1 = arith.constant 0.3652758535 : f64
  %g2 = arith.constant 0.4449894569 : f64
  %g3 = arith.constant 3.652758535 : f64
  %i1 = arith.constant 1 : i64
  %i2 = arith.constant 2 : i64
  %i3 = arith.constant 3 : i64
  // CHECK: check 1: ok
  call @tessera_check_close(%jv, %g1, %rtol, %i1) : (f32, f64, f64, i64) -> ()
  // CHECK: check 2: ok
  call @tessera_check_close(%fv, %g2, %rtol, %i2) : (f32, f64, f64, i64) -> ()
  // CHECK: check 3: ok
  call @tessera_check_close(%l, %g3, %rtol, %i3) : (f32, f64, f64, i64) -> ()
  return
}
