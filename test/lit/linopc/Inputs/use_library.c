/* A user's program: calls a library written by linopc through its header,
 * exactly as documented there, and checks every result against a direct
 * formula. Random inputs; outputs and the padding between rows poisoned
 * with NaN, so that a skipped row, a stray write or a wrong stride shows.
 *
 * The entry point under test and its formula are chosen at compile time,
 * so that c-program.test can switch specs:
 *   -DENTRY=copy -DN=8 -DM=8 -DFORMULA_COPY   y = x
 *   -DENTRY=f -DN=8 -DM=8 -DFORMULA_HADAMARD  y = H x (Sylvester order)
 * The library is always built with --name testlib. */
#include "testlib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(ENTRY) || !defined(N) || !defined(M)
#error "compile with -DENTRY=<function> -DN=<input row> -DM=<output row>"
#endif

/* The direct formula: one row. */
static void reference(const float *x, double *y) {
#if defined(FORMULA_COPY)
  for (int i = 0; i < M; ++i)
    y[i] = x[i];
#elif defined(FORMULA_HADAMARD)
  for (int i = 0; i < M; ++i) {
    y[i] = 0;
    for (int j = 0; j < N; ++j)
      y[i] += (__builtin_popcount(i & j) % 2 ? -1.0 : 1.0) * x[j];
  }
#else
#error "choose a formula: -DFORMULA_COPY or -DFORMULA_HADAMARD"
#endif
}

static int failures = 0;
#define EXPECT(cond, ...)                                                     \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "FAILED line %d: ", __LINE__);                          \
      fprintf(stderr, __VA_ARGS__);                                           \
      fprintf(stderr, "\n");                                                  \
      ++failures;                                                             \
    }                                                                         \
  } while (0)

static float *alloc_rows(int64_t batch, int64_t stride) {
  size_t n = (size_t)(batch > 0 ? batch : 1) * (size_t)stride;
  float *p = (float *)malloc(n * sizeof(float));
  for (size_t i = 0; i < n; ++i)
    p[i] = NAN;
  return p;
}

/* Runs batch rows with the given row strides (0 = contiguous) and checks
 * every output element and the padding after every output row. */
static void run(int64_t batch, int64_t x_stride, int64_t y_stride) {
  int64_t xs = x_stride ? x_stride : N, ys = y_stride ? y_stride : M;
  float *x = alloc_rows(batch, xs), *y = alloc_rows(batch, ys);
  for (int64_t b = 0; b < batch; ++b)
    for (int j = 0; j < N; ++j)
      x[b * xs + j] = (float)rand() / (float)RAND_MAX * 2.0f - 1.0f;

  linop_status st = ENTRY(x, y, batch, x_stride, y_stride);
  EXPECT(st == LINOP_OK, "batch %lld: status %s: %s", (long long)batch,
         linop_status_string(st), linop_last_error());

  double want[M];
  for (int64_t b = 0; b < batch; ++b) {
    reference(x + b * xs, want);
    for (int i = 0; i < M; ++i) {
      double got = y[b * ys + i];
      /* f32 rounding of a sum of N terms of size <= 1. */
      EXPECT(fabs(got - want[i]) <= 1e-5 * N, "row %lld, element %d: got %g, "
             "want %g (batch %lld, strides %lld, %lld)", (long long)b, i, got,
             want[i], (long long)batch, (long long)x_stride,
             (long long)y_stride);
    }
    for (int64_t k = M; k < ys; ++k)
      EXPECT(isnan(y[b * ys + k]), "padding after row %lld was written",
             (long long)b);
  }
  free(x);
  free(y);
}

/* Expects `st` to be an invalid-argument error whose message contains
 * `words`, and the output to be untouched (still NaN). */
static void expect_error(linop_status st, const char *words, const float *y,
                         int64_t n) {
  EXPECT(st == LINOP_ERROR_INVALID_ARGUMENT, "expected an error about '%s', "
         "got status %s", words, linop_status_string(st));
  EXPECT(strstr(linop_last_error(), words) != NULL,
         "message '%s' does not mention '%s'", linop_last_error(), words);
  for (int64_t i = 0; i < n; ++i)
    EXPECT(isnan(y[i]), "output written despite the error (element %lld)",
           (long long)i);
  printf("rejected as expected: %s\n", linop_last_error());
}

int main(void) {
  srand(1);
  /* Sizes around the thread and grain boundaries, on 1 and 4 threads. */
  int threads[] = {1, 4};
#ifndef BATCHES /* -DBATCHES=0,1,3 for long rows, whose formula is slow */
#define BATCHES 0, 1, 3, 17, 1000, 12345
#endif
  int64_t batches[] = {BATCHES};
  for (int t = 0; t < 2; ++t) {
    linop_set_num_threads(threads[t]);
    for (size_t i = 0; i < sizeof batches / sizeof *batches; ++i) {
      run(batches[i], 0, 0);
      run(batches[i], N + 3, M + 5);
    }
  }
  linop_set_num_threads(0);

  /* Bad arguments: an error, a message naming the problem, no write. */
  float x[4 * N], y[4 * M + N];
  for (int i = 0; i < 4 * N; ++i)
    x[i] = 1;
  for (int i = 0; i < 4 * M + N; ++i)
    y[i] = NAN;
  expect_error(ENTRY(NULL, y, 4, 0, 0), "NULL", y, 4 * M);
  expect_error(ENTRY(x, NULL, 4, 0, 0), "NULL", y, 4 * M);
  expect_error(ENTRY(x, y, -1, 0, 0), "batch", y, 4 * M);
  expect_error(ENTRY(x, y, 4, N - 1, 0), "stride", y, 4 * M);
  expect_error(ENTRY(x, y, 4, 0, -2), "stride", y, 4 * M);
  /* In place (exact aliasing) and partial overlap. */
  float z[4 * N + 1];
  for (int i = 0; i < 4 * N + 1; ++i)
    z[i] = NAN;
  if (N == M) {
    expect_error(ENTRY(z, z, 4, 0, 0), "in place", z, 0);
    expect_error(ENTRY(z, z + 1, 4, 0, 0), "overlap", z, 0);
  }
  /* Interleaved rows of one buffer (x in even rows, y in odd rows, stride
     of two rows) touch no common element: accepted and computed; shifted
     by one element they overlap and are refused. */
  if (N == M) {
    float w[2 * 4 * N];
    for (int64_t b = 0; b < 4; ++b)
      for (int j = 0; j < N; ++j) {
        w[2 * b * N + j] = (float)rand() / (float)RAND_MAX * 2.0f - 1.0f;
        w[(2 * b + 1) * N + j] = NAN;
      }
    EXPECT(ENTRY(w, w + N, 4, 2 * N, 2 * N) == LINOP_OK,
           "interleaved rows refused: %s", linop_last_error());
    double want[M];
    for (int64_t b = 0; b < 4; ++b) {
      reference(w + 2 * b * N, want);
      for (int i = 0; i < M; ++i)
        EXPECT(fabs(w[(2 * b + 1) * N + i] - want[i]) <= 1e-5 * N,
               "interleaved row %lld, element %d wrong", (long long)b, i);
    }
    printf("interleaved rows: ok\n");
    float v[2 * 4 * N + 1];
    for (int i = 0; i < 2 * 4 * N + 1; ++i)
      v[i] = NAN;
    expect_error(ENTRY(v, v + N - 1, 4, 2 * N, 2 * N), "overlap", v, 0);
  }
  /* batch 0 still checks its arguments, then does nothing. */
  expect_error(ENTRY(NULL, y, 0, 0, 0), "NULL", y, 4 * M);
  EXPECT(ENTRY(x, y, 0, 0, 0) == LINOP_OK, "batch 0 failed");
  EXPECT(isnan(y[0]), "batch 0 wrote");

  if (failures) {
    fprintf(stderr, "%d checks FAILED\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
