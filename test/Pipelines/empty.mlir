// RUN: tessera-opt %s --tessera-pipeline | FileCheck %s
// An empty module goes through every stage.
// CHECK: module {
// CHECK-NEXT: }
