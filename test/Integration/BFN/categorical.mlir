// RUN: tessera-opt %s %cpu_pipeline | %run_cpu | FileCheck %s

// docs/bfn-math.md G2 (Bayesian update, additivity), G9 (discrete L^inf
// integrand), G10 (discrete Bayesian flow with given draws) and the
// reconstruction loss -ln p_O(x), in log space and with probability storage.

func.func private @tessera_check_close(f32, f64, f64, i64)
func.func private @tesseraCheckTensor(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf64> {bufferization.access = "read"}, f64, i64) attributes {llvm.emit_c_interface}

func.func @update_log(%p: !bfn.simplex<1x3xf32, log>, %y: tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, log> {
  %q = bfn.bayes_update %p, %y : !bfn.simplex<1x3xf32, log>, tensor<1x3xf32>
  return %q : !bfn.simplex<1x3xf32, log>
}

// Probability storage in bf16: fp32 compute, bf16 result.
func.func @update_prob_bf16(%p: !bfn.simplex<1x2xbf16>, %y: tensor<1x2xf32>) -> !bfn.simplex<1x2xbf16> {
  %q = bfn.bayes_update %p, %y : !bfn.simplex<1x2xbf16>, tensor<1x2xf32>
  return %q : !bfn.simplex<1x2xbf16>
}

func.func @update_logits(%p: !bfn.simplex<1x3xf32, logits>, %y: tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, logits> {
  %q = bfn.bayes_update %p, %y : !bfn.simplex<1x3xf32, logits>, tensor<1x3xf32>
  return %q : !bfn.simplex<1x3xf32, logits>
}

func.func @logits_probs(%p: !bfn.simplex<1x3xf32, logits>) -> tensor<1x3xf32> {
  %q = bfn.simplex_cast %p : !bfn.simplex<1x3xf32, logits> to !bfn.simplex<1x3xf32>
  %t = bfn.unpack %q : !bfn.simplex<1x3xf32> -> tensor<1x3xf32>
  return %t : tensor<1x3xf32>
}

// The reconstruction loss reads unnormalised logits as they are stored.
func.func @recon_logits(%x: tensor<1xi32>, %logits: tensor<1x3xf32>) -> f32 {
  %p = bfn.output %logits : (tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, logits>
  %l = bfn.reconstruction_loss %x, %p : tensor<1xi32>, !bfn.simplex<1x3xf32, logits> -> f32
  return %l : f32
}

func.func @probs(%p: !bfn.simplex<1x3xf32, log>) -> tensor<1x3xf32> {
  %q = bfn.simplex_cast %p : !bfn.simplex<1x3xf32, log> to !bfn.simplex<1x3xf32>
  %t = bfn.unpack %q : !bfn.simplex<1x3xf32> -> tensor<1x3xf32>
  return %t : tensor<1x3xf32>
}

func.func @linf(%x: tensor<1xi32>, %logits: tensor<1x3xf32>, %t: f32) -> f32 {
  %p = bfn.output %logits : (tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, log>
  %l = bfn.continuous_loss %x, %p at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) : tensor<1xi32>, !bfn.simplex<1x3xf32, log>, f32 -> f32
  return %l : f32
}

func.func @recon(%x: tensor<1xi32>, %logits: tensor<1x3xf32>) -> f32 {
  %p = bfn.output %logits : (tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, log>
  %l = bfn.reconstruction_loss %x, %p : tensor<1xi32>, !bfn.simplex<1x3xf32, log> -> f32
  return %l : f32
}

func.func @flow(%x: tensor<1xi32>, %t: f32, %eps: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %p = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) draws(%eps : tensor<1x3xf32>) : tensor<1xi32>, f32 -> !bfn.simplex<1x3xf32>
  %u = bfn.unpack %p : !bfn.simplex<1x3xf32> -> tensor<1x3xf32>
  return %u : tensor<1x3xf32>
}

func.func @check(%got: tensor<1x3xf32>, %want: tensor<1x3xf64>, %id: i64) {
  %rtol = arith.constant 1.0e-5 : f64
  %u = tensor.cast %got : tensor<1x3xf32> to tensor<*xf32>
  %w = tensor.cast %want : tensor<1x3xf64> to tensor<*xf64>
  call @tesseraCheckTensor(%u, %w, %rtol, %id) : (tensor<*xf32>, tensor<*xf64>, f64, i64) -> ()
  return
}

func.func @main() {
  %rtol = arith.constant 1.0e-5 : f64
  // G2, K = 3: theta = (0.2, 0.3, 0.5), y = (1.0, -0.5, 0.25), then y2.
  %theta = arith.constant dense<[[0.2, 0.3, 0.5]]> : tensor<1x3xf32>
  %pt = bfn.pack %theta : tensor<1x3xf32> -> !bfn.simplex<1x3xf32>
  %lt = bfn.simplex_cast %pt : !bfn.simplex<1x3xf32> to !bfn.simplex<1x3xf32, log>
  %y1 = arith.constant dense<[[1.0, -0.5, 0.25]]> : tensor<1x3xf32>
  %y2 = arith.constant dense<[[-0.3, 0.8, 0.1]]> : tensor<1x3xf32>
  %y12 = arith.constant dense<[[0.7, 0.3, 0.35]]> : tensor<1x3xf32>
  %u1 = call @update_log(%lt, %y1) : (!bfn.simplex<1x3xf32, log>, tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, log>
  %p1 = call @probs(%u1) : (!bfn.simplex<1x3xf32, log>) -> tensor<1x3xf32>
  %g1 = arith.constant dense<[[0.3975176419, 0.1330472627, 0.4694350954]]> : tensor<1x3xf64>
  %id1 = arith.constant 1 : i64
  // CHECK: check 1: ok
  call @check(%p1, %g1, %id1) : (tensor<1x3xf32>, tensor<1x3xf64>, i64) -> ()
  %u2 = call @update_log(%u1, %y2) : (!bfn.simplex<1x3xf32, log>, tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, log>
  %p2 = call @probs(%u2) : (!bfn.simplex<1x3xf32, log>) -> tensor<1x3xf32>
  %g2 = arith.constant dense<[[0.2654491193, 0.2669037988, 0.4676470819]]> : tensor<1x3xf64>
  %id2 = arith.constant 2 : i64
  // CHECK: check 2: ok
  call @check(%p2, %g2, %id2) : (tensor<1x3xf32>, tensor<1x3xf64>, i64) -> ()
  // Additivity: one update with y1 + y2 lands on the same parameters.
  %u12 = call @update_log(%lt, %y12) : (!bfn.simplex<1x3xf32, log>, tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, log>
  %p12 = call @probs(%u12) : (!bfn.simplex<1x3xf32, log>) -> tensor<1x3xf32>
  %id3 = arith.constant 3 : i64
  // CHECK: check 3: ok
  call @check(%p12, %g2, %id3) : (tensor<1x3xf32>, tensor<1x3xf64>, i64) -> ()

  // G2, K = 2 in bf16 probability storage: (0.7, 0.3), y = (0.4, -0.6) ->
  // (0.8638095286, 0.1361904714), within bf16 resolution.
  %tb = arith.constant dense<[[0.7, 0.3]]> : tensor<1x2xbf16>
  %pb = bfn.pack %tb : tensor<1x2xbf16> -> !bfn.simplex<1x2xbf16>
  %yb = arith.constant dense<[[0.4, -0.6]]> : tensor<1x2xf32>
  %ub = call @update_prob_bf16(%pb, %yb) : (!bfn.simplex<1x2xbf16>, tensor<1x2xf32>) -> !bfn.simplex<1x2xbf16>
  %rb = bfn.unpack %ub : !bfn.simplex<1x2xbf16> -> tensor<1x2xbf16>
  %c0 = arith.constant 0 : index
  %rb0 = tensor.extract %rb[%c0, %c0] : tensor<1x2xbf16>
  %rb0f = arith.extf %rb0 : bf16 to f32
  %gb = arith.constant 0.8638095286 : f64
  %rtolbf = arith.constant 8.0e-3 : f64
  %id4 = arith.constant 4 : i64
  // CHECK: check 4: ok
  call @tessera_check_close(%rb0f, %gb, %rtolbf, %id4) : (f32, f64, f64, i64) -> ()

  // G9: K = 3, x = class 1, e_hat = (0.6, 0.3, 0.1), beta1 = 0.5625, t = 0.4.
  %x1 = arith.constant dense<0> : tensor<1xi32>
  %logits = arith.constant dense<[[-0.5108256238, -1.2039728043, -2.302585093]]> : tensor<1x3xf32>
  %t04 = arith.constant 0.4 : f32
  %linf = call @linf(%x1, %logits, %t04) : (tensor<1xi32>, tensor<1x3xf32>, f32) -> f32
  %g9 = arith.constant 0.1755 : f64
  %id5 = arith.constant 5 : i64
  // CHECK: check 5: ok
  call @tessera_check_close(%linf, %g9, %rtol, %id5) : (f32, f64, f64, i64) -> ()
  // -ln p_O(class 1) = -ln 0.6
  %lr = call @recon(%x1, %logits) : (tensor<1xi32>, tensor<1x3xf32>) -> f32
  %grec = arith.constant 0.5108256238 : f64
  %id6 = arith.constant 6 : i64
  // CHECK: check 6: ok
  call @tessera_check_close(%lr, %grec, %rtol, %id6) : (f32, f64, f64, i64) -> ()

  // G10: K = 3, x = class 2, beta1 = 0.5625, t = 0.5, eps = (0.5, -1, 0.2).
  %x2 = arith.constant dense<1> : tensor<1xi32>
  %t05 = arith.constant 0.5 : f32
  %eps = arith.constant dense<[[0.5, -1.0, 0.2]]> : tensor<1x3xf32>
  %fl = call @flow(%x2, %t05, %eps) : (tensor<1xi32>, f32, tensor<1x3xf32>) -> tensor<1x3xf32>
  %g10 = arith.constant dense<[[0.4169240965, 0.2399668055, 0.343109098]]> : tensor<1x3xf64>
  %id7 = arith.constant 7 : i64
  // CHECK: check 7: ok
  call @check(%fl, %g10, %id7) : (tensor<1x3xf32>, tensor<1x3xf64>, i64) -> ()

  // G2 again on logits: ln theta + 5 (any per-site constant) updated twice
  // without normalising, normalised once when read.
  %lg = arith.constant dense<[[3.3905620875, 3.7960271957, 4.3068528194]]> : tensor<1x3xf32>
  %pl = bfn.pack %lg : tensor<1x3xf32> -> !bfn.simplex<1x3xf32, logits>
  %l1 = call @update_logits(%pl, %y1) : (!bfn.simplex<1x3xf32, logits>, tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, logits>
  %lp1 = call @logits_probs(%l1) : (!bfn.simplex<1x3xf32, logits>) -> tensor<1x3xf32>
  %id8 = arith.constant 8 : i64
  // CHECK: check 8: ok
  call @check(%lp1, %g1, %id8) : (tensor<1x3xf32>, tensor<1x3xf64>, i64) -> ()
  %l2 = call @update_logits(%l1, %y2) : (!bfn.simplex<1x3xf32, logits>, tensor<1x3xf32>) -> !bfn.simplex<1x3xf32, logits>
  %lp2 = call @logits_probs(%l2) : (!bfn.simplex<1x3xf32, logits>) -> tensor<1x3xf32>
  %id9 = arith.constant 9 : i64
  // CHECK: check 9: ok
  call @check(%lp2, %g2, %id9) : (tensor<1x3xf32>, tensor<1x3xf64>, i64) -> ()
  // -ln p_O(class 1) = -ln 0.6 from ln(0.6, 0.3, 0.1) + 2.
  %shifted = arith.constant dense<[[1.4891743762, 0.7960271957, -0.302585093]]> : tensor<1x3xf32>
  %lr2 = call @recon_logits(%x1, %shifted) : (tensor<1xi32>, tensor<1x3xf32>) -> f32
  %id10 = arith.constant 10 : i64
  // CHECK: check 10: ok
  call @tessera_check_close(%lr2, %grec, %rtol, %id10) : (f32, f64, f64, i64) -> ()
  return
}
