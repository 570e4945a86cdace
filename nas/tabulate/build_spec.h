// `nas build-table`'s spec (proto::TableBuildSpec, nas/proto/train.proto) and its work plan.
//
// Work plan. The isomorphism classes of the space (SearchSpace::CanonicalKey) are listed in order of first
// appearance when enumerating ordinals 0..size-1; a class's representative is that first ordinal (with
// all_architectures every architecture is its own class). `sample` > 0 keeps a seeded sample of that many
// classes: a partial Fisher-Yates shuffle of the class positions with Rng(DeriveSeed(sample_seed, 0,
// "table-build/sample")), the chosen positions then sorted, so the kept classes stay in the same fixed order.
// Shard i/n takes the kept classes whose position in that list is i mod n. The work items of a shard are its
// classes x seeds x fidelities (in that nesting order), and item (class, seed s, fidelity f epochs) trains the
// representative for f epochs (its own cosine schedule) with training seed
//   ItemTrainSeed(s, representative, f) = DeriveSeed(s, representative, "table-build/<f>").
// Nothing of this depends on the shard count, the order of work or the thread count, so a sharded build fills
// exactly the entries of the unsharded one with the same numbers.
#ifndef NAS_TABULATE_BUILD_SPEC_H_
#define NAS_TABULATE_BUILD_SPEC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/proto/train.pb.h"
#include "nas/space/space.h"

namespace nas {

// Parses a TableBuildSpec text proto (errors: "PATH:LINE:COL: ..."). No resolution.
absl::StatusOr<proto::TableBuildSpec> ParseBuildSpec(const std::string& text, const std::string& origin);

// The most architectures a built space may have (the plan enumerates them all).
inline constexpr int64_t kMaxBuildArchitectures = 1000000;

// Fills the defaults and validates (no I/O): space (default "nb201") enumerable with at most
// kMaxBuildArchitectures architectures and a registered child network (CheckTrainable, nas/train/trainer.h;
// the binary links nas/train:child_networks); dataset_name defaults to the data name
// (+ "-<image_size>px" when down-sampled); fidelities required, > 0 and strictly increasing; seeds required,
// distinct and < 2^63; sample >= 0; train resolved by ResolveTrainSpec (its `epochs` is cleared: each fidelity
// is its own schedule), train.threads must be 1 (parallelism is --threads). Errors: "ORIGIN: FIELD: what".
absl::Status ResolveBuildSpec(proto::TableBuildSpec* spec, const std::string& origin);

// Reads, parses and resolves a spec file; every error is one line naming the file.
absl::StatusOr<proto::TableBuildSpec> ReadBuildSpec(const std::string& path);

// The resolved spec as stored in the table ("spec" attribute) and its SHA-256 (journal header, merges).
std::string BuildSpecText(const proto::TableBuildSpec& resolved);

struct Shard {
  int index = 0, count = 1;
  std::string ToString() const { return std::to_string(index) + "/" + std::to_string(count); }
};
// "i/n" with 0 <= i < n.
absl::StatusOr<Shard> ParseShard(const std::string& text);

uint64_t ItemTrainSeed(uint64_t seed, int64_t representative, int fidelity);

struct BuildClass {
  int64_t representative = 0;    // first ordinal of the class
  std::vector<int64_t> members;  // ordinals, increasing; members[0] == representative
};

struct WorkItem {
  int64_t class_position = 0;  // index into BuildPlan::classes
  int64_t representative = 0;
  int seed_slot = 0;           // index into spec.seeds
  uint64_t seed = 0;
  int fidelity_index = 0;      // index into spec.fidelities
  int fidelity = 0;            // epochs
  uint64_t train_seed = 0;
};

struct BuildPlan {
  std::unique_ptr<SearchSpace> space;
  int64_t num_classes_in_space = 0;
  std::vector<BuildClass> classes;          // the kept classes (after `sample`), in the fixed order
  std::vector<int64_t> shard_positions;     // positions in `classes` of this shard
  std::vector<WorkItem> items;              // this shard's, in plan order
};

// The plan of a resolved spec for one shard (InvalidArgument when sample exceeds the number of classes).
absl::StatusOr<BuildPlan> MakeBuildPlan(const proto::TableBuildSpec& resolved, Shard shard);

}  // namespace nas

#endif  // NAS_TABULATE_BUILD_SPEC_H_
