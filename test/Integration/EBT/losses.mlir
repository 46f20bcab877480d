// RUN: tessera-opt %s --tessera-ebt-lower %cpu_pipeline | %run_cpu | FileCheck %s

// docs/ebt-math.md G10: the training losses of §4 written as plain IR (no
// loss ops: they are ordinary tensor code around the EBT ops), with the
// denoising score-matching loss taking its score from the compiler's
// gradient of the G5 energy (ebt.grad_y), and the randomised step size of
// §1.4.

func.func private @tessera_check_close(f32, f64, f64, i64)

#vec = affine_map<(i) -> (i)>
#all = affine_map<(i) -> ()>

// Sum of f(a_i, b_i) over a vector: the reductions every loss below uses.
func.func @sum(%x: tensor<?xf32>) -> f32 {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%x : tensor<?xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    }
  %v = tensor.extract %s[] : tensor<f32>
  return %v : f32
}

// log sum_i exp(x_i), with the max subtracted.
func.func @logsumexp(%x: tensor<?xf32>) -> f32 {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<f32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %mt = linalg.reduce ins(%x : tensor<?xf32>) outs(%m0 : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %r = arith.maximumf %a, %b : f32
      linalg.yield %r : f32
    }
  %m = tensor.extract %mt[] : tensor<f32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %ee = tensor.empty(%n) : tensor<?xf32>
  %ex = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%x : tensor<?xf32>) outs(%ee : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %v = math.exp %d : f32
    linalg.yield %v : f32
  } -> tensor<?xf32>
  %s = call @sum(%ex) : (tensor<?xf32>) -> f32
  %l = math.log %s : f32
  %r = arith.addf %l, %m : f32
  return %r : f32
}

// CE(logits, target) = logsumexp(logits) - logits[target].
func.func @cross_entropy(%logits: tensor<4xf32>, %target: index) -> f32 {
  %d = tensor.cast %logits : tensor<4xf32> to tensor<?xf32>
  %lse = call @logsumexp(%d) : (tensor<?xf32>) -> f32
  %t = tensor.extract %logits[%target] : tensor<4xf32>
  %r = arith.subf %lse, %t : f32
  return %r : f32
}

// SmoothL1 with beta = 1, mean over elements.
func.func @smooth_l1(%a: tensor<3xf32>, %b: tensor<3xf32>) -> f32 {
  %e = tensor.empty() : tensor<3xf32>
  %l = linalg.generic {indexing_maps = [#vec, #vec, #vec], iterator_types = ["parallel"]} ins(%a, %b : tensor<3xf32>, tensor<3xf32>) outs(%e : tensor<3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %d = arith.subf %x, %y : f32
    %ad = math.absf %d : f32
    %sq = arith.mulf %d, %d : f32
    %q = arith.mulf %sq, %half : f32
    %lin = arith.subf %ad, %half : f32
    %small = arith.cmpf olt, %ad, %one : f32
    %v = arith.select %small, %q, %lin : f32
    linalg.yield %v : f32
  } -> tensor<3xf32>
  %d = tensor.cast %l : tensor<3xf32> to tensor<?xf32>
  %s = call @sum(%d) : (tensor<?xf32>) -> f32
  %three = arith.constant 3.0 : f32
  %m = arith.divf %s, %three : f32
  return %m : f32
}

// Contrastive: softplus(E+ - E-) = log(1 + exp(E+ - E-)).
func.func @contrastive(%pos: f32, %neg: f32) -> f32 {
  %d = arith.subf %pos, %neg : f32
  %e = math.exp %d : f32
  %r = math.log1p %e : f32
  return %r : f32
}

// NCE with K negatives: E+ + log(exp(-E+) + sum_k exp(-E-_k)).
func.func @nce(%pos: f32, %negs: tensor<3xf32>) -> f32 {
  %np = arith.negf %pos : f32
  %p = tensor.from_elements %np : tensor<1xf32>
  %nn = arith.negf %negs : tensor<3xf32>
  %all = tensor.concat dim(0) %p, %nn : (tensor<1xf32>, tensor<3xf32>) -> tensor<4xf32>
  %d = tensor.cast %all : tensor<4xf32> to tensor<?xf32>
  %lse = call @logsumexp(%d) : (tensor<?xf32>) -> f32
  %r = arith.addf %pos, %lse : f32
  return %r : f32
}

// The G5 energy: y^T W h + (lambda / 2)||y||^2, lambda = 0.5 (G1's W).
func.func @g5(%h: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<f32> {
  %w = arith.constant dense<[[0.2, -0.1, 0.4], [0.0, 0.3, -0.2], [0.5, 0.1, 0.1]]> : tensor<3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<3xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<3xf32>) -> tensor<3xf32>
  %wh = linalg.matvec ins(%w, %h : tensor<3x3xf32>, tensor<3xf32>) outs(%z3 : tensor<3xf32>) -> tensor<3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.generic {indexing_maps = [#vec, #vec, #all], iterator_types = ["reduction"]} ins(%y, %wh : tensor<3xf32>, tensor<3xf32>) outs(%z0 : tensor<f32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %quarter = arith.constant 0.25 : f32
    %p = arith.mulf %a, %c : f32
    %a2 = arith.mulf %a, %a : f32
    %q = arith.mulf %a2, %quarter : f32
    %t = arith.addf %p, %q : f32
    %r = arith.addf %acc, %t : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}

// Denoising score matching: y~ = y* + s eps, L = 1/2 ||grad E(h, y~) - eps / s||^2.
func.func @dsm(%h: tensor<3xf32>, %ystar: tensor<3xf32>, %eps: tensor<3xf32>, %s: f32) -> f32 {
  %e = tensor.empty() : tensor<3xf32>
  %yt = linalg.generic {indexing_maps = [#vec, #vec, #vec], iterator_types = ["parallel"]} ins(%ystar, %eps : tensor<3xf32>, tensor<3xf32>) outs(%e : tensor<3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %sb = arith.mulf %s, %b : f32
    %v = arith.addf %a, %sb : f32
    linalg.yield %v : f32
  } -> tensor<3xf32>
  %g = ebt.grad_y @g5(%h, %yt) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %r = linalg.generic {indexing_maps = [#vec, #vec, #vec], iterator_types = ["parallel"]} ins(%g, %eps : tensor<3xf32>, tensor<3xf32>) outs(%e : tensor<3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %bs = arith.divf %b, %s : f32
    %d = arith.subf %a, %bs : f32
    %d2 = arith.mulf %d, %d : f32
    %v = arith.mulf %d2, %half : f32
    linalg.yield %v : f32
  } -> tensor<3xf32>
  %dr = tensor.cast %r : tensor<3xf32> to tensor<?xf32>
  %l = call @sum(%dr) : (tensor<?xf32>) -> f32
  return %l : f32
}

// Randomised step size (§1.4): alpha / c + u (alpha c - alpha / c).
func.func @random_step(%alpha: f32, %c: f32, %u: f32) -> f32 {
  %lo = arith.divf %alpha, %c : f32
  %hi = arith.mulf %alpha, %c : f32
  %span = arith.subf %hi, %lo : f32
  %us = arith.mulf %u, %span : f32
  %r = arith.addf %lo, %us : f32
  return %r : f32
}

func.func @main() {
  %rtol = arith.constant 1.0e-6 : f64
  %logits = arith.constant dense<[2.0, -1.0, 0.5, 0.0]> : tensor<4xf32>
  %c2 = arith.constant 2 : index
  %ce = call @cross_entropy(%logits, %c2) : (tensor<4xf32>, index) -> f32
  %ce_want = arith.constant 1.842349582 : f64
  %id1 = arith.constant 1 : i64
  call @tessera_check_close(%ce, %ce_want, %rtol, %id1) : (f32, f64, f64, i64) -> ()

  %a = arith.constant dense<[0.3, -1.5, 2.0]> : tensor<3xf32>
  %b = arith.constant dense<[0.0, 0.0, 0.5]> : tensor<3xf32>
  %sl1 = call @smooth_l1(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> f32
  %sl1_want = arith.constant 0.6816666667 : f64
  %id2 = arith.constant 2 : i64
  call @tessera_check_close(%sl1, %sl1_want, %rtol, %id2) : (f32, f64, f64, i64) -> ()

  %epos = arith.constant 0.4 : f32
  %eneg = arith.constant 1.1 : f32
  %con = call @contrastive(%epos, %eneg) : (f32, f32) -> f32
  %con_want = arith.constant 0.4031860489 : f64
  %id3 = arith.constant 3 : i64
  call @tessera_check_close(%con, %con_want, %rtol, %id3) : (f32, f64, f64, i64) -> ()

  %negs = arith.constant dense<[1.1, 0.2, 0.9]> : tensor<3xf32>
  %nce = call @nce(%epos, %negs) : (f32, tensor<3xf32>) -> f32
  %nce_want = arith.constant 1.201324918 : f64
  %id4 = arith.constant 4 : i64
  call @tessera_check_close(%nce, %nce_want, %rtol, %id4) : (f32, f64, f64, i64) -> ()

  %h1 = arith.constant dense<[1.0, -0.5, 0.25]> : tensor<3xf32>
  %ystar = arith.constant dense<[0.1, 0.2, -0.3]> : tensor<3xf32>
  %eps = arith.constant dense<[0.3, -1.2, 0.5]> : tensor<3xf32>
  %s = arith.constant 0.5 : f32
  %dsm = call @dsm(%h1, %ystar, %eps, %s) : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32) -> f32
  %dsm_want = arith.constant 2.1590625 : f64
  %id5 = arith.constant 5 : i64
  call @tessera_check_close(%dsm, %dsm_want, %rtol, %id5) : (f32, f64, f64, i64) -> ()

  %alpha = arith.constant 5.0 : f32
  %cc = arith.constant 2.0 : f32
  %u = arith.constant 0.25 : f32
  %step = call @random_step(%alpha, %cc, %u) : (f32, f32, f32) -> f32
  %step_want = arith.constant 4.375 : f64
  %id6 = arith.constant 6 : i64
  call @tessera_check_close(%step, %step_want, %rtol, %id6) : (f32, f64, f64, i64) -> ()
  return
}

// CHECK: check 1: ok
// CHECK: check 2: ok
// CHECK: check 3: ok
// CHECK: check 4: ok
// CHECK: check 5: ok
// CHECK: check 6: ok
