#include "nas/log/episode_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/h5/h5.h"
#include "nas/util/status.h"

namespace nas {
namespace {

constexpr char kFormat[] = "nas-log";
constexpr char kFormatVersion[] = "1";
constexpr int64_t kMaxChunkRows = 1024;
// Root attributes the format owns; run-group attributes the writer owns.
const char* const kRootReserved[] = {"format", "format_version"};
const char* const kRunReserved[] = {"method", "label", "run", "episodes"};

const char* const kInt64Columns[] = {"index", "arch", "incumbent", "table_slot"};
const char* const kDoubleColumns[] = {"log_prob",  "entropy",   "reward",          "valid_acc",     "test_acc",
                                      "sim_time",  "wall_time", "incumbent_valid", "incumbent_test"};

int64_t Episode::*Int64Field(int k) {
  static int64_t Episode::*const kFields[] = {&Episode::index, &Episode::arch, &Episode::incumbent,
                                              &Episode::table_slot};
  return kFields[k];
}
double Episode::*DoubleField(int k) {
  static double Episode::*const kFields[] = {&Episode::log_prob,  &Episode::entropy,   &Episode::reward,
                                             &Episode::valid_acc, &Episode::test_acc,  &Episode::sim_time,
                                             &Episode::wall_time, &Episode::incumbent_valid,
                                             &Episode::incumbent_test};
  return kFields[k];
}

template <size_t N>
bool In(const char* const (&set)[N], const std::string& key) {
  return std::any_of(std::begin(set), std::end(set), [&](const char* s) { return key == s; });
}

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

std::string RunGroup(const std::string& label, int32_t run) {
  return absl::StrFormat("/runs/%s/%04d", label, run);
}

class H5EpisodeLogWriter : public EpisodeLogWriter {
 public:
  H5EpisodeLogWriter(h5::File file, int num_decisions) : file_(std::move(file)), num_decisions_(num_decisions) {}
  ~H5EpisodeLogWriter() override { Close().IgnoreError(); }

  absl::Status WriteRun(const RunLog& run) override {
    const std::string& path = file_.path();
    if (!file_.is_open()) return absl::FailedPreconditionError(absl::StrCat(path, ": log already closed"));
    if (run.label.empty() || run.label.find('/') != std::string::npos || run.label == "." || run.label == "..")
      return Invalid(path, absl::StrCat("bad run label '", run.label, "' (must be non-empty, without '/')"));
    if (run.run < 0) return Invalid(path, absl::StrCat("run number ", run.run, " of '", run.label, "' is negative"));
    for (const auto& [key, value] : run.attributes)
      if (key.empty() || In(kRunReserved, key))
        return Invalid(path, absl::StrCat("run attribute name '", key, "' is reserved by the log format"));
    const size_t n = run.episodes.size();
    for (size_t i = 0; i < n; ++i)
      if (static_cast<int>(run.episodes[i].actions.size()) != num_decisions_)
        return Invalid(path, absl::StrCat("run '", run.label, "' #", run.run, ", episode ", i, ": ",
                                          run.episodes[i].actions.size(), " actions, expected ", num_decisions_));
    if (!written_.insert({run.label, run.run}).second)
      return absl::AlreadyExistsError(
          absl::StrCat(path, ": run '", run.label, "' #", run.run, " was already written"));

    const std::string label_group = absl::StrCat("/runs/", run.label);
    if (!file_.Exists(label_group)) NAS_RETURN_IF_ERROR(file_.CreateGroup(label_group));
    const std::string group = RunGroup(run.label, run.run);
    NAS_RETURN_IF_ERROR(file_.CreateGroup(group));
    NAS_RETURN_IF_ERROR(file_.WriteStringAttr(group, "method", run.method));
    NAS_RETURN_IF_ERROR(file_.WriteStringAttr(group, "label", run.label));
    NAS_RETURN_IF_ERROR(file_.WriteInt64Attr(group, "run", run.run));
    for (const auto& [key, value] : run.attributes) NAS_RETURN_IF_ERROR(file_.WriteStringAttr(group, key, value));

    // Chunks as long as the run (up to kMaxChunkRows): short runs stay small on disk.
    const int64_t chunk_rows = std::clamp<int64_t>(static_cast<int64_t>(n), 1, kMaxChunkRows);
    std::vector<int64_t> ints(n);
    for (int k = 0; k < 4; ++k) {
      const std::string ds = absl::StrCat(group, "/", kInt64Columns[k]);
      for (size_t i = 0; i < n; ++i) ints[i] = run.episodes[i].*Int64Field(k);
      NAS_RETURN_IF_ERROR(file_.CreateExtendable(ds, h5::Type::kInt64, 0, chunk_rows));
      NAS_RETURN_IF_ERROR(file_.AppendInt64s(ds, ints));
    }
    std::vector<double> reals(n);
    for (int k = 0; k < 9; ++k) {
      const std::string ds = absl::StrCat(group, "/", kDoubleColumns[k]);
      for (size_t i = 0; i < n; ++i) reals[i] = run.episodes[i].*DoubleField(k);
      NAS_RETURN_IF_ERROR(file_.CreateExtendable(ds, h5::Type::kDouble, 0, chunk_rows));
      NAS_RETURN_IF_ERROR(file_.AppendDoubles(ds, reals));
    }
    std::vector<int32_t> actions;
    actions.reserve(n * num_decisions_);
    for (const Episode& e : run.episodes) actions.insert(actions.end(), e.actions.begin(), e.actions.end());
    const std::string actions_ds = group + "/actions";
    NAS_RETURN_IF_ERROR(file_.CreateExtendable(actions_ds, h5::Type::kInt32, num_decisions_, chunk_rows));
    NAS_RETURN_IF_ERROR(file_.AppendInt32s(actions_ds, actions));
    // Written last: a run without it was cut off while being written.
    NAS_RETURN_IF_ERROR(file_.WriteInt64Attr(group, "episodes", static_cast<int64_t>(n)));
    return file_.Flush();
  }

  absl::Status Close() override { return file_.Close(); }

 private:
  h5::File file_;
  int num_decisions_;
  std::set<std::pair<std::string, int32_t>> written_;
};

absl::StatusOr<RunLog> ReadRun(const h5::File& file, const std::string& label, const std::string& run_name) {
  const std::string& path = file.path();
  const std::string group = absl::StrCat("/runs/", label, "/", run_name);
  RunLog run;
  NAS_ASSIGN_OR_RETURN(run.attributes, file.ReadAllAttrsAsStrings(group));
  if (!file.HasAttr(group, "episodes"))
    return absl::DataLossError(absl::StrCat(path, ": ", group, " is incomplete (no 'episodes' attribute: the "
                                                               "writer stopped while writing this run)"));
  NAS_ASSIGN_OR_RETURN(const int64_t n, file.ReadInt64Attr(group, "episodes"));
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
  run.episodes.resize(static_cast<size_t>(std::max<int64_t>(n, 0)));

  auto check_len = [&](const std::string& ds, size_t len) -> absl::Status {
    if (static_cast<int64_t>(len) != n)
      return absl::DataLossError(absl::StrCat(path, ": ", ds, " has ", len, " rows but the run has ", n,
                                              " episodes (incomplete run?)"));
    return absl::OkStatus();
  };
  for (int k = 0; k < 4; ++k) {
    const std::string ds = absl::StrCat(group, "/", kInt64Columns[k]);
    NAS_ASSIGN_OR_RETURN(const std::vector<int64_t> values, file.ReadInt64s(ds));
    NAS_RETURN_IF_ERROR(check_len(ds, values.size()));
    for (int64_t i = 0; i < n; ++i) run.episodes[i].*Int64Field(k) = values[i];
  }
  for (int k = 0; k < 9; ++k) {
    const std::string ds = absl::StrCat(group, "/", kDoubleColumns[k]);
    NAS_ASSIGN_OR_RETURN(const std::vector<double> values, file.ReadDoubles(ds));
    NAS_RETURN_IF_ERROR(check_len(ds, values.size()));
    for (int64_t i = 0; i < n; ++i) run.episodes[i].*DoubleField(k) = values[i];
  }
  const std::string actions_ds = group + "/actions";
  NAS_ASSIGN_OR_RETURN(const h5::Array<int32_t> actions, file.ReadInt32sND(actions_ds));
  if (actions.dims.size() != 2)
    return Invalid(path, absl::StrCat(actions_ds, " is not 2-D [episodes, decisions]"));
  NAS_RETURN_IF_ERROR(check_len(actions_ds, static_cast<size_t>(actions.dims[0])));
  const size_t width = static_cast<size_t>(actions.dims[1]);
  for (int64_t i = 0; i < n; ++i)
    run.episodes[i].actions.assign(actions.data.begin() + i * width, actions.data.begin() + (i + 1) * width);
  return run;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> EpisodeLogWriter::Create(
    const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
    bool overwrite) {
  if (num_decisions < 1) return Invalid(path, absl::StrCat("num_decisions must be positive, got ", num_decisions));
  for (const auto& [key, value] : attributes)
    if (key.empty() || In(kRootReserved, key))
      return Invalid(path, absl::StrCat("log attribute name '", key, "' is reserved by the log format"));
  NAS_ASSIGN_OR_RETURN(h5::File file, h5::File::Create(path, overwrite));
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "format", kFormat));
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "format_version", kFormatVersion));
  for (const auto& [key, value] : attributes) NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", key, value));
  NAS_RETURN_IF_ERROR(file.CreateGroup("/runs", /*track_order=*/true));
  NAS_RETURN_IF_ERROR(file.Flush());
  return std::unique_ptr<EpisodeLogWriter>(new H5EpisodeLogWriter(std::move(file), num_decisions));
}

absl::StatusOr<LogFile> ReadLog(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(const h5::File file, h5::File::Open(path));
  if (!file.HasAttr("/", "format")) return Invalid(path, "not a nas log (the root has no 'format' attribute)");
  NAS_ASSIGN_OR_RETURN(const std::string format, file.ReadStringAttr("/", "format"));
  if (format != kFormat)
    return Invalid(path, absl::StrCat("not a nas log (format is '", format, "', expected '", kFormat, "')"));
  NAS_ASSIGN_OR_RETURN(const std::string version, file.ReadStringAttr("/", "format_version"));
  if (version != kFormatVersion)
    return absl::FailedPreconditionError(absl::StrCat(path, ": log format_version '", version,
                                                      "' is not supported: this build reads version ",
                                                      kFormatVersion));
  LogFile log;
  NAS_ASSIGN_OR_RETURN(log.attributes, file.ReadAllAttrsAsStrings("/"));
  for (const char* key : kRootReserved) log.attributes.erase(key);
  if (!file.Exists("/runs")) return Invalid(path, "not a nas log (no /runs group)");
  NAS_ASSIGN_OR_RETURN(const std::vector<std::string> labels, file.ListChildren("/runs"));
  for (const std::string& label : labels) {
    NAS_ASSIGN_OR_RETURN(const std::vector<std::string> run_names, file.ListChildren("/runs/" + label));
    std::vector<RunLog> runs;
    for (const std::string& name : run_names) {
      NAS_ASSIGN_OR_RETURN(RunLog run, ReadRun(file, label, name));
      runs.push_back(std::move(run));
    }
    std::sort(runs.begin(), runs.end(), [](const RunLog& a, const RunLog& b) { return a.run < b.run; });
    for (RunLog& r : runs) log.runs.push_back(std::move(r));
  }
  return log;
}

}  // namespace nas
