/* The runtime tests' checks: EXPECT counts a failed condition and prints
 * its line; report prints a call's status and the context's message. */
#ifndef TESSERA_TEST_RUNTIME_EXPECT_H
#define TESSERA_TEST_RUNTIME_EXPECT_H

#include "tessera/runtime.h"

#include <stdio.h>

static int failures;

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAILED line %d: %s\n", __LINE__, #cond);                         \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* Prints the status and the context's message; returns the status. */
static inline tessera_status report(const char *what, tessera_context *ctx,
                                    tessera_status s) {
  printf("%s: %s: %s\n", what, tessera_status_string(s),
         s == TESSERA_SUCCESS ? "" : tessera_context_error(ctx));
  return s;
}

#endif /* TESSERA_TEST_RUNTIME_EXPECT_H */
