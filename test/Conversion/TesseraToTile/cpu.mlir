// RUN: tessera-opt %s --tessera-to-tile="target=cpu cpu-threads=false" | FileCheck %s
// RUN: tessera-opt %s --tessera-to-tile="target=cpu cpu-threads=false vector-width=0" | FileCheck %s --check-prefix=SCALAR

// SCALAR-NOT: vector<

#row = affine_map<(d0, d1) -> (d0, d1)>
#site = affine_map<(d0, d1) -> (d0)>
#cls = affine_map<(d0, d1) -> (d1)>

// The running state starts in registers from the fills' values (the fills
// and their buffers are gone); 16 sites per vector, the last vector masked.
// The classes are contiguous in each row: 16 rows (masked past the last
// site) are loaded per block of 16 classes and transposed in registers by
// 4 x 16 two-source shuffles; the tail block (11 classes) the same, with
// the rows masked at 11. The finished output (max + log sum) is computed
// once, after the class steps.
// CHECK-LABEL: func.func @lse(
// CHECK-DAG:     %[[C11:.*]] = arith.constant 11 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG:     %[[C37:.*]] = arith.constant 37 : index
// CHECK:         %[[OUT:.*]] = memref.alloc() {{.*}} : memref<37xf32>
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     linalg.fill
// CHECK:         scf.parallel (%[[S:.*]]) = ({{.*}}) to (%[[C37]]) step (%[[C16]]) {
// CHECK:           %[[LEFT:.*]] = arith.subi %[[C37]], %[[S]] : index
// CHECK:           %[[MASK:.*]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK:           %[[LIVE:.*]] = arith.cmpi ugt, %[[LEFT]], %{{.*}} : index
// CHECK:           %[[N:.*]] = arith.select %[[LIVE]], %[[C16]], %{{.*}} : index
// CHECK:           %[[ROWMASK:.*]] = vector.create_mask %[[N]] : vector<16xi1>
// CHECK:           vector.maskedload %arg0[%[[S]], %{{.*}}], %[[ROWMASK]]
// CHECK-COUNT-15:  vector.maskedload %arg0
// CHECK-COUNT-64:  vector.shuffle
// CHECK:           arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT:       vector.gather
// CHECK:           arith.select %{{.*}}, %[[C11]], %{{.*}} : index
// CHECK:           vector.shuffle
// CHECK-NOT:       vector.gather
// CHECK:           %[[LOG:.*]] = math.log %{{.*}} : vector<16xf32>
// CHECK:           %[[F:.*]] = arith.addf %{{.*}}, %[[LOG]] : vector<16xf32>
// CHECK:           vector.maskedstore %[[OUT]][%[[S]]], %[[MASK]], %[[F]]
// CHECK-NOT:       vector.maskedstore
// CHECK:           scf.reduce
func.func @lse(%a: tensor<37x27xf32>) -> tensor<37xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %r:3 = linalg.generic {indexing_maps = [#row, #site, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<37x27xf32>) outs(%m0, %s0, %e : tensor<37xf32>, tensor<37xf32>, tensor<37xf32>) {
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
  } -> (tensor<37xf32>, tensor<37xf32>, tensor<37xf32>)
  return %r#2 : tensor<37xf32>
}

// With 5 classes a row is shorter than a vector: the tile's 16 rows are 5
// contiguous vectors (masked at the tile's last element; the same vectors
// 6 KB ahead prefetched), split into the 5 columns by shuffles (the first
// from the first two vectors, then one more per vector it spans), no
// gathers; the classes are unrolled.
// CHECK-LABEL: func.func @lse5(
// CHECK:         scf.parallel (%[[S:.*]]) =
// CHECK:           %[[FLAT:.*]] = memref.collapse_shape %arg0 {{\[\[}}0, 1]] : memref<37x5xf32> into memref<185xf32>
// CHECK:           %[[AT:.*]] = arith.muli %[[S]], %c5 : index
// CHECK:           memref.prefetch %[[FLAT]]
// CHECK:           %[[C0:.*]] = vector.maskedload %[[FLAT]][%[[AT]]]
// CHECK:           %[[C1:.*]] = vector.maskedload %[[FLAT]]
// CHECK-COUNT-3:   vector.maskedload %[[FLAT]]
// CHECK:           vector.shuffle %[[C0]], %[[C1]] [0, 5, 10, 15, 20, 25, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0]
// CHECK-COUNT-19:  vector.shuffle
// CHECK-NOT:       vector.gather
// CHECK-NOT:       scf.for
// CHECK:           math.log %{{.*}} : vector<16xf32>
func.func @lse5(%a: tensor<37x5xf32>) -> tensor<37xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %r:3 = linalg.generic {indexing_maps = [#row, #site, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<37x5xf32>) outs(%m0, %s0, %e : tensor<37xf32>, tensor<37xf32>, tensor<37xf32>) {
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
  } -> (tensor<37xf32>, tensor<37xf32>, tensor<37xf32>)
  return %r#2 : tensor<37xf32>
}

// Row-major elementwise with a per-site operand: lanes along the classes.

// Lanes along the classes, which both buffers store contiguously; the
// per-site operand is one scalar load, broadcast.
// CHECK-LABEL: func.func @shift(
// CHECK:         scf.parallel (%[[S:.*]], %[[K:.*]]) = {{.*}} step (%{{.*}}, %[[C16:.*]]) {
// CHECK:           %[[MASK:.*]] = vector.create_mask
// CHECK:           %[[A:.*]] = vector.maskedload %arg0[%[[S]], %[[K]]], %[[MASK]]
// CHECK:           %[[M:.*]] = memref.load %arg1[%[[S]]] : memref<37xf32>
// CHECK:           %[[MB:.*]] = vector.broadcast %[[M]] : f32 to vector<16xf32>
// CHECK:           %[[D:.*]] = arith.subf %[[A]], %[[MB]] : vector<16xf32>
// CHECK:           vector.maskedstore %{{.*}}[%[[S]], %[[K]]], %[[MASK]], %[[D]]
func.func @shift(%a: tensor<37x27xf32>, %m: tensor<37xf32>) -> tensor<37x27xf32> {
  %e = tensor.empty() : tensor<37x27xf32>
  %r = linalg.generic {indexing_maps = [#row, #site, #row], iterator_types = ["parallel", "parallel"]}
      ins(%a, %m : tensor<37x27xf32>, tensor<37xf32>) outs(%e : tensor<37x27xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %d = arith.subf %x, %y : f32
    linalg.yield %d : f32
  } -> tensor<37x27xf32>
  return %r : tensor<37x27xf32>
}

func.func @matmul(%a: tensor<5x37xf32>, %b: tensor<37x21xf32>, %c: tensor<5x21xf32>) -> tensor<5x21xf32> {

// Generalised first, its multiply-add one fma; lanes along the output
// columns, the contraction a loop of broadcast fmas.
// CHECK-LABEL: func.func @matmul(
// CHECK:         scf.parallel (%[[I:.*]], %[[J:.*]]) = {{.*}} to (%{{.*}}, %[[C21:.*]]) step (%{{.*}}, %{{.*}}) {
// CHECK:           %[[C0:.*]] = vector.maskedload %{{.*}}[%[[I]], %[[J]]]
// CHECK:           %[[ACC:.*]] = scf.for %[[P:.*]] = {{.*}} iter_args(%[[X:.*]] = %[[C0]]) -> (vector<16xf32>) {
// CHECK:             %[[AV:.*]] = memref.load %arg0[%[[I]], %[[P]]] : memref<5x37xf32>
// CHECK:             %[[BV:.*]] = vector.maskedload %arg1[%[[P]], %[[J]]]
// CHECK:             %[[AB:.*]] = vector.broadcast %[[AV]] : f32 to vector<16xf32>
// CHECK:             math.fma %[[AB]], %[[BV]], %[[X]] : vector<16xf32>
// CHECK-LABEL: func.func @div(
// CHECK-NOT:     vector
// CHECK:         arith.divsi %{{.*}}, %{{.*}} : i32
// CHECK-LABEL: func.func @total(
// CHECK-NOT:     vector
// CHECK:         scf.for
  %r = linalg.matmul ins(%a, %b : tensor<5x37xf32>, tensor<37x21xf32>) outs(%c : tensor<5x21xf32>) -> tensor<5x21xf32>
  return %r : tensor<5x21xf32>
}

// Integer division could trap in a masked-off lane: scalar loops.
func.func @div(%a: tensor<37xi32>, %b: tensor<37xi32>) -> tensor<37xi32> {
  %r = arith.divsi %a, %b : tensor<37xi32>
  return %r : tensor<37xi32>
}

// No parallel dimension to put in lanes: scalar loops.
func.func @total(%a: tensor<37xf32>, %acc: tensor<f32>) -> tensor<f32> {
  %r = linalg.reduce ins(%a : tensor<37xf32>) outs(%acc : tensor<f32>) dimensions = [0]
    (%x: f32, %y: f32) {
      %s = arith.addf %x, %y : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

// The normalisation after a log-sum-exp (the categorical update) runs in
// the reduction's site loop: log(sum) once per 16 sites, on the lane
// vectors, and no per-site buffers. At K = 27 a row at a time (16 live
// sites at most), 16 classes per vector, the per-site value broadcast from
// its lane.
// CHECK-LABEL: func.func @normalise(
// CHECK-NOT:     memref.alloc() {{.*}} : memref<37xf32>
// CHECK:         scf.parallel (%[[S:.*]]) =
// CHECK:           %[[LEFT:.*]] = arith.subi %{{.*}}, %[[S]] : index
// CHECK:           %[[LOG:.*]] = math.log %{{.*}} : vector<16xf32>
// CHECK:           %[[LSE:.*]] = arith.addf %{{.*}}, %[[LOG]] : vector<16xf32>
// CHECK:           %[[ROWS:.*]] = arith.minui %[[LEFT]], %{{.*}} : index
// CHECK:           scf.for %[[J:.*]] = %{{.*}} to %[[ROWS]]
// CHECK:             %[[SITE:.*]] = arith.addi %[[S]], %[[J]] : index
// CHECK:             scf.for %[[KB:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:               %[[RM:.*]] = vector.create_mask
// CHECK:               %[[V:.*]] = vector.extract %[[LSE]][%[[J]]] : f32 from vector<16xf32>
// CHECK:               %[[VB:.*]] = vector.broadcast %[[V]] : f32 to vector<16xf32>
// CHECK:               %[[A:.*]] = vector.maskedload %arg0[%[[SITE]], %[[KB]]], %[[RM]]
// CHECK:               %[[D:.*]] = arith.subf %[[A]], %[[VB]] : vector<16xf32>
// CHECK:               vector.maskedstore %{{.*}}[%[[SITE]], %[[KB]]], %[[RM]], %[[D]]
// CHECK-NOT:     math.log
// CHECK:         return
func.func @normalise(%a: tensor<37x27xf32>) -> tensor<37x27xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %r:2 = linalg.generic {indexing_maps = [#row, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<37x27xf32>) outs(%m0, %s0 : tensor<37xf32>, tensor<37xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32):
    %nm = arith.maximumf %m, %in : f32
    %d0 = arith.subf %m, %nm : f32
    %d1 = arith.subf %in, %nm : f32
    %e0 = math.exp %d0 : f32
    %e1 = math.exp %d1 : f32
    %t = arith.mulf %s, %e0 : f32
    %ns = arith.addf %t, %e1 : f32
    linalg.yield %nm, %ns : f32, f32
  } -> (tensor<37xf32>, tensor<37xf32>)
  %o = tensor.empty() : tensor<37x27xf32>
  %n = linalg.generic {indexing_maps = [#row, #site, #site, #row], iterator_types = ["parallel", "parallel"]}
      ins(%a, %r#0, %r#1 : tensor<37x27xf32>, tensor<37xf32>, tensor<37xf32>) outs(%o : tensor<37x27xf32>) {
  ^bb0(%x: f32, %m: f32, %s: f32, %out: f32):
    %l = math.log %s : f32
    %lse = arith.addf %m, %l : f32
    %d = arith.subf %x, %lse : f32
    linalg.yield %d : f32
  } -> tensor<37x27xf32>
  return %n : tensor<37x27xf32>
}

// At K = 2 the tile's rows are taken flat, by the reduction and by the
// normalisation: two vectors of 16 elements, 8 sites each, the per-site
// value shuffled to its two classes; the masks count the tile's live
// elements (2 per live site).
// CHECK-LABEL: func.func @normalise2(
// CHECK:         scf.parallel (%[[S:.*]]) =
// CHECK:           %[[FLAT:.*]] = memref.collapse_shape %arg0 {{\[\[}}0, 1]] : memref<37x2xf32> into memref<74xf32>
// CHECK:           %[[AT:.*]] = arith.muli %[[S]], %{{.*}} : index
// CHECK:           %[[M0:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:           %[[LOG:.*]] = math.log %{{.*}} : vector<16xf32>
// CHECK:           %[[LSE:.*]] = arith.addf %{{.*}}, %[[LOG]] : vector<16xf32>
// CHECK:           %[[V0:.*]] = vector.shuffle %[[LSE]], %[[LSE]] [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]
// CHECK:           %[[A0:.*]] = vector.maskedload %[[FLAT]][%[[AT]]], %[[M0]]
// CHECK:           %[[D0:.*]] = arith.subf %[[A0]], %[[V0]]
// CHECK:           vector.maskedstore %{{.*}}[%[[AT]]], %[[M0]], %[[D0]]
// CHECK:           vector.shuffle %[[LSE]], %[[LSE]] [8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15]
// CHECK:           vector.maskedload %[[FLAT]]
// CHECK-NOT:       vector.shuffle
// CHECK:           scf.reduce
func.func @normalise2(%a: tensor<37x2xf32>) -> tensor<37x2xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %r:2 = linalg.generic {indexing_maps = [#row, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<37x2xf32>) outs(%m0, %s0 : tensor<37xf32>, tensor<37xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32):
    %nm = arith.maximumf %m, %in : f32
    %d0 = arith.subf %m, %nm : f32
    %d1 = arith.subf %in, %nm : f32
    %e0 = math.exp %d0 : f32
    %e1 = math.exp %d1 : f32
    %t = arith.mulf %s, %e0 : f32
    %ns = arith.addf %t, %e1 : f32
    linalg.yield %nm, %ns : f32, f32
  } -> (tensor<37xf32>, tensor<37xf32>)
  %o = tensor.empty() : tensor<37x2xf32>
  %n = linalg.generic {indexing_maps = [#row, #site, #site, #row], iterator_types = ["parallel", "parallel"]}
      ins(%a, %r#0, %r#1 : tensor<37x2xf32>, tensor<37xf32>, tensor<37xf32>) outs(%o : tensor<37x2xf32>) {
  ^bb0(%x: f32, %m: f32, %s: f32, %out: f32):
    %l = math.log %s : f32
    %lse = arith.addf %m, %l : f32
    %d = arith.subf %x, %lse : f32
    linalg.yield %d : f32
  } -> tensor<37x2xf32>
  return %n : tensor<37x2xf32>
}

// The fused KL's shape: an online log-sum-exp of ln p + y and a pick of y
// at the site's label. Per block of 16 classes: the rows of both inputs
// (and the row of the same block 6 KB ahead, prefetched), ln p + y on the
// rows, and one transpose of that sum (64 shuffles) where each input took
// one; the block's log-sum-exp in two passes (a max tree, then the exps
// and a sum tree, merged once into the carried state); the pick is one
// gather at the label after the classes, masked where the label is out of
// range (the state's initial value stays).
// CHECK-LABEL: func.func @kl_shape(
// CHECK-DAG:     %[[ROWS:.*]] = arith.constant dense<[0, 27, 54, {{.*}}, 405]> : vector<16xindex>
// CHECK:         scf.parallel (%[[S:.*]]) =
// CHECK:           %[[MASK:.*]] = vector.create_mask
// CHECK:           %[[LABEL:.*]] = vector.maskedload %arg0[%[[S]]], %[[MASK]]
// CHECK-NOT:       arith.cmpi eq
// CHECK:           memref.prefetch %arg2[%{{.*}}, %{{.*}}], read, locality<3>, data
// CHECK-COUNT-15:  memref.prefetch %arg2
// CHECK-COUNT-16:  vector.maskedload %arg2
// CHECK-COUNT-16:  memref.prefetch %arg1
// CHECK-COUNT-16:  vector.maskedload %arg1
// CHECK-COUNT-16:  arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-COUNT-64:  vector.shuffle
// CHECK-NOT:       vector.shuffle
// CHECK-COUNT-15:  arith.maximumf
// CHECK-COUNT-16:  math.exp
// CHECK-NOT:       arith.cmpi eq
// CHECK:           %[[CLS:.*]] = arith.index_cast %[[LABEL]] : vector<16xi32> to vector<16xindex>
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[CLS]], %{{.*}} : vector<16xindex>
// CHECK:           %[[AT:.*]] = arith.addi %[[CLS]], %[[ROWS]] : vector<16xindex>
// CHECK:           %[[OFF:.*]] = arith.index_cast %[[AT]] : vector<16xindex> to vector<16xi32>
// CHECK:           %[[GM:.*]] = arith.andi %[[MASK]], %[[IN]] : vector<16xi1>
// CHECK:           %[[YX:.*]] = vector.gather %arg2[%[[S]], %{{.*}}] [%[[OFF]]], %[[GM]], %{{.*}} : memref<37x27xf32>
// CHECK:           math.log
// CHECK:           %[[KL:.*]] = arith.subf %[[YX]], %{{.*}} : vector<16xf32>
// CHECK:           vector.maskedstore %{{.*}}[%[[S]]], %[[MASK]], %[[KL]]
func.func @kl_shape(%x: tensor<37xi32>, %lp: tensor<37x27xf32>, %y: tensor<37x27xf32>) -> tensor<37xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<37xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %p0 = linalg.fill ins(%zero : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %r:4 = linalg.generic {indexing_maps = [#site, #row, #row, #site, #site, #site, #site], iterator_types = ["parallel", "reduction"]}
      ins(%x, %y, %lp : tensor<37xi32>, tensor<37x27xf32>, tensor<37x27xf32>) outs(%m0, %s0, %p0, %e : tensor<37xf32>, tensor<37xf32>, tensor<37xf32>, tensor<37xf32>) {
  ^bb0(%xi: i32, %yk: f32, %lk: f32, %m: f32, %s: f32, %pick: f32, %out: f32):
    %k = linalg.index 1 : index
    %a = arith.addf %lk, %yk : f32
    %nm = arith.maximumf %m, %a : f32
    %d = arith.subf %a, %m : f32
    %ad = math.absf %d : f32
    %nd = arith.negf %ad : f32
    %ex = math.exp %nd : f32
    %grew = arith.cmpf ogt, %a, %m : f32
    %sm = arith.mulf %s, %ex : f32
    %rescaled = arith.addf %sm, %one : f32
    %added = arith.addf %s, %ex : f32
    %ns0 = arith.select %grew, %rescaled, %added : f32
    %dead = arith.cmpf oeq, %nm, %ninf : f32
    %ns = arith.select %dead, %zero, %ns0 : f32
    %xc = arith.index_cast %xi : i32 to index
    %hit = arith.cmpi eq, %k, %xc : index
    %np = arith.select %hit, %yk, %pick : f32
    %l = math.log %ns : f32
    %lse = arith.addf %nm, %l : f32
    %kl = arith.subf %np, %lse : f32
    linalg.yield %nm, %ns, %np, %kl : f32, f32, f32, f32
  } -> (tensor<37xf32>, tensor<37xf32>, tensor<37xf32>, tensor<37xf32>)
  return %r#3 : tensor<37xf32>
}
