// Experiment configs: parsing (Protobuf text format) and resolution (defaults filled in, every field
// validated). Neither opens any file but the config itself, so a bad config fails before any work starts.
#ifndef NAS_EXPERIMENT_CONFIG_H_
#define NAS_EXPERIMENT_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "nas/proto/experiment.pb.h"

namespace nas {

// Parses text; errors read "<origin>:<line>:<col>: <what>".
absl::StatusOr<proto::Experiment> ParseExperiment(const std::string& text, const std::string& origin);
// Reads and parses a file; a missing file is an error naming it.
absl::StatusOr<proto::Experiment> ReadExperimentFile(const std::string& path);

// Fills in defaults and validates; errors are prefixed with `origin`. Unknown method names list the known ones.
absl::Status ResolveExperiment(proto::Experiment* experiment, const std::string& origin);

// The canonical text form stored in logs (deterministic field order).
std::string ExperimentToText(const proto::Experiment& experiment);

}  // namespace nas

#endif  // NAS_EXPERIMENT_CONFIG_H_
