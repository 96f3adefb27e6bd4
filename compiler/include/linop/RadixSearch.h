//===- RadixSearch.h - the planner's choice of DFT radices ----------------===//
//
// linop-decompose asks this search which Cooley-Tukey radices to use for a
// DFT: it prices every ordered factorization of N into allowed radices with
// the target's cost model (CostModel.h) and returns the cheapest. --explain
// prints the choice and the runners-up.
//
//===----------------------------------------------------------------------===//

#ifndef LINOP_RADIXSEARCH_H
#define LINOP_RADIXSEARCH_H

#include "linop/CostModel.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace linop {

/// DFT_N = (DFT_r1 (x) I)(twiddles)(I (x) DFT_N/r1)(stride perm), recursively:
/// `radices` from the outermost split r1 (the stage applied last) to the
/// innermost (applied first, right after the load's digit reversal).
struct RadixPlan {
  llvm::SmallVector<int64_t> radices;
  double flops = 0;  // real flops per row
  double cost = 0;   // the cost model's estimate per row
  std::string assumption; // what the estimate assumes ("along the row")
};

struct RadixSearchOptions {
  llvm::SmallVector<int64_t> radices; // allowed radices
  int64_t maxLeaf = 16;
  bool complex = true;     // complex elements (a DFT: always so far)
  int64_t scalarBytes = 4; // bytes of a real scalar
};

/// The `keep` cheapest plans for DFT_N, cheapest first (ties: larger
/// radices outermost). Radices come from `radices`, plus the prime factors
/// of N that none of those covers (all of N's prime factors when that
/// leaves N unfactored). Empty when N has a prime factor above max-leaf
/// (Bluestein's case) or is at most max-leaf (a leaf).
std::vector<RadixPlan> searchRadices(int64_t N, const RadixSearchOptions &opts,
                                     const CostModel &model, size_t keep = 1);

/// "16 x 16 x 4 (1234 vector ops/row along the row, 56789 flops)".
std::string describe(const RadixPlan &plan, const CostModel &model);

} // namespace linop

#endif
