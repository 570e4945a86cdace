// The episode log's reader (format 3, and format 2 logs of earlier builds).
#include <hdf5.h>

#include <algorithm>
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

absl::StatusOr<LogFile> ReadLogKeepingIntactRuns(const std::string& path) { return ReadLogRetrying(path, true); }

}  // namespace nas
