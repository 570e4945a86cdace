#include "nas/tabulate/table_builder.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/experiment/provenance.h"
#include "nas/table/table_io.h"
#include "nas/train/datasets.h"
#include "nas/train/trainer.h"
#include "nas/util/exception_status.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"

namespace nas {
namespace {

using Clock = std::chrono::steady_clock;
using ItemKey = std::tuple<int64_t, uint64_t, int>;  // representative, seed, fidelity

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string UtcNow() {
  char when[64];
  std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return when;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool Filled(const TableEntry& e) { return !std::isnan(e.test_acc); }

std::string Duration(double s) {
  const int64_t t = static_cast<int64_t>(s + 0.5);
  return absl::StrCat(t / 3600, "h", (t / 60 % 60) < 10 ? "0" : "", t / 60 % 60, "m", (t % 60) < 10 ? "0" : "",
                      t % 60, "s");
}

// Counts that depend only on which classes are filled (equal for a merged and an unsharded build).
void SetCoverageAttributes(const BuildPlan& plan, Table* table) {
  const TableDataset& ds = table->datasets()[0];
  int64_t classes = 0, copied = 0;
  for (const BuildClass& c : plan.classes) {
    if (!Filled(ds.at(c.representative, 0, 0))) continue;
    ++classes;
    copied += static_cast<int64_t>(c.members.size()) - 1;
  }
  auto& attrs = table->attributes();
  attrs["classes_in_space"] = absl::StrCat(plan.num_classes_in_space);
  attrs["classes_planned"] = absl::StrCat(plan.classes.size());
  attrs["archs_trained"] = absl::StrCat(classes);  // one representative per filled class
  attrs["archs_copied"] = absl::StrCat(copied);    // isomorphic members given their representative's results
}

class Progress {
 public:
  Progress(bool enabled, int64_t total, int64_t done) : enabled_(enabled), total_(total), done_(done) {}
  void ItemDone() {
    std::lock_guard<std::mutex> lock(mu_);
    ++done_, ++trained_;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    if (!enabled_ || (done_ < total_ && elapsed - last_print_ < (isatty(2) ? 1.0 : 15.0))) return;
    last_print_ = elapsed;
    const double per_min = trained_ / std::max(elapsed, 1e-9) * 60;
    const double eta = per_min > 0 ? (total_ - done_) / per_min * 60 : 0;
    std::fprintf(stderr, "%sbuild-table: %lld/%lld items (%.1f%%), %.1f items/min, elapsed %s, ETA %s%s",
                 isatty(2) ? "\r" : "", static_cast<long long>(done_), static_cast<long long>(total_),
                 total_ ? 100.0 * done_ / total_ : 100.0, per_min, Duration(elapsed).c_str(), Duration(eta).c_str(),
                 isatty(2) && done_ < total_ ? "" : "\n");
    std::fflush(stderr);
  }

 private:
  std::mutex mu_;
  bool enabled_;
  int64_t total_, done_, trained_ = 0;
  Clock::time_point start_ = Clock::now();
  double last_print_ = -1e9;
};

std::string DatasetDescription(const Dataset& d) {
  const proto::DatasetSpec& s = d.spec();
  return absl::StrCat(d.name(), " from ", s.path(), ": train ", d.train().size, " / valid ", d.valid().size,
                      " / test ", d.test().size, " images of ", d.channels(), "x", d.image_size(), "x",
                      d.image_size(), ", ", d.num_classes(), " classes, split_seed ", s.split_seed(),
                      " (train and valid from the official training set, test from the official test set)");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Table>> AssembleTable(const proto::TableBuildSpec& resolved, const BuildPlan& plan,
                                                     Shard shard, const std::vector<JournalRecord>& records) {
  auto table = std::make_unique<Table>(resolved.space(), plan.space->size());
  std::vector<int> fidelities(resolved.fidelities().begin(), resolved.fidelities().end());
  std::vector<int64_t> seeds(resolved.seeds().begin(), resolved.seeds().end());
  TableDataset& ds = table->AddDataset(resolved.dataset_name(), fidelities, seeds);
  std::map<int64_t, const BuildClass*> class_of_rep;
  for (int64_t p : plan.shard_positions) class_of_rep[plan.classes[p].representative] = &plan.classes[p];
  std::map<int, int> fidelity_index;
  for (int f = 0; f < resolved.fidelities_size(); ++f) fidelity_index[resolved.fidelities(f)] = f;
  std::map<uint64_t, int> seed_slot;
  for (int s = 0; s < resolved.seeds_size(); ++s) seed_slot[resolved.seeds(s)] = s;
  for (const JournalRecord& r : records) {
    auto c = class_of_rep.find(r.representative);
    auto f = fidelity_index.find(r.fidelity);
    auto s = seed_slot.find(r.seed);
    if (c == class_of_rep.end() || f == fidelity_index.end() || s == seed_slot.end())
      return absl::DataLossError(absl::StrCat("journal record (arch ", r.representative, ", seed ", r.seed,
                                              ", fidelity ", r.fidelity, ") is not a work item of shard ",
                                              shard.ToString(), " of this spec"));
    for (int64_t m : c->second->members) {
      TableEntry& e = ds.mutable_at(m, f->second, s->second);
      e.train_acc = r.train_acc;
      e.valid_acc = r.valid_acc;
      e.test_acc = r.test_acc;
      e.train_time = r.train_time;
      table->params_m()[m] = r.params_m;
      table->flops_m()[m] = r.flops_m;
    }
  }
  ds.ComputeMeans();
  const std::string spec_text = BuildSpecText(resolved);
  auto& attrs = table->attributes();
  attrs["source"] = "nas build-table";
  attrs["spec"] = spec_text;
  attrs["spec_sha256"] = Sha256Hex(spec_text);
  attrs["dataset"] = resolved.dataset_name();
  attrs["shard"] = shard.ToString();
  attrs["train_seed"] = "DeriveSeed(seed, representative ordinal, \"table-build/<fidelity epochs>\")";
  attrs["train_time"] = "sum of the epochs' training wall seconds (not deterministic)";
  SetCoverageAttributes(plan, table.get());
  return table;
}

namespace {

// One work item, trained here.
absl::StatusOr<JournalRecord> TrainItem(const proto::TableBuildSpec& resolved, const BuildPlan& plan,
                                        const WorkItem& item, const Dataset& data) {
  proto::TrainSpec spec = resolved.train();
  spec.set_epochs(item.fidelity);
  spec.set_threads(1);
  auto result = TrainChild(*plan.space, plan.space->FromOrdinal(item.representative), spec, data, item.train_seed);
  if (!result.ok()) return result.status();
  if (static_cast<int>(result->epochs.size()) != item.fidelity)
    return absl::InternalError("TrainChild returned the wrong number of epochs");
  JournalRecord r;
  r.representative = item.representative;
  r.seed = item.seed;
  r.fidelity = item.fidelity;
  const EpochMetrics& last = result->epochs.back();
  r.train_acc = last.train_acc;
  r.valid_acc = last.valid_acc;
  r.test_acc = last.test_acc;
  for (const EpochMetrics& e : result->epochs) r.train_time += e.train_time_s;
  r.params_m = result->params_m;
  r.flops_m = result->flops_m;
  return r;
}

// Work item `index` of the plan, trained by a worker rank (which builds the same plan from the same spec).
absl::StatusOr<JournalRecord> TrainRemotely(Cluster* cluster, uint64_t index) {
  ByteWriter w;
  w.Put(index);
  absl::StatusOr<std::string> answer = cluster->Call(w.Take()).get();
  if (!answer.ok()) return answer.status();
  ByteReader r(*answer);
  JournalRecord record;
  if (!r.Get(&record) || !r.done()) return absl::DataLossError("malformed answer from an MPI worker rank");
  return record;
}

}  // namespace

int ServeTableBuild(const proto::TableBuildSpec& resolved, Shard shard, int threads, Cluster* cluster) {
  absl::StatusOr<BuildPlan> plan = MakeBuildPlan(resolved, shard);
  if (!plan.ok()) return cluster->Idle();  // rank 0 reports it
  absl::StatusOr<std::shared_ptr<const Dataset>> data = LoadDataset(resolved.train().data());
  if (!data.ok()) return cluster->Idle();
  return cluster->Serve(
      [&](const std::string& request) -> absl::StatusOr<std::string> {
        ByteReader r(request);
        uint64_t index = 0;
        if (!r.Get(&index) || !r.done() || index >= plan->items.size())
          return absl::DataLossError("malformed work item request");
        NAS_ASSIGN_OR_RETURN(JournalRecord record, TrainItem(resolved, *plan, plan->items[index], **data));
        ByteWriter w;
        w.Put(record);
        return w.Take();
      },
      threads);
}

absl::StatusOr<BuildReport> BuildTable(const proto::TableBuildSpec& resolved, const BuildOptions& options) {
  const std::string build_start = UtcNow();
  const std::string& out = options.out_path;
  const std::string journal_path = JournalPath(out);
  if (options.threads < 1) return absl::InvalidArgumentError("--threads: must be >= 1");
  NAS_ASSIGN_OR_RETURN(BuildPlan plan, MakeBuildPlan(resolved, options.shard));
  const std::string header = JournalHeader(Sha256Hex(BuildSpecText(resolved)), options.shard.ToString());

  // Existing outputs (before any data is loaded).
  const bool out_exists = Exists(out), journal_exists = Exists(journal_path);
  if (out_exists && !options.overwrite) {
    if (options.resume && !journal_exists)
      return absl::AlreadyExistsError(absl::StrCat(out, ": exists and has no journal (the build finished); pass "
                                                   "--overwrite to rebuild it"));
    return absl::AlreadyExistsError(absl::StrCat(out, ": exists; pass --overwrite to replace it"));
  }
  if (journal_exists && !options.resume) {
    if (!options.overwrite)
      return absl::AlreadyExistsError(absl::StrCat(journal_path, ": an unfinished build's journal exists; pass "
                                                   "--resume to continue it or --overwrite to start over"));
    if (::unlink(journal_path.c_str()) != 0)
      return absl::InternalError(absl::StrCat(journal_path, ": cannot remove: ", std::strerror(errno)));
  }
  JournalContents previous;
  std::set<ItemKey> done;
  if (options.resume && journal_exists) {
    NAS_ASSIGN_OR_RETURN(previous, ReadJournal(journal_path));
    if (previous.header != header)
      return absl::FailedPreconditionError(absl::StrCat(
          journal_path, ": was written for another spec or shard (", previous.header, "; this build: ", header,
          "); pass --overwrite to start over"));
    std::set<ItemKey> planned;
    for (const WorkItem& it : plan.items) planned.insert({it.representative, it.seed, it.fidelity});
    for (const JournalRecord& r : previous.records) {
      const ItemKey key{r.representative, r.seed, r.fidelity};
      if (!planned.count(key))
        return absl::DataLossError(absl::StrCat(journal_path, ": item (arch ", r.representative, ", seed ", r.seed,
                                                ", fidelity ", r.fidelity, ") is not in this build's plan"));
      done.insert(key);
    }
  }
  std::vector<const WorkItem*> pending;
  for (const WorkItem& it : plan.items)
    if (!done.count({it.representative, it.seed, it.fidelity})) pending.push_back(&it);

  BuildReport report;
  report.items_total = static_cast<int64_t>(plan.items.size());
  report.items_resumed = static_cast<int64_t>(done.size());

  std::shared_ptr<const Dataset> data;
  if (!pending.empty() && GetCluster() == nullptr) {
    NAS_ASSIGN_OR_RETURN(data, LoadDataset(resolved.train().data()));
  }
  std::unique_ptr<JournalWriter> journal;
  if (options.resume && journal_exists) {
    NAS_ASSIGN_OR_RETURN(journal, JournalWriter::Reopen(journal_path, previous.valid_bytes));
  } else {
    NAS_ASSIGN_OR_RETURN(journal, JournalWriter::Create(journal_path, header));
  }

  // Train the pending items on worker threads; results go to the journal only.
  Progress progress(options.progress, report.items_total, report.items_resumed);
  std::atomic<size_t> next{0};
  std::atomic<int64_t> claimed{0}, trained{0};
  std::atomic<bool> failed{false};
  std::mutex error_mu;
  absl::Status error;
  const auto t0 = Clock::now();
  Cluster* cluster = GetCluster();
  if (cluster != nullptr) cluster->set_slots_per_worker(options.threads);
  auto work = [&]() {
    while (!failed.load()) {
      if (options.stop_after_items >= 0 && claimed.fetch_add(1) >= options.stop_after_items) return;
      const size_t i = next.fetch_add(1);
      if (i >= pending.size()) return;
      const WorkItem& item = *pending[i];
      absl::StatusOr<JournalRecord> record =
          cluster != nullptr ? TrainRemotely(cluster, static_cast<uint64_t>(pending[i] - plan.items.data()))
                             : TrainItem(resolved, plan, item, *data);
      absl::Status s = record.status();
      if (s.ok()) s = journal->Append(*record);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (error.ok())
          error = absl::Status(s.code(), absl::StrCat("arch ", item.representative, " seed ", item.seed, " fidelity ",
                                                      item.fidelity, ": ", s.message()));
        failed = true;
        return;
      }
      trained.fetch_add(1);
      progress.ItemDone();
    }
  };
  // No exception may leave a thread (std::terminate): LibTorch's c10::Error or bad_alloc fail the build.
  auto worker = [&]() {
    try {
      work();
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mu);
      if (error.ok()) error = CurrentExceptionToStatus("training");
      failed = true;
    }
  };
  std::vector<std::thread> workers;
  // Under MPI the worker ranks train (--threads items each); rank 0's threads only wait for them.
  const size_t slots = cluster != nullptr ? static_cast<size_t>(cluster->size() - 1) * options.threads : options.threads;
  const int n_threads = static_cast<int>(std::min<size_t>(slots, std::max<size_t>(pending.size(), 1)));
  for (int t = 0; t < n_threads; ++t) workers.emplace_back(worker);
  for (std::thread& t : workers) t.join();
  journal.reset();
  report.items_trained = trained.load();
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!error.ok()) return error;
  if (report.items_resumed + report.items_trained < report.items_total)
    return absl::CancelledError(absl::StrCat("stopped after ", report.items_trained, " items (", journal_path,
                                             " kept; --resume continues)"));

  // Assemble from the journal alone, write, remove the journal.
  NAS_ASSIGN_OR_RETURN(JournalContents all, ReadJournal(journal_path));
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, AssembleTable(resolved, plan, options.shard, all.records));
  auto& attrs = table->attributes();
  std::map<std::string, std::string> prov = CollectProvenance();
  for (const char* k : {"git_commit", "compiler", "build_mode", "torch", "blas", "cpu", "cpu_count", "hostname"})
    if (prov.count(k)) attrs[k] = prov[k];
  attrs["hardware"] = prov.count("cpu") ? prov["cpu"] : "unknown";
  attrs["command"] = options.command;
  attrs["threads"] = absl::StrCat(options.threads, " worker threads x 1 intra-op thread");
  attrs["build_start_utc"] = build_start;
  attrs["build_end_utc"] = UtcNow();
  attrs["items_total"] = absl::StrCat(report.items_total);
  attrs["items_resumed"] = absl::StrCat(report.items_resumed);
  attrs["items_trained"] = absl::StrCat(report.items_trained);
  if (!data) {
    NAS_ASSIGN_OR_RETURN(data, LoadDataset(resolved.train().data()));
  }
  attrs["dataset_description"] = DatasetDescription(*data);
  NAS_RETURN_IF_ERROR(WriteTable(*table, out, options.overwrite));
  ::unlink(journal_path.c_str());
  return report;
}

absl::StatusOr<std::unique_ptr<Table>> MergeTables(const std::vector<const Table*>& shards,
                                                   const std::vector<std::string>& names) {
  if (shards.empty()) return absl::InvalidArgumentError("merge-tables: no shard tables given");
  auto attr = [](const Table& t, const std::string& k) {
    auto it = t.attributes().find(k);
    return it == t.attributes().end() ? std::string() : it->second;
  };
  // Inputs are grouped by their exact spec; the groups' specs may differ in `fidelities` only (each fidelity is
  // its own training with a seed that does not depend on the other fidelities), and no fidelity is in two groups.
  struct Group {
    proto::TableBuildSpec spec;
    int count = -1;
    std::map<int, std::string> seen;  // shard index -> input name
  };
  std::map<std::string, Group> groups;  // by spec text
  std::string base_key;
  std::map<int, std::string> fidelity_group;  // fidelity -> spec text of its group
  for (size_t i = 0; i < shards.size(); ++i) {
    const Table& t = *shards[i];
    if (attr(t, "source") != "nas build-table")
      return absl::InvalidArgumentError(absl::StrCat(names[i], ": not a `nas build-table` table (source \"",
                                                     attr(t, "source"), "\")"));
    const std::string text = attr(t, "spec");
    auto [g, fresh] = groups.try_emplace(text);
    if (fresh) {
      NAS_ASSIGN_OR_RETURN(g->second.spec, ParseBuildSpec(text, names[i] + " (spec)"));
      proto::TableBuildSpec key = g->second.spec;
      key.clear_fidelities();
      const std::string key_text = BuildSpecText(key);
      if (i == 0) base_key = key_text;
      if (key_text != base_key)
        return absl::InvalidArgumentError(absl::StrCat(
            names[i], ": built from a different spec than ", names[0], " (spec_sha256 ", attr(t, "spec_sha256"),
            " vs ", attr(*shards[0], "spec_sha256"), "), not only in its fidelities; refusing to merge"));
      for (int f : g->second.spec.fidelities()) {
        auto [at, added] = fidelity_group.try_emplace(f, text);
        if (!added)
          return absl::InvalidArgumentError(absl::StrCat(names[i], ": fidelity ", f,
                                                         " is also built by another spec given; refusing to merge"));
      }
    }
    Shard shard{0, 1};
    if (!absl::StartsWith(attr(t, "shard"), "merged from ")) {
      auto parsed = ParseShard(attr(t, "shard"));
      if (!parsed.ok())
        return absl::InvalidArgumentError(absl::StrCat(names[i], ": bad shard attribute \"", attr(t, "shard"), "\""));
      shard = *parsed;
    }
    Group& group = g->second;
    if (group.count >= 0 && shard.count != group.count)
      return absl::InvalidArgumentError(absl::StrCat(names[i], ": is shard ", shard.ToString(), " but ",
                                                     group.seen.begin()->second, " is of ", group.count, " shards"));
    group.count = shard.count;
    if (group.seen.count(shard.index))
      return absl::InvalidArgumentError(absl::StrCat(names[i], " and ", group.seen[shard.index], " are both shard ",
                                                     shard.ToString()));
    group.seen[shard.index] = names[i];
  }
  for (const auto& [text, group] : groups)
    for (int i = 0; i < group.count; ++i)
      if (!group.seen.count(i))
        return absl::InvalidArgumentError(
            absl::StrCat("shard ", i, "/", group.count, " is missing (give all ", group.count, " shard tables",
                         groups.size() > 1 ? absl::StrCat(" of the spec with fidelities ",
                                                          absl::StrJoin(group.spec.fidelities(), ", "))
                                           : std::string(),
                         ")"));

  proto::TableBuildSpec spec = groups.begin()->second.spec;
  spec.clear_fidelities();
  for (const auto& [f, text] : fidelity_group) spec.add_fidelities(f);  // ascending
  NAS_ASSIGN_OR_RETURN(BuildPlan plan, MakeBuildPlan(spec, Shard{0, 1}));
  auto merged = std::make_unique<Table>(spec.space(), plan.space->size());
  std::vector<int> fidelities(spec.fidelities().begin(), spec.fidelities().end());
  std::vector<int64_t> seeds(spec.seeds().begin(), spec.seeds().end());
  TableDataset& ds = merged->AddDataset(spec.dataset_name(), fidelities, seeds);
  std::map<std::string, std::vector<int>> owner;  // per group: the input that fills each architecture
  for (size_t i = 0; i < shards.size(); ++i) {
    const proto::TableBuildSpec& own = groups[attr(*shards[i], "spec")].spec;
    std::vector<int>& own_owner = owner[attr(*shards[i], "spec")];
    own_owner.resize(plan.space->size(), -1);
    std::vector<int> own_fidelities(own.fidelities().begin(), own.fidelities().end());
    auto in = shards[i]->dataset(spec.dataset_name());
    if (!in.ok() || shards[i]->num_archs() != merged->num_archs() || (*in)->fidelities() != own_fidelities ||
        (*in)->seeds() != seeds)
      return absl::InvalidArgumentError(absl::StrCat(names[i], ": its layout does not match its spec attribute"));
    std::vector<int> to(own_fidelities.size());
    for (size_t f = 0; f < own_fidelities.size(); ++f)
      to[f] = static_cast<int>(std::find(fidelities.begin(), fidelities.end(), own_fidelities[f]) -
                               fidelities.begin());
    for (int64_t a = 0; a < merged->num_archs(); ++a) {
      bool any = false;
      for (size_t f = 0; f < own_fidelities.size(); ++f)
        for (int s = 0; s < ds.mean_slot(); ++s) {
          const TableEntry& e = (*in)->at(a, static_cast<int>(f), s);
          if (std::isnan(e.train_acc) && std::isnan(e.valid_acc) && std::isnan(e.test_acc) &&
              std::isnan(e.train_time))
            continue;
          if (own_owner[a] >= 0 && own_owner[a] != static_cast<int>(i))
            return absl::InvalidArgumentError(absl::StrCat(names[i], " and ", names[own_owner[a]],
                                                           " both fill architecture ", a, "; refusing to merge"));
          any = true;
          ds.mutable_at(a, to[f], s) = e;
        }
      if (!any) continue;
      own_owner[a] = static_cast<int>(i);
      for (const auto& [text, other] : owner) {
        const int o = other.empty() ? -1 : other[a];
        if (o >= 0 && (!SameBits(shards[o]->params_m()[a], shards[i]->params_m()[a]) ||
                       !SameBits(shards[o]->flops_m()[a], shards[i]->flops_m()[a])))
          return absl::InvalidArgumentError(absl::StrCat(names[i], " and ", names[o],
                                                         " disagree on the size of architecture ", a));
      }
      merged->params_m()[a] = shards[i]->params_m()[a];
      merged->flops_m()[a] = shards[i]->flops_m()[a];
    }
  }
  ds.ComputeMeans();
  for (const BuildClass& c : plan.classes)
    for (int f = 0; f < ds.fidelities().size(); ++f)
      for (int s = 0; s < ds.mean_slot(); ++s)
        if (!Filled(ds.at(c.representative, f, s)))
          return absl::InvalidArgumentError(absl::StrCat("architecture ", c.representative, " (fidelity ",
                                                         fidelities[f], ", seed ", seeds[s],
                                                         ") is filled by no shard; is a shard table unfinished?"));
  auto& attrs = merged->attributes();
  attrs = shards[0]->attributes();
  int64_t trained = 0, resumed = 0, total = 0;
  std::string start = attr(*shards[0], "build_start_utc"), end = attr(*shards[0], "build_end_utc");
  for (const Table* t : shards) {
    int64_t v = 0;
    if (absl::SimpleAtoi(attr(*t, "items_trained"), &v)) trained += v;
    if (absl::SimpleAtoi(attr(*t, "items_resumed"), &v)) resumed += v;
    if (absl::SimpleAtoi(attr(*t, "items_total"), &v)) total += v;
    start = std::min(start, attr(*t, "build_start_utc"));
    end = std::max(end, attr(*t, "build_end_utc"));
  }
  const std::string spec_text = BuildSpecText(spec);
  attrs["spec"] = spec_text;
  attrs["spec_sha256"] = Sha256Hex(spec_text);
  attrs["items_trained"] = absl::StrCat(trained);
  attrs["items_resumed"] = absl::StrCat(resumed);
  attrs["items_total"] = absl::StrCat(total);
  attrs["build_start_utc"] = start;
  attrs["build_end_utc"] = end;
  int pieces = 0;
  for (const auto& [text, group] : groups) pieces += group.count;
  attrs["shard"] = groups.size() == 1 ? absl::StrCat("merged from ", pieces, " shards")
                                      : absl::StrCat("merged from ", pieces, " shards of ", groups.size(),
                                                     " specs differing in fidelities");
  attrs["merged_from"] = absl::StrJoin(names, ", ");
  SetCoverageAttributes(plan, merged.get());
  return merged;
}

absl::Status CompareBuiltTables(const Table& a, const Table& b) {
  auto diff = [](const std::string& what) {
    return absl::FailedPreconditionError(absl::StrCat("tables differ: ", what));
  };
  if (a.space() != b.space() || a.num_archs() != b.num_archs() || a.sparse() != b.sparse())
    return diff("space or number of architectures");
  for (int64_t i = 0; i < a.num_archs(); ++i) {
    if (a.source_index()[i] != b.source_index()[i]) return diff(absl::StrCat("source_index of arch ", i));
    if (!SameBits(a.params_m()[i], b.params_m()[i])) return diff(absl::StrCat("params_m of arch ", i));
    if (!SameBits(a.flops_m()[i], b.flops_m()[i])) return diff(absl::StrCat("flops_m of arch ", i));
  }
  if (a.dataset_names() != b.dataset_names()) return diff("dataset names");
  for (size_t d = 0; d < a.datasets().size(); ++d) {
    const TableDataset &x = a.datasets()[d], &y = b.datasets()[d];
    if (x.fidelities() != y.fidelities() || x.seeds() != y.seeds()) return diff("fidelities or seeds");
    for (int64_t i = 0; i < a.num_archs(); ++i)
      for (int f = 0; f < x.fidelities().size(); ++f)
        for (int s = 0; s < x.num_slots(); ++s) {
          const TableEntry &p = x.at(i, f, s), &q = y.at(i, f, s);
          if (!SameBits(p.train_acc, q.train_acc) || !SameBits(p.valid_acc, q.valid_acc) ||
              !SameBits(p.test_acc, q.test_acc) || std::isnan(p.train_time) != std::isnan(q.train_time))
            return diff(absl::StrCat(x.name(), " arch ", i, " fidelity ", x.fidelities()[f], " slot ", s, ": (",
                                     p.train_acc, ", ", p.valid_acc, ", ", p.test_acc, ") vs (", q.train_acc, ", ",
                                     q.valid_acc, ", ", q.test_acc, ")"));
        }
  }
  for (const char* k : {"source", "spec", "spec_sha256", "dataset", "classes_in_space", "classes_planned",
                        "archs_trained", "archs_copied"}) {
    auto p = a.attributes().find(k), q = b.attributes().find(k);
    const std::string u = p == a.attributes().end() ? "<none>" : p->second;
    const std::string v = q == b.attributes().end() ? "<none>" : q->second;
    if (u != v) return diff(absl::StrCat("attribute ", k, ": \"", u, "\" vs \"", v, "\""));
  }
  return absl::OkStatus();
}

}  // namespace nas
