#include "nas/space/nb201_space.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nas/util/status.h"

namespace nas {

std::string Nb201Space::decision_name(int decision) const {
  return absl::StrCat("edge_", kEdgeTo[decision], "<-", kEdgeFrom[decision]);
}

std::string Nb201Space::ToString(const Actions& actions) const {
  NAS_CHECK(static_cast<int>(actions.size()) == kNumEdges);
  std::string out = "|";
  for (int e = 0; e < kNumEdges; ++e) {
    absl::StrAppend(&out, kOps[actions[e]], "~", kEdgeFrom[e], "|");
    if (e + 1 < kNumEdges && kEdgeTo[e + 1] != kEdgeTo[e]) out += "+|";
  }
  return out;
}

absl::StatusOr<Actions> Nb201Space::Parse(absl::string_view text) const {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("bad NB201 arch string '", text, "': ", why));
  };
  std::vector<absl::string_view> nodes = absl::StrSplit(text, '+');
  if (nodes.size() != 3) return bad("expected 3 nodes separated by '+'");
  Actions actions;
  for (int node = 0; node < 3; ++node) {
    absl::string_view s = nodes[node];
    if (s.size() < 2 || s.front() != '|' || s.back() != '|') return bad("each node must be enclosed in '|'");
    s = s.substr(1, s.size() - 2);
    std::vector<absl::string_view> inputs = absl::StrSplit(s, '|');
    if (static_cast<int>(inputs.size()) != node + 1)
      return bad(absl::StrCat("node ", node + 1, " needs ", node + 1, " inputs"));
    for (int j = 0; j <= node; ++j) {
      std::vector<absl::string_view> parts = absl::StrSplit(inputs[j], '~');
      if (parts.size() != 2 || parts[1] != std::to_string(j))
        return bad(absl::StrCat("input ", j, " of node ", node + 1, " must be 'op~", j, "'"));
      auto it = std::find(kOps.begin(), kOps.end(), parts[0]);
      if (it == kOps.end())
        return bad(absl::StrCat("unknown operation '", parts[0], "'; known: ", absl::StrJoin(kOps, ", ")));
      actions.push_back(static_cast<int>(it - kOps.begin()));
    }
  }
  return actions;
}

Actions Nb201Space::Mutate(const Actions& parent, Rng& rng) const {
  const int node = 1 + static_cast<int>(rng.UniformInt(3));          // nodes 1..3
  const int first_edge = (node - 1) * node / 2;                       // edges of node n start at n(n-1)/2
  const int edge = first_edge + static_cast<int>(rng.UniformInt(node));  // node n has n inputs
  int op = static_cast<int>(rng.UniformInt(kNumOps - 1));
  if (op >= parent[edge]) ++op;
  Actions child = parent;
  child[edge] = op;
  return child;
}

std::string Nb201Space::CanonicalKey(const Actions& actions) const {
  NAS_CHECK(static_cast<int>(actions.size()) == kNumEdges);
  // node_expr[n] is "" for the zero tensor.
  std::string node_expr[4];
  node_expr[0] = "x";
  for (int node = 1; node < 4; ++node) {
    std::vector<std::string> terms;
    for (int e = 0; e < kNumEdges; ++e) {
      if (kEdgeTo[e] != node) continue;
      const std::string& in = node_expr[kEdgeFrom[e]];
      const int op = actions[e];
      if (op == 0 || in.empty()) continue;  // none, or anything applied to zero
      if (op == 1)
        terms.push_back(in);
      else
        terms.push_back(absl::StrCat(kOps[op], "(", in, ")"));
    }
    std::sort(terms.begin(), terms.end());
    node_expr[node] = terms.empty() ? "" : (terms.size() == 1 ? terms[0] : absl::StrCat("[", absl::StrJoin(terms, "+"), "]"));
  }
  return node_expr[3].empty() ? "0" : node_expr[3];
}

std::string Nb201Space::AuthorsUniqueString(const Actions& actions) {
  std::string nodes[4];
  nodes[0] = "0";
  for (int node = 1; node < 4; ++node) {
    std::vector<std::string> cur;
    for (int e = 0; e < kNumEdges; ++e) {
      if (kEdgeTo[e] != node) continue;
      const std::string& in = nodes[kEdgeFrom[e]];
      const int op = actions[e];
      if (op == 0 || in == "#")
        cur.push_back("#");
      else if (op == 1)
        cur.push_back(in);
      else
        cur.push_back(absl::StrCat("(", in, ")@", kOps[op]));
    }
    std::sort(cur.begin(), cur.end());
    nodes[node] = absl::StrJoin(cur, "+");
  }
  return nodes[3];
}

namespace {
const bool kRegistered = RegisterSpace("nb201", [] { return std::make_unique<Nb201Space>(); });
}  // namespace

}  // namespace nas
