// RUN: tessera-opt %s --tessera-to-schedule --tessera-to-tile=target=nvvm -split-input-file | FileCheck %s

// The fused receiver+KL over 512 classes: a warp per site (32 lanes along
// x, 8 sites per block along y), lane l reducing classes 4l .. 4l + 3,
// 4l + 128 .., each four read with one 128-bit load per input (a warp's
// loads cover 512 contiguous bytes), with the online (max, sum) state and
// the class pick in registers, then
// five xor-shuffle stages of the four values (max, sum, pick and its hit
// flag) merging the lanes (the log-sum-exp merge, the pick taken from the
// lane that hit), the finish once, and lane 0 of a live warp storing.
// Constants are immediates in the kernel, not arguments.
// CHECK-LABEL: func.func @kl(
// CHECK:         gpu.launch_func async [%{{.*}}] @kl_kernel::@kl_kernel blocks in (%c128, %c1, %c1) threads in (%c32, %c8, %c1)
// CHECK:       gpu.func @kl_kernel(%{{.*}}: memref<1024xi32>, %{{.*}}: memref<1024x512xf32>, %{{.*}}: memref<1024x512xf32>, %{{.*}}: memref<1024xf32>)
// CHECK-DAG:     %[[LANE:.*]] = gpu.thread_id  x
// CHECK-DAG:     %[[WARP:.*]] = gpu.thread_id  y
// CHECK:         %[[START:.*]] = arith.muli %[[LANE]], %c4 : index
// CHECK:         %[[R:.*]]:4 = scf.for %[[K:.*]] = %[[START]] to %c512 step %c128 iter_args({{.*}}) -> (f32, f32, f32, i1) {
// CHECK:           vector.load %{{.*}}[%{{.*}}, %[[K]]] {alignment = 16 : i64} : memref<1024x512xf32>, vector<4xf32>
// CHECK:           vector.load %{{.*}}[%{{.*}}, %[[K]]] {alignment = 16 : i64} : memref<1024x512xf32>, vector<4xf32>
// CHECK-COUNT-4:   math.exp
// CHECK-NOT:       gpu.shuffle
// CHECK:           scf.yield
// CHECK-COUNT-20:  gpu.shuffle  xor
// CHECK-NOT:     gpu.shuffle
// CHECK:         math.log
// CHECK:         %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %{{.*}} : index
// CHECK:         %[[GO:.*]] = arith.andi %{{.*}}, %[[FIRST]] : i1
// CHECK:         scf.if %[[GO]] {
// CHECK:           memref.store
func.func @kl(%x: tensor<1024xi32>, %logp: tensor<1024x512xf32>, %y: tensor<1024x512xf32>) -> tensor<1024xf32> {
  %a = bfn.accuracy_constant 0.5
  %p = bfn.pack %logp : tensor<1024x512xf32> -> !bfn.simplex<1024x512xf32, log>
  %s = bfn.sender %x, %a : tensor<1024xi32>, !bfn.accuracy -> !bfn.sender<categorical, 1024x512xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<1024x512xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 1024x512xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 1024x512xf32>, !bfn.receiver<categorical, 1024x512xf32>, tensor<1024x512xf32> -> tensor<1024xf32>
  return %kl : tensor<1024xf32>
}

// -----

// With bf16 parameters a lane reads 8 classes of each input at once: 16
// bytes of the bf16 row, 32 of the f32 draws (two 128-bit loads once
// lowered); the lanes step 256 classes.
// CHECK-LABEL: func.func @kl_bf16(
// CHECK:       gpu.func @kl_bf16_kernel(
// CHECK-DAG:     %[[LANE:.*]] = gpu.thread_id  x
// CHECK:         %[[START:.*]] = arith.muli %[[LANE]], %c8 : index
// CHECK:         scf.for %[[K:.*]] = %[[START]] to %c512 step %c256 iter_args({{.*}}) -> (f32, f32, f32, i1) {
// CHECK-DAG:       vector.load %{{.*}}[%{{.*}}, %[[K]]] {alignment = 16 : i64} : memref<1024x512xf32>, vector<8xf32>
// CHECK-DAG:       vector.load %{{.*}}[%{{.*}}, %[[K]]] {alignment = 16 : i64} : memref<1024x512xbf16>, vector<8xbf16>
// CHECK-COUNT-8:   math.exp
// CHECK:           scf.yield
func.func @kl_bf16(%x: tensor<1024xi32>, %logp: tensor<1024x512xbf16>, %y: tensor<1024x512xf32>) -> tensor<1024xf32> {
  %a = bfn.accuracy_constant 0.5
  %p = bfn.pack %logp : tensor<1024x512xbf16> -> !bfn.simplex<1024x512xbf16, log>
  %s = bfn.sender %x, %a : tensor<1024xi32>, !bfn.accuracy -> !bfn.sender<categorical, 1024x512xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<1024x512xbf16, log>, !bfn.accuracy -> !bfn.receiver<categorical, 1024x512xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 1024x512xf32>, !bfn.receiver<categorical, 1024x512xf32>, tensor<1024x512xf32> -> tensor<1024xf32>
  return %kl : tensor<1024xf32>
}

// -----

// A sum into a buffer that holds a value: lane 0 starts from it, the other
// lanes from 0, so the merged sum counts it once.
// Both kernels (the copy of the argument and the reduction) live in one
// gpu.module, each named after the module outlining gave it.
// CHECK-LABEL: func.func @accumulate(
// CHECK:         gpu.launch_func async [%{{.*}}] @accumulate_kernel::@accumulate_kernel blocks
// CHECK:         gpu.launch_func async [%{{.*}}] @accumulate_kernel::@accumulate_kernel_0 blocks
// CHECK:       gpu.module @accumulate_kernel {
// CHECK-NOT:   gpu.module
// CHECK:       gpu.func @accumulate_kernel_0(%{{.*}}: memref<64xf32>, %{{.*}}: memref<64x1000xf32>)
// CHECK-DAG:     %[[LANE:.*]] = gpu.thread_id  x
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[OLD:.*]] = memref.load
// CHECK:         %[[IS0:.*]] = arith.cmpi eq, %[[LANE]], %{{.*}} : index
// CHECK:         %[[INIT:.*]] = arith.select %[[IS0]], %[[OLD]], %[[ZERO]] : f32
// CHECK:         scf.for %{{.*}} = %[[LANE]] to {{.*}} iter_args(%{{.*}} = %[[INIT]]) -> (f32)
// CHECK-COUNT-5: gpu.shuffle  xor
func.func @accumulate(%a: tensor<64x1000xf32>, %acc: tensor<64xf32>) -> tensor<64xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<64x1000xf32>) outs(%acc : tensor<64xf32>) {
  ^bb0(%v: f32, %s: f32):
    %n = arith.addf %s, %v : f32
    linalg.yield %n : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// -----

// A product has no merge here: a thread per site, no shuffles.
// CHECK-LABEL: func.func @product(
// CHECK:       gpu.func @product_kernel_0(%{{.*}}: memref<64xf32>, %{{.*}}: memref<64x1000xf32>)
// CHECK-NOT:     gpu.shuffle
// CHECK:         gpu.return
func.func @product(%a: tensor<64x1000xf32>, %acc: tensor<64xf32>) -> tensor<64xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<64x1000xf32>) outs(%acc : tensor<64xf32>) {
  ^bb0(%v: f32, %s: f32):
    %n = arith.mulf %s, %v : f32
    linalg.yield %n : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// -----

// The log-space update: the normalisation after the log-sum-exp runs in
// the same warp right after the merge (lanes striding the classes again),
// its per-site max and sum from registers: one launch, no intermediate
// buffers (the one allocation is the result). With the normalisation fused,
// f32 classes are read one per lane (vector loads measured slower).
// CHECK-LABEL: func.func @update(
// CHECK:         gpu.alloc async
// CHECK-NOT:     gpu.alloc
// CHECK:         gpu.launch_func async [%{{.*}}] @update_kernel::@update_kernel blocks in (%c2048, %c1, %c1) threads in (%c32, %c8, %c1)
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @update_kernel(
// CHECK-DAG:     %[[LANE:.*]] = gpu.thread_id  x
// CHECK:         %[[R:.*]]:2 = scf.for %{{.*}} = %[[LANE]] to %c128 step %c32
// CHECK-NOT:       vector.load
// CHECK-COUNT-10: gpu.shuffle  xor
// CHECK:         scf.if
// CHECK:           scf.for %[[K:.*]] = %[[LANE]] to %c128 step %c32 {
// CHECK:             math.log
// CHECK:             memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[K]]] : memref<16384x128xf32>
// CHECK:         gpu.return
func.func @update(%logp: tensor<16384x128xf32>, %y: tensor<16384x128xf32>) -> tensor<16384x128xf32> {
  %p = bfn.pack %logp : tensor<16384x128xf32> -> !bfn.simplex<16384x128xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<16384x128xf32, log>, tensor<16384x128xf32>
  %t = bfn.unpack %q : !bfn.simplex<16384x128xf32, log> -> tensor<16384x128xf32>
  return %t : tensor<16384x128xf32>
}

// -----

// With two classes a thread per site normalises its own row after its
// reduction, which reads each input's row with one 8-byte load; with eight
// the normalisation stays its own launch (a thread's row is then too wide
// for the stores to coalesce).
// CHECK-LABEL: func.func @update2(
// CHECK:         gpu.launch_func
// CHECK-NOT:     gpu.launch_func
// CHECK:         return
// CHECK-LABEL: gpu.func @update2_kernel(
// CHECK-COUNT-2: vector.load %{{.*}}[%{{.*}}, %c0] {alignment = 8 : i64} : memref<4096x2xf32>, vector<2xf32>
// CHECK-LABEL: func.func @update8(
// CHECK:         gpu.launch_func
// CHECK:         gpu.launch_func
// CHECK:         return
func.func @update2(%logp: tensor<4096x2xf32>, %y: tensor<4096x2xf32>) -> tensor<4096x2xf32> {
  %p = bfn.pack %logp : tensor<4096x2xf32> -> !bfn.simplex<4096x2xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<4096x2xf32, log>, tensor<4096x2xf32>
  %t = bfn.unpack %q : !bfn.simplex<4096x2xf32, log> -> tensor<4096x2xf32>
  return %t : tensor<4096x2xf32>
}
func.func @update8(%logp: tensor<4096x8xf32>, %y: tensor<4096x8xf32>) -> tensor<4096x8xf32> {
  %p = bfn.pack %logp : tensor<4096x8xf32> -> !bfn.simplex<4096x8xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<4096x8xf32, log>, tensor<4096x8xf32>
  %t = bfn.unpack %q : !bfn.simplex<4096x8xf32, log> -> tensor<4096x8xf32>
  return %t : tensor<4096x8xf32>
}

// -----

// Eight classes over enough sites: eight lanes per site (four sites per
// warp, 32 per block), three shuffle stages per value, the normalisation
// fused: one launch whose loads and stores coalesce across the lanes.
// CHECK-LABEL: func.func @update8_split(
// CHECK:         gpu.launch_func async [%{{.*}}] @update8_split_kernel::@update8_split_kernel blocks in (%c512, %c1, %c1) threads in (%c8, %c32, %c1)
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @update8_split_kernel(
// CHECK-COUNT-6: gpu.shuffle  xor
// CHECK-NOT:     gpu.shuffle
// CHECK:         gpu.return
func.func @update8_split(%logp: tensor<16384x8xf32>, %y: tensor<16384x8xf32>) -> tensor<16384x8xf32> {
  %p = bfn.pack %logp : tensor<16384x8xf32> -> !bfn.simplex<16384x8xf32, log>
  %q = bfn.bayes_update %p, %y : !bfn.simplex<16384x8xf32, log>, tensor<16384x8xf32>
  %t = bfn.unpack %q : !bfn.simplex<16384x8xf32, log> -> tensor<16384x8xf32>
  return %t : tensor<16384x8xf32>
}

// -----

// 65536 classes over 256 sites: a warp per site would leave the GPU idle,
// so each site is split across the 8 warps of a block (one site per
// block): lane l of warp w reduces classes 4(32w + l) .., striding 1024;
// the warps' states merge by shuffles, lane 0 of each writes its warp's
// (max, sum, pick, flag) to shared memory as words, and after a barrier
// lanes 0 .. 7 of each warp take one warp's state each and merge them by
// three more shuffle stages; thread (0, 0) of a live block stores.
// CHECK-LABEL: func.func @long(
// CHECK:         gpu.launch_func async [%{{.*}}] @long_kernel::@long_kernel blocks in (%c256, %c1, %c1) threads in (%c32, %c8, %c1)
// CHECK:       gpu.func @long_kernel(
// CHECK-DAG:     %[[LANE:.*]] = gpu.thread_id  x
// CHECK-DAG:     %[[WARP:.*]] = gpu.thread_id  y
// CHECK:         %[[W32:.*]] = arith.muli %[[WARP]], %c32 : index
// CHECK:         %[[SL:.*]] = arith.addi %[[W32]], %[[LANE]] : index
// CHECK:         %[[START:.*]] = arith.muli %[[SL]], %c4 : index
// CHECK:         scf.for %{{.*}} = %[[START]] to %c65536 step %c1024 iter_args({{.*}}) -> (f32, f32, f32, i1) {
// CHECK-COUNT-20: gpu.shuffle  xor
// CHECK:         %[[TILE:.*]] = memref.get_global @{{.*}} : memref<8x4xi32, #gpu.address_space<workgroup>>
// CHECK:         %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %c0 : index
// CHECK:         scf.if %[[FIRST]] {
// CHECK-COUNT-4:   memref.store %{{.*}}, %[[TILE]][%[[WARP]], %{{.*}}]
// CHECK:         gpu.barrier
// CHECK:         %[[FROM:.*]] = arith.minui %[[LANE]], %c7 : index
// CHECK-COUNT-4: memref.load %[[TILE]][%[[FROM]], %{{.*}}]
// CHECK-COUNT-12: gpu.shuffle  xor
// CHECK-NOT:     gpu.shuffle
// CHECK:         %[[S0:.*]] = arith.cmpi eq, %[[SL]], %c0 : index
// CHECK:         arith.andi %{{.*}}, %[[S0]] : i1
func.func @long(%x: tensor<256xi32>, %logp: tensor<256x65536xf32>, %y: tensor<256x65536xf32>) -> tensor<256xf32> {
  %a = bfn.accuracy_constant 0.5
  %p = bfn.pack %logp : tensor<256x65536xf32> -> !bfn.simplex<256x65536xf32, log>
  %s = bfn.sender %x, %a : tensor<256xi32>, !bfn.accuracy -> !bfn.sender<categorical, 256x65536xf32>
  %r = bfn.receiver %p, %a : !bfn.simplex<256x65536xf32, log>, !bfn.accuracy -> !bfn.receiver<categorical, 256x65536xf32>
  %kl = bfn.kl %s, %r at %y : !bfn.sender<categorical, 256x65536xf32>, !bfn.receiver<categorical, 256x65536xf32>, tensor<256x65536xf32> -> tensor<256xf32>
  return %kl : tensor<256xf32>
}
