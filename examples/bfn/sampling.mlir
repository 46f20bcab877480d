// n-step sampling of a binarised-MNIST-like categorical BFN (K = 2,
// beta1 = 9) with a tiny inline network: logits = theta @ W.

func.func @sample(%w: tensor<2x2xf32>, %n: index, %seed: i64, %offset: i64) -> tensor<784xi32> {
  %prior = bfn.prior : !bfn.simplex<784x2xf32, log>
  %x = bfn.generate %prior steps %n, #bfn.schedule<paper_discrete, beta1 = 9.0> rng(%seed, %offset) network(%w) {
  ^bb0(%theta: tensor<784x2xf32>, %t: f32, %wt: tensor<2x2xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<784x2xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<784x2xf32>) -> tensor<784x2xf32>
    %l = linalg.matmul ins(%theta, %wt : tensor<784x2xf32>, tensor<2x2xf32>) outs(%z : tensor<784x2xf32>) -> tensor<784x2xf32>
    bfn.yield %l : tensor<784x2xf32>
  } : !bfn.simplex<784x2xf32, log>, index, tensor<2x2xf32> -> tensor<784xi32>
  return %x : tensor<784xi32>
}
