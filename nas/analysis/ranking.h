// How well an estimator ranks architectures against a table's truth: Kendall's tau-b and Spearman's rho
// (nas/analysis/transfer.h) between the estimator's scores (e.g. a supernet's shared-weight validation
// accuracy) and the table's validation accuracy over a fixed, seeded sample of rows, beside the same measures
// between the table's first two training seeds on the same rows (how well one training replicate ranks like
// another: the ceiling that no estimator can be expected to exceed against a single seed, reported beside it as
// the estimator's tau against the first seed alone; against the mean of several seeds, which is less noisy,
// an estimator can exceed the seed-vs-seed figure). No LibTorch; reads a table only.
#ifndef NAS_ANALYSIS_RANKING_H_
#define NAS_ANALYSIS_RANKING_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/table/table.h"

namespace nas::analysis {

// `n` distinct rows of 0..num_rows-1 (all of them when n >= num_rows): the first n of a Fisher-Yates shuffle
// from Rng(DeriveSeed(seed, 0, "analysis/ranking-sample")). Deterministic for (num_rows, n, seed).
std::vector<int64_t> RankingSample(int64_t num_rows, int64_t n, uint64_t seed);

struct RankingAgreement {
  std::string dataset;
  int fidelity = 0;     // epochs of the table values compared (the dataset's largest fidelity)
  int64_t n = 0;        // rows with a finite estimate and a finite table value
  double kendall = NAN, spearman = NAN;  // estimate vs the table (validation accuracy, mean over seeds)
  int64_t seed_a_n = 0;  // rows with a finite estimate and a finite seed_a value
  double kendall_vs_seed_a = NAN;        // estimate vs seed_a alone: comparable with seed_kendall
  int64_t seed_n = 0;   // rows with finite values for both seeds
  int64_t seed_a = 0, seed_b = 0;        // the table's first two training seeds
  double seed_kendall = NAN, seed_spearman = NAN;  // seed_a vs seed_b; NaN when the table has fewer seeds
};

// `estimate[i]` is the estimator's score of table row rows[i]. Errors: sizes differ, a row out of range, an
// unknown dataset (listing the known ones).
absl::StatusOr<RankingAgreement> RankAgainstTable(const Table& table, const std::string& dataset,
                                                  const std::vector<int64_t>& rows,
                                                  const std::vector<double>& estimate);

// Two lines: the estimator's tau and rho over n rows; its tau against seed_a alone beside the table's
// seed-vs-seed tau and rho.
std::string FormatRankingAgreement(const RankingAgreement& r);

}  // namespace nas::analysis

#endif  // NAS_ANALYSIS_RANKING_H_
