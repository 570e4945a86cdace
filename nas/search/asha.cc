// Asynchronous successive halving (ASHA, Li et al. 2020) over the benchmark's fidelities: whenever a worker is
// free, promote an architecture that is in the top 1/eta of the results told at its rung and not yet promoted
// (checking the highest rung first; the best such one), else sample a new architecture at the lowest rung.
// Never waits, so it keeps every worker of budget.workers busy; with one worker it is the same rule in turn.
#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "nas/search/multi_fidelity.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class Asha : public BatchStrategy {
 public:
  Asha(const StrategyContext& c, std::vector<int> rungs, int eta)
      : space_(c.space), rungs_(std::move(rungs)), eta_(eta), rng_(c.seed), results_(rungs_.size()) {}

  std::vector<Proposal> AskBatch(int k) override {
    std::vector<Proposal> out;
    for (int i = 0; i < k; ++i) {
      const auto [config, rung] = NextJob();
      Proposal p;
      p.actions = configs_[config];
      p.fidelity = rungs_[rung];
      p.id = NextId();
      pending_[p.id] = {config, rung};
      out.push_back(std::move(p));
    }
    return out;
  }

  void TellResult(int64_t id, double reward) override {
    auto it = pending_.find(id);
    NAS_CHECK(it != pending_.end());
    const auto [config, rung] = it->second;
    pending_.erase(it);
    std::vector<Result>& r = results_[rung];
    // Sorted best first (ties: the earlier sampled architecture first).
    const Result x{reward, config};
    r.insert(std::upper_bound(r.begin(), r.end(), x, Better), x);
  }

 private:
  struct Result {
    double reward;
    int config;
  };
  static bool Better(const Result& a, const Result& b) {
    return a.reward > b.reward || (a.reward == b.reward && a.config < b.config);
  }

  std::pair<int, int> NextJob() {
    for (int rung = static_cast<int>(rungs_.size()) - 2; rung >= 0; --rung) {
      const std::vector<Result>& r = results_[rung];
      const size_t top = r.size() / eta_;
      for (size_t i = 0; i < top; ++i)
        if (promoted_.insert({rung, r[i].config}).second) return {r[i].config, rung + 1};
    }
    Actions a;
    do {
      a = space_->Sample(rng_);
    } while (!space_->IsValid(a));
    configs_.push_back(std::move(a));
    return {static_cast<int>(configs_.size()) - 1, 0};
  }

  const SearchSpace* space_;
  const std::vector<int> rungs_;
  const int eta_;
  Rng rng_;
  std::vector<Actions> configs_;               // every sampled architecture
  std::vector<std::vector<Result>> results_;   // per rung, best first
  std::set<std::pair<int, int>> promoted_;     // (rung, config) promoted from that rung
  std::map<int64_t, std::pair<int, int>> pending_;  // proposal id -> (config, rung)
};

const bool kRegistered = RegisterStrategy(StrategyInfo{
    "asha", "asynchronous successive halving (Li et al. 2020) over the benchmark's fidelities, eta 3",
    [](proto::Method* m) { return ResolveMultiFidelity(m, "asha"); },
    [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
      NAS_ASSIGN_OR_RETURN(std::vector<int> rungs, RungsOf(c, "asha"));
      return std::make_unique<Asha>(c, std::move(rungs), c.method->multi_fidelity().eta());
    }});

}  // namespace
}  // namespace nas
