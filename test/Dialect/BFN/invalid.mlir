// RUN: tessera-opt %s -split-input-file -verify-diagnostics

// One case per verifier and parser error of the bfn dialect.

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// expected-error @+1 {{simplex needs a static class count K >= 2, got 1}}
func.func private @k1(!bfn.simplex<8x1xf32>)

// -----

// expected-error @+1 {{simplex needs a static class count K >= 2, got ?}}
func.func private @kdyn(!bfn.simplex<8x?xf32>)

// -----

// expected-error @+1 {{simplex needs at least the class dimension K}}
func.func private @rank0(!bfn.simplex<f32>)

// -----

// expected-error @+1 {{simplex storage must be f32, f16 or bf16, got 'i32'}}
func.func private @int_simplex(!bfn.simplex<8x4xi32>)

// -----

// expected-error @+1 {{'logits' simplex storage must be f32 (the values are unnormalised and grow with the accuracy), got 'bf16'}}
func.func private @bf16_logits(!bfn.simplex<8x4xbf16, logits>)

// -----

// expected-error @+1 {{expected 'log' or 'logits', got 'logit'}}
func.func private @bad_form(!bfn.simplex<8x4xf32, logit>)

// -----

// expected-error @+1 {{gauss storage must be f32, f16 or bf16, got 'f64'}}
func.func private @f64_gauss(!bfn.gauss<8xf64>)

// -----

// expected-error @+1 {{discretized distribution needs at least 2 bins}}
func.func private @one_bin(!bfn.receiver<discretized<1>, 8xf32>)

// -----

// expected-error @+1 {{samples are fp32 (docs/bfn-math.md section 7), got 'f16'}}
func.func private @f16_sender(!bfn.sender<gaussian, 8xf16>)

// -----

// expected-error @+1 {{categorical distribution needs a static class dimension K >= 2 as its last dimension}}
func.func private @cat_k1(!bfn.sender<categorical, 8x1xf32>)

// -----

// expected-error @+1 {{unknown family 'binary'; expected categorical, gaussian or discretized}}
func.func private @family(!bfn.sender<binary, 8xf32>)

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{unknown schedule 'exponential'}}
func.func private @s() attributes {s = #bfn.schedule<exponential, beta1 = 1.0>}

// -----

// expected-error @+1 {{paper_cts schedule needs 0 < sigma1 < 1, got 1.5}}
func.func private @s() attributes {s = #bfn.schedule<paper_cts, sigma1 = 1.5>}

// -----

// expected-error @+1 {{schedule 'linear' needs 'beta1 = <value>'}}
func.func private @s() attributes {s = #bfn.schedule<linear>}

// -----

// expected-error @+1 {{paper_cts is parameterised by 'sigma1', not 'beta1'}}
func.func private @s() attributes {s = #bfn.schedule<paper_cts, beta1 = 3.0>}

// -----

// expected-error @+1 {{poly schedule needs 'power = <p>'}}
func.func private @s() attributes {s = #bfn.schedule<poly, beta1 = 3.0>}

// -----

// expected-error @+1 {{poly schedule needs power >= 1 (alpha(0) is infinite below 1)}}
func.func private @s() attributes {s = #bfn.schedule<poly, beta1 = 3.0, power = 0.5>}

// -----

// expected-error @+1 {{'power' only applies to the poly schedule}}
func.func private @s() attributes {s = #bfn.schedule<linear, beta1 = 3.0, power = 2.0>}

// -----

// expected-error @+1 {{'sigma1' only applies to the paper_cts schedule}}
func.func private @s() attributes {s = #bfn.schedule<linear, beta1 = 3.0, sigma1 = 0.1>}

// -----

// expected-error @+1 {{schedule needs a positive finite beta1, got -1}}
func.func private @s() attributes {s = #bfn.schedule<cosine, beta1 = -1.0>}

// -----

// expected-error @+1 {{custom schedule needs 'beta = @fn'}}
func.func private @s() attributes {s = #bfn.schedule<custom, beta1 = 1.0>}

// -----

// expected-error @+1 {{only a custom schedule names beta/rate functions}}
func.func private @s() attributes {s = #bfn.schedule<linear, beta1 = 1.0, beta = @b>}

// -----

// expected-error @+1 {{unknown schedule parameter 'gamma'}}
func.func private @s() attributes {s = #bfn.schedule<linear, beta1 = 1.0, gamma = 2.0>}

//===----------------------------------------------------------------------===//
// Accuracies
//===----------------------------------------------------------------------===//

// -----

func.func @f() {
  // expected-error @+1 {{accuracy must be positive and finite, got 0}}
  %a = bfn.accuracy_constant 0.0
  return
}

// -----

func.func @f() {
  %t = arith.constant 1.5 : f32
  // expected-error @+1 {{time t = 1.500000e+00 is outside [0, 1]}}
  %b = bfn.beta #bfn.schedule<linear, beta1 = 1.0>(%t) : f32 -> !bfn.accuracy
  return
}

// -----

func.func @f() {
  %t = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  // expected-error @+1 {{time t = -2.500000e-01 is outside [0, 1]}}
  %b = bfn.beta #bfn.schedule<linear, beta1 = 1.0>(%t) : tensor<2xf32> -> tensor<2x!bfn.accuracy>
  return
}

// -----

func.func @f(%t: tensor<4xf32>) {
  // expected-error @+1 {{result must be '!bfn.accuracy' in a tensor of the operand's shape to match the operand type 'tensor<4xf32>', got '!bfn.accuracy'}}
  %b = bfn.beta #bfn.schedule<linear, beta1 = 1.0>(%t) : tensor<4xf32> -> !bfn.accuracy
  return
}

// -----

func.func @f(%t: f32) {
  // expected-error @+1 {{result type 'tensor<1xf32>' must match the time type 'f32'}}
  %r = bfn.rate #bfn.schedule<linear, beta1 = 1.0>(%t) : f32 -> tensor<1xf32>
  return
}

// -----

func.func @f(%n: index) {
  %i = arith.constant 0 : index
  // expected-error @+1 {{step i = 0 is outside [1, n]}}
  %a = bfn.alpha #bfn.schedule<linear, beta1 = 1.0>(%i of %n) : index, index -> !bfn.accuracy
  return
}

// -----

func.func @f() {
  %i = arith.constant 5 : index
  %n = arith.constant 4 : index
  // expected-error @+1 {{step i = 5 is outside [1, n = 4]}}
  %a = bfn.alpha #bfn.schedule<linear, beta1 = 1.0>(%i of %n) : index, index -> !bfn.accuracy
  return
}

// -----

func.func @f(%i: index) {
  %n = arith.constant 0 : index
  // expected-error @+1 {{step count n = 0 must be >= 1}}
  %a = bfn.alpha #bfn.schedule<linear, beta1 = 1.0>(%i of %n) : index, index -> !bfn.accuracy
  return
}

// -----

func.func @f(%t: f32) {
  // expected-error @+1 {{schedule function @missing does not name a func.func}}
  %b = bfn.beta #bfn.schedule<custom, beta1 = 1.0, beta = @missing>(%t) : f32 -> !bfn.accuracy
  return
}

// -----

func.func private @b(f64) -> f64
func.func @f(%t: f32) {
  // expected-error @+1 {{schedule function @b must have type '(f32) -> f32', got '(f64) -> f64'}}
  %b = bfn.beta #bfn.schedule<custom, beta1 = 1.0, beta = @b>(%t) : f32 -> !bfn.accuracy
  return
}

// -----

func.func @f(%a: !bfn.accuracy) {
  // expected-error @+1 {{result must be 'f32' to match the operand type '!bfn.accuracy', got 'tensor<1xf32>'}}
  %v = bfn.accuracy_value %a : !bfn.accuracy -> tensor<1xf32>
  return
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

// -----

func.func @f(%m: tensor<8xf32>) {
  // expected-error @+1 {{'!bfn.gauss<8xf32>' is stored in 2 tensor(s) (mean, precision), got 1 operand}}
  %g = bfn.pack %m : tensor<8xf32> -> !bfn.gauss<8xf32>
  return
}

// -----

func.func @f(%m: tensor<8x4xf16>) {
  // expected-error @+1 {{operand 'tensor<8x4xf16>' does not match the storage type 'tensor<8x4xf32>' of '!bfn.simplex<8x4xf32>'}}
  %g = bfn.pack %m : tensor<8x4xf16> -> !bfn.simplex<8x4xf32>
  return
}

// -----

func.func @f(%g: !bfn.gauss<8xf32>) {
  // expected-error @+1 {{result 'tensor<4xf32>' does not match the storage type 'tensor<8xf32>' of '!bfn.gauss<8xf32>'}}
  %m, %r = bfn.unpack %g : !bfn.gauss<8xf32> -> tensor<4xf32>, tensor<8xf32>
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x4xf32>) {
  // expected-error @+1 {{cannot change the shape: '!bfn.simplex<8x4xf32>' to '!bfn.simplex<4x4xf32>'}}
  %q = bfn.simplex_cast %p : !bfn.simplex<8x4xf32> to !bfn.simplex<4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %t: f32, %s: i64, %o: i64) {
  // expected-error @+1 {{categorical parameters need integer class labels as data, got 'tensor<8xf32>'}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) rng(%s, %o) : tensor<8xf32>, f32 -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

func.func @f(%x: tensor<8xi32>, %t: f32, %s: i64, %o: i64) {
  // expected-error @+1 {{Gaussian parameters need float data, got 'tensor<8xi32>'}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) rng(%s, %o) : tensor<8xi32>, f32 -> !bfn.gauss<8xf32>
  return
}

// -----

func.func @f(%x: tensor<4xi32>, %t: f32, %s: i64, %o: i64) {
  // expected-error @+1 {{data shape [4] does not match the site shape [8] of '!bfn.simplex<8x4xf32, log>'}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) rng(%s, %o) : tensor<4xi32>, f32 -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

func.func @f(%x: tensor<8xi32>, %t: f32) {
  // expected-error @+1 {{needs random draws: give rng(%seed, %offset) or draws(K standard normals per site)}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) : tensor<8xi32>, f32 -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

func.func @f(%x: tensor<8xi32>, %t: f32, %s: i64, %o: i64, %e: tensor<8x4xf32>) {
  // expected-error @+1 {{takes either rng(%seed, %offset) or draws(...), not both}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) rng(%s, %o) draws(%e : tensor<8x4xf32>) : tensor<8xi32>, f32 -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

func.func @f(%x: tensor<8xi32>, %t: f32, %e: tensor<8xf32>) {
  // expected-error @+1 {{draw #0 must have shape [8, 4] (K standard normals per site), got [8]}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) draws(%e : tensor<8xf32>) : tensor<8xi32>, f32 -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %t: f32, %e: tensor<8xf32>) {
  // expected-error @+1 {{expects 1 draw tensor(s) (one standard normal per site), got 2}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) draws(%e, %e : tensor<8xf32>, tensor<8xf32>) : tensor<8xf32>, f32 -> !bfn.gauss<8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %t: tensor<8xf32>, %s: i64, %o: i64) {
  // expected-error @+1 {{time of shape [8] must be a prefix of the site shape [2, 8]}}
  %p = bfn.paramize %x at #bfn.schedule<linear, beta1 = 1.0>(%t) rng(%s, %o) : tensor<2x8xf32>, tensor<8xf32> -> !bfn.gauss<2x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Output distributions
//===----------------------------------------------------------------------===//

// -----

func.func @f(%l: tensor<8x4xf32>) {
  // expected-error @+1 {{the output distribution is produced in log space; use a 'log' simplex result}}
  %p = bfn.output %l : (tensor<8x4xf32>) -> !bfn.simplex<8x4xf32>
  return
}

// -----

func.func @f(%e: tensor<8xf32>) {
  // expected-error @+1 {{a gaussian output needs the parameters and time: add 'given %theta at #schedule(%t)'}}
  %p = bfn.output %e : (tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @f(%l: tensor<8x4xf32>) {
  // expected-error @+1 {{categorical output takes one tensor of logits, got 2}}
  %p = bfn.output %l, %l : (tensor<8x4xf32>, tensor<8x4xf32>) -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

func.func @f(%l: tensor<8x3xf32>) {
  // expected-error @+1 {{logits of shape [8, 3] do not match '!bfn.simplex<8x4xf32, log>'}}
  %p = bfn.output %l : (tensor<8x3xf32>) -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

func.func @f(%e: tensor<8xf32>, %g: !bfn.gauss<8xf32>, %t: f32) {
  // expected-error @+1 {{discretized output takes (mu_eps, ln_sigma_eps): expected 2 network tensor(s), got 1}}
  %p = bfn.output %e given %g at #bfn.schedule<paper_cts>(%t) : (tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> !bfn.simplex<8x16xf32, log>
  return
}

// -----

func.func @f(%e: tensor<4xf32>, %g: !bfn.gauss<8xf32>, %t: f32) {
  // expected-error @+1 {{network output 'tensor<4xf32>' does not match the site shape [8]}}
  %p = bfn.output %e given %g at #bfn.schedule<paper_cts>(%t) : (tensor<4xf32>, !bfn.gauss<8xf32>, f32) -> tensor<8xf32>
  return
}

// -----

func.func @f(%e: tensor<8xf32>, %g: !bfn.gauss<8xf32>, %t: f32) {
  // expected-error @+1 {{gaussian output x_hat must be 'tensor<8xf32>', got 'tensor<4xf32>'}}
  %p = bfn.output %e given %g at #bfn.schedule<paper_cts>(%t) : (tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> tensor<4xf32>
  return
}

// -----

func.func @f(%e: tensor<8xf32>, %g: !bfn.gauss<8xf32>, %t: f32) {
  // expected-error @+1 {{bin distribution '!bfn.simplex<4x16xf32, log>' does not match the site shape [8]}}
  %p = bfn.output %e, %e given %g at #bfn.schedule<paper_cts>(%t) : (tensor<8xf32>, tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> !bfn.simplex<4x16xf32, log>
  return
}

// -----

func.func @f(%e: tensor<8xf32>, %g: !bfn.gauss<8xf32>, %t: f32) {
  // expected-error @+1 {{t_min must lie in [0, 1), got 1.5}}
  %p = bfn.output %e given %g at #bfn.schedule<paper_cts>(%t) {t_min = 1.5 : f64} : (tensor<8xf32>, !bfn.gauss<8xf32>, f32) -> tensor<8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Sender, receiver, sample, KL, update
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<8xf32>, %a: !bfn.accuracy) {
  // expected-error @+1 {{family/type mismatch: a categorical sender takes integer class labels, got 'tensor<8xf32>'}}
  %s = bfn.sender %x, %a : tensor<8xf32>, !bfn.accuracy -> !bfn.sender<categorical, 8x4xf32>
  return
}

// -----

func.func @f(%x: tensor<8xi32>, %a: !bfn.accuracy) {
  // expected-error @+1 {{family/type mismatch: a gaussian sender takes float data, got 'tensor<8xi32>'}}
  %s = bfn.sender %x, %a : tensor<8xi32>, !bfn.accuracy -> !bfn.sender<gaussian, 8xf32>
  return
}

// -----

func.func @f(%x: tensor<4xi32>, %a: !bfn.accuracy) {
  // expected-error @+1 {{data shape [4] does not match the site shape [8] of '!bfn.sender<categorical, 8x4xf32>'}}
  %s = bfn.sender %x, %a : tensor<4xi32>, !bfn.accuracy -> !bfn.sender<categorical, 8x4xf32>
  return
}

// -----

func.func @f(%x: tensor<8xi32>, %a: tensor<4x!bfn.accuracy>) {
  // expected-error @+1 {{accuracy of shape [4] must be a prefix of the site shape [8]}}
  %s = bfn.sender %x, %a : tensor<8xi32>, tensor<4x!bfn.accuracy> -> !bfn.sender<categorical, 8x4xf32>
  return
}

// -----

func.func @f(%x: tensor<8x4xf32>, %a: !bfn.accuracy) {
  // expected-error @+1 {{family/type mismatch: a categorical receiver takes a simplex of shape [8, 4], got 'tensor<8x4xf32>'}}
  %r = bfn.receiver %x, %a : tensor<8x4xf32>, !bfn.accuracy -> !bfn.receiver<categorical, 8x4xf32>
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x8xf32, log>, %a: !bfn.accuracy) {
  // expected-error @+1 {{family/type mismatch: a discretized<16> receiver takes a simplex over the bins of shape [8, 16], got '!bfn.simplex<8x8xf32, log>'}}
  %r = bfn.receiver %p, %a : !bfn.simplex<8x8xf32, log>, !bfn.accuracy -> !bfn.receiver<discretized<16>, 8xf32>
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x8xf32, log>, %a: !bfn.accuracy) {
  // expected-error @+1 {{family/type mismatch: a gaussian receiver takes x_hat as 'tensor<8xf32>', got '!bfn.simplex<8x8xf32, log>'}}
  %r = bfn.receiver %p, %a : !bfn.simplex<8x8xf32, log>, !bfn.accuracy -> !bfn.receiver<gaussian, 8xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<categorical, 8x4xf32>, %k: i64) {
  // expected-error @+1 {{sample must be 'tensor<8x4xf32>', got 'tensor<8xf32>'}}
  %y = bfn.sample %s rng(%k, %k) : !bfn.sender<categorical, 8x4xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%r: !bfn.receiver<categorical, 8x4xf32>, %e: tensor<8x4xf32>) {
  // expected-error @+1 {{expects 2 draw tensor(s) (one uniform per site, then K standard normals per site), got 1}}
  %y = bfn.sample %r draws(%e : tensor<8x4xf32>) : !bfn.receiver<categorical, 8x4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<gaussian, 8xf32>, %r: !bfn.receiver<discretized<16>, 8xf32>) {
  // expected-error @+1 {{family mismatch: sender '!bfn.sender<gaussian, 8xf32>' and receiver '!bfn.receiver<discretized<16>, 8xf32>'}}
  %kl = bfn.kl %s, %r : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<discretized<16>, 8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<gaussian, 8xf32>, %r: !bfn.receiver<gaussian, 4xf32>) {
  // expected-error @+1 {{shape mismatch: sender '!bfn.sender<gaussian, 8xf32>' and receiver '!bfn.receiver<gaussian, 4xf32>'}}
  %kl = bfn.kl %s, %r : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 4xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<gaussian, 8xf32>, %r: !bfn.receiver<gaussian, 8xf32>, %y: tensor<8xf32>) {
  // expected-error @+1 {{the gaussian KL is exact, (alpha/2)(x - x_hat)^2; drop the sample}}
  %kl = bfn.kl %s, %r at %y : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 8xf32>, tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<categorical, 8x4xf32>, %r: !bfn.receiver<categorical, 8x4xf32>) {
  // expected-error @+1 {{the categorical KL is a one-sample estimate: give the sender sample 'at %y'}}
  %kl = bfn.kl %s, %r : !bfn.sender<categorical, 8x4xf32>, !bfn.receiver<categorical, 8x4xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<categorical, 8x4xf32>, %r: !bfn.receiver<categorical, 8x4xf32>, %y: tensor<8xf32>) {
  // expected-error @+1 {{sample 'tensor<8xf32>' must have the sender's sample shape [8, 4]}}
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 8x4xf32>, !bfn.receiver<categorical, 8x4xf32>, tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<gaussian, 8xf32>, %r: !bfn.receiver<gaussian, 8xf32>) {
  // expected-error @+1 {{'receiver_form' only applies to the categorical family}}
  %kl = bfn.kl %s, %r {receiver_form = #bfn.receiver_form<factorized>} : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%s: !bfn.sender<gaussian, 8xf32>, %r: !bfn.receiver<gaussian, 8xf32>) {
  // expected-error @+1 {{result must have the site shape [8], got 'tensor<4xf32>'}}
  %kl = bfn.kl %s, %r : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x4xf32, log>, %y: tensor<8x4xf32>, %a: !bfn.accuracy) {
  // expected-error @+1 {{the categorical update takes its accuracy through y; drop the accuracy operand}}
  %q = bfn.bayes_update %p, %y, %a : !bfn.simplex<8x4xf32, log>, tensor<8x4xf32>, !bfn.accuracy
  return
}

// -----

func.func @f(%g: !bfn.gauss<8xf32>, %y: tensor<8xf32>) {
  // expected-error @+1 {{the Gaussian update needs the accuracy alpha}}
  %q = bfn.bayes_update %g, %y : !bfn.gauss<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x4xf32, log>, %y: tensor<8xf32>) {
  // expected-error @+1 {{y of shape [8] must match '!bfn.simplex<8x4xf32, log>'}}
  %q = bfn.bayes_update %p, %y : !bfn.simplex<8x4xf32, log>, tensor<8xf32>
  return
}

// -----

func.func @f(%g: !bfn.gauss<8xf32>, %y: tensor<4xf32>, %a: !bfn.accuracy) {
  // expected-error @+1 {{y of shape [4] must match the site shape [8]}}
  %q = bfn.bayes_update %g, %y, %a : !bfn.gauss<8xf32>, tensor<4xf32>, !bfn.accuracy
  return
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

// -----

func.func @f(%s: !bfn.sender<gaussian, 8xf32>, %r: !bfn.receiver<gaussian, 8xf32>) {
  %n = arith.constant 0 : index
  // expected-error @+1 {{step count n = 0 must be >= 1}}
  %l = bfn.discrete_loss %s, %r, %n : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 8xf32>, index -> f32
  return
}

// -----

func.func @f(%s: !bfn.sender<gaussian, 8xf32>, %r: !bfn.receiver<gaussian, 8xf32>, %n: index) {
  // expected-error @+1 {{with reduction 'none' the loss must be 'tensor<8xf32>', got 'f32'}}
  %l = bfn.discrete_loss %s, %r, %n {reduction = #bfn.reduction<none>} : !bfn.sender<gaussian, 8xf32>, !bfn.receiver<gaussian, 8xf32>, index -> f32
  return
}

// -----

func.func @f(%x: tensor<8xi32>, %o: tensor<8xf32>, %t: f32) {
  // expected-error @+1 {{family/type mismatch: integer labels need a categorical output (a simplex), got 'tensor<8xf32>'}}
  %l = bfn.continuous_loss %x, %o at #bfn.schedule<linear, beta1 = 1.0>(%t) : tensor<8xi32>, tensor<8xf32>, f32 -> f32
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %o: !bfn.simplex<8x16xf32, log>, %t: f32) {
  // expected-error @+1 {{data shape [4] does not match the site shape [8] of the output}}
  %l = bfn.continuous_loss %x, %o at #bfn.schedule<linear, beta1 = 1.0>(%t) : tensor<4xf32>, !bfn.simplex<8x16xf32, log>, f32 -> f32
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %o: tensor<8xf32>) {
  // expected-error @+1 {{a gaussian output is a point mass with no finite likelihood; build a discretized output (a simplex over bins) for the reconstruction loss}}
  %l = bfn.reconstruction_loss %x, %o : tensor<8xf32>, tensor<8xf32> -> f32
  return
}

//===----------------------------------------------------------------------===//
// Network-carrying ops
//===----------------------------------------------------------------------===//

// -----

func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{needs a network: 'network @f(...)' or an inline region}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network() : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8x2xf32>, f32) -> tensor<8x2xf32>
func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{has both a network symbol and an inline network region}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network @net() {
  ^bb0(%a: tensor<8x2xf32>, %t: f32):
    bfn.yield %a : tensor<8x2xf32>
  } : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8x2xf32>, f32) -> tensor<8x2xf32>
func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{'bins' selects the discretized family and applies to Gaussian parameters only}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> bins 16 rng(%k, %k) network @net() : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{network region arguments must be ('tensor<8x2xf32>', 'f32'): the parameter view, t and the extra network operands}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network() {
  ^bb0(%a: tensor<8x2xf32>):
    bfn.yield %a : tensor<8x2xf32>
  } : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func @f(%g: !bfn.gauss<8xf32>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{network region must return 2 tensor(s) (mu_eps, ln_sigma_eps), got 1}}
  %q = bfn.flow_step %g step %i of %n, #bfn.schedule<paper_cts> bins 16 rng(%k, %k) network() {
  ^bb0(%m: tensor<8xf32>, %t: f32):
    bfn.yield %m : tensor<8xf32>
  } : !bfn.gauss<8xf32>, index, index
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{network @missing does not name a func.func}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network @missing() : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8x2xf32>) -> tensor<8x2xf32>
func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{network @net must take ('tensor<8x2xf32>', 'f32'), got '(tensor<8x2xf32>) -> tensor<8x2xf32>'}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network @net() : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8x2xf32>, f32) -> tensor<8x3xf32>
func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{network result 'tensor<8x3xf32>' must be a float tensor of shape [8, 2] (logits)}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network @net() : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8x2xf32>, f32) -> tensor<8x2xf32>
func.func @f(%p: !bfn.simplex<8x2xf32, log>, %n: index, %k: i64) {
  %i = arith.constant 5 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{step i = 5 is outside [1, n = 4]}}
  %q = bfn.flow_step %p step %i of %c4, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network @net() : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8x2xf32>, f32) -> tensor<8x2xf32>
func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %e: tensor<8x2xf32>) {
  // expected-error @+1 {{expects 2 draw tensor(s) (one uniform per site for the class, then K standard normals), got 1}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> draws(%e : tensor<8x2xf32>) network @net() : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8x2xf32>, f32) -> tensor<8x2xf32>
func.func @f(%p: !bfn.simplex<8x2xf32, log>, %n: index, %k: i64) {
  // expected-error @+1 {{categorical sampling returns integer class labels, got 'tensor<8xf32>'}}
  %x = bfn.generate %p steps %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network @net() : !bfn.simplex<8x2xf32, log>, index -> tensor<8xf32>
  return
}

// -----

func.func private @net(tensor<8xf32>, f32) -> tensor<8xf32>
func.func @f(%g: !bfn.gauss<8xf32>, %n: index, %k: i64) {
  // expected-error @+1 {{final = sample does not apply to continuous data: the output is the point x_hat}}
  %x = bfn.generate %g steps %n, #bfn.schedule<paper_cts> rng(%k, %k) network @net() attributes {final = #bfn.final<sample>} : !bfn.gauss<8xf32>, index -> tensor<8xf32>
  return
}

// -----

func.func private @net(tensor<8xf32>, f32) -> tensor<8xf32>
func.func @f(%g: !bfn.gauss<8xf32>, %e: tensor<3x8xf32>) {
  %n = arith.constant 4 : index
  // expected-error @+1 {{draw #0 must have shape [4, 8] (one standard normal per site, stacked over the n steps), got [3, 8]}}
  %x = bfn.generate %g steps %n, #bfn.schedule<paper_cts> draws(%e : tensor<3x8xf32>) network @net() : !bfn.gauss<8xf32>, index -> tensor<8xf32>
  return
}

// -----

func.func @f(%l: tensor<8xf32>) {
  // expected-error @+1 {{expects parent op to be one of 'bfn.flow_step, bfn.generate'}}
  bfn.yield %l : tensor<8xf32>
}

// -----

// Reachable only in generic form: time without parameters.
func.func @f(%l: tensor<8x4xf32>, %t: f32) {
  // expected-error @+1 {{time and schedule come with the parameters (given %theta at #schedule(%t))}}
  %p = "bfn.output"(%l, %t) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<8x4xf32>, f32) -> !bfn.simplex<8x4xf32, log>
  return
}

// -----

// Reachable only in generic form: parameters without time.
func.func @f(%e: tensor<8xf32>, %g: !bfn.gauss<8xf32>) {
  // expected-error @+1 {{Gaussian-family outputs need the time and the schedule with the parameters}}
  %p = "bfn.output"(%e, %g) <{operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<8xf32>, !bfn.gauss<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @f(%p: !bfn.simplex<8x2xf32, log>, %i: index, %n: index, %k: i64) {
  // expected-error @+1 {{network region must end in bfn.yield}}
  %q = bfn.flow_step %p step %i of %n, #bfn.schedule<linear, beta1 = 1.0> rng(%k, %k) network() {
  ^bb0(%a: tensor<8x2xf32>, %t: f32):
    llvm.unreachable
  } : !bfn.simplex<8x2xf32, log>, index, index
  return
}

// -----

func.func private @net(tensor<8xf32>, f32) -> tensor<8xf32>
func.func @f(%g: !bfn.gauss<8xf32>, %n: index, %k: i64) {
  // expected-error @+1 {{gaussian sampling returns float data, got 'tensor<8xi32>'}}
  %x = bfn.generate %g steps %n, #bfn.schedule<paper_cts> rng(%k, %k) network @net() : !bfn.gauss<8xf32>, index -> tensor<8xi32>
  return
}

// -----

func.func private @net(tensor<8xf32>, f32) -> tensor<8xf32>
func.func @f(%g: !bfn.gauss<8xf32>, %n: index, %k: i64) {
  // expected-error @+1 {{samples must have the site shape [8], got 'tensor<4xf32>'}}
  %x = bfn.generate %g steps %n, #bfn.schedule<paper_cts> rng(%k, %k) network @net() : !bfn.gauss<8xf32>, index -> tensor<4xf32>
  return
}
