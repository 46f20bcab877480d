// RUN: tessera-opt %s --tessera-to-tile=target=nvvm -split-input-file | FileCheck %s

// A reduction over 27 classes of site-major rows: its own launch of
// ceil(999 / 256) blocks. Each block stages its 256 sites x 27 classes
// through a shared tile of 27 columns (rows of an odd length need no
// padding: a thread's row and a warp's column both fall in 32 different
// banks; even ones are padded to 33): 27 loads per thread (999 x
// 27 elements do not split into 16-byte loads: one element per load), the
// block's rows taken in row-major order (consecutive threads load
// consecutive elements, across row ends; rows past the last site are
// clamped, classes never are), written out in groups of 8 loads issued
// before their stores, then each thread reduces its own row of the tile
// between two barriers, the state in registers, and finishes max + log sum
// once; the store is guarded, the loads are not (every thread reaches the
// barriers). The running state's fills are gone, and no scratch buffers are
// allocated.
// CHECK-LABEL: func.func @lse(
// CHECK-NOT:     gpu.alloc
// CHECK:         %[[OUT:.*]], %{{.*}} = gpu.alloc async
// CHECK-NOT:     gpu.alloc
// CHECK:         gpu.launch_func async [%{{.*}}] @lse_kernel::@lse_kernel blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1)
// CHECK-NOT:     gpu.launch_func
// CHECK:         return %[[OUT]]
// CHECK:       gpu.module @lse_kernel {
// CHECK:         gpu.func @lse_kernel(
// CHECK-DAG:       %[[BLOCK:.*]] = gpu.block_id  x
// CHECK-DAG:       %[[T:.*]] = gpu.thread_id  x
// CHECK-DAG:       %[[TILE:.*]] = memref.get_global @[[STAGE:.*]] : memref<256x27xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:       %[[C27:.*]] = arith.constant 27 : index
// CHECK-DAG:       %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG:       %[[C6656:.*]] = arith.constant 6656 : index
// CHECK-NOT:       scf.for
// CHECK:           %[[ROW0:.*]] = arith.divui %[[T]], %[[C27]]
// CHECK:           %[[COL0:.*]] = arith.remui %[[T]], %[[C27]]
// CHECK-NOT:       arith.minui %[[COL0]]
// CHECK:           %[[V0:.*]] = memref.load %{{.*}}[%{{.*}}, %[[COL0]]] : memref<999x27xf32>
// CHECK:           %[[I1:.*]] = arith.addi %[[T]], %[[C256]]
// CHECK:           %[[ROW1:.*]] = arith.divui %[[I1]], %[[C27]]
// CHECK:           %[[COL1:.*]] = arith.remui %[[I1]], %[[C27]]
// CHECK-COUNT-7:   memref.load %{{.*}} : memref<999x27xf32>
// CHECK-NOT:       memref.load
// CHECK:           memref.store %[[V0]], %[[TILE]][%[[ROW0]], %[[COL0]]]
// CHECK-COUNT-7:   memref.store %{{.*}}, %[[TILE]]
// CHECK-NOT:       memref.load %[[TILE]]
// CHECK:           %[[I26:.*]] = arith.addi %[[T]], %[[C6656]]
// CHECK:           memref.load
// CHECK-COUNT-3:   memref.store %{{.*}}, %[[TILE]]
// CHECK-NEXT:      gpu.barrier
// CHECK:           %[[R:.*]]:2 = scf.for {{.*}} -> (f32, f32) {
// CHECK:             memref.load %[[TILE]][%[[T]], %{{.*}}]
// CHECK-NOT:         math.log
// CHECK:             scf.yield
// CHECK:           gpu.barrier
// CHECK:           math.log %[[R]]#1 : f32
// CHECK:           scf.if
// CHECK:             memref.store
// CHECK:         memref.global "private" @[[STAGE]] : memref<256x27xf32, #gpu.address_space<workgroup>>
// The host module keeps no workgroup global.
// CHECK-NOT:     #gpu.address_space<workgroup>
#row = affine_map<(d0, d1) -> (d0, d1)>
#site = affine_map<(d0, d1) -> (d0)>
func.func @lse(%a: tensor<999x27xf32>) -> tensor<999xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<999xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<999xf32>) -> tensor<999xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<999xf32>) -> tensor<999xf32>
  %r:3 = linalg.generic {indexing_maps = [#row, #site, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<999x27xf32>) outs(%m0, %s0, %e : tensor<999xf32>, tensor<999xf32>, tensor<999xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32, %unused: f32):
    %nm = arith.maximumf %m, %in : f32
    %d0 = arith.subf %m, %nm : f32
    %d1 = arith.subf %in, %nm : f32
    %e0 = math.exp %d0 : f32
    %e1 = math.exp %d1 : f32
    %t = arith.mulf %s, %e0 : f32
    %ns = arith.addf %t, %e1 : f32
    %l = math.log %ns : f32
    %f = arith.addf %nm, %l : f32
    linalg.yield %nm, %ns, %f : f32, f32, f32
  } -> (tensor<999xf32>, tensor<999xf32>, tensor<999xf32>)
  return %r#2 : tensor<999xf32>
}

// -----

// A reduction over 26 classes of bf16 rows of 1000 sites: 16-bit rows are
// staged as well, in a bf16 tile (rows of an even length padded to 33).
// The block's 256 whole rows are one run of memory and the input splits
// into 16-byte loads: each thread loads 8 consecutive elements at a time
// (4 loads: 832 vectors per block, the last one again where a thread runs
// past it; past the last site, the input's last vector), across row ends,
// and stores each to its row and class of the tile.
// CHECK-LABEL: gpu.func @lse_bf16_kernel(
// CHECK-DAG:       %[[T:.*]] = gpu.thread_id  x
// CHECK-DAG:       %[[TILE:.*]] = memref.get_global @{{.*}} : memref<256x33xbf16, #gpu.address_space<workgroup>>
// CHECK-NOT:       scf.for
// CHECK:           %[[VEC:.*]] = arith.minui %[[T]], %c831 : index
// CHECK:           %[[FIRST:.*]] = arith.muli %[[VEC]], %c8 : index
// CHECK:           %[[BASE:.*]] = arith.muli %{{.*}}, %c6656 : index
// CHECK:           %[[AT:.*]] = arith.addi %[[BASE]], %[[FIRST]] : index
// CHECK:           %[[CLAMPED:.*]] = arith.minui %[[AT]], %c25992 : index
// CHECK:           %[[FLAT:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1{{\]\]}} : memref<1000x26xbf16> into memref<26000xbf16>
// CHECK:           %[[V0:.*]] = vector.load %[[FLAT]][%[[CLAMPED]]] {alignment = 16 : i64} : memref<26000xbf16>, vector<8xbf16>
// CHECK-COUNT-3:   vector.load %{{.*}} : memref<26000xbf16>, vector<8xbf16>
// CHECK-NOT:       memref.load
// CHECK:           %[[E0:.*]] = vector.extract %[[V0]][0] : bf16 from vector<8xbf16>
// CHECK:           memref.store %[[E0]], %[[TILE]]
// CHECK-COUNT-31:  memref.store %{{.*}}, %[[TILE]]
// CHECK-NEXT:      gpu.barrier
// CHECK:           scf.for
// CHECK:             memref.load %[[TILE]][%[[T]], %{{.*}}]
// CHECK:             arith.extf
func.func @lse_bf16(%a: tensor<1000x26xbf16>) -> tensor<1000xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1000xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<1000xf32>) -> tensor<1000xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1000xf32>) -> tensor<1000xf32>
  %r:3 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<1000x26xbf16>) outs(%m0, %s0, %e : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  ^bb0(%w: bf16, %m: f32, %s: f32, %unused: f32):
    %in = arith.extf %w : bf16 to f32
    %nm = arith.maximumf %m, %in : f32
    %d0 = arith.subf %m, %nm : f32
    %d1 = arith.subf %in, %nm : f32
    %e0 = math.exp %d0 : f32
    %e1 = math.exp %d1 : f32
    %t = arith.mulf %s, %e0 : f32
    %ns = arith.addf %t, %e1 : f32
    %l = math.log %ns : f32
    %f = arith.addf %nm, %l : f32
    linalg.yield %nm, %ns, %f : f32, f32, f32
  } -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>)
  return %r#2 : tensor<1000xf32>
}

// -----

// The normalisation after a staged log-sum-exp (the categorical update)
// runs in the same launch. Each thread computes its site's per-site values
// (m + log s, and the per-site input w the per-class ops read) into shared
// words, and after a barrier the block walks its sites x 27 elements in
// runs of 4 (run e * 128 + thread, the block's last run again past the
// end; all of a run's sites are in range or none), and stores each run
// with one 16-byte store; the rows fit one stage, so a and y come from the
// shared tiles, not from global memory again. Rows of 27 classes are not
// padded: the tiles hold the block's rows as one run, each 16-byte load
// of a and y is one 16-byte store into them, and each run of the walk one
// 16-byte load from them. The reduction's outputs are never allocated.
// CHECK-LABEL: func.func @normalize(
// CHECK:         %[[OUT:.*]], %{{.*}} = gpu.alloc async
// CHECK-NOT:     gpu.alloc
// CHECK:         gpu.launch_func async [%{{.*}}] @normalize_kernel::@normalize_kernel blocks in (%c8, %c1, %c1) threads in (%c128, %c1, %c1)
// CHECK-NOT:     gpu.launch_func
// CHECK:         return %[[OUT]]
// CHECK:         gpu.func @normalize_kernel(%[[A:.*]]: memref<1000x27xf32>, %[[Y:.*]]: memref<1000x27xf32>, %[[W:.*]]: memref<1000xf32>, %[[RES:.*]]: memref<1000x27xf32>)
// CHECK-DAG:       %[[BLOCK:.*]] = gpu.block_id  x
// CHECK-DAG:       %[[T:.*]] = gpu.thread_id  x
// CHECK-DAG:       %[[TA:.*]] = memref.get_global @[[SA:.*]] : memref<128x27xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:       %[[TY:.*]] = memref.get_global @[[SY:.*]] : memref<128x27xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:       %[[TW:.*]] = memref.get_global @{{.*}} : memref<128xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:       %[[TL:.*]] = memref.get_global @{{.*}} : memref<128xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:       %[[SITE:.*]] = arith.minui %{{.*}}, %c999
// CHECK-COUNT-14:  vector.load %{{.*}} : memref<27000xf32>, vector<4xf32>
// CHECK-NOT:       memref.load %[[A]]
// CHECK-NOT:       memref.load %[[Y]]
// CHECK:           %[[FA:.*]] = memref.collapse_shape %[[TA]] {{\[\[}}0, 1{{\]\]}} : memref<128x27xf32, #gpu.address_space<workgroup>> into memref<3456xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-7:   vector.store %{{.*}}, %[[FA]][%{{.*}}] {alignment = 16 : i64} : memref<3456xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:           %[[FY:.*]] = memref.collapse_shape %[[TY]]
// CHECK-COUNT-7:   vector.store %{{.*}}, %[[FY]]
// CHECK-NOT:       memref.store
// CHECK:           %[[R:.*]]:2 = scf.for {{.*}} -> (f32, f32) {
// CHECK:           gpu.barrier
// CHECK-DAG:       %[[LOG:.*]] = math.log %[[R]]#1 : f32
// CHECK-DAG:       %[[LSE:.*]] = arith.addf %[[R]]#0, %[[LOG]] : f32
// CHECK-DAG:       %[[WV:.*]] = memref.load %[[W]][%[[SITE]]] : memref<1000xf32>
// CHECK-DAG:       memref.store %[[WV]], %[[TW]][%[[T]]]
// CHECK-DAG:       memref.store %[[LSE]], %[[TL]][%[[T]]]
// CHECK:           gpu.barrier
// CHECK:           scf.for %[[E:.*]] = %c0 to %c7 step %c1 {
// CHECK:             %[[MUL:.*]] = arith.muli %[[E]], %c128
// CHECK:             %[[IDX:.*]] = arith.addi %[[MUL]], %[[T]]
// CHECK:             %[[RI:.*]] = arith.minui %[[IDX]], %c863
// CHECK:             %[[F:.*]] = arith.muli %[[RI]], %c4
// CHECK:             %[[ROW:.*]] = arith.divui %[[F]], %c27
// CHECK:             %[[S:.*]] = arith.addi %{{.*}}, %[[ROW]]
// CHECK:             %[[LIVE:.*]] = arith.cmpi ult, %[[S]], %c1000
// CHECK:             scf.if %[[LIVE]] {
// CHECK-DAG:           vector.load %[[FA]][%[[F]]] {alignment = 16 : i64} : memref<3456xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-DAG:           vector.load %[[FY]][%[[F]]] {alignment = 16 : i64} : memref<3456xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-DAG:           %[[COL:.*]] = arith.remui %[[F]], %c27
// CHECK-NOT:           memref.load %[[A]]
// CHECK-NOT:           memref.load %[[Y]]
// CHECK-NOT:           memref.load %[[TA]]
// CHECK-DAG:           memref.load %[[TL]][%[[ROW]]]
// CHECK-DAG:           memref.load %[[TW]][%[[ROW]]]
// CHECK-COUNT-3:       arith.mulf
// CHECK:               %[[FLAT:.*]] = memref.collapse_shape %[[RES]] {{\[\[}}0, 1{{\]\]}} : memref<1000x27xf32> into memref<27000xf32>
// CHECK:               %[[SK:.*]] = arith.muli %[[S]], %c27
// CHECK:               %[[AT:.*]] = arith.addi %[[SK]], %[[COL]]
// CHECK:               %[[VALS:.*]] = vector.from_elements %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK:               vector.store %[[VALS]], %[[FLAT]][%[[AT]]] {alignment = 16 : i64} : memref<27000xf32>, vector<4xf32>
// CHECK-NOT:           memref.store
// CHECK:         gpu.return
#row = affine_map<(d0, d1) -> (d0, d1)>
#site = affine_map<(d0, d1) -> (d0)>
func.func @normalize(%a: tensor<1000x27xf32>, %y: tensor<1000x27xf32>, %w: tensor<1000xf32>) -> tensor<1000x27xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1000xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<1000xf32>) -> tensor<1000xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1000xf32>) -> tensor<1000xf32>
  %r:2 = linalg.generic {indexing_maps = [#row, #row, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a, %y : tensor<1000x27xf32>, tensor<1000x27xf32>) outs(%m0, %s0 : tensor<1000xf32>, tensor<1000xf32>) {
  ^bb0(%in: f32, %in_y: f32, %m: f32, %s: f32):
    %v = arith.addf %in, %in_y : f32
    %nm = arith.maximumf %m, %v : f32
    %d0 = arith.subf %m, %nm : f32
    %d1 = arith.subf %v, %nm : f32
    %e0 = math.exp %d0 : f32
    %e1 = math.exp %d1 : f32
    %t = arith.mulf %s, %e0 : f32
    %ns = arith.addf %t, %e1 : f32
    linalg.yield %nm, %ns : f32, f32
  } -> (tensor<1000xf32>, tensor<1000xf32>)
  %o = tensor.empty() : tensor<1000x27xf32>
  %n = linalg.generic {indexing_maps = [#row, #row, #site, #site, #site, #row], iterator_types = ["parallel", "parallel"]}
      ins(%a, %y, %r#0, %r#1, %w : tensor<1000x27xf32>, tensor<1000x27xf32>, tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) outs(%o : tensor<1000x27xf32>) {
  ^bb0(%in: f32, %in_y: f32, %m: f32, %s: f32, %wv: f32, %out: f32):
    %v = arith.addf %in, %in_y : f32
    %l = math.log %s : f32
    %lse = arith.addf %m, %l : f32
    %d = arith.subf %v, %lse : f32
    %x = arith.mulf %d, %wv : f32
    linalg.yield %x : f32
  } -> tensor<1000x27xf32>
  return %n : tensor<1000x27xf32>
}
