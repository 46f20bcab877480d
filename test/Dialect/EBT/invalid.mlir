// RUN: tessera-opt %s -split-input-file -verify-diagnostics

// One case per verifier and parser error of the ebt dialect.

//===----------------------------------------------------------------------===//
// Policies
//===----------------------------------------------------------------------===//

// expected-error @+1 {{noise std sigma must be >= 0 and finite, got -1}}
func.func private @p() attributes {p = #ebt.policy<langevin, sigma = -1.0>}

// -----

// expected-error @+1 {{'temperature' only applies to ULA Langevin}}
func.func private @p() attributes {p = #ebt.policy<sgd, temperature = 1.0>}

// -----

// expected-error @+1 {{'placement' only applies to the langevin policy}}
func.func private @p() attributes {p = #ebt.policy<simplex, placement = ula>}

// -----

// expected-error @+1 {{'sigma' applies to langevin (pre, eval_only) and simplex policies only}}
func.func private @p() attributes {p = #ebt.policy<sgd, sigma = 1.0>}

// -----

// expected-error @+1 {{ULA Langevin needs a positive temperature}}
func.func private @p() attributes {p = #ebt.policy<langevin, placement = ula>}

// -----

// expected-error @+1 {{langevin with sigma = 0 is sgd; give sigma > 0 or use #ebt.policy<sgd>}}
func.func private @p() attributes {p = #ebt.policy<langevin>}

// -----

// expected-error @+1 {{'cyclic' only applies to the coordinate policy}}
func.func private @p() attributes {p = #ebt.policy<sgd, cyclic>}

// -----

// expected-error @+1 {{unknown policy 'adam'; expected sgd, langevin, coordinate or simplex}}
func.func private @p() attributes {p = #ebt.policy<adam>}

// -----

// expected-error @+1 {{unknown placement 'post'; expected pre, eval_only or ula}}
func.func private @p() attributes {p = #ebt.policy<langevin, placement = post, sigma = 1.0>}

// -----

// expected-error @+1 {{unknown policy parameter 'momentum'}}
func.func private @p() attributes {p = #ebt.policy<sgd, momentum = 0.9>}

//===----------------------------------------------------------------------===//
// decode_init
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{result needs a leading candidate dimension K}}
  %y = ebt.decode_init zeros %x : tensor<4xf32> -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{needs at least one candidate}}
  %y = ebt.decode_init zeros %x : tensor<4xf32> -> tensor<0x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{'scale' only applies to noise initialisation}}
  %y = ebt.decode_init zeros %x {scale = 2.0 : f64} : tensor<4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{base initialisation names its proposal function: 'base @f'}}
  %y = ebt.decode_init base %x : tensor<4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{only base initialisation takes a function}}
  %y = ebt.decode_init zeros @g %x : tensor<4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{context initialisation copies x, so x 'tensor<4xf32>' must have the candidate shape [3]}}
  %y = ebt.decode_init context %x : tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{noise initialisation draws noise: give rng(%seed, %offset) or draws(%normals)}}
  %y = ebt.decode_init noise %x : tensor<4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %k: i64) {
  // expected-error @+1 {{zeros initialisation draws no noise; drop rng/draws}}
  %y = ebt.decode_init zeros %x rng(%k, %k) : tensor<4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %e: tensor<4xf32>) {
  // expected-error @+1 {{draws must have shape [2, 4], got [4]}}
  %y = ebt.decode_init noise %x draws(%e : tensor<4xf32>) : tensor<4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{proposal @g does not name a func.func}}
  %y = ebt.decode_init base @g %x : tensor<4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func private @g(tensor<4xf32>) -> tensor<3xf32>
func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{proposal @g must have type '(tensor<4xf32>) -> tensor<4xf32>', got '(tensor<4xf32>) -> tensor<3xf32>'}}
  %y = ebt.decode_init base @g %x : tensor<4xf32> -> tensor<2x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// energy / grad_y
//===----------------------------------------------------------------------===//

// -----

func.func @f(%h: tensor<2x8xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{energy shape [2, 4] must be a proper prefix of the candidate shape [2, 4] (one f32 per token or per sequence)}}
  %e = ebt.energy @E(%h, %y) : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{energy @E does not name a func.func}}
  %e = ebt.energy @E(%h, %y) : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func private @E(tensor<2x4xf32>, tensor<2x8xf32>) -> tensor<2xf32>
func.func @f(%h: tensor<2x8xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{energy @E must take ('tensor<2x8xf32>', 'tensor<2x4xf32>'), got '(tensor<2x4xf32>, tensor<2x8xf32>) -> tensor<2xf32>'}}
  %e = ebt.energy @E(%h, %y) : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func private @E(tensor<2x8xf32>, tensor<2x4xf32>) -> (tensor<2xf32>, tensor<2xf32>)
func.func @f(%h: tensor<2x8xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{energy @E must return one tensor of f32 energies, got 2 results}}
  %e = ebt.energy @E(%h, %y) : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func private @E(tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2xf64>
func.func @f(%h: tensor<2x8xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{energy @E must return a ranked f32 tensor, got 'tensor<2xf64>'}}
  %g = ebt.grad_y @E(%h, %y) : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func private @E(tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<f32>
func.func @f(%h: tensor<2x8xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{result 'tensor<2xf32>' must match the energy's result 'tensor<f32>'}}
  %e = ebt.energy @E(%h, %y) : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{gradient 'tensor<2x4xf16>' must have the type of y, 'tensor<2x4xf32>'}}
  %g = ebt.grad_y @E(%h, %y) : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2x4xf16>
  return
}

//===----------------------------------------------------------------------===//
// inner_step
//===----------------------------------------------------------------------===//

// -----

func.func @f(%y: tensor<4xf32>, %eta: f32) {
  // expected-error @+1 {{cyclic coordinate updates need the step index 'step %t'}}
  %z = ebt.inner_step #ebt.policy<coordinate, cyclic>(%y, %y, %eta) : tensor<4xf32>, f32
  return
}

// -----

func.func @f(%y: tensor<4xf32>, %eta: f32, %t: index) {
  // expected-error @+1 {{only cyclic coordinate updates take a step index}}
  %z = ebt.inner_step #ebt.policy<sgd>(%y, %y, %eta) step %t : tensor<4xf32>, f32
  return
}

// -----

func.func @f(%y: tensor<4xf32>, %eta: f32, %k: i64) {
  // expected-error @+1 {{policy sgd draws no noise; drop rng/draws}}
  %z = ebt.inner_step #ebt.policy<sgd>(%y, %y, %eta) rng(%k, %k) : tensor<4xf32>, f32
  return
}

// -----

func.func @f(%y: tensor<4xf32>, %eta: f32) {
  // expected-error @+1 {{policy langevin draws noise: give rng(%seed, %offset) or draws(%normals)}}
  %z = ebt.inner_step #ebt.policy<langevin, sigma = 1.0>(%y, %y, %eta) : tensor<4xf32>, f32
  return
}

// -----

func.func @f(%y: tensor<4xf32>, %eta: f32, %s: f32) {
  // expected-error @+1 {{policy #ebt.policy<sgd> has no noise std to set with 'sigma'}}
  %z = ebt.inner_step #ebt.policy<sgd>(%y, %y, %eta) sigma %s : tensor<4xf32>, f32
  return
}

// -----

func.func @f(%y: tensor<4xf32>, %eta: f32, %s: f32) {
  // expected-error @+1 {{policy simplex draws noise: give rng(%seed, %offset) or draws(%normals)}}
  %z = ebt.inner_step #ebt.policy<simplex>(%y, %y, %eta) sigma %s : tensor<4xf32>, f32
  return
}

// -----

func.func @f(%y: tensor<2x4xf32>, %eta: tensor<4xf32>) {
  // expected-error @+1 {{step size of shape [4] must be a prefix of [2, 4]}}
  %z = ebt.inner_step #ebt.policy<sgd>(%y, %y, %eta) : tensor<2x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @f(%y: tensor<2x4xf32>, %eta: f32, %e: tensor<4xf32>) {
  // expected-error @+1 {{draws must have shape [2, 4], got [4]}}
  %z = ebt.inner_step #ebt.policy<simplex, sigma = 1.0>(%y, %y, %eta) draws(%e : tensor<4xf32>) : tensor<2x4xf32>, f32
  return
}

//===----------------------------------------------------------------------===//
// argmin / select / self_verify
//===----------------------------------------------------------------------===//

// -----

func.func @f(%e: tensor<f32>) {
  // expected-error @+1 {{energies need a leading candidate dimension K}}
  %m, %i = ebt.argmin %e : tensor<f32> -> tensor<f32>, tensor<index>
  return
}

// -----

func.func @f(%e: tensor<4x2xf32>) {
  // expected-error @+1 {{results must have the block shape [2]}}
  %m, %i = ebt.argmin %e : tensor<4x2xf32> -> tensor<4xf32>, tensor<4xindex>
  return
}

// -----

func.func @f(%c: tensor<4x2x8xf32>, %i: tensor<8xindex>) {
  // expected-error @+1 {{index shape [8] must be a prefix of the candidate shape [2, 8]}}
  %y = ebt.select %c[%i] : tensor<4x2x8xf32>, tensor<8xindex> -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%c: tensor<4x2x8xf32>, %i: tensor<2xindex>) {
  // expected-error @+1 {{result must be 'tensor<2x8xf32>', got 'tensor<4x2x8xf32>'}}
  %y = ebt.select %c[%i] : tensor<4x2x8xf32>, tensor<2xindex> -> tensor<4x2x8xf32>
  return
}

// -----

func.func @f(%e: tensor<3x2xf32>, %c: tensor<4x2x8xf32>) {
  // expected-error @+1 {{energies have [3] candidates, candidates [4]}}
  %y = ebt.self_verify token %e, %c : tensor<3x2xf32>, tensor<4x2x8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%e: tensor<4xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{sequence granularity sums the last energy dimension (tokens); the energies have none}}
  %y = ebt.self_verify sequence %e, %c : tensor<4xf32>, tensor<4x8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%e: tensor<4x8xf32>, %c: tensor<4x2x8xf32>) {
  // expected-error @+1 {{selection blocks [8] must be a prefix of the candidate shape [2, 8]}}
  %y = ebt.self_verify token %e, %c : tensor<4x8xf32>, tensor<4x2x8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%e: tensor<4x2xf32>, %c: tensor<4x2x8xf32>) {
  // expected-error @+1 {{result must be 'tensor<2x8xf32>', got 'tensor<2x8xf16>'}}
  %y = ebt.self_verify token %e, %c : tensor<4x2xf32>, tensor<4x2x8xf32> -> tensor<2x8xf16>
  return
}

//===----------------------------------------------------------------------===//
// infer
//===----------------------------------------------------------------------===//

// -----

func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %T: index, %eta: f32) {
  // expected-error @+1 {{with self-verification the result is one candidate, 'tensor<2x3xf32>', got 'tensor<4x2x3xf32>'}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta verify token : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32) -> (tensor<4x2x3xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %T: index, %eta: f32) {
  // expected-error @+1 {{without self-verification the result holds all candidates, 'tensor<4x2x3xf32>', got 'tensor<2x3xf32>'}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32) -> (tensor<2x3xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %T: index, %eta: f32) {
  // expected-error @+1 {{energies must have the leading candidate dimension of y0}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32) -> (tensor<4x2x3xf32>, tensor<3x2xf32>)
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %T: index, %eta: f32) {
  // expected-error @+1 {{sequence self-verification sums the last energy dimension; the energies have none}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta verify sequence : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32) -> (tensor<2x3xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %eta: f32) {
  %T = arith.constant -1 : index
  // expected-error @+1 {{step count must be >= 0, got -1}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32) -> (tensor<4x2x3xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %eta: f32, %xi: tensor<3x4x2x3xf32>) {
  %T = arith.constant 2 : index
  // expected-error @+1 {{draws must have shape [2, 4, 2, 3], got [3, 4, 2, 3]}}
  %y, %e = ebt.infer #ebt.policy<langevin, sigma = 1.0> @E(%h, %y0) steps %T eta %eta draws(%xi) : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32, tensor<3x4x2x3xf32>) -> (tensor<4x2x3xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func private @E(tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<2xf32>
func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %T: index, %eta: f32, %s: f32, %k: i64) {
  // expected-error @+1 {{policy #ebt.policy<langevin, placement = ula, temperature = 2.500000e-01> has no noise std to set with 'sigma'}}
  %y, %e = ebt.infer #ebt.policy<langevin, placement = ula, temperature = 0.25> @E(%h, %y0) steps %T eta %eta sigma %s rng(%k, %k) : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32, f32, i64, i64) -> (tensor<4x2x3xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func private @E(tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<f32>
func.func @f(%h: tensor<2x8xf32>, %y0: tensor<4x2x3xf32>, %T: index, %eta: f32) {
  // expected-error @+1 {{energies must be 'tensor<4xf32>' (K x the energy's result), got 'tensor<4x2xf32>'}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta : (tensor<2x8xf32>, tensor<4x2x3xf32>, index, f32) -> (tensor<4x2x3xf32>, tensor<4x2xf32>)
  return
}

// -----

// expected-error @+1 {{temperature must be >= 0 and finite, got -1}}
func.func private @p() attributes {p = #ebt.policy<langevin, placement = ula, temperature = -1.0>}

// -----

func.func @f(%y: tensor<4xf32>, %eta: f32, %e: tensor<4xf32>) {
  // expected-error @+1 {{expects one tensor of standard normals, got 2}}
  %z = ebt.inner_step #ebt.policy<simplex, sigma = 1.0>(%y, %y, %eta) draws(%e, %e : tensor<4xf32>, tensor<4xf32>) : tensor<4xf32>, f32
  return
}

// -----

func.func @f(%c: tensor<f32>, %i: tensor<index>) {
  // expected-error @+1 {{candidates need a leading dimension K}}
  %y = ebt.select %c[%i] : tensor<f32>, tensor<index> -> tensor<f32>
  return
}

// -----

func.func @f(%e: tensor<f32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{energies and candidates need a leading candidate dimension K}}
  %y = ebt.self_verify token %e, %c : tensor<f32>, tensor<4x8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @f(%h: tensor<2x8xf32>, %y0: tensor<f32>, %T: index, %eta: f32) {
  // expected-error @+1 {{y0 needs a leading candidate dimension K}}
  %y, %e = ebt.infer #ebt.policy<sgd> @E(%h, %y0) steps %T eta %eta : (tensor<2x8xf32>, tensor<f32>, index, f32) -> (tensor<f32>, tensor<f32>)
  return
}
