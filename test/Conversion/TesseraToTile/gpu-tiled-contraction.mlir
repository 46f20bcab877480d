// The CUDA-core tiles, as rocdl builds them (on nvvm the contractions of
// f32 multiply-adds over whole mma steps run on tensor cores instead:
// gpu-mma.mlir).
// RUN: tessera-opt %s --tessera-to-tile=target=rocdl -split-input-file | FileCheck %s

// A 2000 x 1000 contraction over 50, started from a broadcast row: 64 x 64
// output tiles (16 x 32 blocks of 256 threads, each thread 4 x 4 outputs in
// registers). The broadcast is not written: the initial values are read
// from its source. Each stage of 32 reduction steps stores the thread's
// share of both operand tiles (both stored columns innermost: two 16-byte
// loads of 4 columns each, the last vector of a row clamped whole), loaded
// in the previous iteration, into shared memory with one 16-byte store
// per load (rows padded to 68: still 16-byte aligned), waits, loads the next stage's share
// (software pipelining), then runs the steps: two 4-wide shared loads and
// 16 fmas each. 50 is no multiple of 32: the steps loop stops at the
// reduction's end; 2000 and 1000 are no multiples of 64: stores are
// guarded.
// CHECK-LABEL: func.func @big(
// CHECK:         gpu.launch_func async [%{{.*}}] @big_kernel::@big_kernel blocks in (%c16, %c32, %c1) threads in (%c256, %c1, %c1)
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @big_kernel(%[[ROW:.*]]: memref<1000xf32>, %[[A:.*]]: memref<50x2000xf32>, %[[B:.*]]: memref<50x1000xf32>, %[[OUT:.*]]: memref<2000x1000xf32>)
// CHECK-DAG:     %[[AT:.*]] = memref.get_global @{{.*}} : memref<32x68xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:     %[[BT:.*]] = memref.get_global @{{.*}} : memref<32x68xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-4: memref.load %[[ROW]]
// CHECK:         arith.minui %{{.*}}, %c1996 : index
// CHECK-COUNT-2: vector.load %[[A]][%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<50x2000xf32>, vector<4xf32>
// CHECK:         arith.minui %{{.*}}, %c996 : index
// CHECK-COUNT-2: vector.load %[[B]][%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<50x1000xf32>, vector<4xf32>
// CHECK-NOT:     memref.load %[[A]]
// CHECK-NOT:     memref.load %[[B]]
// CHECK:         scf.for %[[K0:.*]] = %c0 to %c50 step %c32 iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// CHECK-COUNT-2:   vector.store %{{.*}}, %[[AT]][%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<32x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-2:   vector.store %{{.*}}, %[[BT]][%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<32x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-NOT:       memref.store
// CHECK:           gpu.barrier
// CHECK-COUNT-2:   vector.load %[[A]]
// CHECK-COUNT-2:   vector.load %[[B]]
// CHECK:           %[[LEFT:.*]] = arith.subi %c50, %[[K0]] : index
// CHECK:           %[[N:.*]] = arith.minui %[[LEFT]], %c32 : index
// CHECK:           scf.for %[[KK:.*]] = %c0 to %[[N]] step %c1
// CHECK:             vector.load %[[AT]][%[[KK]], %{{.*}}] {alignment = 16 : i64} : memref<32x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:             vector.load %[[BT]][%[[KK]], %{{.*}}] {alignment = 16 : i64} : memref<32x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-16:    math.fma
// CHECK-NOT:         math.fma
// CHECK:             scf.yield
// CHECK:           gpu.barrier
// CHECK:         scf.if
// CHECK:           memref.store %{{.*}}, %[[OUT]]
func.func @big(%a: tensor<50x2000xf32>, %b: tensor<50x1000xf32>, %c: tensor<1000xf32>) -> tensor<2000x1000xf32> {
  %e = tensor.empty() : tensor<2000x1000xf32>
  %init = linalg.broadcast ins(%c : tensor<1000xf32>) outs(%e : tensor<2000x1000xf32>) dimensions = [0]
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<50x2000xf32>, tensor<50x1000xf32>) outs(%init : tensor<2000x1000xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2000x1000xf32>
  return %r : tensor<2000x1000xf32>
}

// -----

// The gradient through W of the EBT head (4 candidates x 64 tokens, W read
// with the reduction innermost): the candidates and tokens are the rows
// (W does not read them), W is not transposed first. 2048 x 256 outputs
// give 128 tiles of 64 x 64, fewer than the SMs: 64 x 32 tiles of 128
// threads instead. Both operands are stored along the reduction: a warp
// loads 8 consecutive steps (a 32-byte sector) of 4 rows, and stores them
// into 32 different banks of the transposed tile. Each stage's 32 steps
// are unrolled, reading the shared tiles at constant rows. Started from a
// zero fill: nothing is read.
// CHECK-LABEL: func.func @grad(
// CHECK-NOT:     linalg.transpose
// CHECK:         gpu.launch_func async [%{{.*}}] @grad_kernel::@grad_kernel blocks in (%c8, %c32, %c1) threads in (%c128, %c1, %c1)
// CHECK:       gpu.func @grad_kernel(%[[G:.*]]: memref<4x512x1024xf32>, %[[W:.*]]: memref<256x1024xf32>, %{{.*}}: memref<4x512x256xf32>)
// CHECK-DAG:     memref.get_global @{{.*}} : memref<32x68xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:     memref.get_global @{{.*}} : memref<32x36xf32, #gpu.address_space<workgroup>>
// CHECK:         %[[STEP:.*]] = arith.remui %thread_id_x, %c8 : index
// CHECK:         %[[ROWS:.*]] = arith.divui %thread_id_x, %c8 : index
// CHECK:         %[[HIGH:.*]] = arith.divui %[[ROWS]], %c64 : index
// CHECK:         %[[BASE:.*]] = arith.muli %[[HIGH]], %c8 : index
// CHECK:         %[[KK:.*]] = arith.addi %[[BASE]], %[[STEP]] : index
// CHECK:         %[[F:.*]] = arith.minui %[[KK]], %c1023 : index
// CHECK:         memref.load %[[G]][%{{.*}}, %{{.*}}, %[[F]]] : memref<4x512x1024xf32>
// CHECK:         memref.load %[[W]][%{{.*}}, %{{.*}}] : memref<256x1024xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c1024 step %c32 iter_args(%{{.*}} = %cst,
// CHECK-NOT:       scf.for
// CHECK-COUNT-2:   vector.load %{{.*}}[%c0, %{{.*}}]
// CHECK:           vector.load %{{.*}}[%c31, %{{.*}}]
// CHECK:           vector.load %{{.*}}[%c31, %{{.*}}]
// CHECK-NOT:       vector.load
// CHECK:           scf.yield
// CHECK-NOT:     scf.if
#g = affine_map<(k, l, f, d) -> (k, l, f)>
#w = affine_map<(k, l, f, d) -> (d, f)>
#o = affine_map<(k, l, f, d) -> (k, l, d)>
func.func @grad(%g: tensor<4x512x1024xf32>, %w: tensor<256x1024xf32>) -> tensor<4x512x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x512x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x512x256xf32>) -> tensor<4x512x256xf32>
  %r = linalg.generic {indexing_maps = [#g, #w, #o], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<4x512x1024xf32>, tensor<256x1024xf32>) outs(%z : tensor<4x512x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x512x256xf32>
  return %r : tensor<4x512x256xf32>
}

// -----

// A batch matmul: the batch (read by both operands) is the grid's z; too
// small for 4 x 4 thread tiles, so 16 x 16 tiles of a thread per output,
// reading the shared tiles one element at a time, in stages of 64 steps
// (the reduction's 70 rounded down to whole stages of 32; up to 128).
// CHECK-LABEL: func.func @bmm(
// CHECK:         gpu.launch_func async [%{{.*}}] @bmm_kernel::@bmm_kernel blocks in (%c3, %c3, %c3) threads in (%c256, %c1, %c1)
// CHECK:       gpu.func @bmm_kernel(
// CHECK:         %[[Z:.*]] = gpu.block_id  z
// CHECK:         memref.load %{{.*}}[%[[Z]], %{{.*}}, %{{.*}}] : memref<3x40x70xf32>
// CHECK:         memref.load %{{.*}}[%[[Z]], %{{.*}}, %{{.*}}] : memref<3x70x33xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c70 step %c64
// CHECK-NOT:       vector.load
// CHECK:           memref.load %{{.*}} : memref<64x17xf32, #gpu.address_space<workgroup>>
// CHECK:           memref.load %{{.*}} : memref<64x17xf32, #gpu.address_space<workgroup>>
// CHECK:           math.fma
func.func @bmm(%a: tensor<3x40x70xf32>, %b: tensor<3x70x33xf32>) -> tensor<3x40x33xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x40x33xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<3x40x33xf32>) -> tensor<3x40x33xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<3x40x70xf32>, tensor<3x70x33xf32>) outs(%z : tensor<3x40x33xf32>) -> tensor<3x40x33xf32>
  return %r : tensor<3x40x33xf32>
}

// -----

// The matmul's only reader, an elementwise op that reads it transposed,
// runs as its epilogue: one launch, the product never stored; per output
// the consumer's other operands are read at the consumer's indices (the
// output's, swapped; clamped, so that the loads need no guard and all come
// before the first store) and its result stored there when in range.
// CHECK-LABEL: func.func @epilogue(
// CHECK:         gpu.alloc async [%{{.*}}] () : memref<200x300xf32>
// CHECK-NOT:     gpu.alloc
// CHECK:         gpu.launch_func async [%{{.*}}] @epilogue_kernel::@epilogue_kernel blocks in (%c13, %c19, %c1) threads in (%c256, %c1, %c1)
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @epilogue_kernel(%{{.*}}: memref<300x40xf32>, %{{.*}}: memref<40x200xf32>, %[[C:.*]]: memref<200xf32>, %[[D:.*]]: memref<200x300xf32>, %[[R:.*]]: memref<200x300xf32>)
// CHECK:         %[[SUM:.*]]:5 = scf.for
// CHECK:         %[[M:.*]] = arith.minui %{{.*}}, %c299 : index
// CHECK:         %[[N:.*]] = arith.minui %{{.*}}, %c199 : index
// CHECK:         %[[CV:.*]] = memref.load %[[C]][%[[N]]] : memref<200xf32>
// CHECK:         %[[DV:.*]] = memref.load %[[D]][%[[N]], %[[M]]] : memref<200x300xf32>
// CHECK:         %[[T:.*]] = math.tanh %[[SUM]]#0 : f32
// CHECK:         %[[P:.*]] = arith.mulf %[[T]], %[[CV]] : f32
// CHECK:         %[[S:.*]] = arith.addf %[[P]], %[[DV]] : f32
// CHECK:         scf.if
// CHECK-NEXT:      memref.store %[[S]], %[[R]][%[[N]], %[[M]]] : memref<200x300xf32>
func.func @epilogue(%a: tensor<300x40xf32>, %b: tensor<40x200xf32>, %c: tensor<200xf32>, %d: tensor<200x300xf32>) -> tensor<200x300xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<300x200xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<300x200xf32>) -> tensor<300x200xf32>
  %u = linalg.matmul ins(%a, %b : tensor<300x40xf32>, tensor<40x200xf32>) outs(%z : tensor<300x200xf32>) -> tensor<300x200xf32>
  %e2 = tensor.empty() : tensor<200x300xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, m) -> (m, n)>, affine_map<(n, m) -> (n)>, affine_map<(n, m) -> (n, m)>, affine_map<(n, m) -> (n, m)>], iterator_types = ["parallel", "parallel"]}
      ins(%u, %c, %d : tensor<300x200xf32>, tensor<200xf32>, tensor<200x300xf32>) outs(%e2 : tensor<200x300xf32>) {
  ^bb0(%x: f32, %y: f32, %w: f32, %o: f32):
    %t = math.tanh %x : f32
    %m = arith.mulf %t, %y : f32
    %s = arith.addf %m, %w : f32
    linalg.yield %s : f32
  } -> tensor<200x300xf32>
  return %r : tensor<200x300xf32>
}
