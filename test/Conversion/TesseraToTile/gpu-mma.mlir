// RUN: tessera-opt %s --tessera-to-tile=target=nvvm -split-input-file | FileCheck %s
// RUN: tessera-opt %s --tessera-to-tile=target=rocdl -split-input-file | FileCheck %s --check-prefix=ROCDL
// RUN: tessera-opt %s --tessera-to-tile="target=nvvm tensor-cores=false" -split-input-file | FileCheck %s --check-prefix=ROCDL
// ROCDL-NOT: nvgpu

// A 1024 x 1024 f32 matmul over 64 on NVIDIA: 64 x 64 output tiles per block,
// each of its 4 warps computing 32 x 32 outputs as 2 x 4 m16n8k8 TF32
// tiles, in one stage of all 64 steps (twice the CUDA-core stage). a is
// stored along the reduction: its tile holds rows of steps (padded by 4
// words), copied 4 steps per 16-byte load and store, and a lane's
// fragment for each 16 rows is one ldmatrix.x4 (an f32 as two b16: thread
// i of an 8 x 8 matrix gets row i / 4, element i % 4: rows g, g + 8 at
// steps t, t + 4, g = lane / 4, t = lane % 4). b's tile is steps x
// columns, its fragments read at steps t, t + 4 of column g of each
// 8-column tile. Each value is split into a TF32 high part (the low 13
// mantissa bits cleared) and the rest (0 for an infinity, whose difference
// would be a NaN), and each tile accumulates three mma (a_lo b_hi, a_hi
// b_lo, a_hi b_hi). Each thread stores its 4 x 8 outputs: rows g + 8i,
// columns 8j + 2t and 8j + 2t + 1 of its warp's tile, each pair of
// neighbours with one 8-byte store.
// CHECK-LABEL: func.func @mma(
// CHECK:         gpu.launch_func async [%{{.*}}] @mma_kernel::@mma_kernel blocks in (%c16, %c16, %c1) threads in (%c128, %c1, %c1)
// CHECK:       gpu.func @mma_kernel(%[[A:.*]]: memref<1024x64xf32>, %[[B:.*]]: memref<64x1024xf32>, %[[OUT:.*]]: memref<1024x1024xf32>)
// CHECK-DAG:     %[[AT:.*]] = memref.get_global @{{.*}} : memref<64x68xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[BT:.*]] = memref.get_global @{{.*}} : memref<64x72xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[LANE:.*]] = arith.remui %thread_id_x, %c32 : index
// CHECK-COUNT-8: vector.load %[[A]][{{.*}}] {alignment = 16 : i64} : memref<1024x64xf32>, vector<4xf32>
// CHECK-COUNT-8: vector.load %[[B]]
// CHECK-COUNT-8: vector.store %{{.*}}, %[[AT]][{{.*}}] {alignment = 16 : i64} : memref<64x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:         gpu.barrier
// CHECK:         nvgpu.ldmatrix %[[AT]][{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x68xf32, #gpu.address_space<workgroup>> -> vector<4x1xf32>
// CHECK:         %[[BITS:.*]] = arith.bitcast %{{.*}} : f32 to i32
// CHECK:         %[[HIGH:.*]] = arith.andi %[[BITS]], %c-8192_i32 : i32
// CHECK:         %[[HI:.*]] = arith.bitcast %[[HIGH]] : i32 to f32
// CHECK:         %[[WHOLE:.*]] = arith.cmpf oeq, %[[HI]], %{{.*}} : f32
// CHECK:         %[[REST:.*]] = arith.subf %{{.*}}, %[[HI]] : f32
// CHECK:         arith.select %[[WHOLE]], %{{.*}}, %[[REST]] : f32
// CHECK:         vector.from_elements {{.*}} : vector<4x1xf32>
// CHECK:         nvgpu.ldmatrix %[[AT]]
// CHECK:         memref.load %[[BT]]
// CHECK:         vector.from_elements {{.*}} : vector<2x1xf32>
// CHECK-COUNT-3: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-COUNT-189: nvgpu.mma.sync
// CHECK-NOT:     nvgpu.mma.sync
// CHECK-COUNT-16: vector.store %{{.*}}, %[[OUT]][{{.*}}] {alignment = 8 : i64} : memref<1024x1024xf32>, vector<2xf32>
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

// bf16 operands accumulated in f32: m16n8k16 bf16 mma on them directly.
// The shared tiles hold bf16 (rows padded by 8 elements): a's as rows x
// steps, copied from a (stored along the reduction) 8 steps per 16-byte
// load and store; b's as steps x columns (b stored so: 8 columns per
// 16-byte load and store). A stage of 64 steps (twice the
// f32 stage), 8 warps of 32 x 16 outputs (two 16-bit operands keep the
// narrower warp tiles): per 16 steps, a's fragment for each 16 rows of the
// warp's tile is one ldmatrix.x4, b's for its two 8-column tiles one
// transposing ldmatrix.x4, and one mma per 16 x 8 tile (16 in all), on the
// fragments' registers of two packed elements; nothing is extended to f32
// or split.
// CHECK-LABEL: func.func @half(
// CHECK:       gpu.func @half_kernel(%[[A:.*]]: memref<1024x64xbf16>, %[[B:.*]]: memref<64x1024xbf16>
// CHECK-DAG:     %[[AT:.*]] = memref.get_global @{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[BT:.*]] = memref.get_global @{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: vector.load %[[A]][{{.*}}] {alignment = 16 : i64} : memref<1024x64xbf16>, vector<8xbf16>
// CHECK:         %[[ROWS:.*]] = vector.load %[[B]]
// CHECK:         vector.store %{{.*}}, %[[AT]][{{.*}}] {alignment = 16 : i64} : memref<64x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK:         vector.store %{{.*}}, %[[BT]][{{.*}}] {alignment = 16 : i64} : memref<64x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK-NOT:     memref.store
// CHECK-NOT:     arith.extf
// CHECK:         gpu.barrier
// CHECK:         nvgpu.ldmatrix %[[AT]][{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:         nvgpu.ldmatrix %[[AT]]
// CHECK:         nvgpu.ldmatrix %[[BT]][{{.*}}] {numTiles = 4 : i32, transpose = true} : memref<64x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:         nvvm.mma.sync A[{{.*}}]  B[{{.*}}]  C[{{.*}}]  {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-15: nvvm.mma.sync
// CHECK-NOT:     nvvm.mma.sync
// CHECK-NOT:     arith.extf
// CHECK:         gpu.return
func.func @half(%a: tensor<1024x64xbf16>, %b: tensor<64x1024xbf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xbf16>, tensor<64x1024xbf16>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// -----

// An f32 operand times an f16 one: only the f32 one is split, two mma per
// tile (a_lo b, a_hi b), 128 in the one stage of 64 steps.
// CHECK-LABEL: func.func @mixed(
// CHECK:       gpu.func @mixed_kernel(
// CHECK:         gpu.barrier
// CHECK-COUNT-128: nvgpu.mma.sync
// CHECK-NOT:     nvgpu.mma.sync
// CHECK:         gpu.return
func.func @mixed(%a: tensor<1024x64xf32>, %b: tensor<64x1024xf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xf32>, tensor<64x1024xf16>) outs(%z : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// -----

// On tensor cores a thread's outputs come in pairs of neighbouring columns,
// and whatever reads or writes them along the columns does so in pairs: the
// initial values (the source of the broadcast, read at the columns), the
// epilogue's operands (%d as one 8-byte load; %s, the same for both
// columns, once; %t, stored with the columns outermost, twice) and its
// result (one 8-byte store). Every pair's operands are loaded before the
// first result is stored.
// CHECK-LABEL: func.func @pairs(
// CHECK:       gpu.func @pairs_kernel(%[[ROW:[^:]*]]: memref<1024xf32>, %{{.*}}: memref<1024x64xf32>, %{{.*}}: memref<64x1024xf32>, %[[S:[^:]*]]: memref<1024xf32>, %[[D:[^:]*]]: memref<1024x1024xf32>, %[[T:[^:]*]]: memref<1024x1024xf32>, %[[R:[^:]*]]: memref<1024x1024xf32>)
// CHECK:         vector.load %[[ROW]][%{{.*}}] {alignment = 8 : i64} : memref<1024xf32>, vector<2xf32>
// CHECK-NOT:     memref.load %[[ROW]]
// CHECK:         nvgpu.mma.sync
// CHECK:         %[[SV:.*]] = memref.load %[[S]][%[[I:.*]]] : memref<1024xf32>
// CHECK:         %[[DV:.*]] = vector.load %[[D]][%[[I]], %[[J:.*]]] {alignment = 8 : i64} : memref<1024x1024xf32>, vector<2xf32>
// CHECK:         memref.load %[[T]][%[[J]], %[[I]]]
// CHECK:         %[[J1:.*]] = arith.addi %[[J]], %c1 : index
// CHECK:         memref.load %[[T]][%[[J1]], %[[I]]]
// CHECK-NOT:     vector.store
// CHECK-COUNT-15: vector.load %[[D]]
// CHECK-NOT:     vector.load
// CHECK:         vector.store %{{.*}}, %[[R]][%[[I]], %[[J]]] {alignment = 8 : i64} : memref<1024x1024xf32>, vector<2xf32>
// CHECK-COUNT-15: vector.store %{{.*}}, %[[R]]
// CHECK-NOT:     memref.store
// CHECK:         gpu.return
func.func @pairs(%a: tensor<1024x64xf32>, %b: tensor<64x1024xf32>, %row: tensor<1024xf32>, %s: tensor<1024xf32>, %d: tensor<1024x1024xf32>, %t: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %e = tensor.empty() : tensor<1024x1024xf32>
  %init = linalg.broadcast ins(%row : tensor<1024xf32>) outs(%e : tensor<1024x1024xf32>) dimensions = [0]
  %c = linalg.matmul ins(%a, %b : tensor<1024x64xf32>, tensor<64x1024xf32>) outs(%init : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %e2 = tensor.empty() : tensor<1024x1024xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%c, %s, %d, %t : tensor<1024x1024xf32>, tensor<1024xf32>, tensor<1024x1024xf32>, tensor<1024x1024xf32>) outs(%e2 : tensor<1024x1024xf32>) {
  ^bb0(%x: f32, %sv: f32, %dv: f32, %tv: f32, %o: f32):
    %1 = arith.mulf %x, %sv : f32
    %2 = arith.addf %1, %dv : f32
    %3 = arith.addf %2, %tv : f32
    linalg.yield %3 : f32
  } -> tensor<1024x1024xf32>
  return %r : tensor<1024x1024xf32>
}

// -----

// Few blocks over a long reduction (the EBT gradient G W^T's shape: 256
// blocks of two warps for 2048 x 256 outputs over 1024): four groups of two
// warps split each 64-step stage, a group taking 16 steps (from 16 times
// its number: 2 mma steps of 8 tiles, 3 mma each), all four loading the
// tiles. Groups 1, 2 and 3 start from zero, and in turn write their sums
// to shared memory (an output per row, a thread per column), which group 0
// adds in group order after a barrier; then group 0 alone stores the
// outputs.
// CHECK-LABEL: func.func @grouped(
// CHECK:         gpu.launch_func async [%{{.*}}] @grouped_kernel::@grouped_kernel blocks in (%c8, %c32, %c1) threads in (%c256, %c1, %c1)
// CHECK:       gpu.func @grouped_kernel(%{{.*}}: memref<2048x1024xf32>, %{{.*}}: memref<256x1024xf32>, %[[OUT:.*]]: memref<2048x256xf32>)
// CHECK-DAG:     %[[GROUP:.*]] = arith.divui %thread_id_x, %c64 : index
// CHECK-DAG:     %[[IN:.*]] = arith.remui %thread_id_x, %c64 : index
// CHECK:         %[[FIRST:.*]] = arith.cmpi eq, %[[GROUP]], %c0 : index
// CHECK:         %[[SUMS:.*]]:38 = scf.for
// CHECK:           gpu.barrier
// CHECK:           arith.muli %[[GROUP]], %c16 : index
// CHECK-COUNT-48:  nvgpu.mma.sync
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:           gpu.barrier
// CHECK:         %[[BUF:.*]] = memref.get_global @{{.*}} : memref<32x64xf32, #gpu.address_space<workgroup>>
// CHECK:         %[[G1:.*]] = arith.cmpi eq, %[[GROUP]], %c1 : index
// CHECK:         scf.if %[[G1]] {
// CHECK-COUNT-32:  memref.store %{{.*}}, %[[BUF]][%{{.*}}, %[[IN]]]
// CHECK-NEXT:    }
// CHECK:         gpu.barrier
// CHECK:         %[[ADD1:.*]]:32 = scf.if %[[FIRST]] -> (f32,
// CHECK:           %[[X:.*]] = memref.load %[[BUF]][%c0, %[[IN]]]
// CHECK:           arith.addf %[[SUMS]]#0, %[[X]] : f32
// CHECK:         } else {
// CHECK:           scf.yield %[[SUMS]]#0,
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi eq, %[[GROUP]], %c2 : index
// CHECK:         gpu.barrier
// CHECK:         arith.addf %[[ADD1]]#0
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi eq, %[[GROUP]], %c3 : index
// CHECK:         gpu.barrier
// CHECK-NOT:     gpu.barrier
// CHECK:         scf.if %[[FIRST]] {
// CHECK-COUNT-16:  vector.store %{{.*}}, %[[OUT]]{{.*}} : memref<2048x256xf32>, vector<2xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.return
func.func @grouped(%g: tensor<2048x1024xf32>, %w: tensor<256x1024xf32>) -> tensor<2048x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%g, %w : tensor<2048x1024xf32>, tensor<256x1024xf32>) outs(%z : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  return %r : tensor<2048x256xf32>
}

// -----

// An elementwise op whose result is only the extension of a bf16 value
// (the gradient through a bf16 pre-activation) stores the bf16 value; the
// contraction reading it extends it, and so multiplies two bf16 operands:
// m16n8k16 mma. Its b is stored along the reduction: b's tile holds rows
// of steps too (copied 16 bytes at a time), its fragments read by ldmatrix
// without transposing.
// CHECK-LABEL: func.func @narrowed(
// CHECK:       gpu.func @narrowed_kernel(%[[X:.*]]: memref<1024x64xf32>, %[[G:.*]]: memref<1024x64xbf16>)
// CHECK:         %[[R:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT:     arith.extf
// CHECK:         memref.store %[[R]], %[[G]]
// CHECK:       gpu.func @narrowed_kernel_0(%[[GA:.*]]: memref<1024x64xbf16>, %[[W:.*]]: memref<1024x64xbf16>, %{{.*}}: memref<1024x1024xf32>)
// CHECK-DAG:     %[[AT:.*]] = memref.get_global @{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[BT:.*]] = memref.get_global @{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:         vector.load %[[W]][{{.*}}] {alignment = 16 : i64} : memref<1024x64xbf16>, vector<8xbf16>
// CHECK:         vector.store %{{.*}}, %[[BT]][{{.*}}] {alignment = 16 : i64} : memref<64x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK:         nvgpu.ldmatrix %[[AT]][{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK:         nvgpu.ldmatrix %[[BT]][{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK:         nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>
func.func @narrowed(%x: tensor<1024x64xf32>, %w: tensor<1024x64xbf16>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x64xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1024x64xf32>) outs(%e : tensor<1024x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = arith.truncf %v : f32 to bf16
    %w32 = arith.extf %t : bf16 to f32
    linalg.yield %w32 : f32
  } -> tensor<1024x64xf32>
  %eo = tensor.empty() : tensor<1024x1024xf32>
  %z = linalg.fill ins(%zero : f32) outs(%eo : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%g, %w : tensor<1024x64xf32>, tensor<1024x64xbf16>) outs(%z : tensor<1024x1024xf32>) {
  ^bb0(%a: f32, %b: bf16, %acc: f32):
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a, %b32 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// -----

// A long 16-bit reduction (8 stages of 128; G W^T of the EBT gradient):
// its stage tiles in a ring of 3 in dynamic shared memory (78336 bytes:
// a's 3 x 64 x 136, then b's 3 x 32 x 136), filled by cp.async two stages
// ahead of the mma, a commit group per stage; each stage waits for its own
// group (one younger may be pending) and a barrier, copies the stage two
// ahead into the slot the previous stage read (nothing past the last
// stage: an empty group), and runs its mma on its slot. Nothing is
// pending when the kernel ends.
// CHECK-LABEL: func.func @ring(
// CHECK:         gpu.launch_func {{.*}}@ring_kernel::@ring_kernel blocks in (%c8, %c32, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c78336_i32
// CHECK:       gpu.func @ring_kernel(%[[G:.*]]: memref<2048x1024xbf16>, %[[W:.*]]: memref<256x1024xbf16>
// CHECK:         %[[DYN:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:         %[[AR:.*]] = memref.view %[[DYN]][%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<3x64x136xbf16, #gpu.address_space<workgroup>>
// CHECK:         %[[BR:.*]] = memref.view %[[DYN]][%c52224][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<3x32x136xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-4: nvgpu.device_async_copy %[[G]][{{.*}}], %[[AR]][%c0, {{.*}}], 8 : memref<2048x1024xbf16> to memref<3x64x136xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: nvgpu.device_async_copy %[[W]][{{.*}}], %[[BR]][%c0, {{.*}}], 8 : memref<256x1024xbf16> to memref<3x32x136xbf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:    nvvm.cp.async.commit.group
// CHECK-COUNT-4: nvgpu.device_async_copy %[[G]][{{.*}}], %[[AR]][%c1, {{.*}}]
// CHECK-COUNT-2: nvgpu.device_async_copy %[[W]][{{.*}}], %[[BR]][%c1, {{.*}}]
// CHECK-NEXT:    nvvm.cp.async.commit.group
// CHECK:         scf.for %[[K0:.*]] = %c0 to %c1024 step %c128
// CHECK-NEXT:      nvvm.cp.async.wait.group 1
// CHECK-NEXT:      gpu.barrier
// CHECK:           scf.if
// CHECK-COUNT-6:     nvgpu.device_async_copy
// CHECK:           }
// CHECK-NEXT:      nvvm.cp.async.commit.group
// CHECK:           %[[AS:.*]] = memref.subview %[[AR]][%{{.*}}, 0, 0] [1, 64, 136] [1, 1, 1]
// CHECK:           %[[BS:.*]] = memref.subview %[[BR]][%{{.*}}, 0, 0] [1, 32, 136] [1, 1, 1]
// CHECK:           nvgpu.ldmatrix %[[AS]]
// CHECK:           nvgpu.ldmatrix %[[BS]]
// CHECK:           nvvm.mma.sync
// CHECK:           scf.yield
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK-NOT:     nvgpu.device_async_copy
// CHECK:         gpu.return
func.func @ring(%g: tensor<2048x1024xbf16>, %w: tensor<256x1024xbf16>) -> tensor<2048x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2048x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%g, %w : tensor<2048x1024xbf16>, tensor<256x1024xbf16>) outs(%z : tensor<2048x256xf32>) -> tensor<2048x256xf32>
  return %c : tensor<2048x256xf32>
}
