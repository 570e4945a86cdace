#include "nas/train/child_network.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/util/status.h"

namespace nas {
namespace {

std::map<std::string, ChildNetworkFamily>& Registry() {
  static auto* registry = new std::map<std::string, ChildNetworkFamily>();
  return *registry;
}

}  // namespace

bool RegisterChildNetwork(const std::string& space_name, ChildNetworkFamily family) {
  NAS_CHECK(family.build != nullptr);
  const bool inserted = Registry().emplace(space_name, std::move(family)).second;
  NAS_CHECK(inserted);  // one child network per space
  return true;
}

std::vector<std::string> ChildNetworkSpaces() {
  std::vector<std::string> names;
  for (const auto& [name, family] : Registry()) names.push_back(name);
  return names;
}

absl::StatusOr<const ChildNetworkFamily*> FindChildNetwork(const std::string& space_name) {
  auto it = Registry().find(space_name);
  if (it == Registry().end()) {
    const std::vector<std::string> names = ChildNetworkSpaces();
    return absl::InvalidArgumentError(absl::StrCat("space: no child network is registered for \"", space_name,
                                                   "\" (spaces with one: ",
                                                   names.empty() ? "none in this binary" : absl::StrJoin(names, ", "),
                                                   ")"));
  }
  return &it->second;
}

absl::StatusOr<std::unique_ptr<ChildNetwork>> BuildChildNetwork(const SearchSpace& space, const Actions& arch,
                                                                const proto::NetworkSpec& network,
                                                                const ChildInput& input) {
  NAS_ASSIGN_OR_RETURN(const ChildNetworkFamily* family, FindChildNetwork(space.name()));
  if (!space.IsValid(arch))
    return absl::InvalidArgumentError(absl::StrCat("arch: not a valid ", space.name(), " architecture (", arch.size(),
                                                   " decisions)"));
  return family->build(space, arch, network, input);
}

}  // namespace nas
