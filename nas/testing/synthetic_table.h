// A full-size synthetic NB201 table for tests that need no real data: dataset "toy", fidelities 12 and 200
// epochs, seeds 777 and 888, accuracies from a smooth function of the cell plus a deterministic ripple,
// training times proportional to the cell's cost. Not a benchmark: only for exercising the machinery.
#ifndef NAS_TESTING_SYNTHETIC_TABLE_H_
#define NAS_TESTING_SYNTHETIC_TABLE_H_

#include <string>

namespace nas::testing {

// Writes the table to `path` (replacing it) once per process and returns `path`.
std::string WriteSyntheticNb201Table(const std::string& path);

// The same kind of table with four fidelities, 4, 12, 36 and 108 epochs (dataset "toy", seeds 777 and 888):
// accuracies rise with the fidelity by a per-cell amount (so rankings change between fidelities a little),
// training times are proportional to the epochs.
std::string WriteSyntheticMultiFidelityTable(const std::string& path);

}  // namespace nas::testing

#endif  // NAS_TESTING_SYNTHETIC_TABLE_H_
