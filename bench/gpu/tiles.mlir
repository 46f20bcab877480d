// Tiled contractions at shapes that exercise the edges of each GPU
// strategy (bench/gpu/tiles.sh): partial tiles in both dims, a ring
// refilled as it goes, a batch dim, f16 and bf16 operands stored along the
// reduction or along the output columns. Each returns its f32 products.

// N-major b, partial 128 x 64 tiles in both dims, one stage.
func.func @edges(%a: tensor<1000x64xbf16>, %b: tensor<64x1000xbf16>) -> tensor<1000x1000xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1000x1000xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1000x1000xf32>) -> tensor<1000x1000xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1000x64xbf16>, tensor<64x1000xbf16>) outs(%z : tensor<1000x1000xf32>) -> tensor<1000x1000xf32>
  return %c : tensor<1000x1000xf32>
}

// K-major f16 b (a b^T), 5 stages in a ring of 4, partial 64 x 64 tiles.
func.func @ring(%a: tensor<1000x320xf16>, %b: tensor<520x320xf16>) -> tensor<1000x520xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1000x520xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1000x520xf32>) -> tensor<1000x520xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<1000x320xf16>, tensor<520x320xf16>) outs(%z : tensor<1000x520xf32>) -> tensor<1000x520xf32>
  return %c : tensor<1000x520xf32>
}

// A batch dim (grid z), 8 stages of 128 steps.
func.func @batched(%a: tensor<4x1024x1024xbf16>, %b: tensor<4x1024x256xbf16>) -> tensor<4x1024x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x1024x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x1024x256xf32>) -> tensor<4x1024x256xf32>
  %c = linalg.batch_matmul ins(%a, %b : tensor<4x1024x1024xbf16>, tensor<4x1024x256xbf16>) outs(%z : tensor<4x1024x256xf32>) -> tensor<4x1024x256xf32>
  return %c : tensor<4x1024x256xf32>
}
