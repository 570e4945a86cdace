// nas import KIND SOURCE OUT.h5: converts a published benchmark into the table format.
#include <cstdio>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/table/nats_tss.h"
#include "nas/table/nb101_tfrecord.h"
#include "nas/table/nb201_csv.h"
#include "nas/table/table_io.h"
#include "tools/cli/args.h"
#include "nas/util/status.h"
#include "tools/cli/commands.h"
#include "tools/cli/output_guard.h"

namespace nas::cli {

int ImportCommand(int argc, char** argv) {
  struct Importer {
    std::string help;
    std::function<absl::StatusOr<std::unique_ptr<Table>>(const std::string& source, const std::string& dataset)> run;
  };
  const std::map<std::string, Importer> importers = {
      {"nb201-csv",
       {"NAS-Bench-201 CSV (file id, arch str, ..., train/validation/test accuracy); no training times",
        [](const std::string& source, const std::string& dataset) -> absl::StatusOr<std::unique_ptr<Table>> {
          const std::string name = dataset.empty() ? GuessNb201Dataset(source) : dataset;
          if (name.empty())
            return absl::InvalidArgumentError(
                absl::StrCat(source, ": cannot tell the dataset from the file name; give --dataset (one of ",
                             absl::StrJoin(Nb201DatasetNames(), ", "), ")"));
          NAS_RETURN_IF_ERROR(CheckNb201DatasetName(name));
          NAS_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, ImportNb201Csv(source, name));
          NAS_RETURN_IF_ERROR(CheckNb201Plausible(*table, name, source));
          return table;
        }}},
      {"nats-tss",
       {"NATS-Bench topology space, \"simple\" directory (meta.pickle.pbz2 + one {index:06d}.pickle.pbz2 per\n"
        "    architecture); every dataset in the files, fidelities 12 and 200 epochs, per-seed results and times",
        [](const std::string& source, const std::string& dataset) -> absl::StatusOr<std::unique_ptr<Table>> {
          if (!dataset.empty())
            return absl::InvalidArgumentError("nats-tss imports every dataset of the directory; drop --dataset");
          NatsTssImportStats stats;
          auto table = ImportNatsTss(source, &stats);
          if (table.ok())
            std::printf("imported %lld of 15625 architectures (%lld files, %.1f MB compressed)\n",
                        static_cast<long long>(stats.archs_imported), static_cast<long long>(stats.files_read),
                        stats.compressed_bytes / 1e6);
          return table;
        }}},
      {"nb101-tfrecord",
       {"NAS-Bench-101 tfrecord (nasbench_only108.tfrecord or nasbench_full.tfrecord); sparse rows keyed by\n"
        "    module hash, dataset cifar10, fidelities = the epoch budgets present, 3 seeds",
        [](const std::string& source, const std::string& dataset) -> absl::StatusOr<std::unique_ptr<Table>> {
          if (!dataset.empty())
            return absl::InvalidArgumentError("nb101-tfrecord always imports dataset 'cifar10'; drop --dataset");
          return ImportNb101Tfrecord(source);
        }}},
  };
  std::string kinds;
  for (const auto& [k, v] : importers) absl::StrAppend(&kinds, "\n  ", k, ": ", v.help);
  Args args("import", "KIND SOURCE OUT.h5", "Imports a published benchmark into the table format. Kinds:" + kinds);
  args.Option("dataset", "dataset name in the table (nb201-csv only: guessed from the file name)")
      .Flag("overwrite", "replace an existing OUT.h5");
  if (absl::Status s = args.Parse(argc, argv, 3, 3); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  const std::string kind = args.positional()[0];
  auto it = importers.find(kind);
  if (it == importers.end()) {
    std::vector<std::string> names;
    for (const auto& [k, v] : importers) names.push_back(k);
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("unknown import kind '", kind, "'; known kinds: ", absl::StrJoin(names, ", "))));
  }
  const std::string source = ResolvePath(args.positional()[1]);
  const std::string out = ResolvePath(args.positional()[2]);
  if (absl::Status s = CheckOutput(out, NasTableOutput(), {source}, args.GetFlag("overwrite")); !s.ok()) return Fail(s);
  auto table = it->second.run(source, args.Get("dataset"));
  if (!table.ok()) return Fail(table.status());
  (*table)->attributes()["command"] = CommandLine("import", argc, argv);
  if (absl::Status s = WriteTable(**table, out, args.GetFlag("overwrite")); !s.ok()) return Fail(s);
  std::printf("%s: %lld architectures, datasets %s\n", out.c_str(), static_cast<long long>((*table)->num_archs()),
              absl::StrJoin((*table)->dataset_names(), ", ").c_str());
  return 0;
}

}  // namespace nas::cli
