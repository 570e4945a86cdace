// Bit-for-bit comparison of a logged run with its re-execution. Every field of the episode and curve records
// (episode_record.h) whose rule is Compare::kBits (all but the wall times) is compared by its bytes (so -0.0 != 0.0 and NaN payloads count), which is what "bit-exact replay" promises.
#ifndef NAS_LOG_REPLAY_H_
#define NAS_LOG_REPLAY_H_

#include <optional>
#include <string>

#include "nas/log/episode_log.h"

namespace nas {

struct Divergence {
  std::string run;      // "<label>/<run>"
  int64_t episode = -1; // -1 when the difference is the episode count
  std::string field;
  std::string logged;   // values printed with %.17g (doubles) or as integers
  std::string replayed;
  std::string ToString() const;
};

std::optional<Divergence> FirstDivergence(const RunLog& logged, const RunLog& replayed);

}  // namespace nas

#endif  // NAS_LOG_REPLAY_H_
