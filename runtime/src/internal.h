/*===- internal.h - shared between the runtime's sources --------*- C -*-===*/

#ifndef TESSERA_RUNTIME_INTERNAL_H
#define TESSERA_RUNTIME_INTERNAL_H

#include "tessera/runtime.h"

/* Records `format` as ctx's latest error (when ctx is not NULL) and returns
 * `status`. Not exported. */
__attribute__((visibility("hidden"), format(printf, 3, 4))) tessera_status
rt_fail(tessera_context *ctx, tessera_status status, const char *format,
        ...);

#endif /* TESSERA_RUNTIME_INTERNAL_H */
