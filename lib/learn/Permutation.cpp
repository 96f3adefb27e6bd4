#include "learn/Permutation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace linop::learn {

Perm familyPerm(int64_t n, const std::vector<int> &choices) {
  Perm idx = identityPerm(n);
  std::vector<int64_t> tmp(n);
  for (size_t l = 0; l < choices.size(); ++l) {
    int64_t b = n >> l;
    if (b < 2)
      break;
    int c = choices[l];
    for (int64_t start = 0; start < n; start += b) {
      int64_t *sub = idx.data() + start;
      if (c & 1) {
        for (int64_t i = 0; i < b / 2; ++i) {
          tmp[i] = sub[2 * i];
          tmp[b / 2 + i] = sub[2 * i + 1];
        }
        std::copy(tmp.begin(), tmp.begin() + b, sub);
      }
      if (c & 2)
        std::reverse(sub, sub + b / 2);
      if (c & 4)
        std::reverse(sub + b / 2, sub + b);
    }
  }
  return idx;
}

static Butterfly factorWithChoices(const MatC &T, bool realArithmetic,
                                   const std::vector<int> &choices,
                                   double abort, HierStats &st, Perm &p) {
  p = familyPerm(T.rows(), choices);
  HierOptions opt;
  opt.tree = Tree::LeftToRight;
  opt.realArithmetic = realArithmetic;
  opt.colOf = &p;
  opt.abortResidual = abort;
  return factorHierarchical(T, false, opt, &st);
}

Perm searchFamily(const MatC &T, bool realArithmetic, double &residual) {
  int64_t n = T.rows();
  int L = log2Exact(n);
  std::vector<int> choice(std::max(0, L - 1), 0);
  Perm p;
  auto score = [&](const std::vector<int> &c, int upTo) {
    HierStats st;
    factorWithChoices(T, realArithmetic, c, -1, st, p);
    double s = 0;
    for (int k = 0; k <= upTo && k < int(st.levels.size()); ++k)
      s += st.levels[k];
    return s;
  };
  for (int l = 0; l + 1 < L; ++l) {
    std::vector<int> alt = choice;
    alt[l] = 1;
    // Prefer no separation on ties (fewer data movements, same result).
    if (score(alt, l) < score(choice, l) * (1 - 1e-9))
      choice = alt;
  }
  residual = score(choice, L);
  return familyPerm(n, choice);
}

static bool familyDfs(const MatC &T, bool realArithmetic, double threshold,
                      std::vector<int> &choice, int level, Perm &p,
                      Butterfly &b, int &budget, HierStats *stats) {
  for (int e = 0; e < 2; ++e) {
    if (--budget < 0)
      return false;
    choice[level] = e;
    HierStats st;
    Butterfly got = factorWithChoices(T, realArithmetic, choice, threshold,
                                      st, p);
    if (st.abortedAt < 0) {
      b = std::move(got);
      if (stats)
        *stats = st;
      return true;
    }
    if (st.abortedAt > level && level + 1 < int(choice.size()) &&
        familyDfs(T, realArithmetic, threshold, choice, level + 1, p, b,
                  budget, stats))
      return true;
  }
  choice[level] = 0;
  return false;
}

bool searchFamilyExact(const MatC &T, bool realArithmetic, double threshold,
                       Perm &p, Butterfly &b, HierStats *stats) {
  int L = log2Exact(T.rows());
  if (L < 2)
    return false;
  std::vector<int> choice(L - 1, 0);
  int budget = 8 * L;
  return familyDfs(T, realArithmetic, threshold, choice, 0, p, b, budget,
                   stats);
}

// ---- Clustering -------------------------------------------------------------

namespace {

struct Group {
  std::vector<int64_t> rows; // original row ids
  MatC A;                    // rows.size() x (current number of columns)
};

// Splits the rows of [A(:,c0) A(:,c1)] into two equal halves of parallel
// row vectors (rows of both zeros are wildcards). label[i] in {0, 1}.
bool classifyRows(const MatC &A, int64_t c0, int64_t c1, double tol,
                  std::vector<uint8_t> &label) {
  int64_t m = A.rows();
  double maxNorm = 0;
  for (int64_t i = 0; i < m; ++i)
    maxNorm = std::max(maxNorm, std::norm(A(i, c0)) + std::norm(A(i, c1)));
  maxNorm = std::sqrt(maxNorm);
  if (maxNorm == 0)
    return false;
  cd rep[2][2];
  int nrep = 0;
  int64_t count[2] = {0, 0};
  label.assign(m, 2); // 2: wildcard
  for (int64_t i = 0; i < m; ++i) {
    cd a = A(i, c0), b = A(i, c1);
    double na = std::sqrt(std::norm(a) + std::norm(b));
    if (na <= 1e-12 * maxNorm)
      continue;
    int found = -1;
    for (int k = 0; k < nrep && found < 0; ++k) {
      double cross = std::abs(a * rep[k][1] - b * rep[k][0]);
      if (cross <= tol * na)
        found = k;
    }
    if (found < 0) {
      if (nrep == 2)
        return false;
      rep[nrep][0] = a / na;
      rep[nrep][1] = b / na;
      found = nrep++;
    }
    label[i] = uint8_t(found);
    ++count[found];
  }
  if (count[0] > m / 2 || count[1] > m / 2)
    return false;
  for (int64_t i = 0; i < m; ++i)
    if (label[i] == 2) {
      int k = count[0] < m / 2 ? 0 : 1;
      label[i] = uint8_t(k);
      ++count[k];
    }
  return true;
}

// Sine of the angle between v and w (0 if either is zero at scale).
double sineBetween(const VecC &v, const VecC &w) {
  double nv = v.squaredNorm(), nw = w.squaredNorm();
  if (nv == 0 || nw == 0)
    return 0;
  cd ip = v.dot(w); // conj(v) . w
  return (w - (ip / nv) * v).norm() / std::sqrt(nw);
}

class Clusterer {
public:
  Clusterer(const MatC &T, double tol) : n_(T.rows()), tol_(tol) {
    Group g;
    g.rows = identityPerm(n_);
    g.A = T;
    groups_.push_back(std::move(g));
    for (int64_t j = 0; j < n_; ++j)
      members_.push_back({j});
  }

  bool run(Perm &rowOf, Perm &colOf, std::string &why) {
    int L = log2Exact(n_);
    for (int d = 0; d < L; ++d) {
      if (!level(why)) {
        why = "level " + std::to_string(d) + ": " + why;
        return false;
      }
    }
    rowOf.resize(n_);
    for (int64_t g = 0; g < n_; ++g)
      rowOf[g] = groups_[g].rows[0];
    colOf = members_[0];
    return true;
  }

private:
  // One level: find a pairing of the current columns and a halving of every
  // row group such that each (half, pair) cell is rank one.
  bool level(std::string &why) {
    int64_t nc = int64_t(members_.size());
    int attempts = 0;
    for (int64_t c0 = 0; c0 < std::min<int64_t>(nc, 4); ++c0)
      for (int64_t c1 = 0; c1 < nc; ++c1) {
        if (c1 == c0)
          continue;
        std::vector<std::vector<uint8_t>> labels(groups_.size());
        bool ok = true;
        for (size_t g = 0; g < groups_.size() && ok; ++g)
          ok = classifyRows(groups_[g].A, c0, c1, tol_, labels[g]);
        if (!ok)
          continue;
        if (++attempts > 16) {
          why = "too many ambiguous pairings";
          return false;
        }
        std::vector<std::pair<int64_t, int64_t>> pairs;
        if (pairColumns(labels, c0, c1, pairs)) {
          commit(pairs);
          return true;
        }
      }
    why = "no pairing of columns gives rank-one blocks";
    return false;
  }

  bool pairColumns(const std::vector<std::vector<uint8_t>> &labels, int64_t c0,
                   int64_t c1, std::vector<std::pair<int64_t, int64_t>> &pairs) {
    int64_t nc = int64_t(members_.size());
    size_t G = groups_.size();
    // Row indices of each cell (group g, half r).
    std::vector<std::vector<int64_t>> cell(2 * G);
    for (size_t g = 0; g < G; ++g)
      for (size_t i = 0; i < labels[g].size(); ++i)
        cell[2 * g + labels[g][i]].push_back(int64_t(i));
    // Cheap rejection before copying every cell: a few columns must each
    // have some column that passes the 2x2-minor test on their largest cell.
    for (int64_t a = 0, checked = 0; a < nc && checked < 4; ++a) {
      if (a == c0 || a == c1)
        continue;
      ++checked;
      size_t bestCell = 0;
      double best = -1;
      for (size_t k = 0; k < 2 * G; ++k) {
        double s2 = 0;
        for (int64_t i : cell[k])
          s2 += std::norm(groups_[k / 2].A(i, a));
        if (s2 > best) {
          best = s2;
          bestCell = k;
        }
      }
      const MatC &A = groups_[bestCell / 2].A;
      const std::vector<int64_t> &rows = cell[bestCell];
      if (rows.size() < 2)
        break;
      int64_t i1 = rows[0], i2 = rows[1];
      for (int64_t i : rows)
        if (std::abs(A(i, a)) > std::abs(A(i1, a)))
          i1 = i;
      if (i2 == i1)
        i2 = rows[0];
      for (int64_t i : rows)
        if (i != i1 && std::abs(A(i, a)) > std::abs(A(i2, a)))
          i2 = i;
      bool any = false;
      for (int64_t b = 0; b < nc && !any; ++b) {
        if (b == a)
          continue;
        double sb = std::max(std::abs(A(i1, b)), std::abs(A(i2, b)));
        any = std::abs(A(i1, a) * A(i2, b) - A(i2, a) * A(i1, b)) <=
              tol_ * std::abs(A(i1, a)) * sb;
      }
      if (!any)
        return false;
    }
    // Cell vectors of each column, and a quick filter: two fixed random
    // projections per cell. Parallel cell vectors have proportional
    // projections, so a nonzero 2x2 minor rules a pair out in O(cells).
    std::vector<std::vector<VecC>> vec(nc, std::vector<VecC>(2 * G));
    std::vector<double> colMax(nc, 0);
    std::vector<std::vector<VecC>> proj(2 * G);
    Rng rng(0x5eed);
    for (size_t k = 0; k < 2 * G; ++k)
      for (int t = 0; t < 2; ++t) {
        VecC r(cell[k].size());
        for (auto &v : r)
          v = cd(rng.normal(), rng.normal());
        proj[k].push_back(std::move(r));
      }
    std::vector<cd> sig(size_t(nc) * 2 * G * 2);
    std::vector<double> cellNorm(size_t(nc) * 2 * G);
    for (int64_t c = 0; c < nc; ++c)
      for (size_t k = 0; k < 2 * G; ++k) {
        const MatC &A = groups_[k / 2].A;
        VecC v(cell[k].size());
        for (size_t t = 0; t < cell[k].size(); ++t)
          v(t) = A(cell[k][t], c);
        cellNorm[c * 2 * G + k] = v.norm();
        colMax[c] = std::max(colMax[c], v.norm());
        sig[(c * 2 * G + k) * 2] = proj[k][0].dot(v);
        sig[(c * 2 * G + k) * 2 + 1] = proj[k][1].dot(v);
        vec[c][k] = std::move(v);
      }
    auto compatible = [&](int64_t a, int64_t b) {
      auto norm = [&](int64_t c, size_t k) { return cellNorm[c * 2 * G + k]; };
      auto tiny = [&](int64_t c, size_t k) {
        return norm(c, k) <= 1e-12 * colMax[c];
      };
      for (size_t k = 0; k < 2 * G; ++k) {
        if (tiny(a, k) || tiny(b, k))
          continue;
        const cd *sa = &sig[(a * 2 * G + k) * 2];
        const cd *sb = &sig[(b * 2 * G + k) * 2];
        double scale = norm(a, k) * norm(b, k) * 2.0 * double(cell[k].size());
        if (std::abs(sa[0] * sb[1] - sa[1] * sb[0]) > tol_ * scale)
          return false;
      }
      for (size_t k = 0; k < 2 * G; ++k)
        if (!tiny(a, k) && !tiny(b, k) &&
            sineBetween(vec[a][k], vec[b][k]) > tol_)
          return false;
      return true;
    };
    if (!compatible(c0, c1))
      return false;
    std::vector<bool> used(nc, false);
    used[c0] = used[c1] = true;
    pairs.clear();
    pairs.push_back({c0, c1});
    for (int64_t a = 0; a < nc; ++a) {
      if (used[a])
        continue;
      int64_t partner = -1;
      for (int64_t b = a + 1; b < nc && partner < 0; ++b)
        if (!used[b] && compatible(a, b))
          partner = b;
      if (partner < 0)
        return false;
      used[a] = used[partner] = true;
      pairs.push_back({a, partner});
    }
    pending_ = std::move(vec);
    pendingCells_ = std::move(cell);
    pendingMax_ = std::move(colMax);
    return true;
  }

  // Next level: the groups split in halves, the columns in pairs (with the
  // cell vectors that pairColumns left in pending_).
  void commit(const std::vector<std::pair<int64_t, int64_t>> &pairs) {
    size_t G = groups_.size();
    int64_t half = int64_t(groups_[0].rows.size()) / 2;
    std::vector<Group> next(2 * G);
    for (size_t g = 0; g < G; ++g)
      for (int r = 0; r < 2; ++r) {
        size_t k = 2 * g + r;
        Group &ng = next[g + r * G];
        for (int64_t i : pendingCells_[k])
          ng.rows.push_back(groups_[g].rows[i]);
        ng.A.resize(half, pairs.size());
        for (size_t q = 0; q < pairs.size(); ++q) {
          // The cell block is rank one: either of its columns spans it.
          const VecC &x = pending_[pairs[q].first][k];
          const VecC &y = pending_[pairs[q].second][k];
          ng.A.col(q) = x.norm() / std::max(pendingMax_[pairs[q].first],
                                            1e-300) >=
                                y.norm() / std::max(pendingMax_[pairs[q].second],
                                                    1e-300)
                            ? x
                            : y;
        }
      }
    std::vector<std::vector<int64_t>> members;
    for (auto &pq : pairs) {
      std::vector<int64_t> m = members_[pq.first];
      m.insert(m.end(), members_[pq.second].begin(),
               members_[pq.second].end());
      members.push_back(std::move(m));
    }
    groups_ = std::move(next);
    members_ = std::move(members);
  }

  int64_t n_;
  double tol_;
  std::vector<Group> groups_;
  std::vector<std::vector<int64_t>> members_;
  std::vector<std::vector<VecC>> pending_;
  std::vector<std::vector<int64_t>> pendingCells_;
  std::vector<double> pendingMax_;
};

} // namespace

bool clusterPermutations(const MatC &T, double tol, Perm &rowOf, Perm &colOf,
                         std::string *why) {
  std::string reason;
  Clusterer c(T, tol);
  bool ok = c.run(rowOf, colOf, reason);
  if (!ok && why)
    *why = reason;
  return ok;
}

} // namespace linop::learn
