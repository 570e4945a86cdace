// `nas build-table` and `nas merge-tables`: real training of a space's architectures into the table format
// (nas/table/table_io.h). The work plan and training seeds are defined in build_spec.h; the crash-safe journal
// in journal.h.
//
// A build (or shard) trains its work items on `threads` worker threads (each item on one intra-op thread),
// appends every finished item to OUT.journal (OUT + ".journal"), and at the end assembles the table from the
// journal alone (so a resumed build and an uninterrupted one assemble the same numbers), writes OUT (temp +
// rename) and then removes the journal. At fidelity f and seed slot s the table holds the final epoch's
// train/valid/test accuracy and train_time = the sum of the epochs' training wall seconds; each result of a
// class representative is copied to every member of its class. Entries of classes not in the build (other
// shards, not sampled) are NaN. Every number except train_time is deterministic for a fixed spec, binary and
// BLAS; train_time is the measured cost and differs between builds (see CompareBuiltTables).
#ifndef NAS_TABULATE_TABLE_BUILDER_H_
#define NAS_TABULATE_TABLE_BUILDER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/tabulate/build_spec.h"
#include "nas/tabulate/journal.h"
#include "nas/proto/train.pb.h"
#include "nas/table/table.h"
#include "nas/util/cluster.h"

namespace nas {

struct BuildOptions {
  std::string out_path;
  Shard shard;
  bool resume = false;
  bool overwrite = false;
  int threads = 1;
  std::string command;  // stored as the "command" attribute
  bool progress = true;  // progress lines with ETA on stderr
  // Test hook: stop claiming work after this many items were trained in this call (-1: never); the call then
  // returns Cancelled and leaves the journal, as a killed build would.
  int64_t stop_after_items = -1;
};

struct BuildReport {
  int64_t items_total = 0;    // this shard's
  int64_t items_resumed = 0;  // read from the journal
  int64_t items_trained = 0;  // trained by this call
  double seconds = 0;         // wall time of this call's training
};

inline std::string JournalPath(const std::string& out_path) { return out_path + ".journal"; }

// Runs (or resumes) a build of a resolved spec. Existing OUT / journal: see the command's help (errors name
// --resume / --overwrite). Checks everything before loading data.
// Under MPI (nas/util/cluster.h) rank 0 runs BuildTable and sends the items to the worker ranks, which run
// ServeTableBuild (with the same spec and shard; `threads` items at once) until rank 0 is done.
absl::StatusOr<BuildReport> BuildTable(const proto::TableBuildSpec& resolved, const BuildOptions& options);
int ServeTableBuild(const proto::TableBuildSpec& resolved, Shard shard, int threads, Cluster* cluster);

// The table of a plan's journal records (every record must belong to the plan). Sets the deterministic
// attributes (source, spec, spec_sha256, shard, classes/archs counts); the caller adds the rest.
absl::StatusOr<std::unique_ptr<Table>> AssembleTable(const proto::TableBuildSpec& resolved, const BuildPlan& plan,
                                                     Shard shard, const std::vector<JournalRecord>& records);

// Merges shard tables of one spec: every shard i/n of the same n exactly once, same "spec" attribute, disjoint
// filled entries, and every planned class filled. The result equals the unsharded build (train_time aside).
// Specs that differ only in `fidelities` (disjoint sets) merge too: the shards of each spec as above (a merged
// table counts as shard 0/1), and the result is the table of the spec with the union of the fidelities, equal
// to its unsharded build, because each fidelity is its own training whose seed does not depend on the others.
absl::StatusOr<std::unique_ptr<Table>> MergeTables(const std::vector<const Table*>& shards,
                                                   const std::vector<std::string>& names);

// Equality of two built tables as promised: every value bit for bit (NaN == NaN) except train_time (wall
// seconds, not deterministic), and the deterministic attributes (source, spec, spec_sha256, space, dataset,
// classes_built, archs_trained, archs_copied); time-like and machine attributes (build_start_utc, build_end_utc,
// command, cpu, threads, git_commit, items_*, shard, merged_from) are ignored. OK or the first difference.
absl::Status CompareBuiltTables(const Table& a, const Table& b);

}  // namespace nas

#endif  // NAS_TABULATE_TABLE_BUILDER_H_
