// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// docs/bfn-math.md G7 (discretised output, K = 4, both cases: one of them
// with a bin mass of 5e-12 that 1/2(1 + erf) in fp32 rounds to 0), k_hat,
// L^r, the L^inf integrand, and G8 (discretised per-step value).
// Case 1 (mu_x = 0.1, sigma_x = 0.5) comes from the noise-prediction path at
// t = 0.5, sigma1 = 1e-3 (gamma = 0.999): mu = 0.1 gamma, mu_eps = 0,
// ln sigma_eps = ln(0.5 / sqrt((1 - gamma) / gamma)) = 2.760230208764331.

func.func private @tessera_check_close(f32, f64, f64, i64)
func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}

func.func @bins(%mu: tensor<1xf32>, %t: f32, %me: tensor<1xf32>, %ls: tensor<1xf32>) -> !bfn.simplex<1x4xf32, log> {
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %g = bfn.pack %mu, %one : tensor<1xf32>, tensor<1xf32> -> !bfn.gauss<1xf32>
  %p = bfn.output %me, %ls given %g at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : (tensor<1xf32>, tensor<1xf32>, !bfn.gauss<1xf32>, f32) -> !bfn.simplex<1x4xf32, log>
  return %p : !bfn.simplex<1x4xf32, log>
}

func.func @probs(%p: !bfn.simplex<1x4xf32, log>) -> tensor<*xf32> {
  %q = bfn.simplex_cast %p : !bfn.simplex<1x4xf32, log> to !bfn.simplex<1x4xf32>
  %t = bfn.unpack %q : !bfn.simplex<1x4xf32> -> tensor<1x4xf32>
  %u = tensor.cast %t : tensor<1x4xf32> to tensor<*xf32>
  return %u : tensor<*xf32>
}

func.func @losses(%x: tensor<1xf32>, %p: !bfn.simplex<1x4xf32, log>, %t: f32, %y: tensor<1xf32>) -> (f32, f32, tensor<1xf32>) {
  %lr = bfn.reconstruction_loss %x, %p : tensor<1xf32>, !bfn.simplex<1x4xf32, log> -> f32
  %linf = bfn.continuous_loss %x, %p at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : tensor<1xf32>, !bfn.simplex<1x4xf32, log>, f32 -> f32
  %a = bfn.accuracy_constant 20.0
  %s = bfn.sender %x, %a : tensor<1xf32>, !bfn.accuracy -> !bfn.sender<discretized<4>, 1xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<1x4xf32, log>, !bfn.accuracy -> !bfn.receiver<discretized<4>, 1xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<discretized<4>, 1xf32>, !bfn.receiver<discretized<4>, 1xf32>, tensor<1xf32> -> tensor<1xf32>
  return %lr, %linf, %kl : f32, f32, tensor<1xf32>
}

func.func @main() {
  %rtol = arith.constant 1.0e-5 : f64
  %c0 = arith.constant 0 : index
  // Case 2 (golden inputs directly): mu = 0.2, t = 0.3, mu_eps = 0.5, ln sigma_eps = -0.3.
  %mu2 = arith.constant dense<0.2> : tensor<1xf32>
  %t03 = arith.constant 0.3 : f32
  %me2 = arith.constant dense<0.5> : tensor<1xf32>
  %ls2 = arith.constant dense<-0.3> : tensor<1xf32>
  %p2 = call @bins(%mu2, %t03, %me2, %ls2) : (tensor<1xf32>, f32, tensor<1xf32>, tensor<1xf32>) -> !bfn.simplex<1x4xf32, log>
  %q2 = call @probs(%p2) : (!bfn.simplex<1x4xf32, log>) -> tensor<*xf32>
  %g2 = arith.constant dense<[5.044333358e-12, 0.06854294327, 0.9313934444, 6.361234928e-05]> : tensor<4xf64>
  %ug2 = tensor.cast %g2 : tensor<4xf64> to tensor<*xf64>
  %i1 = arith.constant 1 : i64
  // The tail bins: relative 1e-4 (fp32 erfc), the others 1e-5.
  %rtol4 = arith.constant 1.0e-4 : f64
  // CHECK: check 1: ok
  call @tesseraCheckTensor(%q2, %ug2, %rtol4, %i1) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // Case 1.
  %mu1 = arith.constant dense<0.0999> : tensor<1xf32>
  %t05 = arith.constant 0.5 : f32
  %me1 = arith.constant dense<0.0> : tensor<1xf32>
  %ls1 = arith.constant dense<2.760230208764331> : tensor<1xf32>
  %p1 = call @bins(%mu1, %t05, %me1, %ls1) : (tensor<1xf32>, f32, tensor<1xf32>, tensor<1xf32>) -> !bfn.simplex<1x4xf32, log>
  %q1 = call @probs(%p1) : (!bfn.simplex<1x4xf32, log>) -> tensor<*xf32>
  %g1 = arith.constant dense<[0.1150696702, 0.3056706203, 0.3674043109, 0.2118553986]> : tensor<4xf64>
  %ug1 = tensor.cast %g1 : tensor<4xf64> to tensor<*xf64>
  %i2 = arith.constant 2 : i64
  // CHECK: check 2: ok
  call @tesseraCheckTensor(%q1, %ug1, %rtol, %i2) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  // L^r for x = 0.25 (bin 3), L^inf integrand at t = 0.3, G8 at y = 0.3.
  %x = arith.constant dense<0.25> : tensor<1xf32>
  %y = arith.constant dense<0.3> : tensor<1xf32>
  %lr, %linf, %kl = call @losses(%x, %p1, %t03, %y) : (tensor<1xf32>, !bfn.simplex<1x4xf32, log>, f32, tensor<1xf32>) -> (f32, f32, tensor<1xf32>)
  %glr = arith.constant 1.001292373 : f64
  %glinf = arith.constant 11.43523655 : f64
  %gkl = arith.constant 0.888441674 : f64
  %i3 = arith.constant 3 : i64
  %i4 = arith.constant 4 : i64
  %i5 = arith.constant 5 : i64
  // CHECK: check 3: ok
  call @tessera_check_close(%lr, %glr, %rtol, %i3) : (f32, f64, f64, i64) -> ()
  // CHECK: check 4: ok
  call @tessera_check_close(%linf, %glinf, %rtol, %i4) : (f32, f64, f64, i64) -> ()
  %klv = tensor.extract %kl[%c0] : tensor<1xf32>
  // CHECK: check 5: ok
  call @tessera_check_close(%klv, %gkl, %rtol, %i5) : (f32, f64, f64, i64) -> ()
  return
}
