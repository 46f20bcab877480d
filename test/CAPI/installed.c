/* A C11 program built like a user's: only the installed headers (found by
 * pkg-config) and libTesseraBFN-C. */
// RUN: rm -rf %t && mkdir -p %t
// RUN: cmake --install %tessera_obj --prefix %t/prefix > %t/install.log
// RUN: env PKG_CONFIG_PATH=%t/prefix/lib/pkgconfig pkg-config --cflags --libs tessera-bfn-c > %t/flags
// RUN: %cc -std=c11 -pedantic -Wall -Werror %sanitizer_flags %s @%t/flags -o %t/prog
// RUN: %t/prog | FileCheck %s
// RUN: %t/prefix/bin/tessera-opt --show-dialects | FileCheck %s --check-prefix=OPT
// RUN: %t/prefix/bin/tessera-compile %S/../Runtime/Inputs/entries.mlir -o %t/entries.so
// RUN: not %t/prefix/bin/tessera-run %t/entries.so --entry nope 2>&1 | FileCheck %s --check-prefix=ARTIFACT
// RUN: test -f %t/prefix/include/tessera/runtime.h
// RUN: test -f %t/prefix/lib/cmake/Tessera/TesseraConfig.cmake
// RUN: test -f %t/prefix/lib/TesseraPlugin.so

#include "mlir-c/IR.h"
#include "mlir-c/Tessera/Dialects.h"

#include <stdio.h>

static void print(MlirStringRef s, void *userData) {
  (void)userData;
  fwrite(s.data, 1, s.length, stdout);
}

int main(void) {
  MlirContext ctx = mlirContextCreate();
  MlirDialect bfn = mlirDialectHandleLoadDialect(mlirGetDialectHandle__bfn__(), ctx);
  MlirDialect ebt = mlirDialectHandleLoadDialect(mlirGetDialectHandle__ebt__(), ctx);
  MlirStringRef bn = mlirDialectGetNamespace(bfn), en = mlirDialectGetNamespace(ebt);
  printf("loaded %.*s and %.*s\n", (int)bn.length, bn.data, (int)en.length, en.data);
  // CHECK: loaded bfn and ebt
  MlirType acc = mlirTypeParseGet(ctx, mlirStringRefCreateFromCString("!bfn.accuracy"));
  MlirAttribute pol = mlirAttributeParseGet(
      ctx, mlirStringRefCreateFromCString("#ebt.policy<coordinate, greedy>"));
  printf("accuracy: %d policy: %d\n", tesseraBFNTypeIsAAccuracy(acc), tesseraEBTAttributeIsAPolicy(pol));
  mlirAttributePrint(pol, print, NULL);
  printf("\n");
  // CHECK: accuracy: 1 policy: 1
  // CHECK: #ebt.policy<coordinate, greedy>
  mlirContextDestroy(ctx);
  return 0;
}
// ARTIFACT: tessera-run: the artifact has no entry point 'nope'
// OPT: bfn
// OPT-SAME: ebt
