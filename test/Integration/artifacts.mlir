// Every runnable example compiled by tessera-compile and run through the C
// runtime (tessera-run) prints exactly what the same example prints under the
// packaged mlir-runner: same code, same Philox streams, same numbers.
// RUN: tessera-opt %tessera_src/examples/bfn/categorical_loss.mlir --tessera-pipeline=target=cpu | %run_example > %t.cat.ref
// RUN: tessera-compile %tessera_src/examples/bfn/categorical_loss.mlir -o %t.cat.so
// RUN: tessera-run %t.cat.so --entry main > %t.cat.out
// RUN: %python %S/Inputs/same-prints.py %t.cat.ref %t.cat.out | FileCheck %s
// RUN: tessera-opt %tessera_src/examples/bfn/continuous_loss.mlir --tessera-pipeline=target=cpu | %run_example > %t.cts.ref
// RUN: tessera-compile %tessera_src/examples/bfn/continuous_loss.mlir -o %t.cts.so
// RUN: tessera-run %t.cts.so --entry main > %t.cts.out
// RUN: %python %S/Inputs/same-prints.py %t.cts.ref %t.cts.out | FileCheck %s
// RUN: tessera-opt %tessera_src/examples/bfn/sampling.mlir --tessera-pipeline=target=cpu | %run_example > %t.smp.ref
// RUN: tessera-compile %tessera_src/examples/bfn/sampling.mlir -o %t.smp.so
// RUN: tessera-run %t.smp.so --entry main > %t.smp.out
// RUN: %python %S/Inputs/same-prints.py %t.smp.ref %t.smp.out | FileCheck %s
// RUN: tessera-opt %tessera_src/examples/ebt/mlp_infer.mlir --tessera-pipeline=target=cpu | %run_example > %t.mlp.ref
// RUN: tessera-compile %tessera_src/examples/ebt/mlp_infer.mlir -o %t.mlp.so
// RUN: tessera-run %t.mlp.so --entry main > %t.mlp.out
// RUN: %python %S/Inputs/same-prints.py %t.mlp.ref %t.mlp.out | FileCheck %s
// RUN: tessera-opt %tessera_src/examples/ebt/attention_infer.mlir --tessera-pipeline=target=cpu | %run_example > %t.att.ref
// RUN: tessera-compile %tessera_src/examples/ebt/attention_infer.mlir -o %t.att.so
// RUN: tessera-run %t.att.so --entry main > %t.att.out
// RUN: %python %S/Inputs/same-prints.py %t.att.ref %t.att.out | FileCheck %s

// The losses entry alone, fed from .npy files (int32 labels, index step and
// step count, i64 seed and offset as rank-0 arrays), gives the two numbers
// main printed.
// RUN: %python %tessera_src/test/Runtime/Inputs/npy.py write %t.x.npy i4 64 19,7,4,26,16,20,8,2,10,26,1,17,14,22,13,26,5,14,23,26,9,20,12,15,18,26,14,21,4,17,26,19,7,4,26,11,0,25,24,26,3,14,6,26,0,13,3,26,19,7,4,26,2,0,19,26,18,11,4,4,15,18,26,26
// RUN: %python %tessera_src/test/Runtime/Inputs/npy.py write %t.i.npy i8 "" 3
// RUN: %python %tessera_src/test/Runtime/Inputs/npy.py write %t.n.npy i8 "" 10
// RUN: %python %tessera_src/test/Runtime/Inputs/npy.py write %t.seed.npy i8 "" 42
// RUN: %python %tessera_src/test/Runtime/Inputs/npy.py write %t.off.npy i8 "" 0
// RUN: tessera-run %t.cat.so --entry losses --in %t.x.npy --in %t.i.npy --in %t.n.npy --in %t.seed.npy --in %t.off.npy --out %t.ln.npy --out %t.linf.npy > %t.losses
// RUN: %python %S/Inputs/same-prints.py %t.cat.ref %t.losses --scalars | FileCheck %s --check-prefix=LOSSES

// CHECK: same prints
// LOSSES: same values
