// A search space is a fixed-length sequence of categorical decisions: the controller's action sequence.
// An architecture is the vector of choices; its ordinal is the mixed-radix number with the first decision most
// significant (so ordinals enumerate the space lexicographically). Spaces are immutable and thread-safe.
#ifndef NAS_SPACE_SPACE_H_
#define NAS_SPACE_SPACE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "nas/util/rng.h"

namespace nas {

using Actions = std::vector<int>;

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  virtual std::string name() const = 0;
  virtual int num_decisions() const = 0;
  virtual int num_choices(int decision) const = 0;
  virtual std::string decision_name(int decision) const = 0;
  virtual std::string choice_name(int decision, int choice) const = 0;

  // The space's own text notation (e.g. NB201's arch string); Parse is its exact inverse.
  virtual std::string ToString(const Actions& actions) const = 0;
  virtual absl::StatusOr<Actions> Parse(absl::string_view text) const = 0;

  // A key equal for every pair of functionally identical (isomorphic) architectures.
  virtual std::string CanonicalKey(const Actions& actions) const = 0;

  // True when the actions describe an architecture that exists (default: every choice in range).
  virtual bool IsValid(const Actions& actions) const;

  // Number of architectures (product of the choice counts).
  int64_t size() const;
  int64_t Ordinal(const Actions& actions) const;
  Actions FromOrdinal(int64_t ordinal) const;

  // A valid architecture differing from `parent` in one decision (the mutation of evolution). Default: a
  // uniformly chosen decision set to a uniformly chosen other choice, redrawn until valid.
  virtual Actions Mutate(const Actions& parent, Rng& rng) const;

  // Every valid architecture that differs from `actions` in exactly one decision, in ordinal order.
  std::vector<Actions> Neighbours(const Actions& actions) const;
};

// Registry of search spaces by name.
using SpaceFactory = std::function<std::unique_ptr<SearchSpace>()>;
bool RegisterSpace(const std::string& name, SpaceFactory factory);
// Unknown names give NotFound listing the registered ones.
absl::StatusOr<std::unique_ptr<SearchSpace>> CreateSpace(const std::string& name);
std::vector<std::string> RegisteredSpaces();

}  // namespace nas

#endif  // NAS_SPACE_SPACE_H_
