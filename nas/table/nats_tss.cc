#include "nas/table/nats_tss.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "nas/table/importer.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/space/nb201_space.h"
#include "nas/util/bz2.h"
#include "nas/util/pickle.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"
#include "nas/util/path.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNumArchs = 15625;
constexpr char kMetaName[] = "meta.pickle.pbz2";
constexpr char kArchSuffix[] = ".pickle.pbz2";
constexpr size_t kMaxCompressedBytes = size_t{64} << 20;     // a real arch file is ~85 KB, meta ~35 KB
constexpr size_t kMaxDecompressedBytes = size_t{256} << 20;  // ~330 KB and ~1.4 MB decompressed
const std::vector<int> kFidelities = {12, 200};
const char* const kKnownDatasets[] = {"cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"};

// One (architecture, dataset, schedule, seed) result, kept until every file is read (the seeds of a dataset
// are known only then).
struct Record {
  int64_t ordinal;
  int64_t seed;
  int dataset;
  int fidelity;  // index into kFidelities
  TableEntry entry;
};

absl::Status FileError(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

// Reads, hashes and decompresses one file and parses its pickle.
absl::StatusOr<std::unique_ptr<PickleDocument>> LoadPbz2(const std::string& path, NatsTssImportStats* stats,
                                                         std::string* sha256_hex) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": no such file (or not readable)"));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return absl::DataLossError(absl::StrCat(path, ": cannot determine the file size"));
  if (static_cast<uint64_t>(size) > kMaxCompressedBytes)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", size, " bytes is larger than any NATS-Bench file (limit ", kMaxCompressedBytes, ")"));
  std::string compressed(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(compressed.data(), size)) return absl::DataLossError(absl::StrCat(path, ": read error"));
  *sha256_hex = Sha256Hex(compressed);
  auto raw = Bz2Decompress(compressed, kMaxDecompressedBytes);
  if (!raw.ok()) return absl::Status(raw.status().code(), absl::StrCat(path, ": ", raw.status().message()));
  stats->files_read += 1;
  stats->compressed_bytes += static_cast<int64_t>(compressed.size());
  stats->decompressed_bytes += static_cast<int64_t>(raw->size());
  compressed.clear();
  compressed.shrink_to_fit();
  auto doc = PickleDocument::Parse(*raw);
  if (!doc.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a readable pickle after bzip2 decompression: ", doc.status().message()));
  return doc;
}

// Typed lookups that name the file and the key path on failure.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {}

  absl::Status Fail(const std::string& where, absl::string_view what) const {
    return FileError(path_, absl::StrCat(where, ": ", what));
  }
  absl::Status Expect(const PickleValue& v, PickleKind kind, const std::string& where) const {
    if (v.kind == kind) return absl::OkStatus();
    return Fail(where, absl::StrCat("is a ", PickleKindName(v.kind), ", expected a ", PickleKindName(kind)));
  }
  absl::StatusOr<const PickleValue*> Get(const PickleValue& dict, absl::string_view key, PickleKind kind,
                                         const std::string& where) const {
    const std::string at = absl::StrCat(where, "['", key, "']");
    const PickleValue* v = dict.Find(key);
    if (v == nullptr) return Fail(at, "missing");
    NAS_RETURN_IF_ERROR(Expect(*v, kind, at));
    return v;
  }
  absl::StatusOr<double> Number(const PickleValue& v, const std::string& where) const {
    double d;
    if (!v.AsDouble(&d)) return Fail(where, absl::StrCat("is a ", PickleKindName(v.kind), ", expected a number"));
    return d;
  }
  // dict[key] as a number, NaN when the key is absent.
  absl::StatusOr<double> OptionalNumber(const PickleValue& dict, absl::string_view key,
                                        const std::string& where) const {
    const PickleValue* v = dict.Find(key);
    if (v == nullptr) return NAN;
    return Number(*v, absl::StrCat(where, "['", key, "']"));
  }
  // Per-epoch dict {0: x0, ..., last: x_last} -> vector; every epoch must be there.
  absl::StatusOr<std::vector<double>> Curve(const PickleValue& dict, int epochs, const std::string& where) const {
    NAS_RETURN_IF_ERROR(Expect(dict, PickleKind::kDict, where));
    std::vector<double> values(static_cast<size_t>(epochs), NAN);
    std::vector<bool> seen(static_cast<size_t>(epochs), false);
    for (const auto& [key, value] : dict.entries) {
      if (!key->is_int() || key->int_value < 0 || key->int_value >= epochs) continue;
      NAS_ASSIGN_OR_RETURN(values[key->int_value], Number(*value, absl::StrCat(where, "[", key->int_value, "]")));
      seen[key->int_value] = true;
    }
    for (int e = 0; e < epochs; ++e)
      if (!seen[e]) return Fail(absl::StrCat(where, "[", e, "]"), "missing");
    return values;
  }

 private:
  const std::string& path_;
};

bool ValidDatasetName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

struct ImportState {
  Nb201Space space;
  std::vector<int64_t> ordinal_of_index;  // from meta_archs
  std::vector<std::string> arch_of_index;
  std::vector<std::string> dataset_names;
  std::map<std::string, int> dataset_ids;
  std::vector<Record> records;
  // params_m / flops_m source per ordinal: 0 = 200-epoch cifar10-valid ... 3 = 12-epoch other; 4 = none.
  std::vector<int8_t> params_rank;
};

absl::Status ReadMeta(const std::string& path, const PickleValue& root, ImportState* state) {
  Reader r(path);
  NAS_RETURN_IF_ERROR(r.Expect(root, PickleKind::kDict, "the pickle"));
  NAS_ASSIGN_OR_RETURN(const PickleValue* archs, r.Get(root, "meta_archs", PickleKind::kList, ""));
  if (static_cast<int64_t>(archs->items.size()) != kNumArchs)
    return r.Fail("['meta_archs']", absl::StrCat("has ", archs->items.size(), " arch strings, expected ", kNumArchs));
  std::vector<int64_t> index_of_ordinal(kNumArchs, -1);
  state->ordinal_of_index.assign(kNumArchs, -1);
  state->arch_of_index.assign(kNumArchs, "");
  for (int64_t i = 0; i < kNumArchs; ++i) {
    const std::string where = absl::StrCat("['meta_archs'][", i, "]");
    const PickleValue& s = *archs->items[i];
    NAS_RETURN_IF_ERROR(r.Expect(s, PickleKind::kStr, where));
    auto actions = state->space.Parse(s.text);
    if (!actions.ok()) return r.Fail(where, actions.status().message());
    const int64_t ordinal = state->space.Ordinal(*actions);
    if (ordinal < 0 || ordinal >= kNumArchs) return r.Fail(where, "ordinal out of range");
    if (index_of_ordinal[ordinal] >= 0)
      return r.Fail(where, absl::StrCat("'", s.text, "' repeats index ", index_of_ordinal[ordinal]));
    index_of_ordinal[ordinal] = i;
    state->ordinal_of_index[i] = ordinal;
    state->arch_of_index[i] = s.text;
  }
  return absl::OkStatus();
}

absl::Status ReadResult(const Reader& r, const PickleValue& result, int fidelity, int64_t ordinal,
                        const std::string& dataset, int64_t seed, const std::string& where, Table* table,
                        ImportState* state) {
  const int schedule = kFidelities[fidelity];
  NAS_RETURN_IF_ERROR(r.Expect(result, PickleKind::kDict, where));
  NAS_ASSIGN_OR_RETURN(const PickleValue* epochs_v, r.Get(result, "epochs", PickleKind::kInt, where));
  if (epochs_v->int_value != schedule)
    return r.Fail(absl::StrCat(where, "['epochs']"),
                  absl::StrCat("is ", epochs_v->int_value, " in the '", schedule, "' schedule"));
  const int last = schedule - 1;
  const PickleValue* acc = result.Find("train_acc1es");
  const PickleValue* times = result.Find("train_times");
  if (acc == nullptr) return r.Fail(absl::StrCat(where, "['train_acc1es']"), "missing");
  if (times == nullptr) return r.Fail(absl::StrCat(where, "['train_times']"), "missing");
  NAS_ASSIGN_OR_RETURN(std::vector<double> train_acc, r.Curve(*acc, schedule, absl::StrCat(where, "['train_acc1es']")));
  NAS_ASSIGN_OR_RETURN(std::vector<double> train_times,
                       r.Curve(*times, schedule, absl::StrCat(where, "['train_times']")));
  NAS_ASSIGN_OR_RETURN(const PickleValue* eval, r.Get(result, "eval_acc1es", PickleKind::kDict, where));
  const std::string eval_where = absl::StrCat(where, "['eval_acc1es']");
  const bool x_test = dataset == "cifar100" || dataset == "ImageNet16-120";

  Record rec;
  rec.ordinal = ordinal;
  rec.seed = seed;
  rec.fidelity = fidelity;
  auto [it, added] = state->dataset_ids.emplace(dataset, static_cast<int>(state->dataset_names.size()));
  if (added) state->dataset_names.push_back(dataset);
  rec.dataset = it->second;
  rec.entry.train_acc = train_acc[last];
  NAS_ASSIGN_OR_RETURN(rec.entry.valid_acc, r.OptionalNumber(*eval, absl::StrCat("x-valid@", last), eval_where));
  NAS_ASSIGN_OR_RETURN(rec.entry.test_acc,
                       r.OptionalNumber(*eval, absl::StrCat(x_test ? "x-test@" : "ori-test@", last), eval_where));
  double sum = 0;
  for (double t : train_times) sum += t;
  rec.entry.train_time = sum;
  state->records.push_back(rec);

  const int8_t rank = static_cast<int8_t>((schedule == 200 ? 0 : 2) + (dataset == "cifar10-valid" ? 0 : 1));
  if (rank < state->params_rank[ordinal]) {
    NAS_ASSIGN_OR_RETURN(const double params, r.OptionalNumber(result, "params", where));
    NAS_ASSIGN_OR_RETURN(const double flops, r.OptionalNumber(result, "flop", where));
    table->params_m()[ordinal] = params;
    table->flops_m()[ordinal] = flops;
    state->params_rank[ordinal] = rank;
  }
  return absl::OkStatus();
}

absl::Status ReadArch(const std::string& path, int64_t index, const PickleValue& root, Table* table,
                      ImportState* state) {
  Reader r(path);
  NAS_RETURN_IF_ERROR(r.Expect(root, PickleKind::kDict, "the pickle"));
  const int64_t ordinal = state->ordinal_of_index[index];
  if (root.entries.empty()) return r.Fail("the pickle", "has no training schedule ('12', '200')");
  std::set<int> schedules_seen;
  for (const auto& [key, schedule] : root.entries) {
    int epochs = 0;
    if (!key->is_str() || !absl::SimpleAtoi(key->text, &epochs))
      return r.Fail("the pickle", absl::StrCat("has the key ", PickleDebugString(*key, 2),
                                               "; expected the schedules '12' and '200'"));
    const auto fid = std::find(kFidelities.begin(), kFidelities.end(), epochs);
    if (fid == kFidelities.end())
      return r.Fail("the pickle", absl::StrCat("has the schedule '", key->text, "'; expected '12' and '200'"));
    if (!schedules_seen.insert(epochs).second)
      return r.Fail("the pickle", absl::StrCat("repeats the schedule '", key->text, "'"));
    const int fidelity = static_cast<int>(fid - kFidelities.begin());
    const std::string where = absl::StrCat("['", key->text, "']");
    NAS_RETURN_IF_ERROR(r.Expect(*schedule, PickleKind::kDict, where));
    NAS_ASSIGN_OR_RETURN(const PickleValue* arch_index, r.Get(*schedule, "arch_index", PickleKind::kInt, where));
    if (arch_index->int_value != index)
      return r.Fail(absl::StrCat(where, "['arch_index']"),
                    absl::StrCat("is ", arch_index->int_value, " but the file name says ", index));
    NAS_ASSIGN_OR_RETURN(const PickleValue* arch_str, r.Get(*schedule, "arch_str", PickleKind::kStr, where));
    if (arch_str->text != state->arch_of_index[index])
      return r.Fail(absl::StrCat(where, "['arch_str']"),
                    absl::StrCat("is '", arch_str->text, "' but meta_archs[", index, "] is '",
                                 state->arch_of_index[index], "'"));
    NAS_ASSIGN_OR_RETURN(const PickleValue* results, r.Get(*schedule, "all_results", PickleKind::kDict, where));
    for (const auto& [rkey, result] : results->entries) {
      if (rkey->kind != PickleKind::kTuple || rkey->items.size() != 2 || !rkey->items[0]->is_str() ||
          !rkey->items[1]->is_int())
        return r.Fail(absl::StrCat(where, "['all_results']"),
                      absl::StrCat("has the key ", PickleDebugString(*rkey, 2), "; expected (dataset, seed)"));
      const std::string& dataset = rkey->items[0]->text;
      const int64_t seed = rkey->items[1]->int_value;
      if (!ValidDatasetName(dataset))
        return r.Fail(absl::StrCat(where, "['all_results']"), absl::StrCat("has a bad dataset name '", dataset, "'"));
      NAS_RETURN_IF_ERROR(ReadResult(r, *result, fidelity, ordinal, dataset, seed,
                                     absl::StrFormat("%s['all_results'][('%s', %d)]", where, dataset, seed), table,
                                     state));
    }
  }
  return absl::OkStatus();
}

void BuildDatasets(const ImportState& state, Table* table) {
  std::vector<std::string> order;
  for (const char* name : kKnownDatasets)
    if (state.dataset_ids.count(name)) order.push_back(name);
  for (const auto& [name, id] : state.dataset_ids)  // std::map: name order
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  for (const std::string& name : order) {
    const int id = state.dataset_ids.at(name);
    std::set<int64_t> seed_set;
    for (const Record& rec : state.records)
      if (rec.dataset == id) seed_set.insert(rec.seed);
    const std::vector<int64_t> seeds(seed_set.begin(), seed_set.end());
    TableDataset& d = table->AddDataset(name, kFidelities, seeds);
    for (const Record& rec : state.records) {
      if (rec.dataset != id) continue;
      const int slot = static_cast<int>(std::lower_bound(seeds.begin(), seeds.end(), rec.seed) - seeds.begin());
      d.mutable_at(rec.ordinal, rec.fidelity, slot) = rec.entry;
    }
    d.ComputeMeans();
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Table>> ImportNatsTss(const std::string& dir, NatsTssImportStats* stats) {
  NatsTssImportStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  *stats = NatsTssImportStats();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return absl::NotFoundError(absl::StrCat(dir, ": no such directory (expected a NATS-Bench TSS 'simple' "
                                            "directory of *.pickle.pbz2 files)"));
  // Architecture files: exactly six digits + .pickle.pbz2.
  std::vector<std::pair<std::string, int64_t>> arch_files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string suffix = kArchSuffix;
    if (name.size() != 6 + suffix.size() || name.compare(6, std::string::npos, suffix) != 0) continue;
    if (!std::all_of(name.begin(), name.begin() + 6, [](char c) { return c >= '0' && c <= '9'; })) continue;
    arch_files.emplace_back(name, std::stoll(name.substr(0, 6)));
  }
  if (ec) return absl::PermissionDeniedError(absl::StrCat(dir, ": cannot list the directory: ", ec.message()));
  std::sort(arch_files.begin(), arch_files.end());
  const std::string meta_path = (fs::path(dir) / kMetaName).string();
  if (!fs::exists(meta_path, ec))
    return absl::NotFoundError(absl::StrCat(meta_path, ": no such file (a NATS-Bench TSS 'simple' directory has "
                                            "meta.pickle.pbz2 beside the {index:06d}.pickle.pbz2 files)"));
  if (arch_files.empty())
    return absl::NotFoundError(absl::StrCat(dir, ": no architecture files ({index:06d}.pickle.pbz2)"));

  ImportState state;
  std::map<std::string, std::string> sha_of_name;  // byte order of names
  {
    NAS_ASSIGN_OR_RETURN(auto meta, LoadPbz2(meta_path, stats, &sha_of_name[kMetaName]));
    NAS_RETURN_IF_ERROR(ReadMeta(meta_path, meta->root(), &state));
  }
  auto table = std::make_unique<Table>(state.space.name(), kNumArchs);
  NAS_CHECK(state.space.size() == kNumArchs);
  for (int64_t i = 0; i < kNumArchs; ++i) table->source_index()[state.ordinal_of_index[i]] = i;
  state.params_rank.assign(kNumArchs, 4);

  for (const auto& [name, index] : arch_files) {
    const std::string path = (fs::path(dir) / name).string();
    if (index >= kNumArchs)
      return FileError(path, absl::StrCat("index ", index, " is outside the ", kNumArchs, " architectures"));
    NAS_ASSIGN_OR_RETURN(auto doc, LoadPbz2(path, stats, &sha_of_name[name]));
    NAS_RETURN_IF_ERROR(ReadArch(path, index, doc->root(), table.get(), &state));
    stats->archs_imported += 1;
  }
  BuildDatasets(state, table.get());

  std::string listing;
  for (const auto& [name, sha] : sha_of_name) absl::StrAppend(&listing, sha, "  ", name, "\n");
  table->attributes()["source"] = absl::StrCat("NATS-Bench TSS simple (", Basename(dir), ")");
  table->attributes()["source_sha256"] = Sha256Hex(listing);
  table->attributes()["license"] = "MIT (NATS-Bench)";
  table->attributes()["importer"] = "nas import nats-tss";
  table->attributes()["imported_archs"] = absl::StrCat(stats->archs_imported);
  return table;
}

namespace {
const bool kRegistered = RegisterImporter(ImporterInfo{
    "nats-tss",
    "NATS-Bench topology space, \"simple\" directory (meta.pickle.pbz2 + one {index:06d}.pickle.pbz2 per\n"
    "    architecture); every dataset in the files, fidelities 12 and 200 epochs, per-seed results and times",
    [](const std::string& source, const std::string& dataset,
       std::string* summary) -> absl::StatusOr<std::unique_ptr<Table>> {
      if (!dataset.empty())
        return absl::InvalidArgumentError("nats-tss imports every dataset of the directory; drop --dataset");
      NatsTssImportStats stats;
      auto table = ImportNatsTss(source, &stats);
      if (table.ok() && summary != nullptr)
        *summary = absl::StrFormat("imported %lld of 15625 architectures (%lld files, %.1f MB compressed)",
                                   static_cast<long long>(stats.archs_imported),
                                   static_cast<long long>(stats.files_read), stats.compressed_bytes / 1e6);
      return table;
    }});
}  // namespace

}  // namespace nas
