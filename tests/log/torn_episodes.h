// The deterministic episodes torn_writer writes and torn_commit_test expects.
#ifndef TESTS_LOG_TORN_EPISODES_H_
#define TESTS_LOG_TORN_EPISODES_H_

#include "nas/log/episode_log.h"

namespace nas::testing {

inline constexpr int kTornDecisions = 6;

inline Episode TornEpisode(int run, int64_t i) {
  Episode e;
  e.index = i;
  e.arch = (i * 7919 + run * 104729) % 15625;
  e.actions = {static_cast<int32_t>(i % 5), 1, 2, 3, static_cast<int32_t>(run % 4), static_cast<int32_t>(i % 3)};
  e.reward = e.valid_acc = 50 + 0.01 * i + run;
  e.test_acc = e.valid_acc - 1;
  e.sim_time = 100.0 * (i + 1);
  e.incumbent = e.arch;
  if (i % 3 == 0) {  // a curve point on every third episode: the curves dataset is torn too
    CurvePoint c;
    c.episode = i;
    c.epoch = 1;
    c.train_loss = 1.0 / (i + 1);
    e.curve.push_back(c);
  }
  return e;
}

}  // namespace nas::testing

#endif  // TESTS_LOG_TORN_EPISODES_H_
