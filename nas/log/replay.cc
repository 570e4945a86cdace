#include "nas/log/replay.h"

#include <cstring>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace nas {
namespace {

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

std::string Divergence::ToString() const {
  if (episode < 0) return absl::StrCat("run ", run, ": ", field, " logged ", logged, ", replayed ", replayed);
  return absl::StrCat("run ", run, ", episode ", episode, ", field ", field, ": logged ", logged, ", replayed ",
                      replayed);
}

std::optional<Divergence> FirstDivergence(const RunLog& logged, const RunLog& replayed) {
  const std::string run = absl::StrCat(logged.label, "/", logged.run);
  const size_t n = std::min(logged.episodes.size(), replayed.episodes.size());
  for (size_t i = 0; i < n; ++i) {
    const Episode& a = logged.episodes[i];
    const Episode& b = replayed.episodes[i];
    auto integer = [&](const char* field, int64_t x, int64_t y) -> std::optional<Divergence> {
      if (x == y) return std::nullopt;
      return Divergence{run, static_cast<int64_t>(i), field, absl::StrCat(x), absl::StrCat(y)};
    };
    auto real = [&](const char* field, double x, double y) -> std::optional<Divergence> {
      if (SameBits(x, y)) return std::nullopt;
      return Divergence{run, static_cast<int64_t>(i), field, absl::StrFormat("%.17g", x), absl::StrFormat("%.17g", y)};
    };
    std::optional<Divergence> d;
    if ((d = integer("index", a.index, b.index))) return d;
    if ((d = integer("arch", a.arch, b.arch))) return d;
    if (a.actions != b.actions)
      return Divergence{run, static_cast<int64_t>(i), "actions", absl::StrJoin(a.actions, ","),
                        absl::StrJoin(b.actions, ",")};
    if ((d = real("log_prob", a.log_prob, b.log_prob))) return d;
    if ((d = real("entropy", a.entropy, b.entropy))) return d;
    if ((d = real("reward", a.reward, b.reward))) return d;
    if ((d = real("valid_acc", a.valid_acc, b.valid_acc))) return d;
    if ((d = real("test_acc", a.test_acc, b.test_acc))) return d;
    if ((d = real("sim_time", a.sim_time, b.sim_time))) return d;
    if ((d = integer("incumbent", a.incumbent, b.incumbent))) return d;
    if ((d = real("incumbent_valid", a.incumbent_valid, b.incumbent_valid))) return d;
    if ((d = real("incumbent_test", a.incumbent_test, b.incumbent_test))) return d;
    if ((d = integer("table_slot", a.table_slot, b.table_slot))) return d;
    if ((d = integer("worker", a.worker, b.worker))) return d;
    if ((d = integer("proposal", a.proposal, b.proposal))) return d;
    if ((d = integer("fidelity", a.fidelity, b.fidelity))) return d;
    if (logged.has_costs) {  // logs written before the cost fields have none to compare
      if ((d = real("params_m", a.params_m, b.params_m))) return d;
      if ((d = real("flops_m", a.flops_m, b.flops_m))) return d;
      if ((d = real("cost", a.cost, b.cost))) return d;
    }
    if ((d = integer("curve length", a.curve.size(), b.curve.size()))) return d;
    for (size_t k = 0; k < a.curve.size(); ++k) {
      const CurvePoint& x = a.curve[k];
      const CurvePoint& y = b.curve[k];
      const std::string p = absl::StrCat("curve[epoch ", x.epoch, "].");
      if ((d = integer("curve epoch", x.epoch, y.epoch))) return d;
      // train_time is wall time: not compared.
      for (auto [name, u, v] : {std::make_tuple("train_loss", x.train_loss, y.train_loss),
                                std::make_tuple("train_acc", x.train_acc, y.train_acc),
                                std::make_tuple("valid_loss", x.valid_loss, y.valid_loss),
                                std::make_tuple("valid_acc", x.valid_acc, y.valid_acc),
                                std::make_tuple("test_loss", x.test_loss, y.test_loss),
                                std::make_tuple("test_acc", x.test_acc, y.test_acc)})
        if (!SameBits(u, v))
          return Divergence{run, static_cast<int64_t>(i), p + name, absl::StrFormat("%.17g", u),
                            absl::StrFormat("%.17g", v)};
    }
  }
  if (logged.episodes.size() != replayed.episodes.size())
    return Divergence{run, -1, "episode count", absl::StrCat(logged.episodes.size()),
                      absl::StrCat(replayed.episodes.size())};
  return std::nullopt;
}

}  // namespace nas
