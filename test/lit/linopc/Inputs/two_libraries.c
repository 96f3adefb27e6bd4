/* Two libraries compiled from the same spec (a function @copy each) in one
 * program: their exported names carry the library's (one_copy, two_copy),
 * and so do their kernels, so they link side by side. */
#define LINOP_NO_SHORT_NAMES
#include "one.h"
#include "two.h"

int main(void) {
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8], z[8];
  if (one_copy(x, y, 1, 0, 0) != LINOP_OK || two_copy(y, z, 1, 0, 0) != LINOP_OK)
    return 1;
  for (int i = 0; i < 8; ++i)
    if (z[i] != x[i])
      return 2;
  return 0;
}
