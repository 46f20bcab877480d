/* The two printMemref functions the examples' main entries call, for a
 * machine without MLIR's runner libraries (they pull in libMLIR/libLLVM).
 * Prints every element with 9 significant digits (a float round-trips),
 * so CPU and GPU runs can be compared beyond printMemref's 6. Built under
 * the runner libraries' sonames by bench/gpu/examples.sh prepare. */
#include <stdint.h>
#include <stdio.h>

typedef struct {
  int64_t rank;
  void *descriptor;
} unranked;

/* {allocated, aligned, offset, sizes[rank], strides[rank]} */
static void print(const unranked *m, int is_float) {
  const int64_t *words = (const int64_t *)m->descriptor;
  const char *aligned = (const char *)(intptr_t)words[1];
  int64_t offset = words[2], rank = m->rank, count = 1;
  const int64_t *sizes = words + 3, *strides = words + 3 + rank;
  for (int64_t d = 0; d < rank; ++d)
    count *= sizes[d];
  printf("memref rank %lld [", (long long)rank);
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, index = offset;
    for (int64_t d = rank - 1; d >= 0; --d) {
      index += (rest % sizes[d]) * strides[d];
      rest /= sizes[d];
    }
    if (is_float)
      printf("%s%.9g", i ? " " : "", ((const float *)aligned)[index]);
    else
      printf("%s%d", i ? " " : "", ((const int32_t *)aligned)[index]);
  }
  printf("]\n");
}

void _mlir_ciface_printMemrefF32(unranked *m) { print(m, 1); }
void _mlir_ciface_printMemrefI32(unranked *m) { print(m, 0); }
