// tessera-run: .npy in and out through libtessera_rt, and its errors.
// RUN: tessera-compile %S/Inputs/entries.mlir -o %t.so
// RUN: %python %S/Inputs/npy.py write %t.m.npy f4 8 -0.3,-0.2,-0.1,0,0.1,0.2,0.3,0.4
// RUN: %python %S/Inputs/npy.py write %t.r.npy f4 8 1,1.5,2,2.5,3,3.5,4,4.5
// RUN: %python %S/Inputs/npy.py write %t.y.npy f4 8 0.7,0.5,0.3,0.1,-0.1,-0.3,-0.5,-0.7
// RUN: tessera-run %t.so --entry gauss --in %t.m.npy --in %t.r.npy --in %t.y.npy --out %t.mu.npy --out %t.rho.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py check %t.mu.npy 0.03333333,-0.025,-0.02,0.01666667,0.07142857,0.1375,0.2111111,0.29 1e-6 | FileCheck %s --check-prefix=MU
// RUN: %python %S/Inputs/npy.py read %t.rho.npy | FileCheck %s --check-prefix=RHO
// RUN: %python %S/Inputs/npy.py write %t.x.npy f4 2x3 1.5,0,0,0,0,41.75
// RUN: tessera-run %t.so --entry stats --in %t.x.npy | FileCheck %s --check-prefix=STATS
// RUN: %python %S/Inputs/npy.py write %t.i.npy i4 8 1,2,3,4,5,6,7,8
// RUN: not tessera-run %t.so --entry gauss --in %t.m.npy --in %t.i.npy --in %t.y.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not tessera-run %t.so --entry gauss --in %t.m.npy --in %t.x.npy --in %t.y.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not tessera-run %t.so --entry gauss --in %t.m.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not tessera-run %t.so --entry nope 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not tessera-run %t.so --entry gauss --in %s 2>&1 | FileCheck %s --check-prefix=NOTNPY

// mu' = (rho mu + 0.5 y) / (rho + 0.5), rho' = rho + 0.5:
// CHECK: output 0: f32[8] min -0.02{{[0-9]*}} max 0.29{{[0-9]*}} mean {{.*}} values 0.0333333
// CHECK: output 1: f32[8] min 1.5 max 5 mean 3.25 values 1.5 2 2.5 3 3.5 4 4.5 5
// MU: match
// RHO: <f4 (8,) 1.5 2 2.5 3 3.5 4 4.5 5
// STATS: output 0: f32[] values 1.5
// STATS: output 1: i64[] values 41
// STATS: output 2: f32[] values 41.75
// DTYPE: tessera-run: gauss: input #1 has dtype i32, the entry expects f32
// RANK: tessera-run: gauss: input #1 has rank 2, the entry expects 1
// COUNT: tessera-run: gauss: called with 1 inputs and 2 outputs, the entry takes 3 and 2
// ENTRY: tessera-run: the artifact has no entry point 'nope'
// NOTNPY: tessera-run: {{.*}}tessera-run.mlir is not a .npy file
