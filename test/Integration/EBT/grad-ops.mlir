// RUN: tessera-opt %s --tessera-ebt-lower %cpu_pipeline | %run_cpu | FileCheck %s

// Compiler-generated dE/dy against central finite differences for heads
// built from the rest of the op set the issue names: tensor.concat, calls
// of helper functions (inlined, nested), linalg.softmax (decomposed), a
// layer norm (mean, variance, rsqrt over the feature dimension), relu
// (arith.maximumf; points away from the kinks), log1p / expm1 / tan /
// exp2 / fma, and linalg.batch_matmul with erf-gelu between
// expand_shape and collapse_shape. Two points each; error < 1e-3 of the
// largest entry + 1e-4.

func.func private @tesseraCheckClose(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, f64, i64) attributes {llvm.emit_c_interface}

#rows = affine_map<(l, j) -> (l, j)>
#row = affine_map<(l, j) -> (l)>

// E_l = w2 . tanh([h_l ; y_l] W1)
func.func @concat_head(%h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %w1 = arith.constant dense<[[0.1182, 0.3980, 0.0406, -0.3819, -0.1929], [0.3387, 0.2760, -0.2286, -0.3672, 0.0821], [0.3956, 0.0206, -0.3873, -0.1751, 0.3175], [0.2612, -0.2447, -0.3588, 0.1016, 0.3994], [0.0006, -0.3918, -0.1569, 0.3292, 0.2883], [-0.2603, -0.3496, 0.1208, 0.3978, 0.0379], [-0.3954, -0.1384, 0.3402, 0.2741, -0.2309], [-0.3394, 0.1397, 0.3951, 0.0179, -0.3880], [-0.1194, 0.3503, 0.2591, -0.2469, -0.3576], [0.1583, 0.3915, -0.0021, -0.3924, -0.1544], [0.3595, 0.2436, -0.2623, -0.3482, 0.1234], [0.3870, -0.0221, -0.3958, -0.1358, 0.3416], [0.2274, -0.2771, -0.3380, 0.1423, 0.3947], [-0.0420, -0.3982, -0.1168, 0.3516, 0.2571]]> : tensor<14x5xf32>
  %w2 = arith.constant dense<[0.7841, 0.3629, -0.3329, -0.7768, -0.6328]> : tensor<5xf32>
  %zero = arith.constant 0.0 : f32
  %hy = tensor.concat dim(1) %h, %y : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x14xf32>
  %e = tensor.empty() : tensor<4x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x5xf32>) -> tensor<4x5xf32>
  %u = linalg.matmul ins(%hy, %w1 : tensor<4x14xf32>, tensor<14x5xf32>) outs(%z : tensor<4x5xf32>) -> tensor<4x5xf32>
  %t = math.tanh %u : tensor<4x5xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.matvec ins(%t, %w2 : tensor<4x5xf32>, tensor<5xf32>) outs(%z4 : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// Helpers the next head calls: logistic, silu (calls logistic), projection.
func.func @logistic(%u: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %one = arith.constant dense<1.0> : tensor<4x5xf32>
  %n = arith.negf %u : tensor<4x5xf32>
  %x = math.exp %n : tensor<4x5xf32>
  %d = arith.addf %one, %x : tensor<4x5xf32>
  %s = arith.divf %one, %d : tensor<4x5xf32>
  return %s : tensor<4x5xf32>
}
func.func @silu(%u: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %s = call @logistic(%u) : (tensor<4x5xf32>) -> tensor<4x5xf32>
  %v = arith.mulf %u, %s : tensor<4x5xf32>
  return %v : tensor<4x5xf32>
}
func.func @project(%x: tensor<4x6xf32>) -> tensor<4x5xf32> {
  %wp = arith.constant dense<[[0.1478, 0.3822, 0.4957, 0.4525, 0.2663], [0.4951, 0.4546, 0.2705, 0.0008, -0.2691], [0.2747, 0.0058, -0.2649, -0.4519, -0.4959], [-0.2607, -0.4497, -0.4965, -0.3864, -0.1540], [-0.4971, -0.3895, -0.1588, 0.1222, 0.3645], [-0.1635, 0.1173, 0.3610, 0.4906, 0.4651]]> : tensor<6x5xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x5xf32>) -> tensor<4x5xf32>
  %p = linalg.matmul ins(%x, %wp : tensor<4x6xf32>, tensor<6x5xf32>) outs(%z : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %p : tensor<4x5xf32>
}

// E_l = sum_j silu(y_l Wp)_j (h_l Wq)_j
func.func @call_head(%h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %wq = arith.constant dense<[[0.0887, 0.2408, -0.2489, -0.0751, 0.2989], [0.1863, 0.1598, -0.2926, 0.0350, 0.2693], [0.2587, 0.0571, -0.2967, 0.1403, 0.2033], [0.2961, -0.0532, -0.2607, 0.2267, 0.1098], [0.2935, -0.1564, -0.1894, 0.2824, 0.0014], [0.2511, -0.2384, -0.0924, 0.2999, -0.1071], [0.1747, -0.2881, 0.0170, 0.2768, -0.2012], [0.0747, -0.2988, 0.1242, 0.2162, -0.2681]]> : tensor<8x5xf32>
  %zero = arith.constant 0.0 : f32
  %p = call @project(%y) : (tensor<4x6xf32>) -> tensor<4x5xf32>
  %s = call @silu(%p) : (tensor<4x5xf32>) -> tensor<4x5xf32>
  %e = tensor.empty() : tensor<4x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x5xf32>) -> tensor<4x5xf32>
  %q = linalg.matmul ins(%h, %wq : tensor<4x8xf32>, tensor<8x5xf32>) outs(%z : tensor<4x5xf32>) -> tensor<4x5xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rows, #rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%s, %q : tensor<4x5xf32>, tensor<4x5xf32>) outs(%z4 : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %n = arith.addf %acc, %m : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// E_l = sum_j softmax(y_l Wk)_j c_j + 0.5 ||y_l||^2
func.func @softmax_head(%h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %wk = arith.constant dense<[[0.2069, 0.6987, 0.2864, -0.4965, -0.6370], [0.6331, 0.5029, -0.2780, -0.6992, -0.2157], [0.6476, -0.0199, -0.6617, -0.4473, 0.3459], [0.2411, -0.5298, -0.6151, 0.0955, 0.6825], [-0.3223, -0.6952, -0.1686, 0.5762, 0.5753], [-0.6760, -0.4085, 0.3876, 0.6822, 0.0941]]> : tensor<6x5xf32>
  %c = arith.constant dense<[0.9801, 0.0707, -0.9422, -0.5748, 0.6347]> : tensor<5xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x5xf32>) -> tensor<4x5xf32>
  %s = linalg.matmul ins(%y, %wk : tensor<4x6xf32>, tensor<6x5xf32>) outs(%z : tensor<4x5xf32>) -> tensor<4x5xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<4x5xf32>) outs(%e : tensor<4x5xf32>) -> tensor<4x5xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %pc = linalg.matvec ins(%p, %c : tensor<4x5xf32>, tensor<5xf32>) outs(%z4 : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%y : tensor<4x6xf32>) outs(%pc : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %half = arith.constant 0.5 : f32
    %a2 = arith.mulf %a, %a : f32
    %q = arith.mulf %a2, %half : f32
    %n = arith.addf %acc, %q : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// E_l = sum_j g_j h_lj LN(y_l)_j, LN(x) = (x - mean) rsqrt(var + 1e-5)
func.func @layernorm_head(%h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %g = arith.constant dense<[0.8821, 0.6205, 0.1352, -0.3989, -0.7891, -0.8947]> : tensor<6xf32>
  %zero = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%y : tensor<4x6xf32>) outs(%z4 : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %n = arith.addf %acc, %a : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  %sixth = arith.constant dense<0.16666667> : tensor<4xf32>
  %mean = arith.mulf %sum, %sixth : tensor<4xf32>
  %e = tensor.empty() : tensor<4x6xf32>
  %d = linalg.generic {indexing_maps = [#rows, #row, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%y, %mean : tensor<4x6xf32>, tensor<4xf32>) outs(%e : tensor<4x6xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %v = arith.subf %a, %m : f32
    linalg.yield %v : f32
  } -> tensor<4x6xf32>
  %ss = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%d : tensor<4x6xf32>) outs(%z4 : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %a2 = arith.mulf %a, %a : f32
    %n = arith.addf %acc, %a2 : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  %var = arith.mulf %ss, %sixth : tensor<4xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<4xf32>
  %ve = arith.addf %var, %eps : tensor<4xf32>
  %inv = math.rsqrt %ve : tensor<4xf32>
  %h6 = tensor.extract_slice %h[0, 0] [4, 6] [1, 1] : tensor<4x8xf32> to tensor<4x6xf32>
  %r = linalg.generic {indexing_maps = [#rows, #row, #rows, affine_map<(l, j) -> (j)>, #row], iterator_types = ["parallel", "reduction"]}
      ins(%d, %inv, %h6, %g : tensor<4x6xf32>, tensor<4xf32>, tensor<4x6xf32>, tensor<6xf32>) outs(%z4 : tensor<4xf32>) {
  ^bb0(%a: f32, %s: f32, %hh: f32, %gg: f32, %acc: f32):
    %zn = arith.mulf %a, %s : f32
    %w = arith.mulf %gg, %hh : f32
    %t = arith.mulf %zn, %w : f32
    %n = arith.addf %acc, %t : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// E_l = w2 . relu(h_l Wh + y_l Wy)
func.func @relu_head(%h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %wh = arith.constant dense<[[0.0887, 0.2940, 0.1936, -0.1080, -0.2974], [0.1669, 0.2988, 0.1200, -0.1836, -0.2963], [0.2312, 0.2787, 0.0364, -0.2437, -0.2704], [0.2762, 0.2353, -0.0503, -0.2836, -0.2220], [0.2982, 0.1723, -0.1328, -0.2997, -0.1551], [0.2952, 0.0948, -0.2041, -0.2909, -0.0751], [0.2676, 0.0095, -0.2585, -0.2577, 0.0110], [0.2176, -0.0767, -0.2912, -0.2030, 0.0963]]> : tensor<8x5xf32>
  %wy = arith.constant dense<[[0.1773, 0.4001, 0.5501, 0.5999, 0.5405], [0.5856, 0.4779, 0.2832, 0.0369, -0.2161], [-0.0828, -0.3230, -0.5044, -0.5939, -0.5754], [-0.5990, -0.5301, -0.3646, -0.1328, 0.1232], [-0.0139, 0.2374, 0.4455, 0.5725, 0.5952], [0.5968, 0.5684, 0.4365, 0.2252, -0.0271]]> : tensor<6x5xf32>
  %w2 = arith.constant dense<[0.8821, 0.5088, -0.1516, -0.7264, -0.8914]> : tensor<5xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x5xf32>) -> tensor<4x5xf32>
  %uh = linalg.matmul ins(%h, %wh : tensor<4x8xf32>, tensor<8x5xf32>) outs(%z : tensor<4x5xf32>) -> tensor<4x5xf32>
  %u = linalg.matmul ins(%y, %wy : tensor<4x6xf32>, tensor<6x5xf32>) outs(%uh : tensor<4x5xf32>) -> tensor<4x5xf32>
  %zeros = arith.constant dense<0.0> : tensor<4x5xf32>
  %r = arith.maximumf %u, %zeros : tensor<4x5xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %o = linalg.matvec ins(%r, %w2 : tensor<4x5xf32>, tensor<5xf32>) outs(%z4 : tensor<4xf32>) -> tensor<4xf32>
  return %o : tensor<4xf32>
}

// E_l = sum_j log1p(exp(y)) + 0.1 expm1(0.5 y) + 0.05 tan(0.3 y) + 0.1 exp2(0.2 y) + fma(y, h, 0.3)
func.func @math_head(%h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %h6 = tensor.extract_slice %h[0, 2] [4, 6] [1, 1] : tensor<4x8xf32> to tensor<4x6xf32>
  %r = linalg.generic {indexing_maps = [#rows, #rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%y, %h6 : tensor<4x6xf32>, tensor<4x6xf32>) outs(%z4 : tensor<4xf32>) {
  ^bb0(%a: f32, %hh: f32, %acc: f32):
    %c01 = arith.constant 0.1 : f32
    %c005 = arith.constant 0.05 : f32
    %c02 = arith.constant 0.2 : f32
    %c03 = arith.constant 0.3 : f32
    %c05 = arith.constant 0.5 : f32
    %ex = math.exp %a : f32
    %sp = math.log1p %ex : f32
    %a5 = arith.mulf %a, %c05 : f32
    %em = math.expm1 %a5 : f32
    %t1 = arith.mulf %em, %c01 : f32
    %a3 = arith.mulf %a, %c03 : f32
    %tn = math.tan %a3 : f32
    %t2 = arith.mulf %tn, %c005 : f32
    %a2 = arith.mulf %a, %c02 : f32
    %e2 = math.exp2 %a2 : f32
    %t3 = arith.mulf %e2, %c01 : f32
    %f = math.fma %a, %hh, %c03 : f32
    %s1 = arith.addf %sp, %t1 : f32
    %s2 = arith.addf %s1, %t2 : f32
    %s3 = arith.addf %s2, %t3 : f32
    %s4 = arith.addf %s3, %f : f32
    %n = arith.addf %acc, %s4 : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// E_l = w . gelu_erf(y_l W_b) with the tokens in two batches of two:
// expand_shape, linalg.batch_matmul, math.erf, collapse_shape.
func.func @bmm_head(%h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %w = arith.constant dense<[[[0.0993, 0.4987, 0.1675, -0.4091, -0.3864], [0.3621, 0.4291, -0.1326, -0.5000, -0.1349], [0.4943, 0.2046, -0.3849, -0.4105, 0.1652], [0.4482, -0.0936, -0.4983, -0.1729, 0.4058], [0.2404, -0.3581, -0.4320, 0.1270, 0.5000], [-0.0541, -0.4934, -0.2099, 0.3811, 0.4138]], [[0.4456, 0.3377, -0.2649, -0.4795, 0.0084], [0.4952, 0.0656, -0.4601, -0.3117, 0.2933], [0.3661, -0.2302, -0.4893, -0.0316, 0.4724], [0.1050, -0.4429, -0.3420, 0.2600, 0.4811], [-0.1940, -0.4959, -0.0713, 0.4578, 0.3163], [-0.4230, -0.3700, 0.2250, 0.4904, 0.0374]]]> : tensor<2x6x5xf32>
  %w2 = arith.constant dense<[0.6, -0.4, 0.9, 0.3, -0.7]> : tensor<5xf32>
  %zero = arith.constant 0.0 : f32
  %yb = tensor.expand_shape %y [[0, 1], [2]] output_shape [2, 2, 6] : tensor<4x6xf32> into tensor<2x2x6xf32>
  %e = tensor.empty() : tensor<2x2x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2x5xf32>) -> tensor<2x2x5xf32>
  %u = linalg.batch_matmul ins(%yb, %w : tensor<2x2x6xf32>, tensor<2x6x5xf32>) outs(%z : tensor<2x2x5xf32>) -> tensor<2x2x5xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(b, l, j) -> (b, l, j)>, affine_map<(b, l, j) -> (b, l, j)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%u : tensor<2x2x5xf32>) outs(%e : tensor<2x2x5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %r2 = arith.constant 0.70710678 : f32
    %xs = arith.mulf %x, %r2 : f32
    %er = math.erf %xs : f32
    %p = arith.addf %one, %er : f32
    %hx = arith.mulf %half, %x : f32
    %v = arith.mulf %hx, %p : f32
    linalg.yield %v : f32
  } -> tensor<2x2x5xf32>
  %gf = tensor.collapse_shape %g [[0, 1], [2]] : tensor<2x2x5xf32> into tensor<4x5xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.matvec ins(%gf, %w2 : tensor<4x5xf32>, tensor<5xf32>) outs(%z4 : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// Head %which at (h, y): the finite differences call the heads through this.
func.func @head(%which: index, %h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4xf32> {
  %r = scf.index_switch %which -> tensor<4xf32>
  case 0 {
    %v = func.call @concat_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    scf.yield %v : tensor<4xf32>
  }
  case 1 {
    %v = func.call @call_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    scf.yield %v : tensor<4xf32>
  }
  case 2 {
    %v = func.call @softmax_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    scf.yield %v : tensor<4xf32>
  }
  case 3 {
    %v = func.call @layernorm_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    scf.yield %v : tensor<4xf32>
  }
  case 4 {
    %v = func.call @relu_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    scf.yield %v : tensor<4xf32>
  }
  case 5 {
    %v = func.call @math_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    scf.yield %v : tensor<4xf32>
  }
  default {
    %v = func.call @bmm_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    scf.yield %v : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// The compiler's gradient of head %which.
func.func @grad(%which: index, %h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %r = scf.index_switch %which -> tensor<4x6xf32>
  case 0 {
    %g = ebt.grad_y @concat_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %g : tensor<4x6xf32>
  }
  case 1 {
    %g = ebt.grad_y @call_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %g : tensor<4x6xf32>
  }
  case 2 {
    %g = ebt.grad_y @softmax_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %g : tensor<4x6xf32>
  }
  case 3 {
    %g = ebt.grad_y @layernorm_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %g : tensor<4x6xf32>
  }
  case 4 {
    %g = ebt.grad_y @relu_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %g : tensor<4x6xf32>
  }
  case 5 {
    %g = ebt.grad_y @math_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %g : tensor<4x6xf32>
  }
  default {
    %g = ebt.grad_y @bmm_head(%h, %y) : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %g : tensor<4x6xf32>
  }
  return %r : tensor<4x6xf32>
}

// Central differences of sum_l E_l over every coordinate of y, step 1e-2.
func.func @fd(%which: index, %h: tensor<4x8xf32>, %y: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %step = arith.constant 1.0e-2 : f32
  %twostep = arith.constant 2.0e-2 : f32
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4x6xf32>
  %g = scf.for %i = %c0 to %c4 step %c1 iter_args(%gi = %init) -> (tensor<4x6xf32>) {
   %gj = scf.for %j = %c0 to %c6 step %c1 iter_args(%acc = %gi) -> (tensor<4x6xf32>) {
    %v = tensor.extract %y[%i, %j] : tensor<4x6xf32>
    %vp = arith.addf %v, %step : f32
    %vm = arith.subf %v, %step : f32
    %yp = tensor.insert %vp into %y[%i, %j] : tensor<4x6xf32>
    %ym = tensor.insert %vm into %y[%i, %j] : tensor<4x6xf32>
    %ep = func.call @head(%which, %h, %yp) : (index, tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    %em = func.call @head(%which, %h, %ym) : (index, tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4xf32>
    %ee = tensor.empty() : tensor<f32>
    %zz = linalg.fill ins(%zero : f32) outs(%ee : tensor<f32>) -> tensor<f32>
    %sp = linalg.reduce ins(%ep : tensor<4xf32>) outs(%zz : tensor<f32>) dimensions = [0]
      (%a: f32, %b: f32) {
        %r = arith.addf %a, %b : f32
        linalg.yield %r : f32
      }
    %sm = linalg.reduce ins(%em : tensor<4xf32>) outs(%zz : tensor<f32>) dimensions = [0]
      (%a: f32, %b: f32) {
        %r = arith.addf %a, %b : f32
        linalg.yield %r : f32
      }
    %fp = tensor.extract %sp[] : tensor<f32>
    %fm = tensor.extract %sm[] : tensor<f32>
    %d = arith.subf %fp, %fm : f32
    %q = arith.divf %d, %twostep : f32
    %next = tensor.insert %q into %acc[%i, %j] : tensor<4x6xf32>
    scf.yield %next : tensor<4x6xf32>
   }
   scf.yield %gj : tensor<4x6xf32>
  }
  return %g : tensor<4x6xf32>
}

// A deterministic point: a sin(b l + c j + d), shape R x C.
func.func @point(%a: f32, %b: f32, %c: f32, %d: f32) -> tensor<4x8xf32> {
  %init = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#rows], iterator_types = ["parallel", "parallel"]} outs(%init : tensor<4x8xf32>) {
  ^bb0(%o: f32):
    %l = linalg.index 0 : index
    %j = linalg.index 1 : index
    %li = arith.index_cast %l : index to i64
    %ji = arith.index_cast %j : index to i64
    %lf = arith.sitofp %li : i64 to f32
    %jf = arith.sitofp %ji : i64 to f32
    %x1 = arith.mulf %lf, %b : f32
    %x2 = arith.mulf %jf, %c : f32
    %x3 = arith.addf %x1, %x2 : f32
    %x4 = arith.addf %x3, %d : f32
    %s = math.sin %x4 : f32
    %v = arith.mulf %s, %a : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

func.func @check(%which: index, %h: tensor<4x8xf32>, %y: tensor<4x6xf32>, %id: i64) {
  %rtol = arith.constant 1.0e-3 : f64
  %atol = arith.constant 1.0e-4 : f64
  %ad = call @grad(%which, %h, %y) : (index, tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %fd = call @fd(%which, %h, %y) : (index, tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %ua = tensor.cast %ad : tensor<4x6xf32> to tensor<*xf32>
  %uf = tensor.cast %fd : tensor<4x6xf32> to tensor<*xf32>
  call @tesseraCheckClose(%ua, %uf, %rtol, %atol, %id) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %pa = arith.constant 1.0 : f32
  %pb = arith.constant 0.7 : f32
  %pc = arith.constant 0.3 : f32
  %pd = arith.constant 0.1 : f32
  %qa = arith.constant 0.9 : f32
  %qb = arith.constant 1.45 : f32
  %qc = arith.constant 0.8 : f32
  %qd = arith.constant 0.2 : f32
  %ra = arith.constant 1.3 : f32
  %rb = arith.constant 0.35 : f32
  %rc = arith.constant 2.1 : f32
  %rd = arith.constant -0.4 : f32
  %h0 = call @point(%pa, %pb, %pc, %pd) : (f32, f32, f32, f32) -> tensor<4x8xf32>
  %y8a = call @point(%qa, %qb, %qc, %qd) : (f32, f32, f32, f32) -> tensor<4x8xf32>
  %y0 = tensor.extract_slice %y8a[0, 0] [4, 6] [1, 1] : tensor<4x8xf32> to tensor<4x6xf32>
  %y8b = call @point(%ra, %rb, %rc, %rd) : (f32, f32, f32, f32) -> tensor<4x8xf32>
  %y1 = tensor.extract_slice %y8b[0, 2] [4, 6] [1, 1] : tensor<4x8xf32> to tensor<4x6xf32>
  scf.for %w = %c0 to %c7 step %c1 {
    %wi = arith.index_cast %w : index to i64
    %c2 = arith.constant 2 : i64
    %id0 = arith.muli %wi, %c2 : i64
    %one = arith.constant 1 : i64
    %id1 = arith.addi %id0, %one : i64
    func.call @check(%w, %h0, %y0, %id0) : (index, tensor<4x8xf32>, tensor<4x6xf32>, i64) -> ()
    func.call @check(%w, %h0, %y1, %id1) : (index, tensor<4x8xf32>, tensor<4x6xf32>, i64) -> ()
  }
  return
}

// CHECK: check 0: ok
// CHECK: check 1: ok
// CHECK: check 2: ok
// CHECK: check 3: ok
// CHECK: check 4: ok
// CHECK: check 5: ok
// CHECK: check 6: ok
// CHECK: check 7: ok
// CHECK: check 8: ok
// CHECK: check 9: ok
// CHECK: check 10: ok
// CHECK: check 11: ok
// CHECK: check 12: ok
// CHECK: check 13: ok
