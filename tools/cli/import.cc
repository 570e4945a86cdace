// nas import KIND SOURCE OUT.h5: converts a published benchmark into the table format with an importer of the
// registry (nas/table/importer.h).
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/table/importer.h"
#include "nas/table/table_io.h"
#include "tools/cli/args.h"
#include "nas/util/status.h"
#include "tools/cli/commands.h"
#include "tools/cli/output_guard.h"

namespace nas::cli {

int ImportCommand(int argc, char** argv) {
  std::string kinds;
  for (const std::string& k : RegisteredImporters()) absl::StrAppend(&kinds, "\n  ", k, ": ", (*FindImporter(k))->help);
  Args args("import", "KIND SOURCE OUT.h5", "Imports a published benchmark into the table format. Kinds:" + kinds);
  args.Option("dataset", "dataset name in the table (nb201-csv only: guessed from the file name)")
      .Flag("overwrite", "replace an existing OUT.h5");
  if (absl::Status s = args.Parse(argc, argv, 3, 3); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  auto importer = FindImporter(args.positional()[0]);
  if (!importer.ok()) return Fail(importer.status());
  const std::string source = ResolvePath(args.positional()[1]);
  const std::string out = ResolvePath(args.positional()[2]);
  if (absl::Status s = CheckOutput(out, NasTableOutput(), {source}, args.GetFlag("overwrite")); !s.ok()) return Fail(s);
  std::string summary;
  auto table = (*importer)->run(source, args.Get("dataset"), &summary);
  if (!table.ok()) return Fail(table.status());
  if (!summary.empty()) std::printf("%s\n", summary.c_str());
  (*table)->attributes()["command"] = CommandLine("import", argc, argv);
  if (absl::Status s = WriteTable(**table, out, args.GetFlag("overwrite")); !s.ok()) return Fail(s);
  std::printf("%s: %lld architectures, datasets %s\n", out.c_str(), static_cast<long long>((*table)->num_archs()),
              absl::StrJoin((*table)->dataset_names(), ", ").c_str());
  return 0;
}

}  // namespace nas::cli
