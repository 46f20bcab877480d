// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// docs/bfn-math.md G1: alpha_i of n = 4 for every schedule (i and n are
// run-time values: nothing folds), additivity sum_i alpha_i = beta(1) = beta1
// for n = 1000 within 1e-6, and alpha(0.5) (the L^inf weight), also for a
// custom schedule whose alpha(t) the compiler derives from beta.
// The reference code's sqrt(beta1) = 0.75 is spelled sqrt_beta1.

func.func private @tessera_check_close(f32, f64, f64, i64)
func.func private @tessera_check_close_f64(f64, f64, f64, i64)
func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}

func.func @alphas_cts3(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_cts3(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_cts3(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_cts16(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.031622776601683794>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.031622776601683794>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.031622776601683794>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.031622776601683794>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_cts16(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.031622776601683794>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_cts16(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<paper_cts, sigma1 = 0.031622776601683794>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_text8(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_text8(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_text8(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_mnist(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_mnist(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<paper_discrete, beta1 = 9.0>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_mnist(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<paper_discrete, beta1 = 9.0>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_linear(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<linear, beta1 = 4.0>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<linear, beta1 = 4.0>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<linear, beta1 = 4.0>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<linear, beta1 = 4.0>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_linear(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<linear, beta1 = 4.0>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_linear(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<linear, beta1 = 4.0>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_poly2(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 2.0>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 2.0>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 2.0>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 2.0>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_poly2(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 2.0>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_poly2(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<poly, beta1 = 4.0, power = 2.0>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_poly3(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_poly3(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_poly3(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_cosine(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<cosine, beta1 = 4.0>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<cosine, beta1 = 4.0>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<cosine, beta1 = 4.0>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<cosine, beta1 = 4.0>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_cosine(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<cosine, beta1 = 4.0>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_cosine(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<cosine, beta1 = 4.0>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @alphas_cts5(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.4472135954999579>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.4472135954999579>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.4472135954999579>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.4472135954999579>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_cts5(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 0.4472135954999579>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @beta1_cts5(%t: f32) -> f32 {
  %b = bfn.beta #bfn.schedule<paper_cts, sigma1 = 0.4472135954999579>(%t) : f32 -> !bfn.accuracy
  %v = bfn.accuracy_value %b : !bfn.accuracy -> f32
  return %v : f32
}

func.func @rate_cts3(%t: f32) -> f32 {
  %r = bfn.rate #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : f32 -> f32
  return %r : f32
}

func.func @rate_cosine(%t: f32) -> f32 {
  %r = bfn.rate #bfn.schedule<cosine, beta1 = 4.0>(%t) : f32 -> f32
  return %r : f32
}

// Per-sample times: a tensor of t gives a tensor of beta(t).
func.func @beta_batch(%t: tensor<3xf32>) -> tensor<3xf32> {
  %b = bfn.beta #bfn.schedule<paper_discrete, beta1 = 9.0>(%t) : tensor<3xf32> -> tensor<3x!bfn.accuracy>
  %v = bfn.accuracy_value %b : tensor<3x!bfn.accuracy> -> tensor<3xf32>
  return %v : tensor<3xf32>
}

// A custom schedule beta(t) = expm1(t) + tanh(t) (beta1 = e - 1 + tanh 1):
// alpha_i from beta, alpha(t) = e^t + 1 - tanh(t)^2 derived by the compiler.
func.func @custom_beta(%t: f32) -> f32 {
  %e = math.expm1 %t : f32
  %h = math.tanh %t : f32
  %s = arith.addf %e, %h : f32
  return %s : f32
}

func.func @alphas_custom(%n: index) -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %a1 = bfn.alpha #bfn.schedule<custom, beta1 = 2.479875984, beta = @custom_beta>(%c1 of %n) : index, index -> !bfn.accuracy
  %a2 = bfn.alpha #bfn.schedule<custom, beta1 = 2.479875984, beta = @custom_beta>(%c2 of %n) : index, index -> !bfn.accuracy
  %a3 = bfn.alpha #bfn.schedule<custom, beta1 = 2.479875984, beta = @custom_beta>(%c3 of %n) : index, index -> !bfn.accuracy
  %a4 = bfn.alpha #bfn.schedule<custom, beta1 = 2.479875984, beta = @custom_beta>(%c4 of %n) : index, index -> !bfn.accuracy
  %v1 = bfn.accuracy_value %a1 : !bfn.accuracy -> f32
  %v2 = bfn.accuracy_value %a2 : !bfn.accuracy -> f32
  %v3 = bfn.accuracy_value %a3 : !bfn.accuracy -> f32
  %v4 = bfn.accuracy_value %a4 : !bfn.accuracy -> f32
  %t = tensor.from_elements %v1, %v2, %v3, %v4 : tensor<4xf32>
  return %t : tensor<4xf32>
}

func.func @sum_custom(%n: index) -> f64 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %np1 = arith.addi %n, %c1 : index
  %sum = scf.for %i = %c1 to %np1 step %c1 iter_args(%acc = %zero) -> (f64) {
    %a = bfn.alpha #bfn.schedule<custom, beta1 = 2.479875984, beta = @custom_beta>(%i of %n) : index, index -> !bfn.accuracy
    %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
    %w = arith.extf %v : f32 to f64
    %next = arith.addf %acc, %w : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @rate_custom(%t: f32) -> f32 {
  %r = bfn.rate #bfn.schedule<custom, beta1 = 2.479875984, beta = @custom_beta>(%t) : f32 -> f32
  return %r : f32
}

func.func @main() {
  %c4 = arith.constant 4 : index
  %c1000 = arith.constant 1000 : index
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %rtol = arith.constant 1.0e-5 : f64
  %rtol6 = arith.constant 1.0e-6 : f64

  %g_cts3 = arith.constant dense<[30.6227766, 968.3772234, 30622.7766, 968377.2234]> : tensor<4xf64>
  %r_cts3 = call @alphas_cts3(%c4) : (index) -> tensor<4xf32>
  %u_cts3 = tensor.cast %r_cts3 : tensor<4xf32> to tensor<*xf32>
  %ug_cts3 = tensor.cast %g_cts3 : tensor<4xf64> to tensor<*xf64>
  %id1 = arith.constant 1 : i64
  call @tesseraCheckTensor(%u_cts3, %ug_cts3, %rtol, %id1) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_cts3 = call @sum_cts3(%c1000) : (index) -> f64
  %b1_cts3 = arith.constant 999999.0 : f64
  %id2 = arith.constant 2 : i64
  call @tessera_check_close_f64(%s_cts3, %b1_cts3, %rtol6, %id2) : (f64, f64, f64, i64) -> ()
  %e_cts3 = call @beta1_cts3(%one) : (f32) -> f32
  %id3 = arith.constant 3 : i64
  call @tessera_check_close(%e_cts3, %b1_cts3, %rtol6, %id3) : (f32, f64, f64, i64) -> ()

  %g_cts16 = arith.constant dense<[4.623413252, 25.99936335, 146.2051644, 822.172059]> : tensor<4xf64>
  %r_cts16 = call @alphas_cts16(%c4) : (index) -> tensor<4xf32>
  %u_cts16 = tensor.cast %r_cts16 : tensor<4xf32> to tensor<*xf32>
  %ug_cts16 = tensor.cast %g_cts16 : tensor<4xf64> to tensor<*xf64>
  %id4 = arith.constant 4 : i64
  call @tesseraCheckTensor(%u_cts16, %ug_cts16, %rtol, %id4) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_cts16 = call @sum_cts16(%c1000) : (index) -> f64
  %b1_cts16 = arith.constant 999.0 : f64
  %id5 = arith.constant 5 : i64
  call @tessera_check_close_f64(%s_cts16, %b1_cts16, %rtol6, %id5) : (f64, f64, f64, i64) -> ()
  %e_cts16 = call @beta1_cts16(%one) : (f32) -> f32
  %id6 = arith.constant 6 : i64
  call @tessera_check_close(%e_cts16, %b1_cts16, %rtol6, %id6) : (f32, f64, f64, i64) -> ()

  %g_text8 = arith.constant dense<[0.03515625, 0.10546875, 0.17578125, 0.24609375]> : tensor<4xf64>
  %r_text8 = call @alphas_text8(%c4) : (index) -> tensor<4xf32>
  %u_text8 = tensor.cast %r_text8 : tensor<4xf32> to tensor<*xf32>
  %ug_text8 = tensor.cast %g_text8 : tensor<4xf64> to tensor<*xf64>
  %id7 = arith.constant 7 : i64
  call @tesseraCheckTensor(%u_text8, %ug_text8, %rtol, %id7) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_text8 = call @sum_text8(%c1000) : (index) -> f64
  %b1_text8 = arith.constant 0.5625 : f64
  %id8 = arith.constant 8 : i64
  call @tessera_check_close_f64(%s_text8, %b1_text8, %rtol6, %id8) : (f64, f64, f64, i64) -> ()
  %e_text8 = call @beta1_text8(%one) : (f32) -> f32
  %id9 = arith.constant 9 : i64
  call @tessera_check_close(%e_text8, %b1_text8, %rtol6, %id9) : (f32, f64, f64, i64) -> ()

  %g_mnist = arith.constant dense<[0.5625, 1.6875, 2.8125, 3.9375]> : tensor<4xf64>
  %r_mnist = call @alphas_mnist(%c4) : (index) -> tensor<4xf32>
  %u_mnist = tensor.cast %r_mnist : tensor<4xf32> to tensor<*xf32>
  %ug_mnist = tensor.cast %g_mnist : tensor<4xf64> to tensor<*xf64>
  %id10 = arith.constant 10 : i64
  call @tesseraCheckTensor(%u_mnist, %ug_mnist, %rtol, %id10) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_mnist = call @sum_mnist(%c1000) : (index) -> f64
  %b1_mnist = arith.constant 9.0 : f64
  %id11 = arith.constant 11 : i64
  call @tessera_check_close_f64(%s_mnist, %b1_mnist, %rtol6, %id11) : (f64, f64, f64, i64) -> ()
  %e_mnist = call @beta1_mnist(%one) : (f32) -> f32
  %id12 = arith.constant 12 : i64
  call @tessera_check_close(%e_mnist, %b1_mnist, %rtol6, %id12) : (f32, f64, f64, i64) -> ()

  %g_linear = arith.constant dense<[1.0, 1.0, 1.0, 1.0]> : tensor<4xf64>
  %r_linear = call @alphas_linear(%c4) : (index) -> tensor<4xf32>
  %u_linear = tensor.cast %r_linear : tensor<4xf32> to tensor<*xf32>
  %ug_linear = tensor.cast %g_linear : tensor<4xf64> to tensor<*xf64>
  %id13 = arith.constant 13 : i64
  call @tesseraCheckTensor(%u_linear, %ug_linear, %rtol, %id13) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_linear = call @sum_linear(%c1000) : (index) -> f64
  %b1_linear = arith.constant 4.0 : f64
  %id14 = arith.constant 14 : i64
  call @tessera_check_close_f64(%s_linear, %b1_linear, %rtol6, %id14) : (f64, f64, f64, i64) -> ()
  %e_linear = call @beta1_linear(%one) : (f32) -> f32
  %id15 = arith.constant 15 : i64
  call @tessera_check_close(%e_linear, %b1_linear, %rtol6, %id15) : (f32, f64, f64, i64) -> ()

  %g_poly2 = arith.constant dense<[0.25, 0.75, 1.25, 1.75]> : tensor<4xf64>
  %r_poly2 = call @alphas_poly2(%c4) : (index) -> tensor<4xf32>
  %u_poly2 = tensor.cast %r_poly2 : tensor<4xf32> to tensor<*xf32>
  %ug_poly2 = tensor.cast %g_poly2 : tensor<4xf64> to tensor<*xf64>
  %id16 = arith.constant 16 : i64
  call @tesseraCheckTensor(%u_poly2, %ug_poly2, %rtol, %id16) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_poly2 = call @sum_poly2(%c1000) : (index) -> f64
  %b1_poly2 = arith.constant 4.0 : f64
  %id17 = arith.constant 17 : i64
  call @tessera_check_close_f64(%s_poly2, %b1_poly2, %rtol6, %id17) : (f64, f64, f64, i64) -> ()
  %e_poly2 = call @beta1_poly2(%one) : (f32) -> f32
  %id18 = arith.constant 18 : i64
  call @tessera_check_close(%e_poly2, %b1_poly2, %rtol6, %id18) : (f32, f64, f64, i64) -> ()

  %g_poly3 = arith.constant dense<[0.0625, 0.4375, 1.1875, 2.3125]> : tensor<4xf64>
  %r_poly3 = call @alphas_poly3(%c4) : (index) -> tensor<4xf32>
  %u_poly3 = tensor.cast %r_poly3 : tensor<4xf32> to tensor<*xf32>
  %ug_poly3 = tensor.cast %g_poly3 : tensor<4xf64> to tensor<*xf64>
  %id19 = arith.constant 19 : i64
  call @tesseraCheckTensor(%u_poly3, %ug_poly3, %rtol, %id19) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_poly3 = call @sum_poly3(%c1000) : (index) -> f64
  %b1_poly3 = arith.constant 4.0 : f64
  %id20 = arith.constant 20 : i64
  call @tessera_check_close_f64(%s_poly3, %b1_poly3, %rtol6, %id20) : (f64, f64, f64, i64) -> ()
  %e_poly3 = call @beta1_poly3(%one) : (f32) -> f32
  %id21 = arith.constant 21 : i64
  call @tessera_check_close(%e_poly3, %b1_poly3, %rtol6, %id21) : (f32, f64, f64, i64) -> ()

  %g_cosine = arith.constant dense<[0.08070090315, 0.3012651081, 0.815366767, 2.802667222]> : tensor<4xf64>
  %r_cosine = call @alphas_cosine(%c4) : (index) -> tensor<4xf32>
  %u_cosine = tensor.cast %r_cosine : tensor<4xf32> to tensor<*xf32>
  %ug_cosine = tensor.cast %g_cosine : tensor<4xf64> to tensor<*xf64>
  %id22 = arith.constant 22 : i64
  call @tesseraCheckTensor(%u_cosine, %ug_cosine, %rtol, %id22) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_cosine = call @sum_cosine(%c1000) : (index) -> f64
  %b1_cosine = arith.constant 4.0 : f64
  %id23 = arith.constant 23 : i64
  call @tessera_check_close_f64(%s_cosine, %b1_cosine, %rtol6, %id23) : (f64, f64, f64, i64) -> ()
  %e_cosine = call @beta1_cosine(%one) : (f32) -> f32
  %id24 = arith.constant 24 : i64
  call @tessera_check_close(%e_cosine, %b1_cosine, %rtol6, %id24) : (f32, f64, f64, i64) -> ()

  %g_cts5 = arith.constant dense<[0.4953487812, 0.7407191963, 1.107633547, 1.656298475]> : tensor<4xf64>
  %r_cts5 = call @alphas_cts5(%c4) : (index) -> tensor<4xf32>
  %u_cts5 = tensor.cast %r_cts5 : tensor<4xf32> to tensor<*xf32>
  %ug_cts5 = tensor.cast %g_cts5 : tensor<4xf64> to tensor<*xf64>
  %id25 = arith.constant 25 : i64
  call @tesseraCheckTensor(%u_cts5, %ug_cts5, %rtol, %id25) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_cts5 = call @sum_cts5(%c1000) : (index) -> f64
  %b1_cts5 = arith.constant 4.0 : f64
  %id26 = arith.constant 26 : i64
  call @tessera_check_close_f64(%s_cts5, %b1_cts5, %rtol6, %id26) : (f64, f64, f64, i64) -> ()
  %e_cts5 = call @beta1_cts5(%one) : (f32) -> f32
  %id27 = arith.constant 27 : i64
  call @tessera_check_close(%e_cts5, %b1_cts5, %rtol6, %id27) : (f32, f64, f64, i64) -> ()

  %rc = call @rate_cts3(%half) : (f32) -> f32
  %grc = arith.constant 13815.51056 : f64
  %id28 = arith.constant 28 : i64
  call @tessera_check_close(%rc, %grc, %rtol, %id28) : (f32, f64, f64, i64) -> ()
  %rcos = call @rate_cosine(%half) : (f32) -> f32
  %grcos = arith.constant 1.891235794 : f64
  %id29 = arith.constant 29 : i64
  call @tessera_check_close(%rcos, %grcos, %rtol, %id29) : (f32, f64, f64, i64) -> ()
  %ts = arith.constant dense<[0.0, 0.5, 1.0]> : tensor<3xf32>
  %bb = call @beta_batch(%ts) : (tensor<3xf32>) -> tensor<3xf32>
  %ubb = tensor.cast %bb : tensor<3xf32> to tensor<*xf32>
  %gbb = arith.constant dense<[0.0, 2.25, 9.0]> : tensor<3xf64>
  %ugbb = tensor.cast %gbb : tensor<3xf64> to tensor<*xf64>
  %id30 = arith.constant 30 : i64
  call @tesseraCheckTensor(%ubb, %ugbb, %rtol, %id30) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()

  %g_custom = arith.constant dense<[0.5289440791, 0.5818943489, 0.641310541, 0.7277270154]> : tensor<4xf64>
  %r_custom = call @alphas_custom(%c4) : (index) -> tensor<4xf32>
  %u_custom = tensor.cast %r_custom : tensor<4xf32> to tensor<*xf32>
  %ug_custom = tensor.cast %g_custom : tensor<4xf64> to tensor<*xf64>
  %id31 = arith.constant 31 : i64
  call @tesseraCheckTensor(%u_custom, %ug_custom, %rtol, %id31) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  %s_custom = call @sum_custom(%c1000) : (index) -> f64
  %b1_custom = arith.constant 2.479875984 : f64
  %id32 = arith.constant 32 : i64
  call @tessera_check_close_f64(%s_custom, %b1_custom, %rtol6, %id32) : (f64, f64, f64, i64) -> ()
  %rcu = call @rate_custom(%half) : (f32) -> f32
  %grcu = arith.constant 2.435169004 : f64
  %id33 = arith.constant 33 : i64
  call @tessera_check_close(%rcu, %grcu, %rtol, %id33) : (f32, f64, f64, i64) -> ()
  return
}

// CHECK: check 1: ok
// CHECK: check 2: ok
// CHECK: check 3: ok
// CHECK: check 4: ok
// CHECK: check 5: ok
// CHECK: check 6: ok
// CHECK: check 7: ok
// CHECK: check 8: ok
// CHECK: check 9: ok
// CHECK: check 10: ok
// CHECK: check 11: ok
// CHECK: check 12: ok
// CHECK: check 13: ok
// CHECK: check 14: ok
// CHECK: check 15: ok
// CHECK: check 16: ok
// CHECK: check 17: ok
// CHECK: check 18: ok
// CHECK: check 19: ok
// CHECK: check 20: ok
// CHECK: check 21: ok
// CHECK: check 22: ok
// CHECK: check 23: ok
// CHECK: check 24: ok
// CHECK: check 25: ok
// CHECK: check 26: ok
// CHECK: check 27: ok
// CHECK: check 28: ok
// CHECK: check 29: ok
// CHECK: check 30: ok
// CHECK: check 31: ok
// CHECK: check 32: ok
// CHECK: check 33: ok
