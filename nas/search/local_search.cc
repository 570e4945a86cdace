// Local search (White, Nolen, Savani 2020, "Local search is state of the art for NAS"): start from a random
// architecture; evaluate its one-decision neighbours (in a random order); move to the best one if it beats the
// current architecture (or, with first_improvement, to the first that does); at a local optimum restart from a
// random architecture. Architectures already evaluated in this run are not evaluated again.
// In batches the neighbours of the current architecture are evaluated in parallel (up to k at a time, in the
// same random order); a move or a restart waits until the neighbourhood's pending results are told (with
// first_improvement a result that improves moves at once, and later results are compared with the new
// current architecture). A restart is one architecture, evaluated before its neighbours.
#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "nas/search/strategy.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class LocalSearch : public BatchStrategy {
 public:
  LocalSearch(const SearchSpace* space, const proto::LocalSearchParams& params, uint64_t seed)
      : space_(space), first_improvement_(params.first_improvement()), rng_(seed) {}

  std::vector<Proposal> AskBatch(int k) override {
    std::vector<Proposal> out;
    while (static_cast<int>(out.size()) < k) {
      Proposal p;
      if (!have_current_) {
        if (!pending_.empty()) break;  // the restart's result is due first
        // Restart: a random architecture not yet evaluated (any, once nearly all are).
        for (int tries = 0; tries < 1000; ++tries) {
          p.actions = RandomArch();
          if (!seen_.count(space_->Ordinal(p.actions))) break;
        }
        out.push_back(Propose(std::move(p)));
        break;
      }
      if (queue_.empty()) {
        if (!pending_.empty()) break;  // the neighbourhood's results are due first
        FinishNeighbourhood();
        continue;
      }
      Actions next = std::move(queue_.front());
      queue_.pop_front();
      const int64_t ordinal = space_->Ordinal(next);
      auto it = seen_.find(ordinal);
      if (it != seen_.end()) {
        Consider(next, it->second);  // known reward: no evaluation needed
        continue;
      }
      if (in_flight_.count(ordinal)) continue;  // pending already: its result will be considered
      p.actions = std::move(next);
      out.push_back(Propose(std::move(p)));
    }
    return out;
  }

  void TellResult(int64_t id, double reward) override {
    auto it = pending_.find(id);
    NAS_CHECK(it != pending_.end());
    const Actions actions = std::move(it->second);
    pending_.erase(it);
    const int64_t ordinal = space_->Ordinal(actions);
    in_flight_.erase(ordinal);
    seen_[ordinal] = reward;
    if (!have_current_)
      SetCurrent(actions, reward);
    else
      Consider(actions, reward);
  }

 private:
  Proposal Propose(Proposal p) {
    p.id = NextId();
    pending_[p.id] = p.actions;
    in_flight_.insert(space_->Ordinal(p.actions));
    return p;
  }

  Actions RandomArch() {
    Actions a;
    do {
      a = space_->Sample(rng_);
    } while (!space_->IsValid(a));
    return a;
  }

  void SetCurrent(const Actions& a, double reward) {
    current_ = a;
    current_reward_ = reward;
    have_current_ = true;
    have_best_neighbour_ = false;
    std::vector<Actions> n = space_->Neighbours(a);
    // Fisher-Yates with the run's stream.
    for (size_t i = n.size(); i > 1; --i) std::swap(n[i - 1], n[rng_.UniformInt(i)]);
    queue_.assign(n.begin(), n.end());
  }

  void Consider(const Actions& a, double reward) {
    if (first_improvement_) {
      if (reward > current_reward_) SetCurrent(a, reward);
      return;
    }
    if (!have_best_neighbour_ || reward > best_neighbour_reward_) {
      best_neighbour_ = a;
      best_neighbour_reward_ = reward;
      have_best_neighbour_ = true;
    }
  }

  // Every neighbour of the current architecture is known: move, or restart at a local optimum.
  void FinishNeighbourhood() {
    if (!first_improvement_ && have_best_neighbour_ && best_neighbour_reward_ > current_reward_) {
      SetCurrent(best_neighbour_, best_neighbour_reward_);
      return;
    }
    have_current_ = false;
  }

  const SearchSpace* space_;
  const bool first_improvement_;
  Rng rng_;
  std::unordered_map<int64_t, double> seen_;
  std::unordered_map<int64_t, Actions> pending_;  // by proposal id
  std::unordered_set<int64_t> in_flight_;          // ordinals of the pending proposals
  bool have_current_ = false;
  Actions current_;
  double current_reward_ = 0;
  std::deque<Actions> queue_;
  bool have_best_neighbour_ = false;
  Actions best_neighbour_;
  double best_neighbour_reward_ = 0;
};

const bool kRegistered = RegisterStrategy(StrategyInfo{
    "local_search", "best- or first-improvement local search with random restarts (White et al. 2020)",
    [](proto::Method* m) {
      if (m->params_case() != proto::Method::PARAMS_NOT_SET && !m->has_local_search())
        return absl::InvalidArgumentError(
            absl::StrCat("method '", m->label(), "' (local_search) takes `local_search { ... }` params"));
      m->mutable_local_search();
      return absl::OkStatus();
    },
    [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
      return std::make_unique<LocalSearch>(c.space, c.method->local_search(), c.seed);
    }});

}  // namespace
}  // namespace nas
