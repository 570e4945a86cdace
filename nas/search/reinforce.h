// The reinforce strategy (reinforce.cc, registered as "reinforce"): its documented defaults, for code that
// builds a policy directly (tests, benchmarks).
#ifndef NAS_SEARCH_REINFORCE_H_
#define NAS_SEARCH_REINFORCE_H_

#include "nas/proto/experiment.pb.h"

namespace nas {

// Every ReinforceParams field resolved to its default for `policy` (LSTM: Zoph & Le's 2 x 35 units,
// U(-0.08, 0.08), Adam 6e-4, EMA 0.95; PER_EDGE: the NB201 authors' settings).
proto::ReinforceParams DefaultReinforceParams(proto::ReinforceParams::Policy policy);

}  // namespace nas

#endif  // NAS_SEARCH_REINFORCE_H_
