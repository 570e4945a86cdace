// Parameter and FLOP counts that a space computes for the networks of a table recording none: a space
// registers a model for the tables it recognises (by their attributes, e.g. the source they were imported
// from, which fixes how their networks were built), so that the table evaluator needs no knowledge of any
// space. The NB201 model (nb201_table_costs.cc) covers tables imported from the NB201 CSVs.
#ifndef NAS_SPACE_ANALYTIC_COST_H_
#define NAS_SPACE_ANALYTIC_COST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nas/space/space.h"

namespace nas {

struct AnalyticCosts {
  std::vector<double> params_m, flops_m;  // per ordinal of the space, millions
  std::string source;                     // what the counts assume, for provenance ("analytic (...)")
};

// Given a dense table of the space (`num_archs` ordinals, its attributes, the dataset searched), the counts,
// or nullopt when the model does not recognise the table.
using AnalyticCostModel = std::function<std::optional<AnalyticCosts>(
    const SearchSpace& space, int64_t num_archs, const std::map<std::string, std::string>& table_attributes,
    const std::string& dataset)>;

// Registers the model of the space `space_name` (static initialisation; one per space).
bool RegisterAnalyticCost(const std::string& space_name, AnalyticCostModel model);
// The registered model of space.name() applied to the table; nullopt without a model or a match.
std::optional<AnalyticCosts> AnalyticTableCosts(const SearchSpace& space, int64_t num_archs,
                                                const std::map<std::string, std::string>& table_attributes,
                                                const std::string& dataset);

}  // namespace nas

#endif  // NAS_SPACE_ANALYTIC_COST_H_
