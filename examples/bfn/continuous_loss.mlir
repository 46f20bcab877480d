// One continuous-time training step of a continuous-data BFN (sigma1 = 0.02):
// Bayesian-flow sample at t, noise prediction, x_hat, and the L^inf sample
// alpha(t) (x - x_hat)^2 / 2, averaged, at three times (one per batch row).

func.func private @printMemrefF32(tensor<*xf32> {bufferization.access = "read"}) attributes {llvm.emit_c_interface}

// A stand-in noise predictor: eps_hat = 0.5 mu.
func.func @eps_net(%mu: tensor<3x256xf32>, %t: tensor<3xf32>) -> tensor<3x256xf32> {
  %e = tensor.empty() : tensor<3x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(b, d) -> (b, d)>, affine_map<(b, d) -> (b, d)>], iterator_types = ["parallel", "parallel"]}
      ins(%mu : tensor<3x256xf32>) outs(%e : tensor<3x256xf32>) {
  ^bb0(%m: f32, %o: f32):
    %h = arith.constant 0.5 : f32
    %v = arith.mulf %m, %h : f32
    linalg.yield %v : f32
  } -> tensor<3x256xf32>
  return %r : tensor<3x256xf32>
}

// Per-sample times: t is a tensor over the batch rows.
func.func @loss(%x: tensor<3x256xf32>, %t: tensor<3xf32>, %seed: i64, %offset: i64) -> tensor<3x256xf32> {
  %theta = bfn.paramize %x at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t) rng(%seed, %offset)
      : tensor<3x256xf32>, tensor<3xf32> -> !bfn.gauss<3x256xf32>
  %mu, %rho = bfn.unpack %theta : !bfn.gauss<3x256xf32> -> tensor<3x256xf32>, tensor<3x256xf32>
  %eps = func.call @eps_net(%mu, %t) : (tensor<3x256xf32>, tensor<3xf32>) -> tensor<3x256xf32>
  %xhat = bfn.output %eps given %theta at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t)
      : (tensor<3x256xf32>, !bfn.gauss<3x256xf32>, tensor<3xf32>) -> tensor<3x256xf32>
  %l = bfn.continuous_loss %x, %xhat at #bfn.schedule<paper_cts, sigma1 = 0.02>(%t) {reduction = #bfn.reduction<none>}
      : tensor<3x256xf32>, tensor<3x256xf32>, tensor<3xf32> -> tensor<3x256xf32>
  return %l : tensor<3x256xf32>
}

func.func @main() {
  // x = 0.8 sin(2 pi d / 64) on 256 variables, for three batch rows.
  %init = tensor.empty() : tensor<3x256xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(b, d) -> (b, d)>], iterator_types = ["parallel", "parallel"]} outs(%init : tensor<3x256xf32>) {
  ^bb0(%o: f32):
    %d = linalg.index 1 : index
    %di = arith.index_cast %d : index to i64
    %df = arith.sitofp %di : i64 to f32
    %w = arith.constant 0.09817477 : f32
    %a = arith.mulf %df, %w : f32
    %s = math.sin %a : f32
    %amp = arith.constant 0.8 : f32
    %v = arith.mulf %s, %amp : f32
    linalg.yield %v : f32
  } -> tensor<3x256xf32>
  %t = arith.constant dense<[0.1, 0.5, 0.9]> : tensor<3xf32>
  %seed = arith.constant 7 : i64
  %offset = arith.constant 0 : i64
  %l = call @loss(%x, %t, %seed, %offset) : (tensor<3x256xf32>, tensor<3xf32>, i64, i64) -> tensor<3x256xf32>
  // Mean over the 256 variables of each row.
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.reduce ins(%l : tensor<3x256xf32>) outs(%z : tensor<3xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %n = arith.constant dense<256.0> : tensor<3xf32>
  %mean = arith.divf %sum, %n : tensor<3xf32>
  %u = tensor.cast %mean : tensor<3xf32> to tensor<*xf32>
  // L^inf sample per row at t = 0.1, 0.5, 0.9
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
