// The NAS-Bench-101 cell space (Ying et al. 2019, google-research/nasbench): a DAG on 7 vertices (input,
// 5 inner vertices, output) given by its upper-triangular adjacency matrix, each inner vertex one of
// conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3.
//
// Decisions: the 21 upper-triangular adjacency bits, row-major ((0,1), (0,2), ..., (0,6), (1,2), ..., (5,6)),
// 2 choices each (0 = no edge, 1 = edge); then the operations of vertices 1..5, 3 choices each, in nasbench's
// config['available_ops'] order (conv3x3-bn-relu = 0, conv1x1-bn-relu = 1, maxpool3x3 = 2). size() is
// 2^21 * 3^5 = 509,607,936; 423,624 of them are distinct valid graphs.
//
// Validity as nasbench's api.is_valid: after ModelSpec._prune (removing vertices not on a path from input to
// output) the input still reaches the output and the pruned graph has at most 9 edges.
// CanonicalKey: nasbench's module hash (graph_util.hash_module of the pruned matrix with labels [-1] + op
// indices + [-2]), the 32-hex-digit MD5 the dataset's records are keyed by; "invalid" when the input does not
// reach the output.
// Notation (ToString/Parse): the unpruned matrix, 7 rows of 7 digits separated by '|', then "|ops:" and the
// 5 inner operations, e.g.
//   0100001|0010000|0001000|0000100|0000010|0000001|0000000|ops:conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,...
#ifndef NAS_SPACE_NB101_SPACE_H_
#define NAS_SPACE_NB101_SPACE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nas/space/space.h"

namespace nas {

// A labelled DAG as nasbench handles it: n x n adjacency (row-major, adj[i * n + j] = edge i -> j) and one
// label per vertex (-1 input, -2 output, else an op index).
struct Nb101Graph {
  int n = 0;
  std::vector<uint8_t> adj;
  std::vector<int> labels;
  bool edge(int i, int j) const { return adj[i * n + j] != 0; }
  int num_edges() const;
};

class Nb101Space : public SearchSpace {
 public:
  static constexpr int kNumVertices = 7;
  static constexpr int kNumEdgeBits = 21;
  static constexpr int kNumInner = 5;
  static constexpr int kMaxEdges = 9;
  static constexpr int kNumOps = 3;
  static constexpr std::array<const char*, kNumOps> kOps = {"conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"};

  std::string name() const override { return "nb101"; }
  int num_decisions() const override { return kNumEdgeBits + kNumInner; }
  int num_choices(int decision) const override { return decision < kNumEdgeBits ? 2 : kNumOps; }
  std::string decision_name(int decision) const override;
  std::string choice_name(int decision, int choice) const override;
  std::string ToString(const Actions& actions) const override;
  absl::StatusOr<Actions> Parse(absl::string_view text) const override;
  std::string CanonicalKey(const Actions& actions) const override;
  bool IsValid(const Actions& actions) const override;

  // nasbench's mutate_spec (its README/colab, mutation_rate 1): every edge bit flips with probability 1/7
  // (1 / NUM_VERTICES), every inner op is replaced by a uniformly chosen other op with probability 1/5; the
  // whole draw repeats until the result is valid. As in nasbench the child may equal the parent.
  Actions Mutate(const Actions& parent, Rng& rng) const override;

  // Decision index of edge (i, j), i < j.
  static int EdgeDecision(int i, int j);

  // The 7-vertex graph of `actions` (unpruned), labels [-1, op1..op5, -2].
  static Nb101Graph ToGraph(const Actions& actions);
  // nasbench ModelSpec._prune: false when the input does not reach the output (spec invalid).
  static bool Prune(const Nb101Graph& graph, Nb101Graph* pruned);
  // graph_util.hash_module(matrix, labeling), bit for bit (Python's str() of tuples and lists included).
  static std::string HashModule(const Nb101Graph& graph);
  // Prune then hash; "" when the input does not reach the output.
  static std::string SpecHash(const Nb101Graph& graph);
  // Actions whose pruned graph is `graph` (at most 7 vertices, vertex 0 input, last vertex output, labels of
  // inner vertices op indices): inner vertices keep their order, unused vertices are isolated conv3x3.
  static absl::StatusOr<Actions> FromGraph(const Nb101Graph& graph);
  // Index of an op name in kOps, or -1.
  static int OpIndex(absl::string_view op);
};

}  // namespace nas

#endif  // NAS_SPACE_NB101_SPACE_H_
