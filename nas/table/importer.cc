#include "nas/table/importer.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/util/status.h"

namespace nas {
namespace {
std::map<std::string, ImporterInfo>& ImporterMap() {
  static auto* m = new std::map<std::string, ImporterInfo>();
  return *m;
}
}  // namespace

bool RegisterImporter(ImporterInfo info) {
  const std::string name = info.name;
  NAS_CHECK(ImporterMap().emplace(name, std::move(info)).second);
  return true;
}

absl::StatusOr<const ImporterInfo*> FindImporter(const std::string& name) {
  auto it = ImporterMap().find(name);
  if (it == ImporterMap().end())
    return absl::InvalidArgumentError(
        absl::StrCat("unknown import kind '", name, "'; known kinds: ", absl::StrJoin(RegisteredImporters(), ", ")));
  return &it->second;
}

std::vector<std::string> RegisteredImporters() {
  std::vector<std::string> names;
  for (const auto& [name, info] : ImporterMap()) names.push_back(name);
  return names;
}

}  // namespace nas
