// RUN: tessera-opt %s | tessera-opt | FileCheck %s
// RUN: tessera-opt %s --mlir-print-op-generic | tessera-opt | FileCheck %s
// RUN: tessera-opt %s --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOCAL

// Round trip of every bfn type, attribute and op.

// CHECK-DAG: #schedule{{[0-9]*}} = #bfn.schedule<paper_cts, sigma1 = 1.000000e-03>
// CHECK-DAG: #schedule{{[0-9]*}} = #bfn.schedule<cosine, beta1 = 4.000000e+00>
// CHECK-DAG: #schedule{{[0-9]*}} = #bfn.schedule<poly, beta1 = 4.000000e+00, power = 3.000000e+00>
// `sqrt_beta1 = 3.0` is the reference code's spelling of beta1 = 9.
// CHECK-DAG: #schedule{{[0-9]*}} = #bfn.schedule<paper_discrete, beta1 = 9.000000e+00>
// CHECK-DAG: #schedule{{[0-9]*}} = #bfn.schedule<custom, beta1 = 2.000000e+00, beta = @beta_fn>
// CHECK-DAG: #schedule{{[0-9]*}} = #bfn.schedule<paper_discrete, beta1 = 5.625000e-01>
// LOCAL: bfn.beta #bfn.schedule<paper_cts, sigma1 = 1.000000e-03>(%{{.*}}) : f32 -> !bfn.accuracy

// CHECK-LABEL: func.func private @net
func.func private @net(tensor<8x2xf32>, f32, tensor<2x2xf32>) -> tensor<8x2xf32>
// CHECK-LABEL: func.func private @beta_fn
func.func private @beta_fn(f32) -> f32

// CHECK-LABEL: func.func @types(%{{.*}}: !bfn.simplex<8x27xf32>, %{{.*}}: !bfn.simplex<4x?x256xbf16, log>, %{{.*}}: !bfn.gauss<16xf32>, %{{.*}}: !bfn.accuracy, %{{.*}}: tensor<4x!bfn.accuracy>, %{{.*}}: !bfn.sender<categorical, 8x27xf32>, %{{.*}}: !bfn.receiver<discretized<16>, 8xf32>, %{{.*}}: !bfn.sender<gaussian, 8xf32>)
// CHECK: return
func.func @types(%a: !bfn.simplex<8x27xf32>, %b: !bfn.simplex<4x?x256xbf16, log>,
                 %g: !bfn.gauss<16xf32>, %acc: !bfn.accuracy, %ta: tensor<4x!bfn.accuracy>,
                 %s: !bfn.sender<categorical, 8x27xf32>, %r: !bfn.receiver<discretized<16>, 8xf32>,
                 %sg: !bfn.sender<gaussian, 8xf32>) {
  return
}

// CHECK-LABEL: func.func @logits
// CHECK-SAME: (%{{.*}}: !bfn.simplex<8x27xf32, logits>, %{{.*}}: tensor<8x27xf32>) -> !bfn.simplex<8x27xf32, logits>
// CHECK: bfn.bayes_update %{{.*}}, %{{.*}} : !bfn.simplex<8x27xf32, logits>, tensor<8x27xf32>
// CHECK: bfn.simplex_cast %{{.*}} : !bfn.simplex<8x27xf32, logits> to !bfn.simplex<8x27xf32, log>
func.func @logits(%p: !bfn.simplex<8x27xf32, logits>, %y: tensor<8x27xf32>) -> !bfn.simplex<8x27xf32, logits> {
  %u = bfn.bayes_update %p, %y : !bfn.simplex<8x27xf32, logits>, tensor<8x27xf32>
  %l = bfn.simplex_cast %u : !bfn.simplex<8x27xf32, logits> to !bfn.simplex<8x27xf32, log>
  return %u : !bfn.simplex<8x27xf32, logits>
}

// CHECK-LABEL: func.func @schedules
// CHECK: %{{.*}} = bfn.beta #schedule{{[0-9]*}}(%{{.*}}) : f32 -> !bfn.accuracy
// CHECK: %{{.*}} = bfn.beta #schedule{{[0-9]*}}(%{{.*}}) : tensor<4xf32> -> tensor<4x!bfn.accuracy>
// CHECK: %{{.*}} = bfn.rate #schedule{{[0-9]*}}(%{{.*}}) : f32 -> f32
// CHECK: %{{.*}} = bfn.alpha #schedule{{[0-9]*}}(%{{.*}} of %{{.*}}) : index, index -> !bfn.accuracy
// CHECK: %{{.*}} = bfn.accuracy_constant 5.000000e-01
// CHECK: %{{.*}} = bfn.accuracy_add %{{.*}}, %{{.*}} : !bfn.accuracy
// CHECK: %{{.*}} = bfn.accuracy_value %{{.*}} : !bfn.accuracy -> f32
// CHECK: %{{.*}} = bfn.beta #schedule{{[0-9]*}}(%{{.*}}) : f32 -> !bfn.accuracy
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : !bfn.accuracy, tensor<4x!bfn.accuracy>, f32, !bfn.accuracy, f32
func.func @schedules(%t: f32, %tb: tensor<4xf32>, %i: index, %n: index) -> (!bfn.accuracy, tensor<4x!bfn.accuracy>, f32, !bfn.accuracy, f32) {
  %b = bfn.beta #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : f32 -> !bfn.accuracy
  %bb = bfn.beta #bfn.schedule<cosine, beta1 = 4.0>(%tb) : tensor<4xf32> -> tensor<4x!bfn.accuracy>
  %r = bfn.rate #bfn.schedule<poly, beta1 = 4.0, power = 3.0>(%t) : f32 -> f32
  %a = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 3.0>(%i of %n) : index, index -> !bfn.accuracy
  %c = bfn.accuracy_constant 0.5
  %s = bfn.accuracy_add %a, %c : !bfn.accuracy
  %v = bfn.accuracy_value %s : !bfn.accuracy -> f32
  %cu = bfn.beta #bfn.schedule<custom, beta1 = 2.0, beta = @beta_fn>(%t) : f32 -> !bfn.accuracy
  return %b, %bb, %r, %cu, %v : !bfn.accuracy, tensor<4x!bfn.accuracy>, f32, !bfn.accuracy, f32
}

// CHECK-LABEL: func.func @categorical
// CHECK: %{{.*}} = bfn.paramize %{{.*}} at #schedule{{[0-9]*}}(%{{.*}}) rng(%{{.*}}, %{{.*}}) : tensor<8xi32>, f32 -> !bfn.simplex<8x27xf32, log>
// CHECK: %{{.*}} = bfn.paramize %{{.*}} at #schedule{{[0-9]*}}(%{{.*}}) draws(%{{.*}} : tensor<8x27xf32>) : tensor<8xi32>, f32 -> !bfn.simplex<8x27xf32, log>
// CHECK: %{{.*}} = bfn.output %{{.*}} : (tensor<8x27xf32>) -> !bfn.simplex<8x27xf32, log>
// CHECK: %{{.*}} = bfn.sender %{{.*}}, %{{.*}} : tensor<8xi32>, !bfn.accuracy -> !bfn.sender<categorical, 8x27xf32>
// CHECK: %{{.*}} = bfn.receiver %{{.*}}, %{{.*}} : !bfn.simplex<8x27xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 8x27xf32>
// CHECK: %{{.*}} = bfn.sample %{{.*}} rng(%{{.*}}, %{{.*}}) : !bfn.sender<categorical, 8x27xf32> -> tensor<8x27xf32>
// CHECK: %{{.*}} = bfn.kl %{{.*}}, %{{.*}} at %{{.*}} : !bfn.sender<categorical, 8x27xf32>, !bfn.receiver<categorical, 8x27xf32>, tensor<8x27xf32> -> tensor<8xf32>
// CHECK: %{{.*}} = bfn.discrete_loss %{{.*}}, %{{.*}}, %{{.*}} at %{{.*}} {receiver_form = #bfn.receiver_form<factorized>, reduction = #bfn.reduction<mean>} : !bfn.sender<categorical, 8x27xf32>, !bfn.receiver<categorical, 8x27xf32>, index, tensor<8x27xf32> -> f32
// CHECK: %{{.*}} = bfn.continuous_loss %{{.*}}, %{{.*}} at #schedule{{[0-9]*}}(%{{.*}}) : tensor<8xi32>, !bfn.simplex<8x27xf32, log>, f32 -> f32
// CHECK: %{{.*}} = bfn.reconstruction_loss %{{.*}}, %{{.*}} : tensor<8xi32>, !bfn.simplex<8x27xf32, log> -> f32
// CHECK: %{{.*}} = bfn.bayes_update %{{.*}}, %{{.*}} : !bfn.simplex<8x27xf32, log>, tensor<8x27xf32>
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, f32, f32, f32, !bfn.simplex<8x27xf32, log>
func.func @categorical(%x: tensor<8xi32>, %t: f32, %seed: i64, %off: i64, %logits: tensor<8x27xf32>,
                       %alpha: !bfn.accuracy, %eps: tensor<8x27xf32>, %n: index) -> (tensor<8xf32>, f32, f32, f32, !bfn.simplex<8x27xf32, log>) {
  %theta = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) rng(%seed, %off) : tensor<8xi32>, f32 -> !bfn.simplex<8x27xf32, log>
  %theta2 = bfn.paramize %x at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) draws(%eps : tensor<8x27xf32>) : tensor<8xi32>, f32 -> !bfn.simplex<8x27xf32, log>
  %logp = bfn.output %logits : (tensor<8x27xf32>) -> !bfn.simplex<8x27xf32, log>
  %s = bfn.sender %x, %alpha : tensor<8xi32>, !bfn.accuracy -> !bfn.sender<categorical, 8x27xf32>
  %r = bfn.receiver %logp, %alpha : !bfn.simplex<8x27xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 8x27xf32>
  %y = bfn.sample %s rng(%seed, %off) : !bfn.sender<categorical, 8x27xf32> -> tensor<8x27xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 8x27xf32>, !bfn.receiver<categorical, 8x27xf32>, tensor<8x27xf32> -> tensor<8xf32>
  %ln = bfn.discrete_loss %s, %r, %n at %y {receiver_form = #bfn.receiver_form<factorized>, reduction = #bfn.reduction<mean>} : !bfn.sender<categorical, 8x27xf32>, !bfn.receiver<categorical, 8x27xf32>, index, tensor<8x27xf32> -> f32
  %lc = bfn.continuous_loss %x, %logp at #bfn.schedule<paper_discrete, beta1 = 0.5625>(%t) : tensor<8xi32>, !bfn.simplex<8x27xf32, log>, f32 -> f32
  %lr = bfn.reconstruction_loss %x, %logp : tensor<8xi32>, !bfn.simplex<8x27xf32, log> -> f32
  %upd = bfn.bayes_update %theta, %y : !bfn.simplex<8x27xf32, log>, tensor<8x27xf32>
  return %kl, %ln, %lc, %lr, %upd : tensor<8xf32>, f32, f32, f32, !bfn.simplex<8x27xf32, log>
}

// CHECK-LABEL: func.func @gaussian
// CHECK: %{{.*}} = bfn.paramize %{{.*}} at #schedule{{[0-9]*}}(%{{.*}}) rng(%{{.*}}, %{{.*}}) : tensor<8xf32>, f32 -> !bfn.gauss<8xf32>
// CHECK: %{{.*}} = bfn.output %{{.*}} given %{{.*}} at #schedule{{[0-9]*}}(%{{.*}}) {t_min = 1.000000e-10 : f64} : (tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> tensor<8xf32>
// CHECK: %{{.*}} = bfn.output %{{.*}} given %{{.*}} at #schedule{{[0-9]*}}(%{{.*}}) {convention = #bfn.convention<reference>} : (tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> tensor<8xf32>
// CHECK: %{{.*}} = bfn.sender %{{.*}}, %{{.*}} : tensor<8xf32>, !bfn.accuracy -> !bfn.sender<gaussian, 8xf32>
// CHECK: %{{.*}} = bfn.receiver %{{.*}}, %{{.*}} : tensor<8xf32>, !bfn.accuracy -> !bfn.receiver<gaussian, 8xf32>
// CHECK: %{{.*}} = bfn.kl %{{.*}}, %{{.*}} : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 8xf32> -> tensor<8xf32>
// CHECK: %{{.*}} = bfn.sample %{{.*}} draws(%{{.*}} : tensor<8xf32>) : !bfn.receiver<gaussian, 8xf32> -> tensor<8xf32>
// CHECK: %{{.*}} = bfn.bayes_update %{{.*}}, %{{.*}}, %{{.*}} : !bfn.gauss<8xf32>, tensor<8xf32>, !bfn.accuracy
// CHECK: %{{.*}}:2 = bfn.unpack %{{.*}} : !bfn.gauss<8xf32> -> tensor<8xf32>, tensor<8xf32>
// CHECK: %{{.*}} = bfn.pack %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32> -> !bfn.gauss<8xf32>
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>
func.func @gaussian(%x: tensor<8xf32>, %t: f32, %seed: i64, %off: i64, %eps: tensor<8xf32>, %alpha: !bfn.accuracy) -> (tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>) {
  %theta = bfn.paramize %x at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) rng(%seed, %off) : tensor<8xf32>, f32 -> !bfn.gauss<8xf32>
  %xhat = bfn.output %eps given %theta at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) {t_min = 1.0e-10 : f64} : (tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> tensor<8xf32>
  %xref = bfn.output %eps given %theta at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) {convention = #bfn.convention<reference>} : (tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> tensor<8xf32>
  %s = bfn.sender %x, %alpha : tensor<8xf32>, !bfn.accuracy -> !bfn.sender<gaussian, 8xf32>
  %r = bfn.receiver %xhat, %alpha : tensor<8xf32>, !bfn.accuracy -> !bfn.receiver<gaussian, 8xf32>
  %kl = bfn.kl %s, %r : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 8xf32> -> tensor<8xf32>
  %y = bfn.sample %r draws(%eps : tensor<8xf32>) : !bfn.receiver<gaussian, 8xf32> -> tensor<8xf32>
  %upd = bfn.bayes_update %theta, %y, %alpha : !bfn.gauss<8xf32>, tensor<8xf32>, !bfn.accuracy
  %mu, %rho = bfn.unpack %upd : !bfn.gauss<8xf32> -> tensor<8xf32>, tensor<8xf32>
  %p = bfn.pack %mu, %rho : tensor<8xf32>, tensor<8xf32> -> !bfn.gauss<8xf32>
  return %kl, %y, %p : tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>
}

// CHECK-LABEL: func.func @discretized
// CHECK: %{{.*}} = bfn.output %{{.*}}, %{{.*}} given %{{.*}} at #schedule{{[0-9]*}}(%{{.*}}) : (tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> !bfn.simplex<8x16xf32, log>
// CHECK: %{{.*}} = bfn.sender %{{.*}}, %{{.*}} : tensor<8xf32>, !bfn.accuracy -> !bfn.sender<discretized<16>, 8xf32>
// CHECK: %{{.*}} = bfn.receiver %{{.*}}, %{{.*}} : !bfn.simplex<8x16xf32, log>, !bfn.accuracy -> !bfn.receiver<discretized<16>, 8xf32>
// CHECK: %{{.*}} = bfn.sample %{{.*}} rng(%{{.*}}, %{{.*}}) : !bfn.receiver<discretized<16>, 8xf32> -> tensor<8xf32>
// CHECK: %{{.*}} = bfn.kl %{{.*}}, %{{.*}} at %{{.*}} : !bfn.sender<discretized<16>, 8xf32>, !bfn.receiver<discretized<16>, 8xf32>, tensor<8xf32> -> tensor<8xf32>
// CHECK: %{{.*}} = bfn.reconstruction_loss %{{.*}}, %{{.*}} : tensor<8xf32>, !bfn.simplex<8x16xf32, log> -> f32
// CHECK: return %{{.*}}, %{{.*}} : tensor<8xf32>, f32
func.func @discretized(%x: tensor<8xf32>, %t: f32, %mu_eps: tensor<8xf32>, %ls: tensor<8xf32>, %alpha: !bfn.accuracy, %theta: !bfn.gauss<8xf32>, %y: tensor<8xf32>, %seed: i64, %off: i64) -> (tensor<8xf32>, f32) {
  %logp = bfn.output %mu_eps, %ls given %theta at #bfn.schedule<paper_cts, sigma1 = 1.0e-3>(%t) : (tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> !bfn.simplex<8x16xf32, log>
  %s = bfn.sender %x, %alpha : tensor<8xf32>, !bfn.accuracy -> !bfn.sender<discretized<16>, 8xf32>
  %r = bfn.receiver %logp, %alpha : !bfn.simplex<8x16xf32, log>, !bfn.accuracy -> !bfn.receiver<discretized<16>, 8xf32>
  %yr = bfn.sample %r rng(%seed, %off) : !bfn.receiver<discretized<16>, 8xf32> -> tensor<8xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<discretized<16>, 8xf32>, !bfn.receiver<discretized<16>, 8xf32>, tensor<8xf32> -> tensor<8xf32>
  %l = bfn.reconstruction_loss %x, %logp {reduction = #bfn.reduction<sum>} : tensor<8xf32>, !bfn.simplex<8x16xf32, log> -> f32
  return %kl, %l : tensor<8xf32>, f32
}

// CHECK-LABEL: func.func @steps
// CHECK: %{{.*}} = bfn.flow_step %{{.*}} step %{{.*}} of %{{.*}}, #schedule{{[0-9]*}} rng(%{{.*}}, %{{.*}}) network @net(%{{.*}}) : !bfn.simplex<8x2xf32, log>, index, index, tensor<2x2xf32>
// CHECK: %{{.*}} = bfn.flow_step %{{.*}} step %{{.*}} of %{{.*}}, #schedule{{[0-9]*}} rng(%{{.*}}, %{{.*}}) network(%{{.*}}) {
// CHECK: %{{.*}} = tensor.empty() : tensor<8x2xf32>
// CHECK: %{{.*}} = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<8x2xf32>) -> tensor<8x2xf32>
// CHECK: bfn.yield %{{.*}} : tensor<8x2xf32>
// CHECK: } : !bfn.simplex<8x2xf32, log>, index, index, tensor<2x2xf32>
// CHECK: %{{.*}} = bfn.prior : !bfn.simplex<8x2xf32, log>
// CHECK: %{{.*}} = bfn.generate %{{.*}} steps %{{.*}}, #schedule{{[0-9]*}} rng(%{{.*}}, %{{.*}}) network @net(%{{.*}}) attributes {final = #bfn.final<sample>} : !bfn.simplex<8x2xf32, log>, index, tensor<2x2xf32> -> tensor<8xi32>
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : !bfn.simplex<8x2xf32, log>, !bfn.simplex<8x2xf32, log>, tensor<8xi32>
func.func @steps(%theta: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %seed: i64, %off: i64, %w: tensor<2x2xf32>) -> (!bfn.simplex<8x2xf32, log>, !bfn.simplex<8x2xf32, log>, tensor<8xi32>) {
  %a = bfn.flow_step %theta step %i of %n, #bfn.schedule<paper_discrete, beta1 = 9.0> rng(%seed, %off) network @net(%w) : !bfn.simplex<8x2xf32, log>, index, index, tensor<2x2xf32>
  %b = bfn.flow_step %a step %i of %n, #bfn.schedule<paper_discrete, beta1 = 9.0> rng(%seed, %off) network(%w) {
  ^bb0(%p: tensor<8x2xf32>, %t: f32, %ww: tensor<2x2xf32>):
    %e = tensor.empty() : tensor<8x2xf32>
    %l = linalg.matmul ins(%p, %ww : tensor<8x2xf32>, tensor<2x2xf32>) outs(%e : tensor<8x2xf32>) -> tensor<8x2xf32>
    bfn.yield %l : tensor<8x2xf32>
  } : !bfn.simplex<8x2xf32, log>, index, index, tensor<2x2xf32>
  %prior = bfn.prior : !bfn.simplex<8x2xf32, log>
  %x = bfn.generate %prior steps %n, #bfn.schedule<paper_discrete, beta1 = 9.0> rng(%seed, %off) network @net(%w) attributes {final = #bfn.final<sample>} : !bfn.simplex<8x2xf32, log>, index, tensor<2x2xf32> -> tensor<8xi32>
  return %a, %b, %x : !bfn.simplex<8x2xf32, log>, !bfn.simplex<8x2xf32, log>, tensor<8xi32>
}
