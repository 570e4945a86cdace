#include "nas/log/replay.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace nas {
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
    const int64_t at = static_cast<int64_t>(i);
    for (const record::EpisodeField& f : record::kEpisodeFields)
      if (f.compare == record::Compare::kBits && !record::Same(a, b, f))
        return Divergence{run, at, f.name, record::Text(a, f), record::Text(b, f)};
    if (a.curve.size() != b.curve.size())
      return Divergence{run, at, "curve length", absl::StrCat(a.curve.size()), absl::StrCat(b.curve.size())};
    for (size_t k = 0; k < a.curve.size(); ++k)
      for (const record::CurveField& f : record::kCurveFields)
        if (f.compare == record::Compare::kBits && !record::Same(a.curve[k], b.curve[k], f))
          return Divergence{run, at, absl::StrCat("curve[epoch ", a.curve[k].epoch, "].", f.name),
                            record::Text(a.curve[k], f), record::Text(b.curve[k], f)};
  }
  if (logged.episodes.size() != replayed.episodes.size())
    return Divergence{run, -1, "episode count", absl::StrCat(logged.episodes.size()),
                      absl::StrCat(replayed.episodes.size())};
  return std::nullopt;
}

}  // namespace nas
