#include "tools/cli/logged_table.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli/args.h"
#include "nas/util/path.h"

namespace nas::cli {
namespace {

}  // namespace

absl::StatusOr<std::string> FindLoggedTable(const std::string& logged, const std::string& log_path,
                                            const std::map<std::string, std::string>& log_attributes) {
  std::vector<std::string> tried;
  auto add = [&](const std::string& p) {
    if (!p.empty() && std::find(tried.begin(), tried.end(), p) == tried.end()) tried.push_back(p);
  };
  add(ResolvePath(logged));
  if (auto it = log_attributes.find("table_abspath"); it != log_attributes.end()) add(it->second);
  const std::string dir = Dirname(log_path);
  if (!logged.empty() && logged[0] != '/') add(absl::StrCat(dir, "/", logged));
  if (!logged.empty()) add(absl::StrCat(dir, "/", Basename(logged)));
  for (const std::string& p : tried)
    if (FileExists(p)) return p;
  return absl::NotFoundError(absl::StrCat(log_path, ": the table it was made with (table_path '", logged,
                                          "') is not found; tried ", absl::StrJoin(tried, ", "),
                                          "; give it with --table TABLE.h5"));
}

}  // namespace nas::cli
