// How much ranking signal a table holds: Kendall's tau-b between the accuracies two training seeds give the
// same architectures (seed against seed, per fidelity), and between a fidelity's mean over seeds and the largest
// fidelity's (how well a cheap fidelity predicts the expensive one). Computed over the table's distinct
// architectures (rows_of_classes), rows without a value skipped. No LibTorch.
#ifndef NAS_ANALYSIS_TABLE_SIGNAL_H_
#define NAS_ANALYSIS_TABLE_SIGNAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nas/table/table.h"

namespace nas::analysis {

// One row per distinct architecture: every row of a sparse table (each is an isomorphism class); for a dense
// table over a known space, the first ordinal of each SearchSpace::CanonicalKey class (isomorphic rows hold
// copies of one training and would weigh a class by its size); every row otherwise.
std::vector<int64_t> RowsOfClasses(const Table& table);

struct SeedAgreement {
  int epochs = 0;
  int seed_pairs = 0;          // pairs of seeds averaged over
  int64_t n = 0;               // architectures with both values (smallest over the pairs)
  double tau_valid = NAN;      // mean over the seed pairs of tau-b between the two seeds' validation accuracies
  double tau_test = NAN;       // the same for test accuracy
  double mean_abs_diff_valid = NAN;  // mean |seed a - seed b| of validation accuracy (points), over the pairs
  // Mean over the seeds of tau-b between one training's validation and test accuracy: two disjoint evaluation
  // sets, one network, so its distance from 1 is the evaluation noise alone, against the training noise above.
  double tau_valid_test_same_seed = NAN;
};
// Per fidelity of `d`; empty for datasets with fewer than two seeds.
std::vector<SeedAgreement> SeedAgreements(const TableDataset& d, const std::vector<int64_t>& rows);

struct FidelityAgreement {
  int epochs = 0;
  int64_t n = 0;
  // tau-b between this fidelity's validation accuracy and the largest fidelity's validation (resp. test)
  // accuracy, means over seeds; at the largest fidelity tau_valid is 1 and tau_test its validation-test tau.
  double tau_valid = NAN;
  double tau_test = NAN;
};
// Per fidelity of `d` (one entry for a single fidelity: its validation-test tau).
std::vector<FidelityAgreement> FidelityAgreements(const TableDataset& d, const std::vector<int64_t>& rows);

// The lines `nas inspect` prints for `d` (indented by two spaces; nothing for a dataset without values).
std::string FormatSignal(const TableDataset& d, const std::vector<int64_t>& rows);

}  // namespace nas::analysis

#endif  // NAS_ANALYSIS_TABLE_SIGNAL_H_
