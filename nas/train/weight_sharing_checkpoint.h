// Checkpoints of the weight-sharing methods (enas, rsps; weight_sharing_strategy.cc), so that `nas run --resume`
// of a killed run continues from its last completed epoch instead of its start.
//
// After each completed epoch (the supernet epoch and its controller steps) a run's whole state goes to
// PREFIX.epoch<k>.pt (PREFIX = StrategyContext::checkpoint_prefix, i.e. LOG.ckpt/<label>.<run>): the supernet's
// weights and SGD state, the controller's weights and Adam state, the proposal stream's Rng state, the epoch,
// proposal and baseline counters, and the episodes told so far with their chain digest. The file is a LibTorch
// archive written under a temporary name, fsync'd, renamed into place and its directory fsync'd, so a kill
// leaves either the previous file or the new one; the last two epochs' files are kept.
//
// The chain digest binds a checkpoint to a log: c_0 = SHA-256(identity), where the identity names the method
// (label and resolved params), the strategy seed and the supernet (spec, seed, clock unit, truth table), and
// c_i = SHA-256(c_{i-1}, actions, log_prob, entropy, reward of episode i-1) over the bits of the logged fields.
// On resume a checkpoint is used only when its identity is the run's and the log holds at least its episodes
// with the same chain; any other (stale, foreign, damaged) checkpoint is refused with one line, and the run
// resumes from an older one or from its start. No torch in this header.
#ifndef NAS_TRAIN_WEIGHT_SHARING_CHECKPOINT_H_
#define NAS_TRAIN_WEIGHT_SHARING_CHECKPOINT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nas/log/episode_record.h"
#include "nas/util/rng.h"

namespace nas {

class EnasController;
class SupernetEvaluator;

// The strategy's own counters at an epoch boundary.
struct WeightSharingState {
  int epoch = 0;            // epochs completed
  int64_t episodes = 0;     // episodes told
  std::string chain;        // chain digest of those episodes (hex)
  int64_t next_id = 0;      // the next proposal id
  Rng::State rng{};         // the proposal stream
  bool have_baseline = false;
  double baseline = 0;      // ENAS's moving-average baseline
};

// The chain digest: ChainStart(identity), then ChainNext per told episode.
std::string ChainStart(const std::string& identity);
std::string ChainNext(const std::string& chain, const std::vector<int32_t>& actions, double log_prob, double entropy,
                      double reward);
// The chain over the first `n` logged episodes.
std::string ChainOf(const std::string& identity, const std::vector<Episode>& episodes, int64_t n);

std::string CheckpointPath(const std::string& prefix, int epoch);

// Writes the checkpoint durably (creating PREFIX's directory if needed) and removes the one of epoch
// state.epoch - 2. `controller` may be null (rsps). Returns the file's SHA-256. Errors name the file.
absl::StatusOr<std::string> WriteWeightSharingCheckpoint(const std::string& prefix, const std::string& identity,
                                                         const WeightSharingState& state,
                                                         const SupernetEvaluator& supernet,
                                                         const EnasController* controller);

// An opened checkpoint: its counters are read first, the supernet and controller restored on request.
class WeightSharingCheckpoint {
 public:
  // Errors (unreadable, not a checkpoint, truncated) name the file.
  static absl::StatusOr<std::unique_ptr<WeightSharingCheckpoint>> Open(const std::string& path);
  ~WeightSharingCheckpoint();

  const std::string& identity() const { return identity_; }
  const WeightSharingState& state() const { return state_; }
  const std::string& sha256() const { return sha256_; }
  bool has_controller() const { return has_controller_; }
  // Restores the supernet's run state and (when not null) the controller's.
  absl::Status Restore(SupernetEvaluator* supernet, EnasController* controller) const;

 private:
  struct Archive;
  WeightSharingCheckpoint();
  std::string path_, identity_, sha256_;
  WeightSharingState state_;
  bool has_controller_ = false;
  std::unique_ptr<Archive> archive_;
};

}  // namespace nas

#endif  // NAS_TRAIN_WEIGHT_SHARING_CHECKPOINT_H_
