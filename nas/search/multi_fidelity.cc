#include "nas/search/multi_fidelity.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/util/field_check.h"
#include "nas/util/status.h"

namespace nas {

std::vector<int> SelectRungs(const std::vector<int>& epochs, int top, int eta, int min_epochs) {
  NAS_CHECK(top >= 0 && top < static_cast<int>(epochs.size()) && eta >= 2);
  std::vector<int> rungs = {top};
  for (;;) {
    const int above = rungs.back();
    int next = -1;
    for (int i = above - 1; i >= 0 && next < 0; --i)
      if (static_cast<int64_t>(epochs[i]) * eta <= epochs[above]) next = i;
    if (next < 0) next = above - 1;  // no fidelity that small: the next smaller one
    if (next < 0 || epochs[next] < min_epochs) break;
    rungs.push_back(next);
  }
  return std::vector<int>(rungs.rbegin(), rungs.rend());
}

absl::Status ResolveMultiFidelity(proto::Method* m, const std::string& name) {
  if (m->params_case() != proto::Method::PARAMS_NOT_SET && !m->has_multi_fidelity())
    return absl::InvalidArgumentError(
        absl::StrCat("method '", m->label(), "' (", name, ") takes `multi_fidelity { ... }` params"));
  proto::MultiFidelityParams* p = m->mutable_multi_fidelity();
  if (p->eta() == 0) p->set_eta(3);
  auto bad = [&](const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat("method '", m->label(), "' (", name, "): ", s.message()));
  };
  if (absl::Status s = CheckIntRange("multi_fidelity.eta", p->eta(), 2, 100); !s.ok()) return bad(s);
  if (absl::Status s = CheckIntRange("multi_fidelity.min_epochs", p->min_epochs(), 0, 100000); !s.ok()) return bad(s);
  if (absl::Status s = CheckIntRange("multi_fidelity.initial", p->initial(), 0, 100000); !s.ok()) return bad(s);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> RungsOf(const StrategyContext& c, const std::string& name) {
  const proto::MultiFidelityParams& p = c.method->multi_fidelity();
  std::vector<int> rungs;
  if (c.search_fidelity >= 0 && c.search_fidelity < static_cast<int>(c.fidelity_epochs.size()))
    rungs = SelectRungs(c.fidelity_epochs, c.search_fidelity, p.eta(), p.min_epochs());
  if (rungs.size() < 2)
    return absl::FailedPreconditionError(absl::StrCat(
        "method '", c.method->label(), "' (", name, ") needs at least two fidelities of at least ", p.min_epochs(),
        " epochs up to the search fidelity; the benchmark has [", absl::StrJoin(c.fidelity_epochs, ", "),
        "] epochs and searches at ",
        c.search_fidelity >= 0 && c.search_fidelity < static_cast<int>(c.fidelity_epochs.size())
            ? absl::StrCat(c.fidelity_epochs[c.search_fidelity])
            : std::string("none"),
        " (benchmark.search_epochs)"));
  return rungs;
}

SynchronousHalving::SynchronousHalving(const StrategyContext& c, std::vector<int> rungs, int eta)
    : space_(c.space), rungs_(std::move(rungs)), eta_(eta), rng_(c.seed) {}

void SynchronousHalving::Advance() {
  if (rung_ < 0 || rung_ + 1 >= num_rungs()) {  // a new bracket
    const Bracket b = NextBracket();
    NAS_CHECK(b.configs >= 1 && b.first_rung >= 0 && b.first_rung < num_rungs());
    configs_.assign(b.configs, Actions());
    for (Actions& a : configs_) {
      do {
        a = space_->Sample(rng_);
      } while (!space_->IsValid(a));
    }
    rung_ = b.first_rung;
  } else {  // promote the best 1/eta of the finished rung
    std::vector<size_t> order(configs_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rewards_[a] > rewards_[b]; });
    const size_t keep = std::max<size_t>(1, configs_.size() / eta_);
    std::vector<Actions> promoted;
    for (size_t i = 0; i < keep; ++i) promoted.push_back(std::move(configs_[order[i]]));
    configs_ = std::move(promoted);
    ++rung_;
  }
  rewards_.assign(configs_.size(), 0.0);
  next_ = 0;
}

std::vector<Proposal> SynchronousHalving::AskBatch(int k) {
  NAS_CHECK(k >= 1);
  if (next_ == configs_.size()) {
    if (!pending_.empty()) return {};  // the rung waits for its results
    Advance();
  }
  std::vector<Proposal> out;
  while (static_cast<int>(out.size()) < k && next_ < configs_.size()) {
    Proposal p;
    p.actions = configs_[next_];
    p.fidelity = rungs_[rung_];
    p.id = NextId();
    pending_[p.id] = next_++;
    out.push_back(std::move(p));
  }
  return out;
}

void SynchronousHalving::TellResult(int64_t id, double reward) {
  auto it = pending_.find(id);
  NAS_CHECK(it != pending_.end());
  rewards_[it->second] = reward;
  pending_.erase(it);
}

}  // namespace nas
