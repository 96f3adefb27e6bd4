//===- RadixSearch.cpp - the planner's choice of DFT radices --------------===//

#include "linop/RadixSearch.h"

#include "linop/Codelets.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <functional>
#include <limits>

using namespace linop;

namespace {

/// Radix multisets are enumerated in non-increasing order; each is priced
/// in the orders the model can tell apart: any choice of its innermost
/// three radices (the stages whose I_b may be narrower than a vector, and
/// the first, which reads the permuted load), the rest largest outermost.
struct Search {
  int64_t N;
  const RadixSearchOptions &opts;
  const CostModel &model;
  size_t keep;
  llvm::SmallVector<int64_t> candidates;
  llvm::SmallVector<int64_t> multiset; // non-increasing
  std::vector<RadixPlan> best;         // sorted, at most `keep`

  double worstKept() const {
    return best.size() < keep ? std::numeric_limits<double>::infinity()
                              : best.back().cost;
  }

  /// Real flops of `seq` (outermost first): N/r codelets per stage, and
  /// twiddles merged into every stage but the innermost.
  double flops(llvm::ArrayRef<int64_t> seq) const {
    double mul = opts.complex ? 6 : 1, f = 0;
    for (auto [i, r] : llvm::enumerate(seq))
      f += double(N / r) * codelets::dftFlops(r, opts.complex) +
           (i + 1 < seq.size() ? double(N) * mul : 0);
    return f;
  }

  /// Prices `seq` and keeps it if it is among the best.
  void price(llvm::ArrayRef<int64_t> seq) {
    KernelShape k;
    k.n = N;
    k.complex = opts.complex;
    k.scalarBytes = opts.scalarBytes;
    k.globalBytes = 2 * N * opts.scalarBytes * (opts.complex ? 2 : 1);
    k.permutedLoad = seq.size() > 1;
    if (k.permutedLoad)
      k.loadRadices.assign(seq.begin(), seq.end());
    // Steps in application order: the innermost radix first (no twiddles).
    int64_t b = 1;
    for (int64_t r : llvm::reverse(seq)) {
      k.steps.push_back({N / (r * b), r, b, /*stage=*/true, b > 1});
      b *= r;
    }
    k.flops = flops(seq);
    RadixPlan p{llvm::SmallVector<int64_t>(seq), k.flops, model.rowCost(k),
                model.assumption(k)};
    if (llvm::any_of(best, [&](const RadixPlan &q) {
          return q.radices == p.radices;
        }))
      return;
    // Ties keep the earlier plan: larger radices are tried first.
    auto at = llvm::upper_bound(best, p, [](const RadixPlan &x,
                                            const RadixPlan &y) {
      return x.cost < y.cost;
    });
    if (size_t(at - best.begin()) >= keep)
      return;
    best.insert(at, std::move(p));
    if (best.size() > keep)
      best.pop_back();
  }

  /// Prices the orders of `multiset` described above.
  void priceOrders() {
    size_t inner = std::min<size_t>(3, multiset.size());
    llvm::SmallVector<int64_t> tail(multiset.begin(), multiset.end());
    llvm::SmallVector<int64_t> chosen;
    std::function<void()> pick = [&] {
      if (chosen.size() == inner) {
        llvm::SmallVector<int64_t> seq(tail); // still non-increasing
        seq.append(chosen.rbegin(), chosen.rend());
        return price(seq);
      }
      int64_t last = 0;
      for (size_t i = 0; i < tail.size(); ++i) {
        if (tail[i] == last)
          continue; // the same radix again: the same orders
        last = tail[i];
        chosen.push_back(last);
        tail.erase(tail.begin() + i);
        pick();
        tail.insert(tail.begin() + i, last);
        chosen.pop_back();
      }
    };
    pick();
  }

  /// Extends the multiset with radices <= maxRadix for the remaining
  /// length n. Flops bound the cost from below (layout costs are never
  /// negative; the innermost stage's twiddles are the one order-dependent
  /// part).
  void extend(int64_t n, int64_t maxRadix) {
    if (n == 1)
      return priceOrders();
    double mul = opts.complex ? 6 : 1;
    double bound = flops(multiset) - (multiset.empty() ? 0 : double(N) * mul);
    if (model.flopBound(bound) >= worstKept())
      return;
    for (int64_t r : candidates) {
      if (r > maxRadix || n % r)
        continue;
      multiset.push_back(r);
      extend(n / r, r);
      multiset.pop_back();
    }
  }
};

llvm::SmallVector<int64_t> primeFactors(int64_t n) {
  llvm::SmallVector<int64_t> ps;
  for (int64_t p = 2; p * p <= n; ++p)
    if (n % p == 0) {
      ps.push_back(p);
      while (n % p == 0)
        n /= p;
    }
  if (n > 1)
    ps.push_back(n);
  return ps;
}

} // namespace

std::vector<RadixPlan> linop::searchRadices(int64_t N,
                                            const RadixSearchOptions &opts,
                                            const CostModel &model,
                                            size_t keep) {
  if (N <= opts.maxLeaf || keep == 0)
    return {};
  llvm::SmallVector<int64_t> primes = primeFactors(N);
  if (primes.back() > opts.maxLeaf)
    return {};
  // Allowed radices dividing N, and each prime factor no such radix covers;
  // every prime factor when those leave N unfactored (radices=4, N = 32).
  for (bool allPrimes : {false, true}) {
    Search s{N, opts, model, keep, {}, {}, {}};
    for (int64_t r : opts.radices)
      if (r > 1 && r <= opts.maxLeaf && N % r == 0)
        s.candidates.push_back(r);
    for (int64_t p : primes)
      if (allPrimes || llvm::none_of(s.candidates,
                                     [&](int64_t r) { return r % p == 0; }))
        s.candidates.push_back(p);
    llvm::sort(s.candidates, std::greater<int64_t>());
    s.candidates.erase(std::unique(s.candidates.begin(), s.candidates.end()),
                       s.candidates.end());
    s.extend(N, N);
    if (!s.best.empty())
      return s.best;
  }
  return {};
}

std::string linop::describe(const RadixPlan &p, const CostModel &model) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::interleave(p.radices, os, " x ");
  os << " (" << llvm::format(p.cost < 100 ? "%.3g" : "%.0f", p.cost) << " "
     << model.unit() << (p.assumption.empty() ? "" : " ")
     << p.assumption << ", " << llvm::format("%.0f", p.flops) << " flops)";
  return out;
}
