/* Numeric checks for executed lit tests (mlir-runner -shared-libs=...):
 * the compiled code passes what it computed, the test passes the golden
 * value from docs/bfn-math.md / docs/ebt-math.md, and FileCheck reads the
 * verdict. */

#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* Prints "check <id>: ok" when |got - want| <= rtol * |want| (or <= rtol
 * when want is 0), "check <id>: FAIL ..." otherwise. */
void tessera_check_close(float got, double want, double rtol, int64_t id) {
  double err = fabs((double)got - want);
  double bound = want != 0.0 ? rtol * fabs(want) : rtol;
  if (err <= bound && !isnan(got))
    printf("check %lld: ok\n", (long long)id);
  else
    printf("check %lld: FAIL got %.9g want %.9g rel %.3g\n", (long long)id,
           (double)got, want, want != 0.0 ? err / fabs(want) : err);
  fflush(stdout);
}

/* Prints "check <id>: ok" when got == want (integer results). */
void tessera_check_eq(int64_t got, int64_t want, int64_t id) {
  if (got == want)
    printf("check %lld: ok\n", (long long)id);
  else
    printf("check %lld: FAIL got %lld want %lld\n", (long long)id,
           (long long)got, (long long)want);
  fflush(stdout);
}
