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

// Parameters of a parametrised space (benchmark.space_params in the experiment config); 0 = the space's
// default. Only zoph_le_cnn takes any (layers); the fixed spaces refuse non-zero values.
struct SpaceOptions {
  int layers = 0;
};

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  virtual std::string name() const = 0;
  // The options it was created with, defaults filled in (all zero for a space of fixed shape).
  virtual SpaceOptions options() const { return SpaceOptions(); }
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

  // Number of architectures (product of the choice counts), saturated at INT64_MAX for spaces too large to
  // enumerate (a deep zoph_le_cnn).
  int64_t size() const;
  // True when size() is exact, so Ordinal/FromOrdinal are the mixed-radix bijection.
  bool enumerable() const;
  // The mixed-radix ordinal. Spaces that are not enumerable override it with a stable 63-bit identifier.
  virtual int64_t Ordinal(const Actions& actions) const;
  Actions FromOrdinal(int64_t ordinal) const;  // enumerable spaces only

  // A uniformly drawn architecture (random search, restarts, initial populations). Default:
  // FromOrdinal(UniformInt(size())); non-enumerable spaces draw decision by decision.
  virtual Actions Sample(Rng& rng) const;

  // A valid architecture differing from `parent` in one decision (the mutation of evolution). Default: a
  // uniformly chosen decision set to a uniformly chosen other choice, redrawn until valid.
  virtual Actions Mutate(const Actions& parent, Rng& rng) const;

  // Every valid architecture that differs from `actions` in exactly one decision, in ordinal order.
  std::vector<Actions> Neighbours(const Actions& actions) const;
};

// Registry of search spaces by name.
using SpaceFactory = std::function<std::unique_ptr<SearchSpace>()>;
bool RegisterSpace(const std::string& name, SpaceFactory factory);
// A space that takes SpaceOptions; errors name the option ("space_params.layers: ...").
using ParametrisedSpaceFactory =
    std::function<absl::StatusOr<std::unique_ptr<SearchSpace>>(const SpaceOptions& options)>;
bool RegisterParametrisedSpace(const std::string& name, ParametrisedSpaceFactory factory);
// Unknown names give NotFound listing the registered ones. Fixed spaces refuse non-default options.
absl::StatusOr<std::unique_ptr<SearchSpace>> CreateSpace(const std::string& name,
                                                         const SpaceOptions& options = SpaceOptions());
std::vector<std::string> RegisteredSpaces();

}  // namespace nas

#endif  // NAS_SPACE_SPACE_H_
