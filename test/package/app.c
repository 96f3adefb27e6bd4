/* Runs the Hadamard transform that linop_add_library compiled from
 * ops.mlir on random rows, and checks it against the defining sums. */
#include "my_ops.h"

#include <math.h>
#include <stdio.h>

enum { N = 8, ROWS = 37 };

int main(void) {
  static float x[ROWS * N], y[ROWS * N];
  unsigned s = 12345;
  for (int i = 0; i < ROWS * N; ++i) {
    s = s * 1103515245u + 12345u;
    x[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
    y[i] = NAN; /* poisoned: every output must be written */
  }
  if (hadamard8(x, y, ROWS, 0, 0) != LINOP_OK) {
    fprintf(stderr, "app: hadamard8 failed: %s\n", linop_last_error());
    return 1;
  }
  double worst = 0;
  for (int r = 0; r < ROWS; ++r)
    for (int k = 0; k < N; ++k) {
      double want = 0;
      for (int j = 0; j < N; ++j)
        want += (__builtin_popcount(j & k) & 1 ? -1.0 : 1.0) * x[r * N + j];
      double err = fabs(y[r * N + k] - want);
      if (!(err <= worst)) /* NaN counts as worst */
        worst = isnan(err) ? INFINITY : err;
    }
  printf("app: my_ops %s, hadamard8 on %d rows, worst error %g: %s\n",
         MY_OPS_LINOP_VERSION, ROWS, worst, worst < 1e-5 ? "ok" : "FAILED");
  return worst < 1e-5 ? 0 : 1;
}
