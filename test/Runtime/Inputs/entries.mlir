// Entry points the runtime tests invoke: each input and result kind of the
// artifact ABI (tensor and scalar inputs, tensor out-parameters, one and
// several scalar results of different sizes, mixed result order) and bfn
// ops whose results the test recomputes from the formulas.

// Categorical Bayesian update in log space (bfn-math.md §2):
// theta' = softmax(log theta + y).
func.func @update(%logp: tensor<4x3xf32>, %y: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %p = bfn.pack %logp : tensor<4x3xf32> -> !bfn.simplex<4x3xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<4x3xf32, log>, tensor<4x3xf32>
  %r = bfn.simplex_cast %q : !bfn.simplex<4x3xf32, log> to !bfn.simplex<4x3xf32>
  %t = bfn.unpack %r : !bfn.simplex<4x3xf32> -> tensor<4x3xf32>
  return %t : tensor<4x3xf32>
}

// Gaussian update with accuracy 0.5: rho' = rho + a,
// mu' = (rho mu + a y) / rho'. Two tensor results.
func.func @gauss(%m: tensor<8xf32>, %r: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %a = bfn.accuracy_constant 0.5
  %g = bfn.pack %m, %r : tensor<8xf32>, tensor<8xf32> -> !bfn.gauss<8xf32>
  %u = bfn.bayes_update %g, %y, %a : !bfn.gauss<8xf32>, tensor<8xf32>, !bfn.accuracy
  %mu, %rho = bfn.unpack %u : !bfn.gauss<8xf32> -> tensor<8xf32>, tensor<8xf32>
  return %mu, %rho : tensor<8xf32>, tensor<8xf32>
}

// Several scalar results of different sizes: (x[0,0], (i64) x[1,2], x[1,2]).
func.func @stats(%x: tensor<2x3xf32>) -> (f32, i64, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = tensor.extract %x[%c0, %c0] : tensor<2x3xf32>
  %b = tensor.extract %x[%c1, %c2] : tensor<2x3xf32>
  %n = arith.fptosi %b : f32 to i64
  return %a, %n, %b : f32, i64, f32
}

// A scalar result before a tensor result; a scalar input: (2 s, s x).
func.func @mixed(%x: tensor<3xf32>, %s: f32) -> (f32, tensor<3xf32>) {
  %two = arith.constant 2.0 : f32
  %d = arith.mulf %s, %two : f32
  %e = tensor.empty() : tensor<3xf32>
  %f = linalg.fill ins(%s : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  %p = arith.mulf %x, %f : tensor<3xf32>
  return %d, %p : f32, tensor<3xf32>
}
