#include "nas/space/space.h"

#include <cstdint>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/util/status.h"

namespace nas {

bool SearchSpace::IsValid(const Actions& actions) const {
  if (static_cast<int>(actions.size()) != num_decisions()) return false;
  for (int i = 0; i < num_decisions(); ++i)
    if (actions[i] < 0 || actions[i] >= num_choices(i)) return false;
  return true;
}

int64_t SearchSpace::size() const {
  int64_t n = 1;
  for (int i = 0; i < num_decisions(); ++i)
    if (__builtin_mul_overflow(n, static_cast<int64_t>(num_choices(i)), &n)) return INT64_MAX;
  return n;
}

bool SearchSpace::enumerable() const { return size() != INT64_MAX; }

Actions SearchSpace::Sample(Rng& rng) const {
  return FromOrdinal(static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(size()))));
}

int64_t SearchSpace::Ordinal(const Actions& actions) const {
  NAS_CHECK(static_cast<int>(actions.size()) == num_decisions());
  int64_t ordinal = 0;
  for (int i = 0; i < num_decisions(); ++i) ordinal = ordinal * num_choices(i) + actions[i];
  return ordinal;
}

Actions SearchSpace::FromOrdinal(int64_t ordinal) const {
  NAS_CHECK(ordinal >= 0 && ordinal < size());
  Actions actions(num_decisions());
  for (int i = num_decisions() - 1; i >= 0; --i) {
    actions[i] = static_cast<int>(ordinal % num_choices(i));
    ordinal /= num_choices(i);
  }
  return actions;
}

Actions SearchSpace::Mutate(const Actions& parent, Rng& rng) const {
  for (;;) {
    Actions child = parent;
    const int d = static_cast<int>(rng.UniformInt(num_decisions()));
    if (num_choices(d) < 2) continue;
    int c = static_cast<int>(rng.UniformInt(num_choices(d) - 1));
    if (c >= parent[d]) ++c;
    child[d] = c;
    if (IsValid(child)) return child;
  }
}

std::vector<Actions> SearchSpace::Neighbours(const Actions& actions) const {
  std::vector<Actions> out;
  for (int i = 0; i < num_decisions(); ++i) {
    for (int c = 0; c < num_choices(i); ++c) {
      if (c == actions[i]) continue;
      Actions n = actions;
      n[i] = c;
      if (IsValid(n)) out.push_back(std::move(n));
    }
  }
  return out;
}

namespace {
std::map<std::string, ParametrisedSpaceFactory>& SpaceMap() {
  static auto* m = new std::map<std::string, ParametrisedSpaceFactory>();
  return *m;
}
}  // namespace

bool RegisterParametrisedSpace(const std::string& name, ParametrisedSpaceFactory factory) {
  NAS_CHECK(SpaceMap().emplace(name, std::move(factory)).second);
  return true;
}

bool RegisterSpace(const std::string& name, SpaceFactory factory) {
  return RegisterParametrisedSpace(
      name, [name, factory = std::move(factory)](
                const SpaceOptions& options) -> absl::StatusOr<std::unique_ptr<SearchSpace>> {
        if (options.layers != 0)
          return absl::InvalidArgumentError(
              absl::StrCat("space_params.layers: space '", name, "' has a fixed shape and takes no layers"));
        return factory();
      });
}

std::vector<std::string> RegisteredSpaces() {
  std::vector<std::string> names;
  for (const auto& [name, f] : SpaceMap()) names.push_back(name);
  return names;
}

absl::StatusOr<std::unique_ptr<SearchSpace>> CreateSpace(const std::string& name, const SpaceOptions& options) {
  auto it = SpaceMap().find(name);
  if (it == SpaceMap().end())
    return absl::NotFoundError(absl::StrCat("unknown search space '", name,
                                            "'; known spaces: ", absl::StrJoin(RegisteredSpaces(), ", ")));
  return it->second(options);
}

}  // namespace nas
