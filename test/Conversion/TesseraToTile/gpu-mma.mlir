// RUN: tessera-opt %s --tessera-to-tile=target=nvvm -split-input-file | FileCheck %s
// RUN: tessera-opt %s --tessera-to-tile=target=rocdl -split-input-file | FileCheck %s --check-prefix=ROCDL
// RUN: tessera-opt %s --tessera-to-tile="target=nvvm tensor-cores=false" -split-input-file | FileCheck %s --check-prefix=ROCDL
// ROCDL-NOT: nvgpu

// A 1024 x 1024 f32 matmul over 64 on NVIDIA: 64 x 64 output tiles per block
// (the same staging through shared memory as the CUDA-core tiles), each of
// its 4 warps computing 32 x 32 outputs as 2 x 4 m16n8k8 TF32 tiles. Per
// mma step of 8, a lane reads its fragments at steps t, t + 4 (t = lane %
// 4): a at rows g, g + 8 of each 16-row half (g = lane / 4), b at column g
// of each 8-column tile; splits each value into a TF32 high part (the low
// 13 mantissa bits cleared) and the rest (0 for an infinity, whose
// difference would be a NaN), and accumulates each tile with
// three mma (a_lo b_hi, a_hi b_lo, a_hi b_hi). Each thread stores its 4 x 8
// outputs: rows g + 8i, columns 8j + 2t and 8j + 2t + 1 of its warp's tile.
// CHECK-LABEL: func.func @mma(
// CHECK:         gpu.launch_func async [%{{.*}}] @mma_kernel::@mma_kernel blocks in (%c16, %c16, %c1) threads in (%c128, %c1, %c1)
// CHECK:       gpu.func @mma_kernel(%[[A:.*]]: memref<1024x64xf32>, %[[B:.*]]: memref<64x1024xf32>, %[[OUT:.*]]: memref<1024x1024xf32>)
// CHECK-DAG:     %[[AT:.*]] = memref.get_global @{{.*}} : memref<32x68xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[BT:.*]] = memref.get_global @{{.*}} : memref<32x72xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[LANE:.*]] = arith.remui %thread_id_x, %c32 : index
// CHECK-DAG:     %[[G:.*]] = arith.divui %[[LANE]], %c4 : index
// CHECK-DAG:     %[[T:.*]] = arith.remui %[[LANE]], %c4 : index
// CHECK:         scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK:           gpu.barrier
// CHECK:           %[[K4:.*]] = arith.addi %[[T]], %c4 : index
// CHECK:           memref.load %[[AT]][%[[T]], %{{.*}}]
// CHECK:           memref.load %[[AT]][%[[K4]], %{{.*}}]
// CHECK:           %[[BITS:.*]] = arith.bitcast %{{.*}} : f32 to i32
// CHECK:           %[[HIGH:.*]] = arith.andi %[[BITS]], %c-8192_i32 : i32
// CHECK:           %[[HI:.*]] = arith.bitcast %[[HIGH]] : i32 to f32
// CHECK:           %[[WHOLE:.*]] = arith.cmpf oeq, %[[HI]], %{{.*}} : f32
// CHECK:           %[[REST:.*]] = arith.subf %{{.*}}, %[[HI]] : f32
// CHECK:           arith.select %[[WHOLE]], %{{.*}}, %[[REST]] : f32
// CHECK:           vector.from_elements {{.*}} : vector<4x1xf32>
// CHECK:           vector.from_elements {{.*}} : vector<2x1xf32>
// CHECK-COUNT-3:   nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-COUNT-93:  nvgpu.mma.sync
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:           gpu.barrier
// CHECK-COUNT-32:  memref.store %{{.*}}, %[[OUT]]
// CHECK-NOT:     memref.store
// CHECK:         gpu.return
func.func @mma(%a: tensor<1024x64xf32>, %b: tensor<64x1024xf32>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xf32>, tensor<64x1024xf32>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// -----

// A reduction of 50 is not whole mma steps: the CUDA-core tiles.
// CHECK-LABEL: func.func @odd(
// CHECK-NOT:     nvgpu.mma.sync
// CHECK:         math.fma
// CHECK-NOT:     nvgpu.mma.sync
func.func @odd(%a: tensor<1024x50xf32>, %b: tensor<50x1024xf32>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x50xf32>, tensor<50x1024xf32>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// -----

// bf16 operands accumulated in f32: the shared tiles hold them extended to
// f32 (converted once, as they are stored), and a bf16 value is exact in
// TF32, so there is no low part to split off: one mma per 16 x 8 tile and
// step of 8, no masking.
// CHECK-LABEL: func.func @half(
// CHECK:       gpu.func @half_kernel(%[[A:.*]]: memref<1024x64xbf16>, %[[B:.*]]: memref<64x1024xbf16>
// CHECK-DAG:     %[[AT:.*]] = memref.get_global @{{.*}} : memref<32x68xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[BT:.*]] = memref.get_global @{{.*}} : memref<32x72xf32, #gpu.address_space<workgroup>>
// CHECK:         scf.for
// CHECK:           %[[X:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK:           memref.store %[[X]], %[[AT]]
// CHECK-NOT:       arith.andi
// CHECK-COUNT-32:  nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:           gpu.barrier
func.func @half(%a: tensor<1024x64xbf16>, %b: tensor<64x1024xbf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xbf16>, tensor<64x1024xbf16>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// -----

// An f32 operand times an f16 one: only the f32 one is split, two mma per
// tile (a_lo b, a_hi b).
// CHECK-LABEL: func.func @mixed(
// CHECK:       gpu.func @mixed_kernel(
// CHECK:         scf.for
// CHECK-COUNT-64:  nvgpu.mma.sync
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:           gpu.barrier
func.func @mixed(%a: tensor<1024x64xf32>, %b: tensor<64x1024xf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xf32>, tensor<64x1024xf16>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}
