// RUN: tessera-opt %s --tessera-ebt-lower %cpu_pipeline | %run_cpu | FileCheck %s

// The compiler-generated gradient of an attention-conditioned head (softmax
// attention over the context, stable max-subtraction, then a token-wise
// MLP) against central finite differences, at two points, L = 4, D = 8.

func.func private @tesseraCheckClose(tensor<*xf32> {bufferization.access = "read"}, tensor<*xf32> {bufferization.access = "read"}, f64, f64, i64) attributes {llvm.emit_c_interface}

// Attention-conditioned energy head: queries from the candidate tokens y,
// keys and values from the context h, one softmax attention block (stable:
// max-subtracted), then a token-wise MLP (silu) of [attended; y]:
//   E_l = w2 . silu(Wo o_l + Wy y_l),  o = softmax(Q K^T / sqrt(d)) V.
func.func @attention_energy(%h: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %wq = arith.constant dense<[[-0.3656, 0.3474, 0.2638, -0.2449, -0.0046, -0.0505, 0.1516, 0.2887], [-0.4061, -0.4717, 0.3358, -0.0672, 0.2623, -0.4979, -0.0546, 0.2215], [-0.2712, 0.4453, 0.4014, -0.4694, -0.4746, 0.0414, 0.4391, -0.1188], [-0.2834, -0.0779, -0.4710, -0.2783, -0.0621, -0.0042, -0.2669, -0.2691], [-0.2812, -0.0404, -0.2102, -0.4785, 0.3376, 0.0565, 0.1423, -0.3141], [0.4925, 0.3599, -0.3791, -0.1673, 0.2215, 0.2112, 0.4364, -0.0779], [0.3300, 0.1703, -0.1966, 0.0876, 0.3825, 0.3462, 0.0053, 0.0890], [-0.4655, -0.2573, 0.2974, -0.0857, -0.3270, 0.0488, 0.2030, 0.1745]]> : tensor<8x8xf32>
  %wk = arith.constant dense<[[-0.1253, -0.0610, 0.0084, 0.2784, 0.0209, -0.1067, -0.0103, -0.4704], [-0.4565, 0.2034, 0.4832, 0.0932, -0.1064, -0.3297, 0.0022, 0.4821], [0.2705, 0.0396, 0.3603, -0.2678, 0.0138, 0.4525, 0.0778, -0.0409], [-0.2307, 0.0480, 0.4571, -0.4943, 0.2837, 0.3205, 0.3862, 0.2405], [0.3091, 0.0187, 0.0614, -0.0739, -0.4439, 0.3700, 0.0700, -0.3002], [0.0047, -0.0151, -0.1432, -0.1539, 0.0385, 0.1235, 0.1125, -0.0419], [-0.4720, -0.2704, -0.3228, 0.0845, 0.3610, 0.2984, 0.2971, 0.3164], [-0.2447, 0.3417, 0.1731, -0.4168, -0.4833, -0.4854, 0.2556, -0.2504]]> : tensor<8x8xf32>
  %wv = arith.constant dense<[[-0.3905, 0.1248, -0.1556, -0.4305, -0.3404, 0.0274, -0.3319, -0.2271], [0.2116, -0.0453, -0.1780, -0.0262, -0.4764, -0.1134, -0.0791, -0.3120], [-0.3912, 0.3998, 0.0101, -0.2909, 0.1056, 0.3170, -0.4792, -0.4821], [-0.3535, 0.2188, -0.3398, 0.2046, 0.1782, 0.0447, -0.2794, 0.4756], [0.2978, 0.0166, -0.2768, 0.1485, -0.1051, 0.0758, -0.1788, 0.1309], [-0.4412, -0.2014, 0.4679, 0.3755, -0.1936, 0.3585, -0.1896, 0.4393], [0.2438, -0.0838, -0.2476, -0.4915, 0.3787, -0.4621, 0.3194, 0.4622], [0.0703, -0.3285, 0.3678, 0.4738, 0.2040, 0.0089, -0.1220, -0.1531]]> : tensor<8x8xf32>
  %wo = arith.constant dense<[[-0.2942, 0.1742, -0.0670, -0.3059, -0.3956, 0.1660, -0.2039, -0.0002, -0.1747, 0.3716, 0.3997, -0.4819, -0.2991, -0.1723, 0.4870, 0.2827], [-0.1609, -0.2870, 0.1745, 0.3377, 0.4322, -0.1562, 0.3824, 0.1871, -0.0155, 0.4855, -0.2654, 0.2255, -0.4153, -0.3303, 0.4110, -0.2870], [0.2591, 0.1002, 0.3411, -0.1319, -0.1597, -0.2088, 0.3674, 0.1040, 0.4543, 0.3873, -0.3647, 0.0512, -0.3957, -0.4609, -0.4268, 0.3662], [0.2881, 0.3285, -0.1591, 0.1152, 0.2819, -0.1220, 0.0708, -0.2763, -0.4183, -0.2333, 0.3908, 0.0644, 0.4251, -0.0422, -0.2228, 0.2870], [0.3278, -0.4876, 0.1704, -0.4083, -0.3849, 0.3851, -0.4600, -0.2604, 0.4882, -0.0790, -0.3844, -0.3326, -0.2586, 0.2440, -0.3972, 0.4108], [-0.1217, 0.4703, 0.4092, -0.2060, -0.2466, -0.0230, -0.3999, 0.1521, -0.4604, -0.4895, 0.4826, -0.2045, 0.0966, -0.0502, -0.1867, -0.4370], [0.4134, 0.4698, 0.4698, -0.3886, -0.2848, 0.1178, 0.4800, 0.0429, 0.1882, 0.1618, -0.2409, 0.0416, -0.1927, -0.2536, -0.4186, -0.2192], [0.4834, -0.0521, 0.1520, 0.1435, 0.4407, -0.1095, -0.1932, -0.1728, -0.1833, 0.3471, 0.3935, -0.1972, -0.1657, 0.0442, 0.0790, 0.0960]]> : tensor<8x16xf32>
  %wy = arith.constant dense<[[-0.2549, -0.4796, -0.2562, -0.4277, 0.0512, -0.4291, -0.4249, 0.1354, -0.2092, 0.2922, -0.0067, 0.3626, -0.3458, 0.0014, 0.2950, -0.4229], [0.4492, -0.3268, 0.2762, 0.4849, 0.3216, -0.1802, -0.3931, 0.0144, 0.4194, -0.2065, 0.3938, -0.3583, 0.4105, -0.4682, -0.1839, 0.4031], [0.3039, 0.4072, 0.3407, 0.2462, 0.1896, -0.3218, -0.0674, -0.3421, 0.2148, 0.1678, -0.2474, -0.4356, 0.4634, 0.3083, 0.0493, 0.0414], [0.3513, -0.0467, -0.1043, -0.1613, -0.2420, -0.4756, 0.1464, -0.0833, 0.0706, -0.4377, -0.1451, -0.3617, -0.3749, -0.2409, 0.3289, -0.1022], [-0.0989, 0.1124, -0.2665, -0.4925, 0.0287, 0.0009, 0.1488, -0.0617, 0.1865, 0.2314, -0.2616, -0.0049, -0.0212, -0.2749, -0.0878, 0.0604], [0.4069, 0.4177, -0.2248, 0.1464, -0.4518, -0.4284, 0.0117, 0.3774, -0.3405, 0.2660, 0.3830, -0.1882, 0.1926, 0.3490, -0.1284, 0.2013], [0.2364, 0.0946, 0.3563, 0.3966, 0.4601, 0.0712, -0.3237, -0.2494, -0.2824, 0.0695, 0.2578, -0.4479, 0.1816, 0.2172, -0.1520, 0.0151], [-0.3352, 0.2299, -0.4593, 0.4812, 0.3079, 0.1284, -0.2325, 0.4129, 0.4594, -0.3609, 0.2758, 0.3419, 0.1597, 0.2004, -0.0549, 0.4243]]> : tensor<8x16xf32>
  %w2 = arith.constant dense<[0.4712, -0.1176, 0.3027, -0.0671, -0.3352, -0.1745, -0.3737, 0.4089, 0.4594, -0.3808, 0.1007, -0.0918, -0.3819, -0.2045, -0.2518, 0.2496]> : tensor<16xf32>
  %ela = tensor.empty() : tensor<4x8xf32>
  %zla = linalg.fill ins(%zero : f32) outs(%ela : tensor<4x8xf32>) -> tensor<4x8xf32>
  %q = linalg.matmul ins(%y, %wq : tensor<4x8xf32>, tensor<8x8xf32>) outs(%zla : tensor<4x8xf32>) -> tensor<4x8xf32>
  %k = linalg.matmul ins(%h, %wk : tensor<4x8xf32>, tensor<8x8xf32>) outs(%zla : tensor<4x8xf32>) -> tensor<4x8xf32>
  %v = linalg.matmul ins(%h, %wv : tensor<4x8xf32>, tensor<8x8xf32>) outs(%zla : tensor<4x8xf32>) -> tensor<4x8xf32>
  %ell = tensor.empty() : tensor<4x4xf32>
  %zll = linalg.fill ins(%zero : f32) outs(%ell : tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(i, j, a) -> (i, a)>, affine_map<(i, j, a) -> (j, a)>, affine_map<(i, j, a) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%q, %k : tensor<4x8xf32>, tensor<4x8xf32>) outs(%zll : tensor<4x4xf32>) {
  ^bb0(%x: f32, %z: f32, %acc: f32):
    %c = arith.constant 0.35355339 : f32
    %p = arith.mulf %x, %z : f32
    %ps = arith.mulf %p, %c : f32
    %r = arith.addf %acc, %ps : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  %el = tensor.empty() : tensor<4xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%el : tensor<4xf32>) -> tensor<4xf32>
  %m = linalg.reduce ins(%s : tensor<4x4xf32>) outs(%m0 : tensor<4xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %r = arith.maximumf %a, %b : f32
      linalg.yield %r : f32
    }
  %ex = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%s, %m : tensor<4x4xf32>, tensor<4xf32>) outs(%ell : tensor<4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<4x4xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%el : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%ex : tensor<4x4xf32>) outs(%z0 : tensor<4xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    }
  %att = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%ex, %sum : tensor<4x4xf32>, tensor<4xf32>) outs(%ell : tensor<4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  %o = linalg.matmul ins(%att, %v : tensor<4x4xf32>, tensor<4x8xf32>) outs(%zla : tensor<4x8xf32>) -> tensor<4x8xf32>
  %elh = tensor.empty() : tensor<4x16xf32>
  %zlh = linalg.fill ins(%zero : f32) outs(%elh : tensor<4x16xf32>) -> tensor<4x16xf32>
  %u1 = linalg.matmul ins(%o, %wo : tensor<4x8xf32>, tensor<8x16xf32>) outs(%zlh : tensor<4x16xf32>) -> tensor<4x16xf32>
  %u = linalg.matmul ins(%y, %wy : tensor<4x8xf32>, tensor<8x16xf32>) outs(%u1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %phi = linalg.generic {indexing_maps = [affine_map<(l, j) -> (l, j)>, affine_map<(l, j) -> (l, j)>], iterator_types = ["parallel", "parallel"]} ins(%u : tensor<4x16xf32>) outs(%elh : tensor<4x16xf32>) {
  ^bb0(%x: f32, %oo: f32):
    %one = arith.constant 1.0 : f32
    %nx = arith.negf %x : f32
    %exn = math.exp %nx : f32
    %den = arith.addf %one, %exn : f32
    %r = arith.divf %x, %den : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %energy = linalg.matvec ins(%phi, %w2 : tensor<4x16xf32>, tensor<16xf32>) outs(%z0 : tensor<4xf32>) -> tensor<4xf32>
  return %energy : tensor<4xf32>
}

func.func @point(%a: f32, %b: f32, %c: f32, %d: f32) -> tensor<4x8xf32> {
  %init = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%init : tensor<4x8xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i64
    %jj = arith.index_cast %j : index to i64
    %fi = arith.sitofp %ii : i64 to f32
    %fj = arith.sitofp %jj : i64 to f32
    %x1 = arith.mulf %fi, %b : f32
    %x2 = arith.mulf %fj, %c : f32
    %x3 = arith.addf %x1, %x2 : f32
    %x4 = arith.addf %x3, %d : f32
    %s = math.sin %x4 : f32
    %v = arith.mulf %s, %a : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

func.func @total(%h: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> f32 {
  %e = func.call @attention_energy(%h, %y) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  %zero = arith.constant 0.0 : f32
  %ee = tensor.empty() : tensor<f32>
  %zz = linalg.fill ins(%zero : f32) outs(%ee : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%e : tensor<4xf32>) outs(%zz : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    }
  %v = tensor.extract %s[] : tensor<f32>
  return %v : f32
}

func.func @fd(%h: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %step = arith.constant 1.0e-2 : f32
  %two = arith.constant 2.0e-2 : f32
  %init = tensor.empty() : tensor<4x8xf32>
  %g = scf.for %i = %c0 to %c4 step %c1 iter_args(%gi = %init) -> (tensor<4x8xf32>) {
   %gj = scf.for %j = %c0 to %c8 step %c1 iter_args(%acc = %gi) -> (tensor<4x8xf32>) {
    %v = tensor.extract %y[%i, %j] : tensor<4x8xf32>
    %vp = arith.addf %v, %step : f32
    %vm = arith.subf %v, %step : f32
    %yp = tensor.insert %vp into %y[%i, %j] : tensor<4x8xf32>
    %ym = tensor.insert %vm into %y[%i, %j] : tensor<4x8xf32>
    %fp = func.call @total(%h, %yp) : (tensor<4x8xf32>, tensor<4x8xf32>) -> f32
    %fm = func.call @total(%h, %ym) : (tensor<4x8xf32>, tensor<4x8xf32>) -> f32
    %d = arith.subf %fp, %fm : f32
    %q = arith.divf %d, %two : f32
    %next = tensor.insert %q into %acc[%i, %j] : tensor<4x8xf32>
    scf.yield %next : tensor<4x8xf32>
   }
   scf.yield %gj : tensor<4x8xf32>
  }
  return %g : tensor<4x8xf32>
}

func.func @ad(%h: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %g = ebt.grad_y @attention_energy(%h, %y) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %g : tensor<4x8xf32>
}

func.func @main() {
  %rtol = arith.constant 1.0e-3 : f64
  %atol = arith.constant 1.0e-4 : f64
  %a0 = arith.constant 1.0 : f32
  %b0 = arith.constant 0.7 : f32
  %c0 = arith.constant 0.3 : f32
  %d0 = arith.constant 0.1 : f32
  %e0 = arith.constant 0.9 : f32
  %f0 = arith.constant 0.45 : f32
  %g0 = arith.constant 0.8 : f32
  %k0 = arith.constant 0.2 : f32
  %h0 = call @point(%a0, %b0, %c0, %d0) : (f32, f32, f32, f32) -> tensor<4x8xf32>
  %y0 = call @point(%e0, %f0, %g0, %k0) : (f32, f32, f32, f32) -> tensor<4x8xf32>
  %ad0 = call @ad(%h0, %y0) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %fd0 = call @fd(%h0, %y0) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %uad0 = tensor.cast %ad0 : tensor<4x8xf32> to tensor<*xf32>
  %ufd0 = tensor.cast %fd0 : tensor<4x8xf32> to tensor<*xf32>
  %id0 = arith.constant 1 : i64
  call @tesseraCheckClose(%uad0, %ufd0, %rtol, %atol, %id0) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  %a1 = arith.constant 1.5 : f32
  %b1 = arith.constant 1.3 : f32
  %c1 = arith.constant 0.17 : f32
  %d1 = arith.constant -0.4 : f32
  %e1 = arith.constant 1.2 : f32
  %f1 = arith.constant -0.6 : f32
  %g1 = arith.constant 1.1 : f32
  %k1 = arith.constant 0.3 : f32
  %h1 = call @point(%a1, %b1, %c1, %d1) : (f32, f32, f32, f32) -> tensor<4x8xf32>
  %y1 = call @point(%e1, %f1, %g1, %k1) : (f32, f32, f32, f32) -> tensor<4x8xf32>
  %ad1 = call @ad(%h1, %y1) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %fd1 = call @fd(%h1, %y1) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %uad1 = tensor.cast %ad1 : tensor<4x8xf32> to tensor<*xf32>
  %ufd1 = tensor.cast %fd1 : tensor<4x8xf32> to tensor<*xf32>
  %id1 = arith.constant 2 : i64
  call @tesseraCheckClose(%uad1, %ufd1, %rtol, %atol, %id1) : (tensor<*xf32>, tensor<*xf32>, f64, f64, i64) -> ()
  return
}

// CHECK: check 1: ok
// CHECK: check 2: ok
