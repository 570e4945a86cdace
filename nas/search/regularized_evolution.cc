// Regularized (aging) evolution, Real et al. 2019, as the NB201 authors' R_EA.py: fill a population with
// random architectures; then each cycle samples `tournament_size` members with replacement, mutates the best
// of them, adds the child and removes the oldest member.
#include <deque>

#include "absl/strings/str_cat.h"
#include "nas/search/strategy.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class RegularizedEvolution : public Strategy {
 public:
  RegularizedEvolution(const SearchSpace* space, const proto::EvolutionParams& params, uint64_t seed)
      : space_(space), population_size_(params.population_size()), tournament_size_(params.tournament_size()),
        rng_(seed) {}

  Proposal Ask() override {
    Proposal p;
    if (static_cast<int>(population_.size()) < population_size_) {
      do {
        p.actions = space_->Sample(rng_);
      } while (!space_->IsValid(p.actions));
      return p;
    }
    const Member* parent = nullptr;
    for (int i = 0; i < tournament_size_; ++i) {
      const Member& candidate = population_[rng_.UniformInt(population_.size())];
      if (parent == nullptr || candidate.fitness > parent->fitness) parent = &candidate;
    }
    p.actions = space_->Mutate(parent->actions, rng_);
    return p;
  }

  void Tell(const Proposal& proposal, double reward) override {
    const bool filling = static_cast<int>(population_.size()) < population_size_;
    population_.push_back(Member{proposal.actions, reward});
    if (!filling) population_.pop_front();
  }

 private:
  struct Member {
    Actions actions;
    double fitness;
  };
  const SearchSpace* space_;
  const int population_size_;
  const int tournament_size_;
  Rng rng_;
  std::deque<Member> population_;
};

absl::Status Resolve(proto::Method* m) {
  if (m->params_case() != proto::Method::PARAMS_NOT_SET && !m->has_evolution())
    return absl::InvalidArgumentError(
        absl::StrCat("method '", m->label(), "' (regularized_evolution) takes `evolution { ... }` params"));
  proto::EvolutionParams* p = m->mutable_evolution();
  if (p->population_size() == 0) p->set_population_size(10);
  if (p->tournament_size() == 0) p->set_tournament_size(3);
  if (p->population_size() < 1)
    return absl::InvalidArgumentError(absl::StrCat("method '", m->label(), "': evolution.population_size must be >= 1"));
  if (p->tournament_size() < 1)
    return absl::InvalidArgumentError(absl::StrCat("method '", m->label(), "': evolution.tournament_size must be >= 1"));
  return absl::OkStatus();
}

const bool kRegistered = RegisterStrategy(StrategyInfo{
    "regularized_evolution", "aging evolution (Real et al. 2019); NB201 defaults population 10, tournament 3",
    Resolve, [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
      return std::make_unique<RegularizedEvolution>(c.space, c.method->evolution(), c.seed);
    }});

}  // namespace
}  // namespace nas
