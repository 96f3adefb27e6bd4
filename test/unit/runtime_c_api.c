/* Compiled as C: proves that linop/runtime.h is a valid C header and that
 * the library links from C. Called from RuntimeTest.cpp. */
#include "linop/runtime.h"

#include <string.h>

static void add_range(void *ctx, int64_t begin, int64_t end) {
  /* Ranges are disjoint, so each writes its own slots. */
  int64_t *values = (int64_t *)ctx;
  int64_t i;
  for (i = begin; i < end; ++i)
    values[i] = i;
}

/* Returns 0 when everything behaves, else the number of the failed check. */
int linop_runtime_c_api_smoke(void) {
  int64_t values[100];
  int64_t i, sum = 0;
  void *p;
  linop_stream stream = NULL;
  linop_status status;

  if (strcmp(linop_status_string(LINOP_OK), "ok") != 0)
    return 1;
  if (linop_set_error(LINOP_ERROR_UNSUPPORTED, "from C: %d", 42) !=
      LINOP_ERROR_UNSUPPORTED)
    return 2;
  if (strcmp(linop_last_error(), "from C: 42") != 0)
    return 3;
  linop_clear_error();
  if (linop_last_error()[0] != '\0')
    return 4;
  if (linop_check_pointer(NULL, "x") != LINOP_ERROR_INVALID_ARGUMENT)
    return 5;
  if (linop_check_batch(-1) != LINOP_ERROR_INVALID_ARGUMENT)
    return 6;
  if (linop_check_overlap(values, 80, values + 5, 80, 1) !=
      LINOP_ERROR_INVALID_ARGUMENT)
    return 7;
  if (linop_parallel_for(100, 7, add_range, values) != LINOP_OK)
    return 8;
  for (i = 0; i < 100; ++i)
    sum += values[i];
  if (sum != 4950)
    return 9;
  p = linop_aligned_alloc(100, 64);
  if (!p || ((uintptr_t)p & 63) != 0)
    return 10;
  linop_aligned_free(p);
  status = linop_cuda_init();
  if (status != LINOP_OK && status != LINOP_ERROR_NO_CUDA_DRIVER &&
      status != LINOP_ERROR_CUDA)
    return 11;
  (void)stream;
  return 0;
}
