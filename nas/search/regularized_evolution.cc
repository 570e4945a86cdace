// Regularized (aging) evolution, Real et al. 2019, as the NB201 authors' R_EA.py: fill a population with
// random architectures; then each cycle samples `tournament_size` members with replacement, mutates the best
// of them, adds the child and removes the oldest member.
// In batches it is asynchronous, as Real et al.'s workers (and Syne Tune's): every free worker gets a new
// proposal at once; while fewer than population_size results are told or pending it is random, afterwards a
// tournament among the members told so far; each result joins the population when it is told.
#include <deque>
#include <map>

#include "absl/strings/str_cat.h"
#include "nas/search/strategy.h"
#include "nas/util/field_check.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class RegularizedEvolution : public BatchStrategy {
 public:
  RegularizedEvolution(const SearchSpace* space, const proto::EvolutionParams& params, uint64_t seed)
      : space_(space), population_size_(params.population_size()), tournament_size_(params.tournament_size()),
        rng_(seed) {}

  std::vector<Proposal> AskBatch(int k) override {
    std::vector<Proposal> out(k);
    for (Proposal& p : out) {
      p.actions = Next();
      p.id = NextId();
      pending_[p.id] = p.actions;
    }
    return out;
  }

  void TellResult(int64_t id, double reward) override {
    auto it = pending_.find(id);
    NAS_CHECK(it != pending_.end());
    population_.push_back(Member{std::move(it->second), reward});
    pending_.erase(it);
    if (static_cast<int>(population_.size()) > population_size_) population_.pop_front();
  }

 private:
  Actions Next() {
    Actions a;
    if (static_cast<int>(population_.size() + pending_.size()) < population_size_ || population_.empty()) {
      do {
        a = space_->Sample(rng_);
      } while (!space_->IsValid(a));
      return a;
    }
    const Member* parent = nullptr;
    for (int i = 0; i < tournament_size_; ++i) {
      const Member& candidate = population_[rng_.UniformInt(population_.size())];
      if (parent == nullptr || candidate.fitness > parent->fitness) parent = &candidate;
    }
    return space_->Mutate(parent->actions, rng_);
  }

  struct Member {
    Actions actions;
    double fitness;
  };
  const SearchSpace* space_;
  const int population_size_;
  const int tournament_size_;
  Rng rng_;
  std::deque<Member> population_;
  std::map<int64_t, Actions> pending_;  // asked, not yet told
};

absl::Status Resolve(proto::Method* m) {
  if (m->params_case() != proto::Method::PARAMS_NOT_SET && !m->has_evolution())
    return absl::InvalidArgumentError(
        absl::StrCat("method '", m->label(), "' (regularized_evolution) takes `evolution { ... }` params"));
  proto::EvolutionParams* p = m->mutable_evolution();
  if (p->population_size() == 0) p->set_population_size(10);
  if (p->tournament_size() == 0) p->set_tournament_size(3);
  auto bad = [&](const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat("method '", m->label(), "' (regularized_evolution): ", s.message()));
  };
  if (absl::Status s = CheckIntRange("evolution.population_size", p->population_size(), 1, 100000); !s.ok())
    return bad(s);
  // The tournament samples with replacement, but one larger than the population only costs time.
  if (absl::Status s = CheckIntRange("evolution.tournament_size", p->tournament_size(), 1, p->population_size());
      !s.ok())
    return bad(absl::InvalidArgumentError(absl::StrCat(s.message(), " (at most evolution.population_size)")));
  return absl::OkStatus();
}

const bool kRegistered = RegisterStrategy(StrategyInfo{
    "regularized_evolution", "aging evolution (Real et al. 2019); NB201 defaults population 10, tournament 3",
    Resolve, [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
      return std::make_unique<RegularizedEvolution>(c.space, c.method->evolution(), c.seed);
    }});

}  // namespace
}  // namespace nas
