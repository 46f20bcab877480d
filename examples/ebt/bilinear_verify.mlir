// Sequence-wise bilinear energy E = sum_l y_l^T W h_l (one scalar per
// sequence) and sequence-level self-verification of 3 candidates.

func.func @bilinear_energy(%h: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<f32> {
  %w = arith.constant dense<0.1> : tensor<16x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %wh = linalg.matmul ins(%h, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32>
  %s = tensor.empty() : tensor<f32>
  %s0 = linalg.fill ins(%zero : f32) outs(%s : tensor<f32>) -> tensor<f32>
  %energy = linalg.generic {
      indexing_maps = [affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> (l, d)>, affine_map<(l, d) -> ()>],
      iterator_types = ["reduction", "reduction"]}
      ins(%y, %wh : tensor<8x4xf32>, tensor<8x4xf32>) outs(%s0 : tensor<f32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %energy : tensor<f32>
}

// Per-token energies of 3 candidates for a batch of 2 sequences of 8 tokens,
// summed per sequence; each sequence keeps its lowest-energy candidate.
func.func @pick(%energies: tensor<3x2x8xf32>, %candidates: tensor<3x2x8x4xf32>) -> tensor<2x8x4xf32> {
  %best = ebt.self_verify sequence %energies, %candidates : tensor<3x2x8xf32>, tensor<3x2x8x4xf32> -> tensor<2x8x4xf32>
  return %best : tensor<2x8x4xf32>
}
