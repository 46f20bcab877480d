// Entries for the CUDA backend's host side (cuda-host.c, fake driver).

// Two calls, each its own host regions (launch, then the region's wait).
func.func private @twice(%x: tensor<256xf32>) -> tensor<256xf32> {
  %e = tensor.empty() : tensor<256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<256xf32>) outs(%e : tensor<256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<256xf32>
  return %r : tensor<256xf32>
}

func.func @chain(%x: tensor<256xf32>) -> tensor<256xf32> {
  %a = call @twice(%x) : (tensor<256xf32>) -> tensor<256xf32>
  %b = call @twice(%a) : (tensor<256xf32>) -> tensor<256xf32>
  return %b : tensor<256xf32>
}

// A scalar result: the host reads it back from the device.
func.func @total(%x: tensor<256xf32>) -> f32 {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%x : tensor<256xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %t = arith.addf %a, %b : f32
      linalg.yield %t : f32
    }
  %v = tensor.extract %s[] : tensor<f32>
  return %v : f32
}

// Tensors only, but the host reads a value the device computed (the sum,
// to decide whether to scale): never captured as a graph.
func.func @scaled(%x: tensor<256xf32>) -> tensor<256xf32> {
  %t = call @total(%x) : (tensor<256xf32>) -> f32
  %zero = arith.constant 0.0 : f32
  %positive = arith.cmpf ogt, %t, %zero : f32
  %r = scf.if %positive -> tensor<256xf32> {
    %d = func.call @twice(%x) : (tensor<256xf32>) -> tensor<256xf32>
    scf.yield %d : tensor<256xf32>
  } else {
    scf.yield %x : tensor<256xf32>
  }
  return %r : tensor<256xf32>
}

// A long bf16 contraction (G W^T of the EBT gradient's shape): its stages
// in a cp.async ring of 78 KB of dynamic shared memory, which the kernel
// must be allowed before it launches.
func.func @ring(%g: tensor<2048x1024xbf16>, %w: tensor<256x1024xbf16>) -> tensor<2048x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%g, %w : tensor<2048x1024xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  return %r : tensor<2048x256xf32>
}
