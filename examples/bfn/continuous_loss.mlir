// One continuous-time training step of a continuous-data BFN (sigma1 = 0.02):
// Bayesian-flow sample at t, noise prediction, x_hat, and alpha(t) (x - x_hat)^2 / 2.

func.func private @eps_net(tensor<256xf32>, f32) -> tensor<256xf32>

func.func @continuous_loss_step(%x: tensor<256xf32>, %t: f32, %seed: i64, %offset: i64) -> f32 {
  %theta = bfn.paramize %x at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t) rng(%seed, %offset)
      : tensor<256xf32>, f32 -> !bfn.gauss<256xf32>
  %mu, %rho = bfn.unpack %theta : !bfn.gauss<256xf32> -> tensor<256xf32>, tensor<256xf32>
  %eps = func.call @eps_net(%mu, %t) : (tensor<256xf32>, f32) -> tensor<256xf32>
  %xhat = bfn.output %eps given %theta at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t)
      : (tensor<256xf32>, !bfn.gauss<256xf32>, f32) -> tensor<256xf32>
  %loss = bfn.continuous_loss %x, %xhat at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t)
      : tensor<256xf32>, tensor<256xf32>, f32 -> f32
  return %loss : f32
}
