// n-step sampling of a binarised-MNIST-like categorical BFN (K = 2,
// beta1 = 9, the reference's sqrt(beta1) = 3) with a tiny inline network
// logits = theta W, 28 x 28 sites, n = 20 steps, final mode (reference).
// Prints the fraction of "on" pixels and the first row of the image.
// @sample has the signature of the runtime's tessera_bfn_sample runner
// (network parameters, n_steps, seed, offset), so n is a run-time input.

func.func private @printMemrefF32(tensor<*xf32> {bufferization.access = "read"}) attributes {llvm.emit_c_interface}
func.func private @printMemrefI32(tensor<*xi32> {bufferization.access = "read"}) attributes {llvm.emit_c_interface}

func.func @sample(%w: tensor<2x2xf32>, %n: index, %seed: i64, %offset: i64) -> tensor<784xi32> {
  %prior = bfn.prior : !bfn.simplex<784x2xf32, log>
  %x = bfn.generate %prior steps %n, #bfn.schedule<paper_discrete, sqrt_beta1 = 3.0> rng(%seed, %offset) network(%w) {
  ^bb0(%theta: tensor<784x2xf32>, %t: f32, %wt: tensor<2x2xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<784x2xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<784x2xf32>) -> tensor<784x2xf32>
    %l = linalg.matmul ins(%theta, %wt : tensor<784x2xf32>, tensor<2x2xf32>) outs(%z : tensor<784x2xf32>) -> tensor<784x2xf32>
    bfn.yield %l : tensor<784x2xf32>
  } : !bfn.simplex<784x2xf32, log>, index, tensor<2x2xf32> -> tensor<784xi32>
  return %x : tensor<784xi32>
}

// The network's weights: it slightly prefers class 1 ("off" = 0, "on" = 1).
func.func @weights() -> tensor<2x2xf32> {
  %w = arith.constant dense<[[2.0, 0.0], [0.0, 2.5]]> : tensor<2x2xf32>
  return %w : tensor<2x2xf32>
}

func.func @main() {
  %w = call @weights() : () -> tensor<2x2xf32>
  %n = arith.constant 20 : index
  %seed = arith.constant 2026 : i64
  %offset = arith.constant 0 : i64
  %x = call @sample(%w, %n, %seed, %offset) : (tensor<2x2xf32>, index, i64, i64) -> tensor<784xi32>
  %xf = arith.sitofp %x : tensor<784xi32> to tensor<784xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%xf : tensor<784xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %c = arith.constant dense<784.0> : tensor<f32>
  %frac = arith.divf %sum, %c : tensor<f32>
  %u = tensor.cast %frac : tensor<f32> to tensor<*xf32>
  // fraction of pixels on
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %row = tensor.extract_slice %x[0] [28] [1] : tensor<784xi32> to tensor<28xi32>
  %ur = tensor.cast %row : tensor<28xi32> to tensor<*xi32>
  // first image row
  call @printMemrefI32(%ur) : (tensor<*xi32>) -> ()
  return
}
