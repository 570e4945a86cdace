// What a log records about the machine and build that produced it: replay is bit-exact for the same binary,
// BLAS and thread counts, so these are stored with every log and compared by `nas replay`.
#ifndef NAS_EXPERIMENT_PROVENANCE_H_
#define NAS_EXPERIMENT_PROVENANCE_H_

#include <map>
#include <string>

namespace nas {

// git_commit (that the binary was built from, "-dirty" with uncommitted changes to tracked files), compiler, build_mode, protobuf, hdf5, abseil, every runtime component (torch, blas),
// cpu, hostname, created_utc.
std::map<std::string, std::string> CollectProvenance();

// The provenance keys whose difference can change results (compiler, build mode, libraries, BLAS, threads).
bool AffectsResults(const std::string& key);

}  // namespace nas

#endif  // NAS_EXPERIMENT_PROVENANCE_H_
