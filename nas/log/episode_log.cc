#include "nas/log/episode_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hdf5.h"
#include "nas/h5/h5.h"
#include "nas/util/status.h"

namespace nas {
namespace {

constexpr char kFormat[] = "nas-log";
constexpr char kFormatVersion[] = "2";
constexpr int64_t kChunkRows = 128;
// Root attributes the format owns; run-group attributes the writer owns.
const char* const kRootReserved[] = {"format", "format_version"};
const char* const kRunReserved[] = {"method", "label", "run", "slot"};

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

// One episode is one row of a compound dataset /runs/<label>/<run>/episodes: a single extend + write + flush
// acknowledges it (14 separate columns made a per-episode flush 14 times as expensive).
struct Field {
  const char* name;
  bool is_double;
  int64_t Episode::*i;
  double Episode::*d;
};
const Field kHeadFields[] = {{"index", false, &Episode::index, nullptr}, {"arch", false, &Episode::arch, nullptr}};
const Field kTailFields[] = {
    {"log_prob", true, nullptr, &Episode::log_prob},         {"entropy", true, nullptr, &Episode::entropy},
    {"reward", true, nullptr, &Episode::reward},             {"valid_acc", true, nullptr, &Episode::valid_acc},
    {"test_acc", true, nullptr, &Episode::test_acc},         {"sim_time", true, nullptr, &Episode::sim_time},
    {"wall_time", true, nullptr, &Episode::wall_time},       {"incumbent", false, &Episode::incumbent, nullptr},
    {"incumbent_valid", true, nullptr, &Episode::incumbent_valid},
    {"incumbent_test", true, nullptr, &Episode::incumbent_test},
    {"table_slot", false, &Episode::table_slot, nullptr}};
constexpr int kFixedFields = 13;
// Reward design (issue 9): the architecture's costs and the reward's cost, appended after table_slot. Logs
// written before have no such members and read as NaN.
const Field kCostFields[] = {{"params_m", true, nullptr, &Episode::params_m},
                             {"flops_m", true, nullptr, &Episode::flops_m},
                             {"cost", true, nullptr, &Episode::cost}};
constexpr int kCostFieldCount = 3;

// Packed row layout: index, arch, a0..a{D-1} (int32), then the tail fields (8 bytes each), then (unless an
// older log is read) the cost fields.
class RowCodec {
 public:
  explicit RowCodec(int num_decisions, bool with_costs = true)
      : d_(num_decisions), with_costs_(with_costs),
        size_(16 + 4 * num_decisions + 8 * (11 + (with_costs ? kCostFieldCount : 0))) {
    type_ = h5::Handle(H5Tcreate(H5T_COMPOUND, size_));
    size_t off = 0;
    for (const Field& f : kHeadFields) H5Tinsert(type_.get(), f.name, off, H5T_NATIVE_INT64), off += 8;
    for (int a = 0; a < d_; ++a) H5Tinsert(type_.get(), absl::StrCat("a", a).c_str(), off, H5T_NATIVE_INT32), off += 4;
    for (const Field& f : kTailFields)
      H5Tinsert(type_.get(), f.name, off, f.is_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64), off += 8;
    if (with_costs_)
      for (const Field& f : kCostFields) H5Tinsert(type_.get(), f.name, off, H5T_NATIVE_DOUBLE), off += 8;
  }
  hid_t type() const { return type_.get(); }
  size_t size() const { return size_; }

  void Encode(const Episode& e, char* row) const {
    size_t off = 0;
    for (const Field& f : kHeadFields) std::memcpy(row + off, &(e.*f.i), 8), off += 8;
    for (int a = 0; a < d_; ++a) std::memcpy(row + off, &e.actions[a], 4), off += 4;
    for (const Field& f : kTailFields) {
      if (f.is_double)
        std::memcpy(row + off, &(e.*f.d), 8);
      else
        std::memcpy(row + off, &(e.*f.i), 8);
      off += 8;
    }
    if (with_costs_)
      for (const Field& f : kCostFields) std::memcpy(row + off, &(e.*f.d), 8), off += 8;
  }
  void Decode(const char* row, Episode* e) const {
    size_t off = 0;
    for (const Field& f : kHeadFields) std::memcpy(&(e->*f.i), row + off, 8), off += 8;
    e->actions.resize(d_);
    for (int a = 0; a < d_; ++a) std::memcpy(&e->actions[a], row + off, 4), off += 4;
    for (const Field& f : kTailFields) {
      if (f.is_double)
        std::memcpy(&(e->*f.d), row + off, 8);
      else
        std::memcpy(&(e->*f.i), row + off, 8);
      off += 8;
    }
    if (with_costs_)
      for (const Field& f : kCostFields) std::memcpy(&(e->*f.d), row + off, 8), off += 8;
  }

 private:
  int d_;
  bool with_costs_;
  size_t size_;
  h5::Handle type_;
};

// Rows of /runs/<label>/<run>/curves: one per trained epoch of a child (train evaluator).
h5::Handle CurveType() {
  h5::Handle t(H5Tcreate(H5T_COMPOUND, sizeof(CurvePoint)));
  H5Tinsert(t.get(), "episode", HOFFSET(CurvePoint, episode), H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "epoch", HOFFSET(CurvePoint, epoch), H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "train_loss", HOFFSET(CurvePoint, train_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "train_acc", HOFFSET(CurvePoint, train_acc), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "valid_loss", HOFFSET(CurvePoint, valid_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "valid_acc", HOFFSET(CurvePoint, valid_acc), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "test_loss", HOFFSET(CurvePoint, test_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "test_acc", HOFFSET(CurvePoint, test_acc), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "train_time", HOFFSET(CurvePoint, train_time), H5T_NATIVE_DOUBLE);
  return t;
}

// Appends `count` rows of `type` to a 1-D extendable dataset and flushes it.
// `ds` caches the open dataset between calls (opening it by name each time dominated the cost).
bool AppendRows(hid_t file, const std::string& name, h5::Handle& ds, hid_t type, const void* rows, hsize_t count,
                hsize_t old_rows) {
  if (!ds.valid()) ds = h5::Handle(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
  const hsize_t new_rows = old_rows + count;
  if (!ds.valid() || H5Dset_extent(ds.get(), &new_rows) < 0) return false;
  h5::Handle file_space(H5Dget_space(ds.get()));
  h5::Handle mem_space(H5Screate_simple(1, &count, nullptr));
  return H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &old_rows, nullptr, &count, nullptr) >= 0 &&
         H5Dwrite(ds.get(), type, mem_space.get(), file_space.get(), H5P_DEFAULT, rows) >= 0 &&
         H5Dflush(ds.get()) >= 0;
}

// The number of decisions of an episodes dataset's compound type, checking every member name; *with_costs
// tells whether it has the cost fields (logs written before them do not).
absl::StatusOr<int> DecisionsOf(hid_t dataset, const std::string& path, const std::string& name,
                                bool* with_costs) {
  h5::Handle type(H5Dget_type(dataset));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_COMPOUND)
    return Invalid(path, absl::StrCat(name, " is not a compound dataset of episodes"));
  const int n = H5Tget_nmembers(type.get());
  char* last = n > 0 ? H5Tget_member_name(type.get(), n - 1) : nullptr;
  *with_costs = last != nullptr && std::string(last) == kCostFields[kCostFieldCount - 1].name;
  H5free_memory(last);
  const int d = n - kFixedFields - (*with_costs ? kCostFieldCount : 0);
  if (d < 1) return Invalid(path, absl::StrCat(name, " has ", n, " fields; expected ", kFixedFields, " + actions"));
  RowCodec expected(d, *with_costs);
  for (int m = 0; m < n; ++m) {
    char* got = H5Tget_member_name(type.get(), m);
    char* want = H5Tget_member_name(expected.type(), m);
    const std::string got_s = got ? got : "", want_s = want ? want : "";
    H5free_memory(got);
    H5free_memory(want);
    if (got_s != want_s) return Invalid(path, absl::StrCat(name, ": field ", m, " is '", got_s, "', expected '", want_s, "'"));
  }
  return d;
}

template <size_t N>
bool In(const char* const (&set)[N], const std::string& key) {
  return std::any_of(std::begin(set), std::end(set), [&](const char* s) { return key == s; });
}


std::string RunGroup(const std::string& label, int32_t run) {
  return absl::StrFormat("/runs/%s/%04d", label, run);
}

// An advisory write lock on the log (an open file description lock, which HDF5's flock-based locking does
// not see, so SWMR readers keep working). Released by the kernel when the process dies.
class WriteLock {
 public:
  static absl::StatusOr<WriteLock> Take(const std::string& path) {
    WriteLock lock;
    lock.fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (lock.fd_ < 0) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open for locking: ", std::strerror(errno)));
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = static_cast<off_t>(1) << 40;  // a byte HDF5 never uses
    fl.l_len = 1;
    if (fcntl(lock.fd_, F_OFD_SETLK, &fl) != 0)
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": another nas process is writing this log (it holds the log's write lock)"));
    return lock;
  }
  WriteLock() = default;
  WriteLock(WriteLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  WriteLock& operator=(WriteLock&& o) noexcept { std::swap(fd_, o.fd_); return *this; }
  ~WriteLock() { if (fd_ >= 0) ::close(fd_); }

 private:
  int fd_ = -1;
};

absl::Status CheckSlot(const std::string& path, const RunSlot& run) {
  if (run.label.empty() || run.label.find('/') != std::string::npos || run.label == "." || run.label == "..")
    return Invalid(path, absl::StrCat("bad run label '", run.label, "' (must be non-empty, without '/')"));
  if (run.run < 0) return Invalid(path, absl::StrCat("run number ", run.run, " of '", run.label, "' is negative"));
  for (const auto& [key, value] : run.attributes)
    if (key.empty() || In(kRunReserved, key))
      return Invalid(path, absl::StrCat("run attribute name '", key, "' is reserved by the log format"));
  return absl::OkStatus();
}

class H5EpisodeLogWriter : public EpisodeLogWriter {
 public:
  H5EpisodeLogWriter(h5::File file, WriteLock lock, int num_decisions, std::vector<std::string> groups,
                     int flush_every)
      : file_(std::move(file)), lock_(std::move(lock)), num_decisions_(num_decisions), codec_(num_decisions),
        groups_(std::move(groups)),
        flush_every_(flush_every), pending_(groups_.size()), acknowledged_(groups_.size(), 0),
        curve_rows_(groups_.size(), 0), open_episodes_(groups_.size()), open_curves_(groups_.size()),
        finished_(groups_.size(), false) {}
  ~H5EpisodeLogWriter() override { Close().IgnoreError(); }

  absl::Status Append(int slot, const Episode& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    NAS_RETURN_IF_ERROR(CheckOpen(slot));
    if (static_cast<int>(e.actions.size()) != num_decisions_)
      return Invalid(file_.path(), absl::StrCat(groups_[slot], ", episode ", e.index, ": ", e.actions.size(),
                                                " actions, expected ", num_decisions_));
    pending_[slot].push_back(e);
    if (static_cast<int>(pending_[slot].size()) >= flush_every_) return FlushRun(slot);
    return absl::OkStatus();
  }

  absl::Status FinishRun(int slot) override {
    std::lock_guard<std::mutex> lock(mu_);
    NAS_RETURN_IF_ERROR(CheckOpen(slot));
    NAS_RETURN_IF_ERROR(FlushRun(slot));
    finished_[slot] = true;
    open_episodes_[slot] = h5::Handle();
    open_curves_[slot] = h5::Handle();
    NAS_RETURN_IF_ERROR(file_.AppendInt64s("/completed", {slot}));
    return file_.FlushDataset("/completed");
  }

  absl::Status SetFlushEvery(int n) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (n < 1) return Invalid(file_.path(), absl::StrCat("flush_every must be >= 1, got ", n));
    for (size_t slot = 0; slot < groups_.size(); ++slot) NAS_RETURN_IF_ERROR(FlushRun(static_cast<int>(slot)));
    flush_every_ = n;
    return absl::OkStatus();
  }

  int64_t Acknowledged(int slot) const override {
    std::lock_guard<std::mutex> lock(mu_);
    return acknowledged_[slot];
  }

  absl::Status Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!file_.is_open()) return absl::OkStatus();
    for (size_t slot = 0; slot < groups_.size(); ++slot) NAS_RETURN_IF_ERROR(FlushRun(static_cast<int>(slot)));
    open_episodes_.clear();
    open_curves_.clear();
    absl::Status s = file_.Close();
    lock_ = WriteLock();  // released once the file is complete
    return s;
  }

 private:
  absl::Status CheckOpen(int slot) const {
    if (!file_.is_open()) return absl::FailedPreconditionError(absl::StrCat(file_.path(), ": log already closed"));
    if (slot < 0 || slot >= static_cast<int>(groups_.size()))
      return Invalid(file_.path(), absl::StrCat("no run slot ", slot));
    if (finished_[slot]) return Invalid(file_.path(), absl::StrCat(groups_[slot], " is already finished"));
    return absl::OkStatus();
  }

  // Appends the run's pending episodes as rows of its episodes dataset and flushes it: once this returns,
  // they are acknowledged.
  absl::Status FlushRun(int slot) {
    std::vector<Episode>& eps = pending_[slot];
    if (eps.empty()) return absl::OkStatus();
    // Curves first: an acknowledged episode's curve is always complete.
    std::vector<CurvePoint> curve;
    for (const Episode& e : eps) curve.insert(curve.end(), e.curve.begin(), e.curve.end());
    const std::string curves = groups_[slot] + "/curves";
    if (!curve.empty() && !AppendRows(file_.id(), curves, open_curves_[slot], curve_type_.get(), curve.data(), curve.size(),
                                      static_cast<hsize_t>(curve_rows_[slot])))
      return absl::DataLossError(absl::StrCat(file_.path(), ": ", curves, ": cannot append (HDF5: ",
                                              h5::LastErrorDetail(), ")"));
    curve_rows_[slot] += static_cast<int64_t>(curve.size());
    const std::string name = groups_[slot] + "/episodes";
    std::vector<char> rows(eps.size() * codec_.size());
    for (size_t i = 0; i < eps.size(); ++i) codec_.Encode(eps[i], rows.data() + i * codec_.size());
    if (!AppendRows(file_.id(), name, open_episodes_[slot], codec_.type(), rows.data(), eps.size(),
                    static_cast<hsize_t>(acknowledged_[slot])))
      return absl::DataLossError(absl::StrCat(file_.path(), ": ", name, ": cannot append episodes (HDF5: ",
                                              h5::LastErrorDetail(), ")"));
    acknowledged_[slot] += static_cast<int64_t>(eps.size());
    eps.clear();
    return absl::OkStatus();
  }

  mutable std::mutex mu_;
  h5::File file_;
  WriteLock lock_;
  const int num_decisions_;
  const RowCodec codec_;
  const h5::Handle curve_type_ = CurveType();
  const std::vector<std::string> groups_;
  int flush_every_;
  std::vector<std::vector<Episode>> pending_;
  std::vector<int64_t> acknowledged_;
  std::vector<int64_t> curve_rows_;
  std::vector<h5::Handle> open_episodes_, open_curves_;  // closed when the run finishes
  std::vector<bool> finished_;
};

absl::StatusOr<RunLog> ReadRun(const h5::File& file, const std::string& label, const std::string& run_name,
                               const std::set<int64_t>& completed) {
  const std::string& path = file.path();
  const std::string group = absl::StrCat("/runs/", label, "/", run_name);
  RunLog run;
  NAS_ASSIGN_OR_RETURN(run.attributes, file.ReadAllAttrsAsStrings(group));
  NAS_ASSIGN_OR_RETURN(const int64_t run_number, file.ReadInt64Attr(group, "run"));
  NAS_ASSIGN_OR_RETURN(const int64_t slot, file.ReadInt64Attr(group, "slot"));
  NAS_ASSIGN_OR_RETURN(run.method, file.ReadStringAttr(group, "method"));
  NAS_ASSIGN_OR_RETURN(run.label, file.ReadStringAttr(group, "label"));
  for (const char* key : kRunReserved) run.attributes.erase(key);
  int64_t parsed = -1;
  if (run.label != label || !absl::SimpleAtoi(run_name, &parsed) || parsed != run_number || run_number < 0 ||
      run_number > INT32_MAX)
    return Invalid(path, absl::StrCat(group, ": attributes label '", run.label, "' / run ", run_number,
                                      " do not match the group's name"));
  run.run = static_cast<int32_t>(run_number);
  run.complete = completed.count(slot) > 0;
  const std::string name = group + "/episodes";
  h5::Handle ds(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT));
  if (!ds.valid()) return absl::DataLossError(absl::StrCat(path, ": cannot open ", name));
  bool with_costs = true;
  NAS_ASSIGN_OR_RETURN(const int d, DecisionsOf(ds.get(), path, name, &with_costs));
  h5::Handle space(H5Dget_space(ds.get()));
  hsize_t n = 0;
  if (H5Sget_simple_extent_ndims(space.get()) != 1 || H5Sget_simple_extent_dims(space.get(), &n, nullptr) < 0)
    return Invalid(path, absl::StrCat(name, " is not 1-D"));
  const RowCodec codec(d, with_costs);
  run.has_costs = with_costs;
  std::vector<char> rows(static_cast<size_t>(n) * codec.size());
  if (n > 0 && H5Dread(ds.get(), codec.type(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0)
    return absl::DataLossError(absl::StrCat(path, ": cannot read ", name, " (HDF5: ", h5::LastErrorDetail(), ")"));
  run.episodes.resize(n);
  for (hsize_t i = 0; i < n; ++i) codec.Decode(rows.data() + i * codec.size(), &run.episodes[i]);
  const std::string curves = group + "/curves";
  h5::Handle cds(H5Dopen2(file.id(), curves.c_str(), H5P_DEFAULT));
  if (!cds.valid()) return absl::DataLossError(absl::StrCat(path, ": cannot open ", curves));
  h5::Handle cspace(H5Dget_space(cds.get()));
  hsize_t m = 0;
  H5Sget_simple_extent_dims(cspace.get(), &m, nullptr);
  std::vector<CurvePoint> points(m);
  h5::Handle ctype = CurveType();
  if (m > 0 && H5Dread(cds.get(), ctype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, points.data()) < 0)
    return absl::DataLossError(absl::StrCat(path, ": cannot read ", curves));
  for (const CurvePoint& c : points) {
    if (c.episode < 0) return Invalid(path, absl::StrCat(curves, ": negative episode"));
    if (c.episode < static_cast<int64_t>(n)) run.episodes[c.episode].curve.push_back(c);  // others: unacknowledged
  }
  return run;
}

absl::Status CreateRows(h5::File& file, const std::string& name, hid_t type) {
  const hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = kChunkRows;
  h5::Handle space(H5Screate_simple(1, &zero, &unlimited));
  h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(dcpl.get(), 1, &chunk);
  h5::Handle ds(H5Dcreate2(file.id(), name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!ds.valid())
    return absl::DataLossError(
        absl::StrCat(file.path(), ": cannot create ", name, " (HDF5: ", h5::LastErrorDetail(), ")"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> EpisodeLogWriter::Create(
    const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
    const std::vector<RunSlot>& slots, bool overwrite, int flush_every) {
  if (num_decisions < 1) return Invalid(path, absl::StrCat("num_decisions must be positive, got ", num_decisions));
  if (flush_every < 1) return Invalid(path, absl::StrCat("flush_every must be >= 1, got ", flush_every));
  for (const auto& [key, value] : attributes)
    if (key.empty() || In(kRootReserved, key))
      return Invalid(path, absl::StrCat("log attribute name '", key, "' is reserved by the log format"));
  std::set<std::pair<std::string, int32_t>> seen;
  for (const RunSlot& r : slots) {
    NAS_RETURN_IF_ERROR(CheckSlot(path, r));
    if (!seen.insert({r.label, r.run}).second)
      return absl::AlreadyExistsError(absl::StrCat(path, ": run '", r.label, "' #", r.run, " is planned twice"));
  }
  // An existing log that another process is writing is refused before anything touches it. The new log is
  // built under a temporary name and renamed into place once it is in SWMR mode, so `path` is never a
  // half-created file (a kill before that leaves the old file, or none).
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!overwrite) return absl::AlreadyExistsError(absl::StrCat(path, ": already exists; refusing to overwrite it"));
    NAS_RETURN_IF_ERROR(WriteLock::Take(path).status());
  }
  const std::string tmp = path + ".creating";
  NAS_ASSIGN_OR_RETURN(h5::File file, h5::File::CreateSwmr(tmp, /*overwrite=*/true));
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "format", kFormat));
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "format_version", kFormatVersion));
  std::map<std::string, std::string> all = attributes;
  all["flush_every"] = std::to_string(flush_every);
  for (const auto& [key, value] : all) NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", key, value));
  NAS_RETURN_IF_ERROR(file.CreateGroup("/runs", /*track_order=*/true));
  NAS_RETURN_IF_ERROR(file.CreateExtendable("/completed", h5::Type::kInt64, 0, 64));
  const RowCodec codec(num_decisions);
  const h5::Handle curve_type = CurveType();
  std::vector<std::string> groups;
  for (size_t slot = 0; slot < slots.size(); ++slot) {
    const RunSlot& run = slots[slot];
    const std::string label_group = absl::StrCat("/runs/", run.label);
    if (!file.Exists(label_group)) NAS_RETURN_IF_ERROR(file.CreateGroup(label_group, /*track_order=*/true));
    const std::string group = RunGroup(run.label, run.run);
    NAS_RETURN_IF_ERROR(file.CreateGroup(group));
    NAS_RETURN_IF_ERROR(file.WriteStringAttr(group, "method", run.method));
    NAS_RETURN_IF_ERROR(file.WriteStringAttr(group, "label", run.label));
    NAS_RETURN_IF_ERROR(file.WriteInt64Attr(group, "run", run.run));
    NAS_RETURN_IF_ERROR(file.WriteInt64Attr(group, "slot", static_cast<int64_t>(slot)));
    for (const auto& [key, value] : run.attributes) NAS_RETURN_IF_ERROR(file.WriteStringAttr(group, key, value));
    NAS_RETURN_IF_ERROR(CreateRows(file, group + "/episodes", codec.type()));
    NAS_RETURN_IF_ERROR(CreateRows(file, group + "/curves", curve_type.get()));
    groups.push_back(group);
  }
  // Close and reopen in SWMR-write mode: a flush in SWMR mode visits the whole metadata cache, which creating
  // thousands of run groups filled (a 2,000-run log flushed 6x slower than a 1-run log).
  NAS_RETURN_IF_ERROR(file.Close());
  NAS_ASSIGN_OR_RETURN(file, h5::File::OpenSwmrWriter(tmp));
  NAS_ASSIGN_OR_RETURN(WriteLock lock, WriteLock::Take(tmp));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return absl::InternalError(absl::StrCat(path, ": cannot move the new log into place: ", std::strerror(errno)));
  return std::unique_ptr<EpisodeLogWriter>(
      new H5EpisodeLogWriter(std::move(file), std::move(lock), num_decisions, std::move(groups), flush_every));
}

absl::Status EpisodeLogWriter::WriteAll(const std::string& path, const std::map<std::string, std::string>& attributes,
                                        int num_decisions, const std::vector<RunLog>& runs, bool overwrite) {
  std::vector<RunSlot> slots;
  for (const RunLog& r : runs) slots.push_back(RunSlot{r.label, r.method, r.run, r.attributes});
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<EpisodeLogWriter> w,
                       Create(path, attributes, num_decisions, slots, overwrite, /*flush_every=*/1 << 30));
  for (size_t slot = 0; slot < runs.size(); ++slot) {
    for (const Episode& e : runs[slot].episodes) NAS_RETURN_IF_ERROR(w->Append(static_cast<int>(slot), e));
    if (runs[slot].complete) NAS_RETURN_IF_ERROR(w->FinishRun(static_cast<int>(slot)));
  }
  return w->Close();
}

absl::Status CheckNotBeingWritten(const std::string& path) { return WriteLock::Take(path).status(); }

absl::StatusOr<LogFile> ReadLog(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(const h5::File file, h5::File::Open(path));
  if (!file.HasAttr("/", "format")) return Invalid(path, "not a nas log (the root has no 'format' attribute)");
  NAS_ASSIGN_OR_RETURN(const std::string format, file.ReadStringAttr("/", "format"));
  if (format != kFormat)
    return Invalid(path, absl::StrCat("not a nas log (format is '", format, "', expected '", kFormat, "')"));
  NAS_ASSIGN_OR_RETURN(const std::string version, file.ReadStringAttr("/", "format_version"));
  if (version != kFormatVersion)
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": log format_version '", version, "' is not supported: this build reads version ", kFormatVersion,
        version < kFormatVersion ? " (the log is from an older nas; replay it with that build or re-run it)"
                                 : " (the log is from a newer nas)"));
  LogFile log;
  NAS_ASSIGN_OR_RETURN(log.attributes, file.ReadAllAttrsAsStrings("/"));
  for (const char* key : kRootReserved) log.attributes.erase(key);
  if (!file.Exists("/runs") || !file.Exists("/completed"))
    return Invalid(path, "not a nas log (no /runs group or /completed dataset)");
  NAS_ASSIGN_OR_RETURN(const std::vector<int64_t> completed_list, file.ReadInt64s("/completed"));
  const std::set<int64_t> completed(completed_list.begin(), completed_list.end());
  NAS_ASSIGN_OR_RETURN(const std::vector<std::string> labels, file.ListChildren("/runs"));
  std::vector<std::pair<int64_t, RunLog>> runs;
  for (const std::string& label : labels) {
    NAS_ASSIGN_OR_RETURN(const std::vector<std::string> run_names, file.ListChildren("/runs/" + label));
    for (const std::string& name : run_names) {
      const std::string group = absl::StrCat("/runs/", label, "/", name);
      NAS_ASSIGN_OR_RETURN(const int64_t slot, file.ReadInt64Attr(group, "slot"));
      NAS_ASSIGN_OR_RETURN(RunLog run, ReadRun(file, label, name, completed));
      runs.emplace_back(slot, std::move(run));
    }
  }
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [slot, run] : runs) log.runs.push_back(std::move(run));
  return log;
}

}  // namespace nas
