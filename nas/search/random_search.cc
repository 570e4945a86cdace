// Random search: every architecture uniformly at random (with replacement), as NB201's RANDOM.py.
#include "absl/strings/str_cat.h"
#include "nas/search/strategy.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

// In batches: asynchronous, a fresh sample for every free worker.
class RandomSearch : public BatchStrategy {
 public:
  RandomSearch(const SearchSpace* space, uint64_t seed) : space_(space), rng_(seed) {}

  std::vector<Proposal> AskBatch(int k) override {
    std::vector<Proposal> out(k);
    for (Proposal& p : out) {
      do {
        p.actions = space_->Sample(rng_);
      } while (!space_->IsValid(p.actions));
      p.id = NextId();
    }
    return out;
  }
  void TellResult(int64_t, double) override {}

 private:
  const SearchSpace* space_;
  Rng rng_;
};

StrategyInfo RandomInfo() {
  StrategyInfo info{
      "random", "uniform random sampling of the search space",
      [](proto::Method* m) {
        if (m->params_case() != proto::Method::PARAMS_NOT_SET && !m->has_random())
          return absl::InvalidArgumentError(absl::StrCat("method '", m->label(), "' (random) takes `random {}` params"));
        m->mutable_random();
        return absl::OkStatus();
      },
      [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
        return std::make_unique<RandomSearch>(c.space, c.seed);
      }};
  info.reference = true;
  return info;
}

const bool kRegistered = RegisterStrategy(RandomInfo());

}  // namespace
}  // namespace nas
