// System-2 inference with a token-wise MLP energy head (relu):
// E_l = w2 . relu(W_h h_l + W_y y_l + b1), K = 4 candidates, T steps of sgd,
// token-level self-verification. The head is plain upstream IR.

func.func @mlp_energy(%h: tensor<16x128xf32>, %y: tensor<16x32xf32>) -> tensor<16xf32> {
  %wh = arith.constant dense<0.01> : tensor<128x64xf32>
  %wy = arith.constant dense<0.02> : tensor<32x64xf32>
  %b1 = arith.constant dense<0.1> : tensor<64xf32>
  %w2 = arith.constant dense<0.05> : tensor<64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %uh = linalg.matmul ins(%h, %wh : tensor<16x128xf32>, tensor<128x64xf32>) outs(%z : tensor<16x64xf32>) -> tensor<16x64xf32>
  %u = linalg.matmul ins(%y, %wy : tensor<16x32xf32>, tensor<32x64xf32>) outs(%uh : tensor<16x64xf32>) -> tensor<16x64xf32>
  %phi = linalg.generic {
      indexing_maps = [affine_map<(l, j) -> (l, j)>, affine_map<(l, j) -> (j)>, affine_map<(l, j) -> (l, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%u, %b1 : tensor<16x64xf32>, tensor<64xf32>) outs(%e : tensor<16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<16x64xf32>
  %e1 = tensor.empty() : tensor<16xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16xf32>) -> tensor<16xf32>
  %energy = linalg.matvec ins(%phi, %w2 : tensor<16x64xf32>, tensor<64xf32>) outs(%z1 : tensor<16xf32>) -> tensor<16xf32>
  return %energy : tensor<16xf32>
}

func.func @infer(%h: tensor<16x128xf32>, %noise: tensor<4x16x32xf32>, %steps: index, %eta: f32) -> (tensor<16x32xf32>, tensor<4x16xf32>) {
  %y0 = ebt.decode_init noise %h draws(%noise : tensor<4x16x32xf32>) : tensor<16x128xf32> -> tensor<4x16x32xf32>
  %y, %energies = ebt.infer #ebt.policy<sgd> @mlp_energy(%h, %y0) steps %steps eta %eta verify token
      : (tensor<16x128xf32>, tensor<4x16x32xf32>, index, f32) -> (tensor<16x32xf32>, tensor<4x16xf32>)
  return %y, %energies : tensor<16x32xf32>, tensor<4x16xf32>
}

// The same loop written out, with the context projection inside the loop:
// tessera-ebt-canonicalize hoists it.
func.func @explicit_loop(%x: tensor<16x128xf32>, %wx: tensor<128x128xf32>, %y0: tensor<16x32xf32>, %steps: index, %eta: f32) -> tensor<16x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %y = scf.for %t = %c0 to %steps step %c1 iter_args(%yt = %y0) -> tensor<16x32xf32> {
    %e = tensor.empty() : tensor<16x128xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x128xf32>) -> tensor<16x128xf32>
    %h = linalg.matmul ins(%x, %wx : tensor<16x128xf32>, tensor<128x128xf32>) outs(%z : tensor<16x128xf32>) -> tensor<16x128xf32>
    %g = ebt.grad_y @mlp_energy(%h, %yt) : (tensor<16x128xf32>, tensor<16x32xf32>) -> tensor<16x32xf32>
    %next = ebt.inner_step #ebt.policy<sgd>(%yt, %g, %eta) : tensor<16x32xf32>, f32
    scf.yield %next : tensor<16x32xf32>
  }
  return %y : tensor<16x32xf32>
}
