#include "nas/table/nb101_tfrecord.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <unordered_map>
#include <vector>

#include "nas/table/importer.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nas/table/tfrecord.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"
#include "nas/util/path.h"

namespace nas {
namespace {

constexpr int kRepeats = 3;
constexpr int kMaxFidelities = 16;

absl::Status Bad(absl::string_view what) { return absl::InvalidArgumentError(std::string(what)); }

// A strict reader for exactly the records' shape: a JSON array of strings and integers.
class Json {
 public:
  explicit Json(absl::string_view s) : s_(s) {}
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Eat(char c) {
    Ws();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool AtEnd() {
    Ws();
    return i_ == s_.size();
  }
  absl::Status String(std::string* out) {
    out->clear();
    if (!Eat('"')) return Bad(absl::StrCat("bad JSON: expected a string at byte ", i_));
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return absl::OkStatus();
      if (static_cast<unsigned char>(c) < 0x20) return Bad("bad JSON: control character in a string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) break;
      const char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out->push_back(e); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          if (i_ + 4 > s_.size()) return Bad("bad JSON: short \\u escape");
          unsigned cp = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = s_[i_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= h - '0';
            else if (h >= 'a' && h <= 'f') cp |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') cp |= h - 'A' + 10;
            else return Bad("bad JSON: bad \\u escape");
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) return Bad("bad JSON: surrogate \\u escape (not used by nasbench)");
          if (cp < 0x80) {
            out->push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: return Bad(absl::StrCat("bad JSON: unknown escape '\\", std::string(1, e), "'"));
      }
    }
    return Bad("bad JSON: unterminated string");
  }
  absl::Status Integer(int64_t* out) {
    Ws();
    const size_t start = i_;
    bool neg = false;
    if (i_ < s_.size() && s_[i_] == '-') neg = true, ++i_;
    const size_t digits = i_;
    int64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      if (v > 100000000000LL) return Bad("bad JSON: integer too large");
      v = v * 10 + (s_[i_++] - '0');
    }
    if (i_ == digits) return Bad(absl::StrCat("bad JSON: expected an integer at byte ", start));
    if (s_[digits] == '0' && i_ - digits > 1) return Bad("bad JSON: leading zero in an integer");
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E'))
      return Bad("bad JSON: epochs must be an integer");
    *out = neg ? -v : v;
    return absl::OkStatus();
  }

 private:
  absl::string_view s_;
  size_t i_ = 0;
};

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

uint32_t Pack(const Actions& a) {
  uint32_t p = 0;
  for (int i = 0; i < Nb101Space::kNumEdgeBits; ++i) p |= static_cast<uint32_t>(a[i]) << i;
  for (int v = 0; v < Nb101Space::kNumInner; ++v)
    p |= static_cast<uint32_t>(a[Nb101Space::kNumEdgeBits + v]) << (Nb101Space::kNumEdgeBits + 2 * v);
  return p;
}

Actions Unpack(uint32_t p) {
  Actions a(Nb101Space::kNumEdgeBits + Nb101Space::kNumInner);
  for (int i = 0; i < Nb101Space::kNumEdgeBits; ++i) a[i] = (p >> i) & 1;
  for (int v = 0; v < Nb101Space::kNumInner; ++v)
    a[Nb101Space::kNumEdgeBits + v] = (p >> (Nb101Space::kNumEdgeBits + 2 * v)) & 3;
  return a;
}

}  // namespace

absl::Status ParseNb101Record(absl::string_view data, Nb101Record* r) {
  Json j(data);
  std::string adjacency, operations, metrics_b64, bytes;
  int64_t epochs = 0;
  if (!j.Eat('[')) return Bad("bad JSON: the record is not a JSON array");
  NAS_RETURN_IF_ERROR(j.String(&r->module_hash));
  if (!j.Eat(',')) return Bad("bad JSON: expected ',' after the module hash");
  NAS_RETURN_IF_ERROR(j.Integer(&epochs));
  for (std::string* field : {&adjacency, &operations, &metrics_b64}) {
    if (!j.Eat(',')) return Bad("bad JSON: expected 5 elements [hash, epochs, adjacency, operations, metrics]");
    NAS_RETURN_IF_ERROR(j.String(field));
  }
  if (!j.Eat(']') || !j.AtEnd()) return Bad("bad JSON: expected ']' after the 5th element and nothing after it");

  if (r->module_hash.size() != 32 ||
      !std::all_of(r->module_hash.begin(), r->module_hash.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
    return Bad(absl::StrCat("module hash '", r->module_hash, "' is not 32 lowercase hex digits"));
  if (epochs < 1 || epochs > 100000) return Bad(absl::StrCat("epochs is ", epochs));
  r->epochs = static_cast<int>(epochs);

  int n = 0;
  while (n * n < static_cast<int>(adjacency.size())) ++n;
  if (n * n != static_cast<int>(adjacency.size()) || n < 2 || n > Nb101Space::kNumVertices)
    return Bad(absl::StrCat("raw_adjacency has ", adjacency.size(), " digits, not a square matrix of 2 to 7 vertices"));
  Nb101Graph& g = r->graph;
  g.n = n;
  g.adj.resize(n * n);
  for (int k = 0; k < n * n; ++k) {
    if (adjacency[k] != '0' && adjacency[k] != '1') return Bad("raw_adjacency has a character other than 0 and 1");
    g.adj[k] = adjacency[k] == '1';
    if (g.adj[k] && k % n <= k / n) return Bad("raw_adjacency is not strictly upper-triangular");
  }
  std::vector<absl::string_view> ops = absl::StrSplit(operations, ',');
  if (static_cast<int>(ops.size()) != n)
    return Bad(absl::StrCat("raw_operations has ", ops.size(), " operations for ", n, " vertices"));
  if (ops.front() != "input" || ops.back() != "output")
    return Bad("raw_operations must start with 'input' and end with 'output'");
  g.labels.assign(n, 0);
  g.labels.front() = -1;
  g.labels.back() = -2;
  for (int v = 1; v + 1 < n; ++v) {
    g.labels[v] = Nb101Space::OpIndex(ops[v]);
    if (g.labels[v] < 0)
      return Bad(absl::StrCat("raw_operations: unknown operation '", ops[v], "'; known: ",
                              absl::StrJoin(Nb101Space::kOps, ", ")));
  }
  if (!absl::Base64Unescape(metrics_b64, &bytes)) return Bad("raw_metrics is not valid base64");
  r->metrics.Clear();
  if (!r->metrics.ParseFromString(bytes)) return Bad("raw_metrics is not a serialized ModelMetrics (proto parse failed)");
  if (r->metrics.evaluation_data_size() == 0) return Bad("raw_metrics has no evaluation_data");
  return absl::OkStatus();
}

std::string MakeNb101RecordJson(const std::string& module_hash, int epochs, const Nb101Graph& graph,
                                const nasbench::ModelMetrics& metrics) {
  std::string adjacency;
  for (uint8_t a : graph.adj) adjacency.push_back(a ? '1' : '0');
  std::vector<std::string> ops;
  for (int v = 0; v < graph.n; ++v)
    ops.push_back(v == 0 ? "input" : v + 1 == graph.n ? "output" : Nb101Space::kOps[graph.labels[v]]);
  return absl::StrCat("[", JsonQuote(module_hash), ", ", epochs, ", ", JsonQuote(adjacency), ", ",
                      JsonQuote(absl::StrJoin(ops, ",")), ", ", JsonQuote(absl::Base64Escape(metrics.SerializeAsString())),
                      "]");
}

absl::StatusOr<std::unique_ptr<Table>> ImportNb101Tfrecord(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<TfRecordReader> reader, TfRecordReader::Open(path));
  const Nb101Space space;
  std::unordered_map<std::string, int32_t> row_of;
  std::vector<std::string> keys;
  std::vector<uint32_t> archs;
  std::vector<double> params;
  std::vector<int> epochs;                 // fidelities in first-seen order
  std::vector<TableEntry> entries;         // [row][fidelity][repeat]
  std::vector<uint8_t> repeats;            // [row][fidelity]: repeats seen
  std::string data;
  Nb101Record rec;
  for (;;) {
    NAS_ASSIGN_OR_RETURN(const bool more, reader->Next(&data));
    if (!more) break;
    const int64_t n = reader->record_number() - 1;
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": record ", n, ": ", what));
    };
    absl::Status st = ParseNb101Record(data, &rec);
    if (!st.ok()) return fail(st.message());
    auto actions = Nb101Space::FromGraph(rec.graph);
    if (!actions.ok()) return fail(absl::StrCat("bad graph: ", actions.status().message()));
    const uint32_t packed = Pack(*actions);

    auto [it, inserted] = row_of.emplace(rec.module_hash, static_cast<int32_t>(keys.size()));
    const int32_t row = it->second;
    // The hash is verified for every new graph and for any record whose matrix differs from its row's first.
    if (inserted || archs[row] != packed) {
      if (!space.IsValid(*actions))
        return fail("the graph is outside the NB101 space (input not connected to output, or more than 9 edges)");
      const std::string key = space.CanonicalKey(*actions);
      if (key != rec.module_hash)
        return fail(absl::StrCat("module hash ", rec.module_hash, " is not the graph's hash ", key));
    }
    if (inserted) {
      keys.push_back(rec.module_hash);
      archs.push_back(packed);
      params.push_back(rec.metrics.has_trainable_parameters() ? rec.metrics.trainable_parameters() / 1e6 : NAN);
      entries.resize(entries.size() + epochs.size() * kRepeats);
      repeats.resize(repeats.size() + epochs.size(), 0);
    }
    int f = static_cast<int>(std::find(epochs.begin(), epochs.end(), rec.epochs) - epochs.begin());
    if (f == static_cast<int>(epochs.size())) {  // a new budget: widen every row (at most a few times)
      if (f == kMaxFidelities) return fail(absl::StrCat("more than ", kMaxFidelities, " distinct epoch budgets"));
      const size_t rows = keys.size(), F = epochs.size();
      std::vector<TableEntry> wide(rows * (F + 1) * kRepeats);
      std::vector<uint8_t> wide_rep(rows * (F + 1), 0);
      for (size_t r = 0; r < rows; ++r) {
        for (size_t k = 0; k < F; ++k) {
          wide_rep[r * (F + 1) + k] = repeats[r * F + k];
          for (int s = 0; s < kRepeats; ++s) wide[(r * (F + 1) + k) * kRepeats + s] = entries[(r * F + k) * kRepeats + s];
        }
      }
      entries.swap(wide);
      repeats.swap(wide_rep);
      epochs.push_back(rec.epochs);
    }
    const size_t F = epochs.size();
    uint8_t& seen = repeats[row * F + f];
    if (seen >= kRepeats)
      return fail(absl::StrCat("more than ", kRepeats, " repeats of module ", rec.module_hash, " at ", rec.epochs,
                               " epochs"));
    const nasbench::EvaluationData& fin = rec.metrics.evaluation_data(rec.metrics.evaluation_data_size() - 1);
    TableEntry& e = entries[(row * F + f) * kRepeats + seen];
    e.train_acc = fin.has_train_accuracy() ? 100.0 * fin.train_accuracy() : NAN;
    e.valid_acc = fin.has_validation_accuracy() ? 100.0 * fin.validation_accuracy() : NAN;
    e.test_acc = fin.has_test_accuracy() ? 100.0 * fin.test_accuracy() : NAN;
    e.train_time = fin.has_training_time() ? fin.training_time() : NAN;
    ++seen;
  }
  if (keys.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no records (empty file)"));

  const int64_t rows = static_cast<int64_t>(keys.size());
  const size_t F = epochs.size();
  std::vector<int> order(F);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return epochs[a] < epochs[b]; });
  std::vector<int> sorted_epochs;
  for (int k : order) sorted_epochs.push_back(epochs[k]);

  auto table = std::make_unique<Table>("nb101", rows);
  std::vector<std::string> arch_str(rows);
  for (int64_t r = 0; r < rows; ++r) arch_str[r] = space.ToString(Unpack(archs[r]));
  NAS_RETURN_IF_ERROR(table->SetRowKeys(std::move(keys), std::move(arch_str)));
  table->params_m() = std::move(params);
  TableDataset& d = table->AddDataset("cifar10", sorted_epochs, {0, 1, 2});
  for (int64_t r = 0; r < rows; ++r)
    for (size_t k = 0; k < F; ++k)
      for (int s = 0; s < kRepeats; ++s) d.mutable_at(r, static_cast<int>(k), s) = entries[(r * F + order[k]) * kRepeats + s];
  d.ComputeMeans();

  table->attributes()["source"] = absl::StrCat("NAS-Bench-101 tfrecord (", Basename(path), ")");
  NAS_ASSIGN_OR_RETURN(table->attributes()["source_sha256"], Sha256File(path));
  table->attributes()["license"] = "see github.com/google-research/nasbench (NAS-Bench-101 dataset)";
  table->attributes()["importer"] = "nas import nb101-tfrecord";
  table->attributes()["note"] =
      "accuracies: nasbench's final-evaluation fractions x 100 (percent); seed slot i = the i-th repeat of "
      "(module hash, epochs) in file order; rows keyed by the nasbench module hash";
  table->attributes()["source_records"] = absl::StrCat(reader->record_number());
  return table;
}

namespace {
const bool kRegistered = RegisterImporter(ImporterInfo{
    "nb101-tfrecord",
    "NAS-Bench-101 tfrecord (nasbench_only108.tfrecord or nasbench_full.tfrecord); sparse rows keyed by\n"
    "    module hash, dataset cifar10, fidelities = the epoch budgets present, 3 seeds",
    [](const std::string& source, const std::string& dataset, std::string*) -> absl::StatusOr<std::unique_ptr<Table>> {
      if (!dataset.empty())
        return absl::InvalidArgumentError("nb101-tfrecord always imports dataset 'cifar10'; drop --dataset");
      return ImportNb101Tfrecord(source);
    }});
}  // namespace

}  // namespace nas
