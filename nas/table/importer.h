// The registry of table importers (`nas import KIND SOURCE OUT.h5`): each importer of a published benchmark
// registers itself beside its code with its own checks (dataset names, plausibility); the CLI only dispatches.
#ifndef NAS_TABLE_IMPORTER_H_
#define NAS_TABLE_IMPORTER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/table/table.h"

namespace nas {

struct ImporterInfo {
  std::string name;  // the KIND of `nas import`
  std::string help;  // one paragraph for `nas import --help`
  // Imports `source` (a file or directory) as dataset `dataset` (empty: the importer's default or guess; an
  // importer that takes none refuses a name). `summary` (may be null) gets a line for the user.
  std::function<absl::StatusOr<std::unique_ptr<Table>>(const std::string& source, const std::string& dataset,
                                                       std::string* summary)>
      run;
};

// Registration refuses duplicate names (programmer error).
bool RegisterImporter(ImporterInfo info);
// NotFound listing the registered kinds.
absl::StatusOr<const ImporterInfo*> FindImporter(const std::string& name);
std::vector<std::string> RegisteredImporters();

}  // namespace nas

#endif  // NAS_TABLE_IMPORTER_H_
