// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// docs/bfn-math.md G5 (Gaussian update and additivity, Bayesian flow, x_hat
// including the t = 1e-5 cancellation case) and G6 (continuous- and
// discrete-time losses), sigma1 = 1e-3.

func.func private @tessera_check_close(f32, f64, f64, i64)

func.func @update(%m: tensor<1xf32>, %r: tensor<1xf32>, %y: tensor<1xf32>, %a: !bfn.accuracy) -> (f32, f32) {
  %g = bfn.pack %m, %r : tensor<1xf32>, tensor<1xf32> -> !bfn.gauss<1xf32>
  %u = bfn.bayes_update %g, %y, %a : !bfn.gauss<1xf32>, tensor<1xf32>, !bfn.accuracy
  %mu, %rho = bfn.unpack %u : !bfn.gauss<1xf32> -> tensor<1xf32>, tensor<1xf32>
  %c0 = arith.constant 0 : index
  %a0 = tensor.extract %mu[%c0] : tensor<1xf32>
  %b0 = tensor.extract %rho[%c0] : tensor<1xf32>
  return %a0, %b0 : f32, f32
}

func.func @flow_and_output(%x: tensor<1xf32>, %t: f32, %eps: tensor<1xf32>, %ehat: tensor<1xf32>) -> (f32, f32) {
  %g = bfn.paramize %x at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) draws(%eps : tensor<1xf32>) : tensor<1xf32>, f32 -> !bfn.gauss<1xf32>
  %xh = bfn.output %ehat given %g at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : (tensor<1xf32>, !bfn.gauss<1xf32>, f32) -> tensor<1xf32>
  %mu, %rho = bfn.unpack %g : !bfn.gauss<1xf32> -> tensor<1xf32>, tensor<1xf32>
  %c0 = arith.constant 0 : index
  %m0 = tensor.extract %mu[%c0] : tensor<1xf32>
  %x0 = tensor.extract %xh[%c0] : tensor<1xf32>
  return %m0, %x0 : f32, f32
}

func.func @losses(%x: tensor<1xf32>, %xh: tensor<1xf32>, %t: f32) -> (f32, f32) {
  %linf = bfn.continuous_loss %x, %xh at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : tensor<1xf32>, tensor<1xf32>, f32 -> f32
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a3 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%c3 of %c4) : index, index -> !bfn.accuracy
  %s = bfn.sender %x, %a3 : tensor<1xf32>, !bfn.accuracy -> !bfn.sender<gaussian, 1xf32>
  %r = bfn.receiver %xh, %a3 : tensor<1xf32>, !bfn.accuracy -> !bfn.receiver<gaussian, 1xf32>
  %ln = bfn.discrete_loss %s, %r, %c4 : !bfn.sender<gaussian, 1xf32>, !bfn.receiver<gaussian, 1xf32>, index -> f32
  return %linf, %ln : f32, f32
}

func.func @main() {
  %rtol = arith.constant 1.0e-5 : f64
  // G5 update: (0.3, 1.5) with y = 0.9, alpha = 0.25, then y = -0.4, alpha = 2.
  %m = arith.constant dense<0.3> : tensor<1xf32>
  %r = arith.constant dense<1.5> : tensor<1xf32>
  %y1 = arith.constant dense<0.9> : tensor<1xf32>
  %a1 = bfn.accuracy_constant 0.25
  %mu1, %rho1 = call @update(%m, %r, %y1, %a1) : (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, !bfn.accuracy) -> (f32, f32)
  %g1 = arith.constant 0.3857142857 : f64
  %g2 = arith.constant 1.75 : f64
  %i1 = arith.constant 1 : i64
  %i2 = arith.constant 2 : i64
  // CHECK: check 1: ok
  call @tessera_check_close(%mu1, %g1, %rtol, %i1) : (f32, f64, f64, i64) -> ()
  // CHECK: check 2: ok
  call @tessera_check_close(%rho1, %g2, %rtol, %i2) : (f32, f64, f64, i64) -> ()
  %m1t = tensor.from_elements %mu1 : tensor<1xf32>
  %r1t = tensor.from_elements %rho1 : tensor<1xf32>
  %y2 = arith.constant dense<-0.4> : tensor<1xf32>
  %a2 = bfn.accuracy_constant 2.0
  %mu2, %rho2 = call @update(%m1t, %r1t, %y2, %a2) : (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, !bfn.accuracy) -> (f32, f32)
  %g3 = arith.constant -0.03333333333 : f64
  %i3 = arith.constant 3 : i64
  // CHECK: check 3: ok
  call @tessera_check_close(%mu2, %g3, %rtol, %i3) : (f32, f64, f64, i64) -> ()
  // Additivity: one update with alpha = 2.25 and the accuracy-weighted y.
  %y12 = arith.constant dense<-0.255555555556> : tensor<1xf32>
  %a12 = bfn.accuracy_add %a1, %a2 : !bfn.accuracy
  %mu12, %rho12 = call @update(%m, %r, %y12, %a12) : (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, !bfn.accuracy) -> (f32, f32)
  %i4 = arith.constant 4 : i64
  // CHECK: check 4: ok
  call @tessera_check_close(%mu12, %g3, %rtol, %i4) : (f32, f64, f64, i64) -> ()

  // G5 flow and output: x = 0.5, eps = 0.3, eps_hat = 0.25 at t = 0.5 and 1e-5.
  %x = arith.constant dense<0.5> : tensor<1xf32>
  %eps = arith.constant dense<0.3> : tensor<1xf32>
  %eh = arith.constant dense<0.25> : tensor<1xf32>
  %t05 = arith.constant 0.5 : f32
  %fm, %fx = call @flow_and_output(%x, %t05, %eps, %eh) : (tensor<1xf32>, f32, tensor<1xf32>, tensor<1xf32>) -> (f32, f32)
  %g5 = arith.constant 0.5089820884 : f64
  %g6 = arith.constant 0.50158193 : f64
  %i5 = arith.constant 5 : i64
  %i6 = arith.constant 6 : i64
  // CHECK: check 5: ok
  call @tessera_check_close(%fm, %g5, %rtol, %i5) : (f32, f64, f64, i64) -> ()
  // CHECK: check 6: ok
  call @tessera_check_close(%fx, %g6, %rtol, %i6) : (f32, f64, f64, i64) -> ()
  %tsmall = arith.constant 1.0e-5 : f32
  %sm, %sx = call @flow_and_output(%x, %tsmall, %eps, %eh) : (tensor<1xf32>, f32, tensor<1xf32>, tensor<1xf32>) -> (f32, f32)
  %g7 = arith.constant 3.594889432e-3 : f64
  %i7 = arith.constant 7 : i64
  // CHECK: check 7: ok
  call @tessera_check_close(%sm, %g7, %rtol, %i7) : (f32, f64, f64, i64) -> ()
  // x_hat = 4.753745813 clips to 1.
  %g8 = arith.constant 1.0 : f64
  %i8 = arith.constant 8 : i64
  // CHECK: check 8: ok
  call @tessera_check_close(%sx, %g8, %rtol, %i8) : (f32, f64, f64, i64) -> ()
  // Below t_min (1e-6) the output is the prior mean 0.
  %tz = arith.constant 0.0 : f32
  %zm, %zx = call @flow_and_output(%x, %tz, %eps, %eh) : (tensor<1xf32>, f32, tensor<1xf32>, tensor<1xf32>) -> (f32, f32)
  %zero = arith.constant 0.0 : f64
  %i9 = arith.constant 9 : i64
  // CHECK: check 9: ok
  call @tessera_check_close(%zx, %zero, %rtol, %i9) : (f32, f64, f64, i64) -> ()

  // G6: x = 0.5, x_hat = 0.45: L^inf integrand at t = 0.5 and n * KL_3, n = 4.
  %xh = arith.constant dense<0.45> : tensor<1xf32>
  %linf, %ln = call @losses(%x, %xh, %t05) : (tensor<1xf32>, tensor<1xf32>, f32) -> (f32, f32)
  %g10 = arith.constant 17.2693882 : f64
  %g11 = arith.constant 153.113883 : f64
  %i10 = arith.constant 10 : i64
  %i11 = arith.constant 11 : i64
  // CHECK: check 10: ok
  call @tessera_check_close(%linf, %g10, %rtol, %i10) : (f32, f64, f64, i64) -> ()
  // CHECK: check 11: ok
  call @tessera_check_close(%ln, %g11, %rtol, %i11) : (f32, f64, f64, i64) -> ()
  return
}
