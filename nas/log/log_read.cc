// The episode log's reader (format 3, and format 2 logs of earlier builds).
#include <hdf5.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "nas/log/log_format.h"
#include "nas/log/log_journal.h"
#include "nas/util/status.h"

namespace nas {
namespace {

using log_format::Invalid;
using log_format::Progress;

const char* const kRootReserved[] = {"format", "format_version"};
const char* const kRunReserved[] = {"method", "label", "run", "slot"};

absl::Status ReadRows(const h5::File& file, const std::string& name, hid_t mem_type, size_t row_size, int64_t count,
                      std::vector<char>* out, int64_t* rows) {
  return log_format::ReadRows(file.id(), file.path(), name, mem_type, row_size, count, out, rows);
}

// Reads the run's attributes into `run`, then its acknowledged rows (a failure there leaves the attributes set).
absl::Status ReadRun(const h5::File& file, const std::string& group, const std::string& label,
                     const std::string& run_name, const Progress* progress, RunLog& run, int* decisions) {
  const std::string& path = file.path();
  NAS_ASSIGN_OR_RETURN(run.attributes, file.ReadAllAttrsAsStrings(group));
  NAS_ASSIGN_OR_RETURN(const int64_t run_number, file.ReadInt64Attr(group, "run"));
  NAS_ASSIGN_OR_RETURN(run.method, file.ReadStringAttr(group, "method"));
  NAS_ASSIGN_OR_RETURN(run.label, file.ReadStringAttr(group, "label"));
  for (const char* key : kRunReserved) run.attributes.erase(key);
  int64_t parsed = -1;
  if (run.label != label || !absl::SimpleAtoi(run_name, &parsed) || parsed != run_number || run_number < 0 ||
      run_number > INT32_MAX)
    return Invalid(path, absl::StrCat(group, ": attributes label '", run.label, "' / run ", run_number,
                                      " do not match the group's name"));
  run.run = static_cast<int32_t>(run_number);
  const std::string name = group + "/episodes";
  {
    h5::Handle ds(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT));
    if (!ds.valid()) return absl::DataLossError(absl::StrCat(path, ": cannot open ", name));
    int d = 0;
    bool has_fidelity = true;
    NAS_RETURN_IF_ERROR(log_format::DecisionsOf(ds.get(), path, name, &d, &has_fidelity));
    *decisions = d;
    const log_format::RowCodec codec(d, has_fidelity);
    run.has_fidelity = has_fidelity;
    std::vector<char> rows;
    int64_t n = 0;
    NAS_RETURN_IF_ERROR(ReadRows(file, name, codec.type(), codec.size(), progress ? progress->episodes : -1, &rows, &n));
    run.episodes.resize(n);
    for (int64_t i = 0; i < n; ++i) codec.Decode(rows.data() + i * codec.size(), &run.episodes[i]);
  }
  const std::string curves = group + "/curves";
  const h5::Handle ctype = log_format::CurveType();
  std::vector<char> bytes;
  int64_t m = 0;
  NAS_RETURN_IF_ERROR(
      ReadRows(file, curves, ctype.get(), sizeof(CurvePoint), progress ? progress->curve_rows : -1, &bytes, &m));
  const int64_t n = static_cast<int64_t>(run.episodes.size());
  for (int64_t k = 0; k < m; ++k) {
    CurvePoint c;
    std::memcpy(&c, bytes.data() + k * sizeof(CurvePoint), sizeof c);
    if (c.episode < 0) return Invalid(path, absl::StrCat(curves, ": negative episode"));
    if (c.episode < n) {
      run.episodes[c.episode].curve.push_back(c);
    } else if (progress) {
      return absl::DataLossError(absl::StrCat(path, ": ", curves, ": acknowledged row ", k, " belongs to episode ",
                                              c.episode, ", beyond the ", n, " acknowledged episodes"));
    }  // format 2 (or no readable /progress): rows of unacknowledged episodes
  }
  return absl::OkStatus();
}

// The rows of /progress for `num_slots` runs; `*lost` (keep_intact) when they cannot be read.
absl::Status ReadProgress(const h5::File& file, int64_t num_slots, bool keep_intact, std::vector<Progress>* progress,
                          bool* lost) {
  const std::string& path = file.path();
  NAS_ASSIGN_OR_RETURN(const std::vector<int64_t> shape, file.Shape("/progress"));
  if (shape.size() != 1 || shape[0] != num_slots)
    return Invalid(path, absl::StrCat("/progress has ", shape.empty() ? 0 : shape[0], " rows for ", num_slots,
                                      " runs (corrupt log)"));
  const h5::Handle ptype = log_format::ProgressType();
  std::vector<char> bytes;
  int64_t n = 0;
  absl::Status read = ReadRows(file, "/progress", ptype.get(), sizeof(Progress), -1, &bytes, &n);
  if (!read.ok() && !(keep_intact && read.code() == absl::StatusCode::kDataLoss)) return read;
  if (!read.ok()) n = 0, *lost = true;  // every run keeps the rows its datasets hold, unfinished
  progress->resize(n);
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(&(*progress)[i], bytes.data() + i * sizeof(Progress), sizeof(Progress));
    const Progress& p = (*progress)[i];
    if (p.episodes < 0 || p.curve_rows < 0 || (p.complete != 0 && p.complete != 1))
      return Invalid(path, absl::StrCat("/progress row ", i, " is not valid (episodes ", p.episodes, ", curve_rows ",
                                        p.curve_rows, ", complete ", static_cast<int>(p.complete), ")"));
  }
  return absl::OkStatus();
}

// Format 4: /slots, the methods' shared datasets and /progress.
absl::StatusOr<LogFile> ReadTablesLog(const h5::File& file, bool keep_intact, LogFile log) {
  const std::string& path = file.path();
  if (!file.Exists("/runs") || !file.Exists("/slots") || !file.Exists("/progress"))
    return Invalid(path, "not a nas log (no /runs group, /slots or /progress dataset)");
  NAS_RETURN_IF_ERROR(log_format::ReadSlots(file.id(), path, &log.runs));
  std::vector<Progress> progress;
  bool lost = false;
  NAS_RETURN_IF_ERROR(ReadProgress(file, static_cast<int64_t>(log.runs.size()), keep_intact, &progress, &lost));
  absl::Status read = log_format::ReadRunTables(file.id(), path, lost ? nullptr : &progress, keep_intact, &log);
  if (!read.ok()) {
    if (read.code() != absl::StatusCode::kDataLoss || keep_intact) return read;
    return absl::Status(read.code(), absl::StrCat(read.message(), " (`nas recover` keeps the runs it can read, "
                                                                  "`nas run CONFIG --resume` also re-runs the others)"));
  }
  for (size_t s = 0; s < log.runs.size(); ++s) {
    RunLog& r = log.runs[s];
    r.complete = !lost && progress[s].complete == 1 && r.damage.empty();
  }
  // Episodes acknowledged by the write-ahead journal beyond /progress (log_journal.h).
  if (log.num_decisions > 0) {
    const log_format::RowCodec codec(log.num_decisions, /*with_fidelity=*/true, /*with_run=*/true);
    NAS_RETURN_IF_ERROR(log_journal::Apply(path, codec, &log, &log.journal_episodes));
  }
  return log;
}

// `keep_intact`: a run whose rows cannot be read is kept as damaged (see ReadLogKeepingIntactRuns).
absl::StatusOr<LogFile> ReadLogOnce(const std::string& path, bool keep_intact) {
  h5::DisableErrorPrinting();
  NAS_ASSIGN_OR_RETURN(const h5::File file, h5::File::Open(path));
  if (!file.HasAttr("/", "format")) return Invalid(path, "not a nas log (the root has no 'format' attribute)");
  NAS_ASSIGN_OR_RETURN(const std::string format, file.ReadStringAttr("/", "format"));
  if (format != log_format::kFormat)
    return Invalid(path, absl::StrCat("not a nas log (format is '", format, "', expected '", log_format::kFormat, "')"));
  NAS_ASSIGN_OR_RETURN(const std::string version, file.ReadStringAttr("/", "format_version"));
  const bool v4 = version == log_format::kFormatVersion;
  const bool v3 = v4 || version == log_format::kRunGroupsVersion;
  if (!v3 && version != log_format::kOldFormatVersion)
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": log format_version '", version, "' is not supported: this build reads versions ",
        log_format::kOldFormatVersion, " to ", log_format::kFormatVersion,
        version < log_format::kOldFormatVersion ? " (the log is from an older nas; replay it with that build or re-run it)"
                                                : " (the log is from a newer nas)"));
  LogFile log;
  NAS_ASSIGN_OR_RETURN(log.attributes, file.ReadAllAttrsAsStrings("/"));
  for (const char* key : kRootReserved) log.attributes.erase(key);
  if (v4) return ReadTablesLog(file, keep_intact, std::move(log));
  const char* record = v3 ? "/progress" : "/completed";
  if (!file.Exists("/runs") || !file.Exists(record))
    return Invalid(path, absl::StrCat("not a nas log (no /runs group or ", record, " dataset)"));
  // Every run group, by slot.
  NAS_ASSIGN_OR_RETURN(const std::vector<std::string> labels, file.ListChildren("/runs"));
  std::vector<std::pair<int64_t, std::pair<std::string, std::pair<std::string, std::string>>>> groups;
  for (const std::string& label : labels) {
    NAS_ASSIGN_OR_RETURN(const std::vector<std::string> run_names, file.ListChildren("/runs/" + label));
    for (const std::string& name : run_names) {
      const std::string group = absl::StrCat("/runs/", label, "/", name);
      NAS_ASSIGN_OR_RETURN(const int64_t slot, file.ReadInt64Attr(group, "slot"));
      groups.push_back({slot, {group, {label, name}}});
    }
  }
  std::sort(groups.begin(), groups.end());
  const int64_t num_slots = static_cast<int64_t>(groups.size());
  for (int64_t i = 0; i < num_slots; ++i)
    if (groups[i].first != i)
      return Invalid(path, absl::StrCat(groups[i].second.first, " has slot ", groups[i].first, "; the ", num_slots,
                                        " runs must have the slots 0..", num_slots - 1, " once each"));
  std::vector<Progress> progress;
  std::set<int64_t> completed;
  bool progress_lost = false;
  if (v3) {
    NAS_RETURN_IF_ERROR(ReadProgress(file, num_slots, keep_intact, &progress, &progress_lost));
  } else {
    NAS_ASSIGN_OR_RETURN(const std::vector<int64_t> list, file.ReadInt64s("/completed"));
    for (int64_t slot : list) {
      if (slot < 0 || slot >= num_slots)
        return Invalid(path, absl::StrCat("/completed lists slot ", slot, ", but the log has ", num_slots,
                                          " runs (slots 0..", num_slots - 1, ")"));
      if (!completed.insert(slot).second)
        return Invalid(path, absl::StrCat("/completed lists slot ", slot, " twice"));
    }
  }
  for (int64_t slot = 0; slot < num_slots; ++slot) {
    const auto& [group, names] = groups[slot].second;
    const bool counted = v3 && !progress_lost;
    RunLog run;
    int decisions = 0;
    absl::Status read =
        ReadRun(file, group, names.first, names.second, counted ? &progress[slot] : nullptr, run, &decisions);
    if (decisions > 0 && log.num_decisions == 0) log.num_decisions = decisions;
    if (!read.ok() && (!keep_intact || read.code() != absl::StatusCode::kDataLoss || run.label.empty())) {
      if (read.code() != absl::StatusCode::kDataLoss || run.label.empty()) return read;
      return absl::Status(read.code(), absl::StrCat(read.message(), " (run ", run.label, "/", run.run,
                                                    "; `nas recover` keeps the other runs, `nas run CONFIG "
                                                    "--resume` also re-runs it)"));
    }
    run.complete = counted ? progress[slot].complete == 1 : v3 ? false : completed.count(slot) > 0;
    if (!read.ok()) {
      run.damage = std::string(read.message());
      run.episodes.clear();
      run.complete = false;
    }
    log.runs.push_back(std::move(run));
  }
  return log;
}

absl::StatusOr<LogFile> ReadLogRetrying(const std::string& path, bool keep_intact) {
  absl::StatusOr<LogFile> log = ReadLogOnce(path, keep_intact);
  // A live writer rewrites the last chunks while we read them: a checksum may see half of a write. Retry a
  // few times while another process holds the log's write lock.
  for (int attempt = 0; attempt < 5 && !log.ok() && log.status().code() == absl::StatusCode::kDataLoss &&
                        !CheckNotBeingWritten(path).ok();
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
    log = ReadLogOnce(path, keep_intact);
  }
  return log;
}

}  // namespace

void FillUnrecordedFidelity(LogFile* log, int32_t search_fidelity) {
  for (RunLog& run : log->runs) {
    if (run.has_fidelity) continue;
    for (Episode& e : run.episodes) e.fidelity = search_fidelity;
  }
}

absl::StatusOr<LogFile> ReadLog(const std::string& path) { return ReadLogRetrying(path, false); }

namespace {

// Rows [0, count) of the 1-D chunked dataset `name`, chunk by chunk, as `mem_type`: `fn(start, n, rows)` for
// each chunk that can be read; a chunk that cannot be read is skipped, its error in `*damage` (the first).
absl::Status ForEachChunk(hid_t file, const std::string& path, const std::string& name, hid_t mem_type,
                          size_t row_size, int64_t count, std::string* damage,
                          const std::function<absl::Status(int64_t, int64_t, const char*)>& fn) {
  h5::Handle ds, space;
  NAS_RETURN_IF_ERROR(log_format::OpenRows(file, path, name, &count, &ds, &space));
  h5::Handle dcpl(H5Dget_create_plist(ds.get()));
  hsize_t step = 1024;
  if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED) H5Pget_chunk(dcpl.get(), 1, &step);
  step = std::max<hsize_t>(step, 1);
  std::vector<char> rows(static_cast<size_t>(std::min<hsize_t>(step, static_cast<hsize_t>(count))) * row_size);
  for (hsize_t start = 0; start < static_cast<hsize_t>(count); start += step) {
    const hsize_t c = std::min<hsize_t>(step, static_cast<hsize_t>(count) - start);
    h5::Handle mem(H5Screate_simple(1, &c, nullptr));
    if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &c, nullptr) < 0 ||
        H5Dread(ds.get(), mem_type, mem.get(), space.get(), H5P_DEFAULT, rows.data()) < 0) {
      if (damage->empty()) *damage = std::string(log_format::ReadError(path, name).message());
      continue;
    }
    NAS_RETURN_IF_ERROR(fn(static_cast<int64_t>(start), static_cast<int64_t>(c), rows.data()));
  }
  return absl::OkStatus();
}

// The memory type of a row's leading run column alone.
h5::Handle RunColumn() {
  h5::Handle t(H5Tcreate(H5T_COMPOUND, 4));
  H5Tinsert(t.get(), "run", 0, H5T_NATIVE_INT32);
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LogStream>> LogStream::Open(const std::string& path) {
  h5::DisableErrorPrinting();
  auto stream = std::unique_ptr<LogStream>(new LogStream());
  stream->path_ = path;
  std::string version;
  {
    NAS_ASSIGN_OR_RETURN(const h5::File file, h5::File::Open(path));
    if (file.HasAttr("/", "format") && file.HasAttr("/", "format_version")) {
      NAS_ASSIGN_OR_RETURN(version, file.ReadStringAttr("/", "format_version"));
    }
  }
  if (version != log_format::kFormatVersion) {  // an older layout (or no log: ReadLog names what is wrong)
    NAS_ASSIGN_OR_RETURN(stream->log_, ReadLogKeepingIntactRuns(path));
    stream->whole_ = true;
    for (RunLog& r : stream->log_.runs) std::map<std::string, std::string>().swap(r.attributes);
    return stream;
  }
  NAS_ASSIGN_OR_RETURN(const h5::File file, h5::File::Open(path));
  NAS_ASSIGN_OR_RETURN(const std::string format, file.ReadStringAttr("/", "format"));
  if (format != log_format::kFormat)
    return Invalid(path, absl::StrCat("not a nas log (format is '", format, "', expected '", log_format::kFormat, "')"));
  LogFile& log = stream->log_;
  NAS_ASSIGN_OR_RETURN(log.attributes, file.ReadAllAttrsAsStrings("/"));
  for (const char* key : kRootReserved) log.attributes.erase(key);
  if (!file.Exists("/runs") || !file.Exists("/slots") || !file.Exists("/progress"))
    return Invalid(path, "not a nas log (no /runs group, /slots or /progress dataset)");
  NAS_RETURN_IF_ERROR(log_format::ReadSlots(file.id(), path, &log.runs));
  for (RunLog& r : log.runs) std::map<std::string, std::string>().swap(r.attributes);  // not kept: the config's
  std::vector<Progress> progress;
  bool lost = false;
  NAS_RETURN_IF_ERROR(ReadProgress(file, static_cast<int64_t>(log.runs.size()), true, &progress, &lost));
  // Each method's runs; their rows counted from the run column alone (the salvaging reader's rules: a run short
  // of its acknowledged rows had rows in a chunk that cannot be read).
  std::map<std::string, std::map<int32_t, int>> slot_of;
  for (int s = 0; s < static_cast<int>(log.runs.size()); ++s)
    if (!slot_of[log.runs[s].label].insert({log.runs[s].run, s}).second)
      return Invalid(path, absl::StrCat("/slots lists run ", log.runs[s].label, "/", log.runs[s].run, " twice"));
  stream->rows_.assign(log.runs.size(), 0);
  std::vector<int64_t> curve_rows(log.runs.size(), 0);
  const h5::Handle run_column = RunColumn();
  for (const auto& [label, slots] : slot_of) {
    const std::string name = absl::StrCat("/runs/", label, "/episodes"), curves = absl::StrCat("/runs/", label, "/curves");
    int64_t acked = 0, acked_curves = 0;
    for (const auto& [run, s] : slots)
      if (!lost) acked += progress[s].episodes, acked_curves += progress[s].curve_rows;
    {
      h5::Handle ds(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT));
      if (!ds.valid()) return absl::DataLossError(absl::StrCat(path, ": cannot open ", name));
      int d = 0;
      bool has_fidelity = true;
      NAS_RETURN_IF_ERROR(log_format::DecisionsOf(ds.get(), path, name, &d, &has_fidelity, /*with_run=*/true));
      if (log.num_decisions == 0) log.num_decisions = d;
      for (const auto& [run, s] : slots) log.runs[s].has_fidelity = has_fidelity;
    }
    std::string damage;
    auto count = [&, &slots = slots](const std::string& dataset, std::vector<int64_t>* got) {
      return [&, got](int64_t start, int64_t n, const char* rows) -> absl::Status {
        for (int64_t i = 0; i < n; ++i) {
          int32_t run = 0;
          std::memcpy(&run, rows + 4 * i, 4);
          auto it = slots.find(run);
          if (it == slots.end())
            return absl::DataLossError(absl::StrCat(path, ": ", dataset, ": row ", start + i, " belongs to run ", run,
                                                    ", which /slots does not list (corrupt log)"));
          ++(*got)[it->second];
        }
        return absl::OkStatus();
      };
    };
    NAS_RETURN_IF_ERROR(ForEachChunk(file.id(), path, name, run_column.get(), 4, lost ? -1 : acked, &damage,
                                     count(name, &stream->rows_)));
    NAS_RETURN_IF_ERROR(ForEachChunk(file.id(), path, curves, run_column.get(), 4, lost ? -1 : acked_curves,
                                     &damage, count(curves, &curve_rows)));
    for (const auto& [run, s] : slots) {
      if (lost) {  // no counts to check against: every run of the label may miss rows
        if (!damage.empty()) log.runs[s].damage = damage;
        continue;
      }
      if (stream->rows_[s] == progress[s].episodes && curve_rows[s] == progress[s].curve_rows) continue;
      if (damage.empty())
        return absl::DataLossError(absl::StrCat(path, ": ", name, ": run ", label, "/", run, " has ",
                                                stream->rows_[s], " rows, /progress acknowledges ",
                                                progress[s].episodes, " (corrupt log)"));
      log.runs[s].damage = damage;
    }
    stream->label_rows_[label] = {lost ? -1 : acked, lost ? -1 : acked_curves};
  }
  for (size_t s = 0; s < log.runs.size(); ++s) {
    RunLog& r = log.runs[s];
    r.complete = !lost && progress[s].complete == 1 && r.damage.empty();
    if (!r.damage.empty()) stream->rows_[s] = 0;
  }
  // The journal's rows beyond /progress: counted here (and the runs it completes), given by ForEach.
  if (log.num_decisions > 0) {
    const log_format::RowCodec codec(log.num_decisions, /*with_fidelity=*/true, /*with_run=*/true);
    std::vector<int64_t> have = stream->rows_;
    NAS_RETURN_IF_ERROR(log_journal::Scan(path, codec, &log, &have, nullptr, &log.journal_episodes));
  }
  return stream;
}

absl::Status LogStream::ForEach(const std::function<absl::Status(int slot, Episode&& episode)>& each) {
  if (whole_) {
    for (size_t s = 0; s < log_.runs.size(); ++s) {
      std::vector<Episode> episodes;  // given away: `each` may keep episodes in log().runs
      episodes.swap(log_.runs[s].episodes);
      for (Episode& e : episodes) NAS_RETURN_IF_ERROR(each(static_cast<int>(s), std::move(e)));
    }
    return absl::OkStatus();
  }
  if (log_.num_decisions == 0) return absl::OkStatus();
  NAS_ASSIGN_OR_RETURN(const h5::File file, h5::File::Open(path_));
  std::map<std::string, std::map<int32_t, int>> slot_of;
  for (int s = 0; s < static_cast<int>(log_.runs.size()); ++s) slot_of[log_.runs[s].label][log_.runs[s].run] = s;
  const h5::Handle curve_type = log_format::RunCurveType();
  for (const auto& [label, slots] : slot_of) {
    const auto [acked, acked_curves] = label_rows_.at(label);
    const std::string name = absl::StrCat("/runs/", label, "/episodes"), curves = absl::StrCat("/runs/", label, "/curves");
    std::string damage;
    // The method's curve rows by (slot, episode): rows of trained children only.
    std::map<std::pair<int, int64_t>, std::vector<CurvePoint>> curve_of;
    NAS_RETURN_IF_ERROR(ForEachChunk(
        file.id(), path_, curves, curve_type.get(), log_format::kRunCurveSize, acked_curves, &damage,
        [&, &slots = slots](int64_t, int64_t n, const char* rows) -> absl::Status {
          for (int64_t k = 0; k < n; ++k) {
            int32_t run = 0;
            CurvePoint c;
            log_format::DecodeRunCurve(rows + k * log_format::kRunCurveSize, &run, &c);
            auto it = slots.find(run);
            if (it != slots.end() && log_.runs[it->second].damage.empty())
              curve_of[{it->second, c.episode}].push_back(c);
          }
          return absl::OkStatus();
        }));
    int d = 0;
    bool has_fidelity = true;
    {
      h5::Handle ds(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT));
      if (!ds.valid()) return absl::DataLossError(absl::StrCat(path_, ": cannot open ", name));
      NAS_RETURN_IF_ERROR(log_format::DecisionsOf(ds.get(), path_, name, &d, &has_fidelity, /*with_run=*/true));
    }
    const log_format::RowCodec codec(d, has_fidelity, /*with_run=*/true);
    std::vector<int64_t> given(log_.runs.size(), 0);
    NAS_RETURN_IF_ERROR(ForEachChunk(
        file.id(), path_, name, codec.type(), codec.size(), acked, &damage,
        [&, &slots = slots](int64_t, int64_t n, const char* rows) -> absl::Status {
          for (int64_t i = 0; i < n; ++i) {
            const char* row = rows + i * codec.size();
            auto it = slots.find(log_format::RowCodec::Run(row));
            if (it == slots.end() || !log_.runs[it->second].damage.empty()) continue;
            const int s = it->second;
            if (given[s] >= rows_[s]) continue;  // beyond what was counted (read after a change of the file)
            Episode e;
            codec.Decode(row, &e);
            if (auto c = curve_of.find({s, e.index}); c != curve_of.end()) e.curve = std::move(c->second);
            ++given[s];
            NAS_RETURN_IF_ERROR(each(s, std::move(e)));
          }
          return absl::OkStatus();
        }));
  }
  const log_format::RowCodec codec(log_.num_decisions, /*with_fidelity=*/true, /*with_run=*/true);
  std::vector<int64_t> have = rows_;
  int64_t applied = 0;
  return log_journal::Scan(path_, codec, &log_, &have, each, &applied);
}

absl::StatusOr<LogFile> ReadLogKeepingIntactRuns(const std::string& path) { return ReadLogRetrying(path, true); }

}  // namespace nas
