// nas build-table SPEC OUT.h5 and nas merge-tables OUT.h5 SHARD.h5...: our own NAS-Bench tables by real
// training (nas/tabulate/table_builder.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/tabulate/build_spec.h"
#include "nas/tabulate/table_builder.h"
#include "nas/table/table_io.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"
#include "tools/cli/output_guard.h"

namespace nas::cli {

int BuildTableCommand(int argc, char** argv) {
  Args args("build-table", "SPEC.textproto OUT.h5",
            "Trains the architectures of a TableBuildSpec (nas/proto/train.proto) into the table format: one\n"
            "representative per isomorphism class (results copied to every member) x seeds x fidelities, each\n"
            "fidelity its own full training. Finished items go to OUT.h5.journal (fsync'ed); after a kill,\n"
            "--resume continues from it. The journal is removed once OUT.h5 is written. Every value but\n"
            "train_time (wall seconds) is deterministic: shards merged with `nas merge-tables` equal the\n"
            "unsharded build.");
  args.Option("shard", "build only shard i/n of the classes (position % n == i)", "0/1")
      .Option("threads", "items trained in parallel, each on one intra-op thread", "1")
      .Flag("resume", "continue the build recorded in OUT.h5.journal")
      .Flag("overwrite", "replace an existing OUT.h5 (without --resume: also discard its journal)");
  if (absl::Status s = args.Parse(argc, argv, 2, 2); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  auto spec = ReadBuildSpec(ResolvePath(args.positional()[0]));
  if (!spec.ok()) return Fail(spec.status());
  auto shard = ParseShard(args.Get("shard"));
  if (!shard.ok()) return Fail(shard.status());
  auto threads = args.GetInt("threads", 1, kMaxThreads);
  if (!threads.ok()) return Fail(threads.status());
  if (Cluster* cluster = GetCluster(); cluster != nullptr && cluster->rank() > 0)
    return ServeTableBuild(*spec, *shard, *threads, cluster);  // an MPI worker rank: trains what rank 0 sends
  BuildOptions options;
  options.out_path = ResolvePath(args.positional()[1]);
  // Never over the spec; --overwrite replaces only a previous nas table, so no dataset file either (without
  // it the builder itself refuses an existing OUT, naming its journal).
  if (absl::Status s = CheckNotAnInput(options.out_path, {ResolvePath(args.positional()[0])}); !s.ok()) return Fail(s);
  if (args.GetFlag("overwrite"))
    if (absl::Status s = CheckOutput(options.out_path, NasTableOutput(), {}, true); !s.ok()) return Fail(s);
  options.shard = *shard;
  options.resume = args.GetFlag("resume");
  options.overwrite = args.GetFlag("overwrite");
  options.threads = *threads;
  options.command = CommandLine("build-table", argc, argv);
  auto report = BuildTable(*spec, options);
  if (!report.ok()) return Fail(report.status());
  std::printf("%s: %lld items (%lld resumed, %lld trained in %.1f s), shard %s, dataset %s\n",
              options.out_path.c_str(), static_cast<long long>(report->items_total),
              static_cast<long long>(report->items_resumed), static_cast<long long>(report->items_trained),
              report->seconds, shard->ToString().c_str(), spec->dataset_name().c_str());
  return 0;
}

int MergeTablesCommand(int argc, char** argv) {
  Args args("merge-tables", "OUT.h5 SHARD.h5...",
            "Merges the shard tables of one `nas build-table` spec (every shard i/n exactly once, disjoint\n"
            "entries, every class covered) into the table the unsharded build gives (train_time aside).\n"
            "Builds of specs that differ only in `fidelities` (disjoint) merge into the table of the spec\n"
            "with all their fidelities (a merged table counts as shard 0/1 of its spec).");
  args.Flag("overwrite", "replace an existing OUT.h5");
  if (absl::Status s = args.Parse(argc, argv, 2, 100000); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  const std::string out = ResolvePath(args.positional()[0]);
  std::vector<std::string> inputs;
  for (size_t i = 1; i < args.positional().size(); ++i) inputs.push_back(ResolvePath(args.positional()[i]));
  if (absl::Status s = CheckOutput(out, NasTableOutput(), inputs, args.GetFlag("overwrite")); !s.ok()) return Fail(s);
  std::vector<std::unique_ptr<Table>> tables;
  std::vector<const Table*> shards;
  std::vector<std::string> names;
  for (size_t i = 1; i < args.positional().size(); ++i) {
    const std::string path = ResolvePath(args.positional()[i]);
    auto table = ReadTable(path);
    if (!table.ok()) return Fail(table.status());
    tables.push_back(std::move(*table));
    shards.push_back(tables.back().get());
    names.push_back(path);
  }
  auto merged = MergeTables(shards, names);
  if (!merged.ok()) return Fail(merged.status());
  (*merged)->attributes()["command"] = CommandLine("merge-tables", argc, argv);
  if (absl::Status s = WriteTable(**merged, out, args.GetFlag("overwrite")); !s.ok()) return Fail(s);
  std::printf("%s: merged %zu shards, %lld architectures, dataset %s\n", out.c_str(), shards.size(),
              static_cast<long long>((*merged)->num_archs()), absl::StrJoin((*merged)->dataset_names(), ", ").c_str());
  return 0;
}

}  // namespace nas::cli
