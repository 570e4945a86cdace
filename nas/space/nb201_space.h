// The NAS-Bench-201 / NATS-Bench topology cell: 4 nodes, 6 edges (1<-0), (2<-0), (2<-1), (3<-0), (3<-1),
// (3<-2), each one of 5 operations. Arch strings use the official notation, e.g.
// |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
// Our ordinal is the mixed-radix number of the op indices (edge 0 most significant). The official NB201 index
// is a fixed random permutation of the cells that no formula gives: tables carry it (see table.h).
#ifndef NAS_SPACE_NB201_SPACE_H_
#define NAS_SPACE_NB201_SPACE_H_

#include <array>
#include <string>

#include "nas/space/space.h"

namespace nas {

class Nb201Space : public SearchSpace {
 public:
  static constexpr int kNumEdges = 6;
  static constexpr int kNumOps = 5;
  static constexpr std::array<const char*, kNumOps> kOps = {"none", "skip_connect", "nor_conv_1x1",
                                                            "nor_conv_3x3", "avg_pool_3x3"};
  // Edge e connects kEdgeFrom[e] -> kEdgeTo[e].
  static constexpr std::array<int, kNumEdges> kEdgeTo = {1, 2, 2, 3, 3, 3};
  static constexpr std::array<int, kNumEdges> kEdgeFrom = {0, 0, 1, 0, 1, 2};

  std::string name() const override { return "nb201"; }
  int num_decisions() const override { return kNumEdges; }
  int num_choices(int) const override { return kNumOps; }
  std::string decision_name(int decision) const override;
  std::string choice_name(int, int choice) const override { return kOps[choice]; }
  std::string ToString(const Actions& actions) const override;
  absl::StatusOr<Actions> Parse(absl::string_view text) const override;

  // As the NB201 authors' mutate_arch_func (R_EA.py): a node uniformly, then one of its input edges uniformly,
  // then a different operation uniformly (so edge 1<-0 is picked with probability 1/3).
  Actions Mutate(const Actions& parent, Rng& rng) const override;

  // Functional canonical form: each node is the sorted sum of its non-zero inputs, where `none` and any
  // operation applied to a zero tensor are zero, and skip_connect is the identity. Two cells with equal keys
  // compute the same function of the input (up to weights).
  std::string CanonicalKey(const Actions& actions) const override;

  // The NB201 authors' CellStructure.to_unique_str(consider_zero=True), for comparison with their counts.
  static std::string AuthorsUniqueString(const Actions& actions);
};

}  // namespace nas

#endif  // NAS_SPACE_NB201_SPACE_H_
