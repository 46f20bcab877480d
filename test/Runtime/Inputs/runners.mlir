// Runner entries for the runtime's runner tests, with energies whose
// inference trajectory has a closed form.

// Token-wise E(h, y)_l = 0.5 sum_j (y_lj - h_lj)^2: grad = y - h, so T sgd
// steps give y_T = h + (1 - eta)^T (y0 - h).
func.func @quad(%h: tensor<3x4xf32>, %y: tensor<3x4xf32>) -> tensor<3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(l, j) -> (l, j)>, affine_map<(l, j) -> (l, j)>, affine_map<(l, j) -> (l)>], iterator_types = ["parallel", "reduction"]}
      ins(%h, %y : tensor<3x4xf32>, tensor<3x4xf32>) outs(%z : tensor<3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %d = arith.subf %b, %a : f32
    %sq = arith.mulf %d, %d : f32
    %half = arith.constant 0.5 : f32
    %v = arith.mulf %sq, %half : f32
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// Capacity 4, sgd: (x, steps, candidates, eta, seed) -> (best, all, energies).
func.func @sgd(%h: tensor<3x4xf32>, %steps: index, %k: index, %eta: f32, %seed: i64)
    -> (tensor<3x4xf32>, tensor<4x3x4xf32>, tensor<4x3xf32>) {
  %off = arith.constant 0 : i64
  %all0 = ebt.decode_init noise %h rng(%seed, %off) : tensor<3x4xf32> -> tensor<4x3x4xf32>
  %y0 = tensor.extract_slice %all0[0, 0, 0] [%k, 3, 4] [1, 1, 1] : tensor<4x3x4xf32> to tensor<?x3x4xf32>
  %ys, %e = ebt.infer #ebt.policy<sgd> @quad(%h, %y0) steps %steps eta %eta
      : (tensor<3x4xf32>, tensor<?x3x4xf32>, index, f32) -> (tensor<?x3x4xf32>, tensor<?x3xf32>)
  %best = ebt.self_verify token %e, %ys : tensor<?x3xf32>, tensor<?x3x4xf32> -> tensor<3x4xf32>
  %ey = tensor.empty() : tensor<4x3x4xf32>
  %ally = tensor.insert_slice %ys into %ey[0, 0, 0] [%k, 3, 4] [1, 1, 1] : tensor<?x3x4xf32> into tensor<4x3x4xf32>
  %ee = tensor.empty() : tensor<4x3xf32>
  %alle = tensor.insert_slice %e into %ee[0, 0] [%k, 3] [1, 1] : tensor<?x3xf32> into tensor<4x3xf32>
  return %best, %ally, %alle : tensor<3x4xf32>, tensor<4x3x4xf32>, tensor<4x3xf32>
}

// The same with Langevin noise of run-time std: (..., seed, noise).
func.func @langevin(%h: tensor<3x4xf32>, %steps: index, %k: index, %eta: f32, %seed: i64, %noise: f32)
    -> (tensor<3x4xf32>, tensor<4x3x4xf32>, tensor<4x3xf32>) {
  %off = arith.constant 0 : i64
  %walk = arith.constant 4096 : i64
  %all0 = ebt.decode_init noise %h rng(%seed, %off) : tensor<3x4xf32> -> tensor<4x3x4xf32>
  %y0 = tensor.extract_slice %all0[0, 0, 0] [%k, 3, 4] [1, 1, 1] : tensor<4x3x4xf32> to tensor<?x3x4xf32>
  %ys, %e = ebt.infer #ebt.policy<langevin, sigma = 1.0> @quad(%h, %y0) steps %steps eta %eta sigma %noise rng(%seed, %walk)
      : (tensor<3x4xf32>, tensor<?x3x4xf32>, index, f32, f32, i64, i64) -> (tensor<?x3x4xf32>, tensor<?x3xf32>)
  %best = ebt.self_verify token %e, %ys : tensor<?x3xf32>, tensor<?x3x4xf32> -> tensor<3x4xf32>
  %ey = tensor.empty() : tensor<4x3x4xf32>
  %ally = tensor.insert_slice %ys into %ey[0, 0, 0] [%k, 3, 4] [1, 1, 1] : tensor<?x3x4xf32> into tensor<4x3x4xf32>
  %ee = tensor.empty() : tensor<4x3xf32>
  %alle = tensor.insert_slice %e into %ee[0, 0] [%k, 3] [1, 1] : tensor<?x3xf32> into tensor<4x3xf32>
  return %best, %ally, %alle : tensor<3x4xf32>, tensor<4x3x4xf32>, tensor<4x3xf32>
}

// A loss-runner entry: alpha_i of n (sqrt(beta1) = 3: 9 (2i - 1) / n^2) and
// x[0] + x[1], so the test sees the configuration and the data arrive.
func.func @alpha(%x: tensor<2xf32>, %i: index, %n: index, %seed: i64, %offset: i64) -> (f32, f32) {
  %a = bfn.alpha #bfn.schedule<paper_discrete, sqrt_beta1 = 3.0>(%i of %n) : index, index -> !bfn.accuracy
  %v = bfn.accuracy_value %a : !bfn.accuracy -> f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %x0 = tensor.extract %x[%c0] : tensor<2xf32>
  %x1 = tensor.extract %x[%c1] : tensor<2xf32>
  %s = arith.addf %x0, %x1 : f32
  return %v, %s : f32, f32
}

// A sample-runner entry that echoes its configuration: [n, seed, offset].
func.func @echo(%w: tensor<2xf32>, %n: index, %seed: i64, %offset: i64) -> tensor<3xi64> {
  %ni = arith.index_cast %n : index to i64
  %r = tensor.from_elements %ni, %seed, %offset : tensor<3xi64>
  return %r : tensor<3xi64>
}
