// One training step of a categorical BFN on text8-like data (K = 27): the
// discrete-time loss L^n at step i = 3 of n = 10 (Bayesian-flow sample at
// t_{i-1}, network, receiver and sender at alpha_i, KL(sender || receiver)
// fused into one pass over the alphabet) and the continuous-time loss L^inf
// at the same t, with the reference's sqrt(beta1) = 0.75 and Philox draws.
//
//   tessera-opt categorical_loss.mlir --tessera-pipeline=target=cpu |
//     mlir-runner -e main -entry-point-result=void -shared-libs=<runner utils>

func.func private @printMemrefF32(tensor<*xf32> {bufferization.access = "read"}) attributes {llvm.emit_c_interface}

// A stand-in network: logits = 4 theta + 0.1 (it trusts its input).
func.func @net(%theta: tensor<64x27xf32>, %t: f32) -> tensor<64x27xf32> {
  %e = tensor.empty() : tensor<64x27xf32>
  %l = linalg.generic {indexing_maps = [affine_map<(s, k) -> (s, k)>, affine_map<(s, k) -> (s, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%theta : tensor<64x27xf32>) outs(%e : tensor<64x27xf32>) {
  ^bb0(%p: f32, %o: f32):
    %c4 = arith.constant 4.0 : f32
    %b = arith.constant 0.1 : f32
    %m = arith.mulf %p, %c4 : f32
    %v = arith.addf %m, %b : f32
    linalg.yield %v : f32
  } -> tensor<64x27xf32>
  return %l : tensor<64x27xf32>
}

// The runtime's tessera_bfn_loss signature: data, step i, n, seed, offset.
func.func @losses(%x: tensor<64xi32>, %i: index, %n: index, %seed: i64, %offset: i64) -> (f32, f32) {
  // t_{i-1} = (i - 1) / n
  %c1 = arith.constant 1 : index
  %im1 = arith.subi %i, %c1 : index
  %im1i = arith.index_cast %im1 : index to i64
  %ni = arith.index_cast %n : index to i64
  %im1f = arith.sitofp %im1i : i64 to f32
  %nf = arith.sitofp %ni : i64 to f32
  %t = arith.divf %im1f, %nf : f32
  %theta = bfn.paramize %x at #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%t) rng(%seed, %offset)
      : tensor<64xi32>, f32 -> !bfn.simplex<64x27xf32>
  %probs = bfn.unpack %theta : !bfn.simplex<64x27xf32> -> tensor<64x27xf32>
  %logits = func.call @net(%probs, %t) : (tensor<64x27xf32>, f32) -> tensor<64x27xf32>
  %logp = bfn.output %logits : (tensor<64x27xf32>) -> !bfn.simplex<64x27xf32, log>
  %alpha = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%i of %n) : index, index -> !bfn.accuracy
  %s = bfn.sender %x, %alpha : tensor<64xi32>, !bfn.accuracy -> !bfn.sender<categorical, 64x27xf32>
  %r = bfn.receiver %logp, %alpha : !bfn.simplex<64x27xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 64x27xf32>
  %off2 = arith.constant 1000000 : i64
  %y = bfn.sample %s rng(%seed, %off2) : !bfn.sender<categorical, 64x27xf32> -> tensor<64x27xf32>
  %ln = bfn.discrete_loss %s, %r, %n at %y {reduction = #bfn.reduction<mean>}
      : !bfn.sender<categorical, 64x27xf32>, !bfn.receiver<categorical, 64x27xf32>, index, tensor<64x27xf32> -> f32
  %linf = bfn.continuous_loss %x, %logp at #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%t) {reduction = #bfn.reduction<mean>}
      : tensor<64xi32>, !bfn.simplex<64x27xf32, log>, f32 -> f32
  return %ln, %linf : f32, f32
}

// "the quick brown fox ..." as classes 0..26 (space = 26), 64 characters.
func.func @text() -> tensor<64xi32> {
  %x = arith.constant dense<[19, 7, 4, 26, 16, 20, 8, 2, 10, 26, 1, 17, 14, 22, 13, 26, 5, 14, 23, 26, 9, 20, 12, 15, 18, 26, 14, 21, 4, 17, 26, 19, 7, 4, 26, 11, 0, 25, 24, 26, 3, 14, 6, 26, 0, 13, 3, 26, 19, 7, 4, 26, 2, 0, 19, 26, 18, 11, 4, 4, 15, 18, 26, 26]> : tensor<64xi32>
  return %x : tensor<64xi32>
}

func.func @main() {
  %x = call @text() : () -> tensor<64xi32>
  %i = arith.constant 3 : index
  %n = arith.constant 10 : index
  %seed = arith.constant 42 : i64
  %offset = arith.constant 0 : i64
  %ln, %linf = call @losses(%x, %i, %n, %seed, %offset) : (tensor<64xi32>, index, index, i64, i64) -> (f32, f32)
  %out = tensor.from_elements %ln, %linf : tensor<2xf32>
  %u = tensor.cast %out : tensor<2xf32> to tensor<*xf32>
  // [discrete-time loss L^10 (nats/char), continuous-time loss L^inf (nats/char)]
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
