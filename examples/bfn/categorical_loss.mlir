// One discrete-time training step of a categorical BFN (text8-like, K = 27):
// Bayesian-flow sample at t_{i-1}, network logits, output distribution,
// sender/receiver at alpha_i and the one-sample loss n * KL(sender || receiver).
// Schedule: the paper's discrete schedule with the reference's sqrt(beta1) = 0.75.

func.func private @net(tensor<64x27xf32>, f32) -> tensor<64x27xf32>

func.func @categorical_loss_step(%x: tensor<64xi32>, %seed: i64, %offset: i64) -> f32 {
  %i = arith.constant 3 : index
  %n = arith.constant 10 : index
  // t_{i-1} = (i - 1) / n
  %t = arith.constant 0.2 : f32
  %theta = bfn.paramize %x at #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%t) rng(%seed, %offset)
      : tensor<64xi32>, f32 -> !bfn.simplex<64x27xf32, log>
  %probs = bfn.unpack %theta : !bfn.simplex<64x27xf32, log> -> tensor<64x27xf32>
  %logits = func.call @net(%probs, %t) : (tensor<64x27xf32>, f32) -> tensor<64x27xf32>
  %logp = bfn.output %logits : (tensor<64x27xf32>) -> !bfn.simplex<64x27xf32, log>
  %alpha = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 0.75>(%i of %n) : index, index -> !bfn.accuracy
  %s = bfn.sender %x, %alpha : tensor<64xi32>, !bfn.accuracy -> !bfn.sender<categorical, 64x27xf32>
  %r = bfn.receiver %logp, %alpha : !bfn.simplex<64x27xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 64x27xf32>
  %y = bfn.sample %s rng(%seed, %offset) : !bfn.sender<categorical, 64x27xf32> -> tensor<64x27xf32>
  %loss = bfn.discrete_loss %s, %r, %n at %y
      : !bfn.sender<categorical, 64x27xf32>, !bfn.receiver<categorical, 64x27xf32>, index, tensor<64x27xf32> -> f32
  return %loss : f32
}
