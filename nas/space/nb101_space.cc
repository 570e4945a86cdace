#include "nas/space/nb101_space.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nas/util/md5.h"
#include "nas/util/status.h"

namespace nas {

int Nb101Graph::num_edges() const {
  int e = 0;
  for (uint8_t a : adj) e += a != 0;
  return e;
}

int Nb101Space::EdgeDecision(int i, int j) {
  // Row i starts after rows 0..i-1, which hold (6 - r) bits each.
  return i * (2 * kNumVertices - i - 1) / 2 + (j - i - 1);
}

int Nb101Space::OpIndex(absl::string_view op) {
  for (int k = 0; k < kNumOps; ++k)
    if (op == kOps[k]) return k;
  return -1;
}

std::string Nb101Space::decision_name(int decision) const {
  if (decision >= kNumEdgeBits) return absl::StrCat("op_", decision - kNumEdgeBits + 1);
  for (int i = 0; i < kNumVertices; ++i)
    for (int j = i + 1; j < kNumVertices; ++j)
      if (EdgeDecision(i, j) == decision) return absl::StrCat("edge_", i, "->", j);
  return "?";
}

std::string Nb101Space::choice_name(int decision, int choice) const {
  if (decision < kNumEdgeBits) return choice ? "1" : "0";
  return kOps[choice];
}

Nb101Graph Nb101Space::ToGraph(const Actions& actions) {
  NAS_CHECK(static_cast<int>(actions.size()) == kNumEdgeBits + kNumInner);
  Nb101Graph g;
  g.n = kNumVertices;
  g.adj.assign(kNumVertices * kNumVertices, 0);
  for (int i = 0; i < kNumVertices; ++i)
    for (int j = i + 1; j < kNumVertices; ++j) g.adj[i * kNumVertices + j] = actions[EdgeDecision(i, j)] != 0;
  g.labels.push_back(-1);
  for (int v = 0; v < kNumInner; ++v) g.labels.push_back(actions[kNumEdgeBits + v]);
  g.labels.push_back(-2);
  return g;
}

bool Nb101Space::Prune(const Nb101Graph& graph, Nb101Graph* pruned) {
  const int n = graph.n;
  std::vector<char> from_input(n, 0), to_output(n, 0);
  std::vector<int> frontier = {0};
  from_input[0] = 1;
  while (!frontier.empty()) {
    const int top = frontier.back();
    frontier.pop_back();
    for (int v = top + 1; v < n; ++v)
      if (graph.edge(top, v) && !from_input[v]) from_input[v] = 1, frontier.push_back(v);
  }
  frontier = {n - 1};
  to_output[n - 1] = 1;
  while (!frontier.empty()) {
    const int top = frontier.back();
    frontier.pop_back();
    for (int v = 0; v < top; ++v)
      if (graph.edge(v, top) && !to_output[v]) to_output[v] = 1, frontier.push_back(v);
  }
  std::vector<int> keep;
  for (int v = 0; v < n; ++v)
    if (from_input[v] && to_output[v]) keep.push_back(v);
  // nasbench: invalid when more than n - 2 vertices are extraneous (fewer than 2 kept).
  if (static_cast<int>(keep.size()) < 2) return false;
  const int m = static_cast<int>(keep.size());
  pruned->n = m;
  pruned->adj.assign(m * m, 0);
  pruned->labels.clear();
  for (int a = 0; a < m; ++a) {
    pruned->labels.push_back(graph.labels[keep[a]]);
    for (int b = 0; b < m; ++b) pruned->adj[a * m + b] = graph.edge(keep[a], keep[b]);
  }
  return true;
}

std::string Nb101Space::HashModule(const Nb101Graph& g) {
  const int n = g.n;
  std::vector<std::string> hashes(n);
  for (int v = 0; v < n; ++v) {
    int in = 0, out = 0;
    for (int w = 0; w < n; ++w) in += g.edge(w, v), out += g.edge(v, w);
    // str((out_edges, in_edges, label)) of Python ints.
    hashes[v] = Md5Hex(absl::StrCat("(", out, ", ", in, ", ", g.labels[v], ")"));
  }
  std::vector<std::string> next(n), in_n, out_n;
  for (int round = 0; round < n; ++round) {
    for (int v = 0; v < n; ++v) {
      in_n.clear();
      out_n.clear();
      for (int w = 0; w < n; ++w) {
        if (g.edge(w, v)) in_n.push_back(hashes[w]);
        if (g.edge(v, w)) out_n.push_back(hashes[w]);
      }
      std::sort(in_n.begin(), in_n.end());
      std::sort(out_n.begin(), out_n.end());
      next[v] = Md5Hex(absl::StrCat(absl::StrJoin(in_n, ""), "|", absl::StrJoin(out_n, ""), "|", hashes[v]));
    }
    hashes.swap(next);
  }
  std::sort(hashes.begin(), hashes.end());
  // str(sorted(hashes)): "['h1', 'h2']".
  std::string list = "[";
  for (int v = 0; v < n; ++v) absl::StrAppend(&list, v ? ", '" : "'", hashes[v], "'");
  list += "]";
  return Md5Hex(list);
}

std::string Nb101Space::SpecHash(const Nb101Graph& graph) {
  Nb101Graph pruned;
  if (!Prune(graph, &pruned)) return "";
  return HashModule(pruned);
}

absl::StatusOr<Actions> Nb101Space::FromGraph(const Nb101Graph& g) {
  if (g.n < 2 || g.n > kNumVertices)
    return absl::InvalidArgumentError(absl::StrCat("a NB101 graph has 2 to 7 vertices, not ", g.n));
  if (static_cast<int>(g.labels.size()) != g.n || static_cast<int>(g.adj.size()) != g.n * g.n)
    return absl::InvalidArgumentError("inconsistent graph sizes");
  if (g.labels.front() != -1 || g.labels.back() != -2)
    return absl::InvalidArgumentError("the first vertex must be the input and the last the output");
  Actions actions(kNumEdgeBits + kNumInner, 0);
  auto target = [&](int v) { return v == g.n - 1 ? kNumVertices - 1 : v; };
  for (int i = 0; i < g.n; ++i) {
    for (int j = 0; j < g.n; ++j) {
      if (!g.edge(i, j)) continue;
      if (j <= i) return absl::InvalidArgumentError("the adjacency matrix is not strictly upper-triangular");
      actions[EdgeDecision(target(i), target(j))] = 1;
    }
  }
  for (int v = 1; v + 1 < g.n; ++v) {
    if (g.labels[v] < 0 || g.labels[v] >= kNumOps)
      return absl::InvalidArgumentError(absl::StrCat("vertex ", v, " has no valid operation"));
    actions[kNumEdgeBits + v - 1] = g.labels[v];
  }
  return actions;
}

bool Nb101Space::IsValid(const Actions& actions) const {
  if (!SearchSpace::IsValid(actions)) return false;
  Nb101Graph pruned;
  if (!Prune(ToGraph(actions), &pruned)) return false;
  return pruned.num_edges() <= kMaxEdges && pruned.n <= kNumVertices;
}

std::string Nb101Space::CanonicalKey(const Actions& actions) const {
  const std::string h = SpecHash(ToGraph(actions));
  return h.empty() ? "invalid" : h;
}

std::string Nb101Space::ToString(const Actions& actions) const {
  NAS_CHECK(static_cast<int>(actions.size()) == num_decisions());
  std::string out;
  for (int i = 0; i < kNumVertices; ++i) {
    for (int j = 0; j < kNumVertices; ++j) out += (j > i && actions[EdgeDecision(i, j)]) ? '1' : '0';
    out += '|';
  }
  out += "ops:";
  for (int v = 0; v < kNumInner; ++v) absl::StrAppend(&out, v ? "," : "", kOps[actions[kNumEdgeBits + v]]);
  return out;
}

absl::StatusOr<Actions> Nb101Space::Parse(absl::string_view text) const {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("bad NB101 arch string '", text, "': ", why));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(text, '|');
  if (parts.size() != kNumVertices + 1) return bad("expected 7 matrix rows and 'ops:...' separated by '|'");
  Actions actions(num_decisions(), 0);
  for (int i = 0; i < kNumVertices; ++i) {
    if (parts[i].size() != kNumVertices) return bad(absl::StrCat("row ", i, " must have 7 digits"));
    for (int j = 0; j < kNumVertices; ++j) {
      const char c = parts[i][j];
      if (c != '0' && c != '1') return bad(absl::StrCat("row ", i, " has a character other than 0 and 1"));
      if (c == '1' && j <= i)
        return bad(absl::StrCat("entry (", i, ", ", j, ") is 1 but the matrix must be strictly upper-triangular"));
      if (j > i) actions[EdgeDecision(i, j)] = c - '0';
    }
  }
  absl::string_view ops = parts[kNumVertices];
  if (ops.substr(0, 4) != "ops:") return bad("the last part must start with 'ops:'");
  std::vector<absl::string_view> names = absl::StrSplit(ops.substr(4), ',');
  if (names.size() != kNumInner) return bad("expected 5 operations (vertices 1..5)");
  for (int v = 0; v < kNumInner; ++v) {
    const int k = OpIndex(names[v]);
    if (k < 0)
      return bad(absl::StrCat("unknown operation '", names[v], "'; known: ", absl::StrJoin(kOps, ", ")));
    actions[kNumEdgeBits + v] = k;
  }
  return actions;
}

Actions Nb101Space::Mutate(const Actions& parent, Rng& rng) const {
  const double edge_p = 1.0 / kNumVertices;  // mutation_rate / NUM_VERTICES
  const double op_p = 1.0 / kNumInner;       // mutation_rate / OP_SPOTS
  for (;;) {
    Actions child = parent;
    for (int i = 0; i < kNumVertices - 1; ++i)
      for (int j = i + 1; j < kNumVertices; ++j)
        if (rng.Uniform01() < edge_p) child[EdgeDecision(i, j)] ^= 1;
    for (int v = 0; v < kNumInner; ++v) {
      if (rng.Uniform01() < op_p) {
        int op = static_cast<int>(rng.UniformInt(kNumOps - 1));
        if (op >= child[kNumEdgeBits + v]) ++op;
        child[kNumEdgeBits + v] = op;
      }
    }
    if (IsValid(child)) return child;
  }
}

namespace {
const bool kRegistered = RegisterSpace("nb101", [] { return std::make_unique<Nb101Space>(); });
}  // namespace

}  // namespace nas
