// RUN: tessera-opt %s --canonicalize --split-input-file | FileCheck %s --check-prefixes=CHECK,CANON
// RUN: tessera-opt %s --tessera-bfn-canonicalize --split-input-file | FileCheck %s --check-prefixes=CHECK,PASS

// Schedules at constant arguments fold to the values of docs/bfn-math.md G1
// (alpha_i of n = 4) and G6 (alpha(0.5) = -2 ln(sigma1) sigma1^-1).

// CHECK-LABEL: func.func @fold_alpha
func.func @fold_alpha() -> (!bfn.accuracy, !bfn.accuracy, !bfn.accuracy, !bfn.accuracy) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  // CHECK-DAG: bfn.accuracy_constant 0.03515625
  %a = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%c1 of %c4) : index, index -> !bfn.accuracy
  // CHECK-DAG: bfn.accuracy_constant 0.0807009031{{[0-9]*}}
  %b = bfn.alpha #bfn.schedule<cosine, beta1 = 4.0>(%c1 of %c4) : index, index -> !bfn.accuracy
  // CHECK-DAG: bfn.accuracy_constant 968.37722{{[0-9]*}}
  %c = bfn.alpha #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%c2 of %c4) : index, index -> !bfn.accuracy
  // CHECK-DAG: bfn.accuracy_constant 4.375000e-01
  %d = bfn.alpha #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%c2 of %c4) : index, index -> !bfn.accuracy
  // CHECK-NOT: bfn.alpha
  return %a, %b, %c, %d : !bfn.accuracy, !bfn.accuracy, !bfn.accuracy, !bfn.accuracy
}

// -----

// CHECK-LABEL: func.func @fold_beta_rate
func.func @fold_beta_rate() -> (!bfn.accuracy, f32, f32) {
  %half = arith.constant 0.5 : f32
  // beta(0.5) = sigma1^-1 - 1
  // CHECK-DAG: bfn.accuracy_constant {{998\.9999+[0-9]*|999}}
  %b = bfn.beta #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%half) : f32 -> !bfn.accuracy
  // CHECK-DAG: arith.constant 13815.51{{[0-9]*}} : f32
  %r = bfn.rate #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%half) : f32 -> f32
  // CHECK-DAG: arith.constant 1.891235{{[0-9]*}} : f32
  %c = bfn.rate #bfn.schedule<cosine, beta1 = 4.0>(%half) : f32 -> f32
  // CHECK-NOT: bfn.beta
  // CHECK-NOT: bfn.rate
  return %b, %r, %c : !bfn.accuracy, f32, f32
}

// -----

// beta(0) = 0 is not an accuracy (accuracies are positive): no fold.
// CHECK-LABEL: func.func @beta_at_zero_stays
func.func @beta_at_zero_stays() -> !bfn.accuracy {
  %zero = arith.constant 0.0 : f32
  // CHECK: bfn.beta
  %b = bfn.beta #bfn.schedule<linear, beta1 = 1.0>(%zero) : f32 -> !bfn.accuracy
  return %b : !bfn.accuracy
}

// -----

// A custom schedule is IR: it does not fold on the host.
func.func private @my_beta(f32) -> f32
// CHECK-LABEL: func.func @custom_no_fold
func.func @custom_no_fold() -> !bfn.accuracy {
  %half = arith.constant 0.5 : f32
  // CHECK: bfn.beta #schedule{{[0-9]*}}(%{{.*}})
  %b = bfn.beta #bfn.schedule<custom, beta1 = 2.0, beta = @my_beta>(%half) : f32 -> !bfn.accuracy
  return %b : !bfn.accuracy
}

// -----

// Additivity of constants, and reading a constant accuracy.
// CHECK-LABEL: func.func @fold_add_value
func.func @fold_add_value() -> f32 {
  %a = bfn.accuracy_constant 0.25
  %b = bfn.accuracy_constant 2.0
  %c = bfn.accuracy_add %a, %b : !bfn.accuracy
  %v = bfn.accuracy_value %c : !bfn.accuracy -> f32
  // CHECK: %[[V:.*]] = arith.constant 2.250000e+00 : f32
  // CHECK-NEXT: return %[[V]]
  return %v : f32
}

// -----

// The Bayesian flow at t = 0 is the prior, whatever the draws.
// CHECK-LABEL: func.func @paramize_at_zero
func.func @paramize_at_zero(%x: tensor<8xi32>, %s: i64, %o: i64) -> !bfn.simplex<8x4xf32, log> {
  %zero = arith.constant 0.0 : f32
  // CHECK: %[[P:.*]] = bfn.prior : !bfn.simplex<8x4xf32, log>
  // CHECK-NOT: bfn.paramize
  // CHECK: return %[[P]]
  %p = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 9.0>(%zero) rng(%s, %o) : tensor<8xi32>, f32 -> !bfn.simplex<8x4xf32, log>
  return %p : !bfn.simplex<8x4xf32, log>
}

// -----

// CHECK-LABEL: func.func @paramize_not_zero
func.func @paramize_not_zero(%x: tensor<8xi32>, %s: i64, %o: i64) -> !bfn.simplex<8x4xf32, log> {
  %t = arith.constant 0.25 : f32
  // CHECK: bfn.paramize
  %p = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 9.0>(%t) rng(%s, %o) : tensor<8xi32>, f32 -> !bfn.simplex<8x4xf32, log>
  return %p : !bfn.simplex<8x4xf32, log>
}

// -----

// Pack/unpack round trips vanish.
// CHECK-LABEL: func.func @pack_unpack
// CHECK-SAME: (%[[M:.*]]: tensor<8xf32>, %[[R:.*]]: tensor<8xf32>, %[[G:.*]]: !bfn.gauss<8xf32>)
func.func @pack_unpack(%m: tensor<8xf32>, %r: tensor<8xf32>, %g: !bfn.gauss<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>) {
  %p = bfn.pack %m, %r : tensor<8xf32>, tensor<8xf32> -> !bfn.gauss<8xf32>
  %m2, %r2 = bfn.unpack %p : !bfn.gauss<8xf32> -> tensor<8xf32>, tensor<8xf32>
  %a, %b = bfn.unpack %g : !bfn.gauss<8xf32> -> tensor<8xf32>, tensor<8xf32>
  %g2 = bfn.pack %a, %b : tensor<8xf32>, tensor<8xf32> -> !bfn.gauss<8xf32>
  // CHECK-NOT: bfn.pack
  // CHECK-NOT: bfn.unpack
  // CHECK: return %[[M]], %[[R]], %[[G]]
  return %m2, %r2, %g2 : tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>
}

// -----

// Swapped operands are not a round trip.
// CHECK-LABEL: func.func @pack_swapped
func.func @pack_swapped(%g: !bfn.gauss<8xf32>) -> !bfn.gauss<8xf32> {
  %a, %b = bfn.unpack %g : !bfn.gauss<8xf32> -> tensor<8xf32>, tensor<8xf32>
  // CHECK: bfn.pack
  %g2 = bfn.pack %b, %a : tensor<8xf32>, tensor<8xf32> -> !bfn.gauss<8xf32>
  return %g2 : !bfn.gauss<8xf32>
}

// -----

// Simplex casts: identities vanish; a chain through fp32 collapses; a chain
// through bf16 keeps its rounding.
// CHECK-LABEL: func.func @simplex_casts
// CHECK-SAME: (%[[P:.*]]: !bfn.simplex<8x4xbf16>)
func.func @simplex_casts(%p: !bfn.simplex<8x4xbf16>) -> (!bfn.simplex<8x4xbf16>, !bfn.simplex<8x4xf16, log>, !bfn.simplex<8x4xf32>) {
  %same = bfn.simplex_cast %p : !bfn.simplex<8x4xbf16> to !bfn.simplex<8x4xbf16>
  // CHECK: %[[C:.*]] = bfn.simplex_cast %[[P]] : !bfn.simplex<8x4xbf16> to !bfn.simplex<8x4xf16, log>
  %l = bfn.simplex_cast %p : !bfn.simplex<8x4xbf16> to !bfn.simplex<8x4xf32, log>
  %h = bfn.simplex_cast %l : !bfn.simplex<8x4xf32, log> to !bfn.simplex<8x4xf16, log>
  // CHECK: %[[D:.*]] = bfn.simplex_cast %[[P]] : !bfn.simplex<8x4xbf16> to !bfn.simplex<8x4xf16>
  // CHECK: %[[E:.*]] = bfn.simplex_cast %[[D]] : !bfn.simplex<8x4xf16> to !bfn.simplex<8x4xf32>
  %d = bfn.simplex_cast %p : !bfn.simplex<8x4xbf16> to !bfn.simplex<8x4xf16>
  %e = bfn.simplex_cast %d : !bfn.simplex<8x4xf16> to !bfn.simplex<8x4xf32>
  // CHECK: return %[[P]], %[[C]], %[[E]]
  return %same, %h, %e : !bfn.simplex<8x4xbf16>, !bfn.simplex<8x4xf16, log>, !bfn.simplex<8x4xf32>
}

// -----

// Casts preserve the distribution: logits -> log -> logits is the logits.
// CHECK-LABEL: func.func @logits_round_trip
// CHECK-SAME: (%[[P:.*]]: !bfn.simplex<8x4xf32, logits>)
// CHECK-NEXT: return %[[P]]
func.func @logits_round_trip(%p: !bfn.simplex<8x4xf32, logits>) -> !bfn.simplex<8x4xf32, logits> {
  %l = bfn.simplex_cast %p : !bfn.simplex<8x4xf32, logits> to !bfn.simplex<8x4xf32, log>
  %q = bfn.simplex_cast %l : !bfn.simplex<8x4xf32, log> to !bfn.simplex<8x4xf32, logits>
  return %q : !bfn.simplex<8x4xf32, logits>
}

// -----

// Dead sender/receiver pairs (and their sample) are removed.
// CHECK-LABEL: func.func @dead_pair
func.func @dead_pair(%x: tensor<8xi32>, %l: tensor<8x4xf32>, %a: !bfn.accuracy, %s: i64) -> !bfn.simplex<8x4xf32, log> {
  %p = bfn.output %l : (tensor<8x4xf32>) -> !bfn.simplex<8x4xf32, log>
  %snd = bfn.sender %x, %a : tensor<8xi32>, !bfn.accuracy -> !bfn.sender<categorical, 8x4xf32>
  %rcv = bfn.receiver %p, %a : !bfn.simplex<8x4xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 8x4xf32>
  %y = bfn.sample %snd rng(%s, %s) : !bfn.sender<categorical, 8x4xf32> -> tensor<8x4xf32>
  // CHECK-NOT: bfn.sender
  // CHECK-NOT: bfn.receiver
  // CHECK-NOT: bfn.sample
  return %p : !bfn.simplex<8x4xf32, log>
}

// -----

// The pass outlines inline networks into private functions; upstream
// canonicalize leaves them inline.
// PASS: func.func private @step_network_0(%{{.*}}: tensor<8x2xf32>, %{{.*}}: f32, %{{.*}}: tensor<2x2xf32>) -> tensor<8x2xf32>
// PASS: linalg.matmul
// PASS: return
// CHECK-LABEL: func.func @step
func.func @step(%theta: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64, %w: tensor<2x2xf32>) -> !bfn.simplex<8x2xf32, log> {
  // PASS: bfn.flow_step %{{.*}} step %{{.*}} of %{{.*}}, #schedule rng(%{{.*}}, %{{.*}}) network @step_network_0(%{{.*}}) : !bfn.simplex<8x2xf32, log>, index, index, tensor<2x2xf32>
  // CANON: bfn.flow_step %{{.*}} network(%{{.*}}) {
  // CANON: linalg.matmul
  %b = bfn.flow_step %theta step %i of %n, #bfn.schedule<paper_discrete, beta1 = 9.0> rng(%k, %k) network(%w) {
  ^bb0(%p: tensor<8x2xf32>, %t: f32, %ww: tensor<2x2xf32>):
    %e = tensor.empty() : tensor<8x2xf32>
    %l = linalg.matmul ins(%p, %ww : tensor<8x2xf32>, tensor<2x2xf32>) outs(%e : tensor<8x2xf32>) -> tensor<8x2xf32>
    bfn.yield %l : tensor<8x2xf32>
  } : !bfn.simplex<8x2xf32, log>, index, index, tensor<2x2xf32>
  return %b : !bfn.simplex<8x2xf32, log>
}

// -----

// Outlined names do not collide with existing symbols.
func.func private @gen_network_0(tensor<8xf32>, f32) -> tensor<8xf32>
// PASS: func.func private @gen_network_0_0(
// CHECK-LABEL: func.func @gen
func.func @gen(%g: !bfn.gauss<8xf32>, %n: index, %k: i64) -> tensor<8xf32> {
  // PASS: bfn.generate {{.*}} network @gen_network_0_0()
  %x = bfn.generate %g steps %n, #bfn.schedule<paper_cts> rng(%k, %k) network() {
  ^bb0(%m: tensor<8xf32>, %t: f32):
    bfn.yield %m : tensor<8xf32>
  } : !bfn.gauss<8xf32>, index -> tensor<8xf32>
  return %x : tensor<8xf32>
}

// -----

// Successive categorical updates merge into one with the summed
// observations (additivity); a shared intermediate keeps them apart.
// CHECK-LABEL: func.func @merge_updates
// CHECK-SAME: (%[[P:[^:]+]]: !bfn.simplex<8x4xf32, log>, %[[Y1:[^:]+]]: tensor<8x4xf32>, %[[Y2:[^:]+]]: tensor<8x4xf32>, %[[Y3:[^:]+]]: tensor<8x4xf32>)
func.func @merge_updates(%p: !bfn.simplex<8x4xf32, log>, %y1: tensor<8x4xf32>, %y2: tensor<8x4xf32>, %y3: tensor<8x4xf32>) -> (!bfn.simplex<8x4xf32, log>, !bfn.simplex<8x4xf32, log>, !bfn.simplex<8x4xf32, log>) {
  // The association of the sum depends on the rewrite order.
  // CHECK-COUNT-2: arith.addf
  // CHECK: bfn.bayes_update %[[P]], %{{[0-9]+}} : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>
  // CHECK: %[[D:.*]] = bfn.bayes_update %[[P]], %[[Y1]]
  // CHECK: bfn.bayes_update %[[D]], %[[Y2]]
  // CHECK: bfn.bayes_update %[[D]], %[[Y3]]
  %a = bfn.bayes_update %p, %y1 : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>
  %b = bfn.bayes_update %a, %y2 : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>
  %c = bfn.bayes_update %b, %y3 : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>
  // Shared: %d is used twice, so %e and %f stay separate updates of it.
  %d = bfn.bayes_update %p, %y1 : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>
  %e = bfn.bayes_update %d, %y2 : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>
  %f = bfn.bayes_update %d, %y3 : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>
  return %c, %e, %f : !bfn.simplex<8x4xf32, log>, !bfn.simplex<8x4xf32, log>, !bfn.simplex<8x4xf32, log>
}
