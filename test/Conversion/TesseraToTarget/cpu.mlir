// RUN: tessera-opt %s --tessera-to-target="target=cpu features=-avx512f" | FileCheck %s
// RUN: tessera-opt %s --tessera-to-target="target=cpu features=+avx512f" | FileCheck %s --check-prefix=AVX512

// Math on vectors (from the CPU site loops) stays vectorised: exp/log/...
// as polynomials whose fma and floor are LLVM vector intrinsics, never one
// libm call per lane. Scalar math calls libm, which keeps expm1's digits.
// Ops with neither (erfc) are libm calls per lane.

// CHECK-LABEL: llvm.func @vector_exp(
// CHECK-NOT:     llvm.call
// CHECK:         llvm.intr.fma({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK-NOT:     llvm.call
// CHECK:         llvm.return
func.func @vector_exp(%x: vector<16xf32>) -> vector<16xf32> {
  %e = math.exp %x : vector<16xf32>
  %l = math.log1p %e : vector<16xf32>
  %f = math.floor %l : vector<16xf32>
  return %f : vector<16xf32>
}

// With AVX-512 the vector exp is Cephes' polynomial scaled by 2^n in one
// vscalefps (llvm.ldexp on vectors, through call_intrinsic: the dialect's
// ldexp takes a scalar exponent): x clamped to [-87, 89], n =
// roundeven(x log2 e), 2 + 7 fma, and 0 below the clamp.
// AVX512-LABEL: llvm.func @vector_exp(
// AVX512:         %[[LO:.*]] = llvm.mlir.constant(dense<-8.700000e+01> : vector<16xf32>)
// AVX512:         %[[UNDER:.*]] = llvm.fcmp "olt" %{{.*}}, %[[LO]] : vector<16xf32>
// AVX512:         llvm.intr.roundeven(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// AVX512-COUNT-9: llvm.intr.fma(
// AVX512:         %[[N:.*]] = llvm.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
// AVX512:         %[[E:.*]] = llvm.call_intrinsic "llvm.ldexp.v16f32.v16i32"(%{{.*}}, %[[N]]) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// AVX512:         llvm.select %[[UNDER]], %{{.*}}, %[[E]] : vector<16xi1>, vector<16xf32>
// AVX512-NOT:     llvm.call @
// AVX512:         llvm.return

// CHECK-LABEL: llvm.func @scalar_expm1(
// CHECK:         llvm.call @expm1f(
func.func @scalar_expm1(%x: f32) -> f32 {
  %e = math.expm1 %x : f32
  return %e : f32
}

// CHECK-LABEL: llvm.func @vector_erfc(
// CHECK-COUNT-4: llvm.call @erfcf(
func.func @vector_erfc(%x: vector<4xf32>) -> vector<4xf32> {
  %e = math.erfc %x : vector<4xf32>
  return %e : vector<4xf32>
}

// CHECK-LABEL: llvm.func @gather(
// CHECK:         llvm.intr.masked.gather
func.func @gather(%m: memref<64xf32>, %i: vector<16xi32>, %k: vector<16xi1>, %p: vector<16xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %g = vector.gather %m[%c0] [%i], %k, %p : memref<64xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  return %g : vector<16xf32>
}
