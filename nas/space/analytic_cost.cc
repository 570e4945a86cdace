#include "nas/space/analytic_cost.h"

#include "nas/util/status.h"

namespace nas {
namespace {

std::map<std::string, AnalyticCostModel>& Models() {
  static auto* models = new std::map<std::string, AnalyticCostModel>();
  return *models;
}

}  // namespace

bool RegisterAnalyticCost(const std::string& space_name, AnalyticCostModel model) {
  NAS_CHECK(model != nullptr);
  const bool inserted = Models().emplace(space_name, std::move(model)).second;
  NAS_CHECK(inserted);  // one model per space
  return true;
}

std::optional<AnalyticCosts> AnalyticTableCosts(const SearchSpace& space, int64_t num_archs,
                                                const std::map<std::string, std::string>& table_attributes,
                                                const std::string& dataset) {
  auto it = Models().find(space.name());
  if (it == Models().end()) return std::nullopt;
  return it->second(space, num_archs, table_attributes, dataset);
}

}  // namespace nas
