// The episode log's writer (the reader is log_read.cc).
#include "nas/log/episode_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hdf5.h"
#include "nas/h5/h5.h"
#include "nas/log/log_chunks.h"
#include "nas/log/log_file.h"
#include "nas/log/log_format.h"
#include "nas/log/log_journal.h"
#include "nas/util/status.h"

namespace nas {
namespace {

using log_file::WriteLock;
using log_format::Invalid;
using log_format::Progress;

// Root attributes the format owns; run-group attributes the writer owns.
const char* const kRootReserved[] = {"format", "format_version"};
const char* const kRunReserved[] = {"method", "label", "run", "slot"};

template <size_t N>
bool In(const char* const (&set)[N], const std::string& key) {
  return std::any_of(std::begin(set), std::end(set), [&](const char* s) { return key == s; });
}

absl::Status CheckSlot(const std::string& path, const RunSlot& run) {
  if (run.label.empty() || run.label.find('/') != std::string::npos || run.label == "." || run.label == "..")
    return Invalid(path, absl::StrCat("bad run label '", run.label, "' (must be non-empty, without '/')"));
  if (run.run < 0) return Invalid(path, absl::StrCat("run number ", run.run, " of '", run.label, "' is negative"));
  for (const auto& [key, value] : run.attributes)
    if (key.empty() || In(kRunReserved, key))
      return Invalid(path, absl::StrCat("run attribute name '", key, "' is reserved by the log format"));
  return absl::OkStatus();
}

// One method label's shared datasets (format 4): its episodes and curves, open for the writer's lifetime.
struct LabelTables {
  std::string group;  // /runs/<label>
  h5::Handle episodes, curves;
  log_chunks::ChunkedRows episode_rows, curve_rows;
  // Rows of the commit being built.
  int64_t commit_episodes = 0, commit_curves = 0;
};

absl::Status CreateDataset(h5::File& file, const std::string& name, hid_t type, hsize_t rows, hsize_t max_rows,
                           hsize_t chunk, bool checksum) {
  h5::Handle space(H5Screate_simple(1, &rows, &max_rows));
  h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_obj_track_times(dcpl.get(), false);  // no timestamps: same episodes, same bytes (but wall times)
  if (chunk > 0) {
    H5Pset_chunk(dcpl.get(), 1, &chunk);
    log_chunks::SetFilters(dcpl.get(), checksum);
  }
  h5::Handle ds(H5Dcreate2(file.id(), name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!ds.valid())
    return absl::DataLossError(
        absl::StrCat(file.path(), ": cannot create ", name, " (HDF5: ", h5::LastErrorDetail(), ")"));
  return absl::OkStatus();
}

uint64_t FileEnd(hid_t file) {
  hsize_t size = 0;
  return H5Fget_filesize(file, &size) >= 0 ? size : 0;
}

// Bytes a commit of `rows` new rows after `old_rows` may allocate in a chunked dataset (new chunks, the
// re-allocated partial chunk, the chunk index).
uint64_t ChunkBytes(int64_t old_rows, int64_t rows, size_t row_size, int64_t chunk_rows) {
  if (rows == 0) return 0;
  const int64_t chunks = (old_rows + rows + chunk_rows - 1) / chunk_rows - old_rows / chunk_rows;
  return static_cast<uint64_t>(chunks + 1) * (chunk_rows * row_size + 64) + 4096;
}

// Rows a chunk of the methods' datasets holds: commits by count go to the journal, so the HDF5 datasets are
// always committed in groups.
int64_t ChunkRowsFor(const LogWriterOptions&) { return log_format::kGroupChunkRows; }

// HDF5's error printing is per thread (the thread-safe build): turned off once in each thread that appends.
void QuietThread() {
  thread_local const bool quiet = (h5::DisableErrorPrinting(), true);
  (void)quiet;
}

// Pending episodes (over all runs) that start a commit before the timer does, bounding the writer's memory.
constexpr int64_t kMaxPendingEpisodes = 4096;

// A run's episodes since its last commit, encoded as rows; the first `journaled_*` of them are acknowledged by
// the journal (and `journaled_end`: the run's end).
struct PendingRows {
  std::vector<char> episodes, curves;
  int64_t episode_rows = 0, curve_rows = 0;
  int64_t journaled_rows = 0, journaled_curves = 0;
  bool journaled_end = false;
};

class H5EpisodeLogWriter : public EpisodeLogWriter {
 public:
  // `label_of`: each slot's index into `labels` (the /runs/<label> groups, whose datasets exist); `run_of`: each
  // slot's run number. The per-slot state is these two numbers, the acknowledged /progress row and the
  // completion flag (about 50 bytes a run); pending rows exist only for runs with episodes since their commit.
  H5EpisodeLogWriter(h5::File file, WriteLock lock, WriteLock target_lock, std::string target, bool placed,
                     int num_decisions, std::vector<int> label_of, std::vector<int32_t> run_of,
                     std::vector<std::string> labels, const LogWriterOptions& options, uint64_t reserved,
                     uint64_t identity)
      : file_(std::move(file)), lock_(std::move(lock)), target_lock_(std::move(target_lock)),
        target_(std::move(target)), placed_(placed), num_decisions_(num_decisions),
        codec_(num_decisions, /*with_fidelity=*/true, /*with_run=*/true), labels_(std::move(labels)),
        label_of_(std::move(label_of)), run_of_(std::move(run_of)), num_slots_(static_cast<int>(run_of_.size())),
        options_(options), flush_every_(options.flush_every), reserved_(reserved), identity_(identity),
        chunk_rows_(ChunkRowsFor(options)), progress_(num_slots_), finished_(num_slots_, false),
        progress_chunk_rows_(std::min<int64_t>(num_slots_, log_format::kProgressChunkRows)),
        progress_bytes_(ProgressChunks() * progress_chunk_rows_ * log_format::kPackedProgressSize, 0),
        progress_stored_(ProgressChunks(), 0) {
    for (const std::string& label : labels_)
      tables_.push_back(LabelTables{absl::StrCat("/runs/", label), h5::Handle(), h5::Handle(),
                                    log_chunks::ChunkedRows(codec_.size(), chunk_rows_, options_.checksum),
                                    log_chunks::ChunkedRows(log_format::kRunCurveSize, chunk_rows_, options_.checksum),
                                    0, 0});
    if (options_.flush_interval_ms > 0) timer_ = std::thread([this] { TimerLoop(); });
  }
  ~H5EpisodeLogWriter() override { Close().IgnoreError(); }

  absl::Status Append(int slot, const Episode& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    QuietThread();
    NAS_RETURN_IF_ERROR(CheckOpen(slot));
    if (static_cast<int>(e.actions.size()) != num_decisions_)
      return Invalid(target_, absl::StrCat(RunName(slot), ", episode ", e.index, ": ", e.actions.size(),
                                           " actions, expected ", num_decisions_));
    PendingRows& p = PendingOf(slot);
    const int32_t run = run_of_[slot];
    for (const CurvePoint& c : e.curve) {
      p.curves.resize(p.curves.size() + log_format::kRunCurveSize);
      log_format::EncodeRunCurve(run, c, p.curves.data() + p.curves.size() - log_format::kRunCurveSize);
      ++p.curve_rows;
    }
    if (p.episodes.empty()) p.episodes.reserve(128 * codec_.size());  // a run's rows between commits, usually
    p.episodes.resize(p.episodes.size() + codec_.size());
    codec_.Encode(e, p.episodes.data() + p.episodes.size() - codec_.size(), run);
    ++p.episode_rows;
    ++pending_total_;
    if (flush_every_ > 0 && p.episode_rows - p.journaled_rows >= flush_every_)
      NAS_RETURN_IF_ERROR(JournalLocked(slot, /*end=*/false));
    if (pending_total_ >= kMaxPendingEpisodes) return CommitLocked(-1);
    return absl::OkStatus();
  }

  absl::Status FinishRun(int slot) override {
    std::lock_guard<std::mutex> lock(mu_);
    h5::DisableErrorPrinting();
    NAS_RETURN_IF_ERROR(CheckOpen(slot));
    finished_[slot] = true;
    pending_[slot];  // committed by the next commit that covers the slot
    if (flush_every_ > 0) return JournalLocked(slot, /*end=*/true);
    if (options_.flush_interval_ms > 0) return absl::OkStatus();  // the next group commit covers it
    return CommitLocked(slot);
  }

  absl::Status SetFlushEvery(int n) override {
    std::lock_guard<std::mutex> lock(mu_);
    h5::DisableErrorPrinting();
    if (n < 0) return Invalid(target_, absl::StrCat("flush_every must be >= 0, got ", n));
    NAS_RETURN_IF_ERROR(CommitLocked(-1));
    flush_every_ = n;
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    std::lock_guard<std::mutex> lock(mu_);
    h5::DisableErrorPrinting();
    if (!file_.is_open()) return absl::FailedPreconditionError(absl::StrCat(target_, ": log already closed"));
    return CommitLocked(-1);
  }

  absl::Status Publish() override {
    std::lock_guard<std::mutex> lock(mu_);
    h5::DisableErrorPrinting();
    if (!file_.is_open()) return absl::FailedPreconditionError(absl::StrCat(target_, ": log already closed"));
    NAS_RETURN_IF_ERROR(CommitLocked(-1));
    journal_.Close(/*remove=*/true);  // all in the HDF5 file; a journal under the new name starts when needed
    if (placed_) return absl::OkStatus();
    // The open file follows its inode: the writer goes on appending to `target_`. The lock of the old log
    // (held by the caller) covered the time until now; from now on this writer's lock is the log's.
    if (std::rename(Where().c_str(), target_.c_str()) != 0)
      return absl::FailedPreconditionError(
          absl::StrCat(target_, ": cannot replace it with ", lock_.path(), ": ", std::strerror(errno)));
    placed_ = true;
    return absl::OkStatus();
  }

  int64_t Acknowledged(int slot) const override {
    std::lock_guard<std::mutex> lock(mu_);
    return AcknowledgedLocked(slot);
  }

  absl::Status Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (timer_.joinable()) timer_.join();
    std::lock_guard<std::mutex> lock(mu_);
    h5::DisableErrorPrinting();
    if (!file_.is_open()) return failed_;
    absl::Status status = CommitLocked(-1);
    tables_.clear();
    absl::Status closed = file_.Close();
    if (status.ok() && !closed.ok()) status = failed_ = closed;
    // Every journaled episode is in the HDF5 file now; after a failure the journal keeps what it acknowledged.
    journal_.Close(/*remove=*/status.ok());
    absl::Status trimmed = log_file::TrimToEnd(lock_.fd(), Where());
    if (status.ok() && !trimmed.ok()) status = trimmed;
    if (status.ok() && !placed_) {
      if (std::rename(Where().c_str(), target_.c_str()) != 0)
        status = absl::FailedPreconditionError(
            absl::StrCat(target_, ": cannot replace it with ", lock_.path(), ": ", std::strerror(errno)));
      else
        placed_ = true;
    }
    // A journal left at `target_` by the log this one replaced (overwrite, resume) names another file: gone.
    if (status.ok()) ::unlink(log_journal::PathOf(target_).c_str());
    lock_ = WriteLock();  // released once the file is complete
    target_lock_ = WriteLock();
    return status;
  }

 private:
  absl::Status CheckOpen(int slot) const {
    if (!failed_.ok()) return failed_;
    if (!file_.is_open()) return absl::FailedPreconditionError(absl::StrCat(target_, ": log already closed"));
    if (slot < 0 || slot >= num_slots_) return Invalid(target_, absl::StrCat("no run slot ", slot));
    if (finished_[slot]) return Invalid(target_, absl::StrCat(RunName(slot), " is already finished"));
    return absl::OkStatus();
  }

  void TimerLoop() {
    h5::DisableErrorPrinting();  // per thread in HDF5's thread-safe build
    std::unique_lock<std::mutex> lock(mu_);
    const auto interval = std::chrono::milliseconds(options_.flush_interval_ms);
    while (!stop_) {
      cv_.wait_for(lock, interval, [this] { return stop_; });
      if (stop_) break;
      if (file_.is_open() && failed_.ok()) CommitLocked(-1).IgnoreError();  // kept in failed_
    }
  }

  PendingRows& PendingOf(int slot) {
    if (slot != last_slot_) last_pending_ = &pending_[slot], last_slot_ = slot;
    return *last_pending_;
  }

  int64_t AcknowledgedLocked(int slot) const {
    auto it = pending_.find(slot);
    return progress_[slot].episodes + (it == pending_.end() ? 0 : it->second.journaled_rows);
  }

  // Acknowledges run `slot`'s pending rows not yet journaled (and `end`: its end) with one journal record.
  absl::Status JournalLocked(int slot, bool end) {
    if (!failed_.ok()) return failed_;
    PendingRows& p = pending_[slot];
    const int64_t rows = p.episode_rows - p.journaled_rows, curves = p.curve_rows - p.journaled_curves;
    if (rows == 0 && !end) return absl::OkStatus();
    if (!journal_.is_open())
      if (absl::Status s = journal_.Open(Where(), target_, identity_, static_cast<uint32_t>(codec_.size()),
                                         static_cast<uint32_t>(log_format::kRunCurveSize));
          !s.ok())
        return Fail(s);
    if (absl::Status s = journal_.Append(end ? log_journal::kRowsAndEnd : log_journal::kRows, slot,
                                         p.episodes.data() + p.journaled_rows * codec_.size(),
                                         static_cast<uint32_t>(rows),
                                         p.curves.data() + p.journaled_curves * log_format::kRunCurveSize,
                                         static_cast<uint32_t>(curves));
        !s.ok())
      return Fail(s);
    p.journaled_rows = p.episode_rows;
    p.journaled_curves = p.curve_rows;
    p.journaled_end = p.journaled_end || end;
    if (options_.on_ack) options_.on_ack(slot, AcknowledgedLocked(slot), end);
    return absl::OkStatus();
  }

  std::string RunName(int slot) const { return absl::StrCat(labels_[label_of_[slot]], "/", run_of_[slot]); }

  // Where the acknowledged episodes are, for error messages.
  std::string Where() const { return placed_ ? target_ : lock_.path(); }

  absl::Status Fail(absl::Status s) {
    int64_t acked = 0;
    for (const Progress& p : progress_) acked += p.episodes;
    for (const auto& [slot, rows] : pending_) acked += rows.journaled_rows;
    failed_ = absl::Status(
        s.code(), placed_ ? absl::StrCat(s.message(), "; its ", acked, " acknowledged episodes are kept (nas run CONFIG "
                                         "--resume ", target_, " completes it once there is space)")
                          : absl::StrCat(s.message(), "; ", target_, " is untouched, the new log's ", acked,
                                         " acknowledged episodes are in ", Where(), " (--resume it once there is space)"));
    return failed_;
  }

  // Commits run `only` (or every dirty run for -1): rows first (each method's rows of the commit appended to its
  // datasets in slot order), then their /progress rows.
  absl::Status CommitLocked(int only) {
    if (!failed_.ok()) return failed_;
    std::vector<int> slots;
    if (only >= 0) {
      if (pending_.count(only)) slots.push_back(only);
    } else {
      for (const auto& [s, rows] : pending_) slots.push_back(s);  // in slot order
    }
    if (slots.empty()) return absl::OkStatus();
    std::vector<Progress> next;
    for (int s : slots) {
      Progress p = progress_[s];
      LabelTables& t = tables_[label_of_[s]];
      const PendingRows& rows = pending_.at(s);
      t.commit_curves += rows.curve_rows;
      t.commit_episodes += rows.episode_rows;
      p.curve_rows += rows.curve_rows;
      p.episodes += rows.episode_rows;
      p.complete = finished_[s] ? 1 : 0;
      next.push_back(p);
    }
    uint64_t need = uint64_t{64} << 10;
    for (const LabelTables& t : tables_)
      need += ChunkBytes(t.episode_rows.rows(), t.commit_episodes, codec_.size(), chunk_rows_) +
              ChunkBytes(t.curve_rows.rows(), t.commit_curves, log_format::kRunCurveSize, chunk_rows_);
    need += (static_cast<uint64_t>(num_slots_) / log_format::kProgressChunkRows + 1) *
            (log_format::kProgressChunkRows * log_format::kPackedProgressSize + 4);
    absl::Status status = log_file::Reserve(lock_.fd(), FileEnd(file_.id()), need, &reserved_, target_);
    if (!status.ok()) status = Fail(status);
    // Every appended row (and the datasets' new extents) is flushed before any /progress row claims them; curves
    // first, so that an acknowledged episode's curve is complete.
    for (size_t l = 0; l < tables_.size(); ++l) {
      LabelTables& t = tables_[l];
      if (status.ok()) status = AppendAndFlush(static_cast<int>(l), slots, /*curves=*/true);
      if (status.ok()) status = AppendAndFlush(static_cast<int>(l), slots, /*curves=*/false);
      t.commit_curves = t.commit_episodes = 0;
    }
    NAS_RETURN_IF_ERROR(status);
    NAS_RETURN_IF_ERROR(WriteProgress(slots, next));
    for (size_t i = 0; i < slots.size(); ++i) {
      const int s = slots[i];
      const PendingRows& was = pending_.at(s);
      const bool advanced = next[i].episodes != AcknowledgedLocked(s) ||
                            next[i].complete != (progress_[s].complete || was.journaled_end ? 1 : 0);
      progress_[s] = next[i];
      pending_total_ -= pending_[s].episode_rows;
      pending_.erase(s);  // its memory is released
      last_slot_ = -1;
      if (advanced && options_.on_ack) options_.on_ack(s, next[i].episodes, next[i].complete != 0);
    }
    return absl::OkStatus();
  }

  // Appends label `l`'s pending rows of this commit (its curves or its episodes), run by run in slot order, to
  // its dataset (each row copied once, into the chunk that is stored; new chunk copies only, see log_chunks.h)
  // and flushes it.
  absl::Status AppendAndFlush(int l, const std::vector<int>& slots, bool curves) {
    LabelTables& t = tables_[l];
    const int64_t count = curves ? t.commit_curves : t.commit_episodes;
    if (count == 0) return absl::OkStatus();
    const std::string name = t.group + (curves ? "/curves" : "/episodes");
    h5::Handle& ds = curves ? t.curves : t.episodes;
    log_chunks::ChunkedRows& chunked = curves ? t.curve_rows : t.episode_rows;
    if (!ds.valid()) ds = h5::Handle(H5Dopen2(file_.id(), name.c_str(), H5P_DEFAULT));
    bool ok = ds.valid() && chunked.Begin(ds.get(), count);
    for (size_t i = 0; ok && i < slots.size(); ++i) {
      if (label_of_[slots[i]] != l) continue;
      const PendingRows& p = pending_.at(slots[i]);
      ok = curves ? chunked.Add(p.curves.data(), p.curve_rows) : chunked.Add(p.episodes.data(), p.episode_rows);
    }
    ok = ok && chunked.End() && H5Dflush(ds.get()) >= 0;
    if (!ok) return WriteFailed(name);
    return absl::OkStatus();
  }

  int64_t ProgressChunks() const {
    const int64_t n = num_slots_, c = log_format::kProgressChunkRows;
    return n == 0 ? 0 : (n + c - 1) / c;
  }

  // Rewrites the /progress chunks holding `slots` (each as a new copy, see log_chunks.h), then flushes.
  absl::Status WriteProgress(const std::vector<int>& slots, const std::vector<Progress>& rows) {
    if (!progress_ds_.valid()) progress_ds_ = h5::Handle(H5Dopen2(file_.id(), "/progress", H5P_DEFAULT));
    if (!progress_ds_.valid()) return WriteFailed("/progress");
    std::set<int64_t> chunks;
    for (size_t i = 0; i < rows.size(); ++i) {
      log_format::PackProgress(rows[i], &progress_bytes_[slots[i] * log_format::kPackedProgressSize]);
      chunks.insert(slots[i] / progress_chunk_rows_);
    }
    const size_t chunk_bytes = static_cast<size_t>(progress_chunk_rows_) * log_format::kPackedProgressSize;
    for (int64_t c : chunks)
      if (!log_chunks::WriteWholeChunk(progress_ds_.get(), c, progress_chunk_rows_, &progress_bytes_[c * chunk_bytes],
                                       chunk_bytes, options_.checksum, &progress_stored_[c], &scratch_))
        return WriteFailed("/progress");
    if (H5Dflush(progress_ds_.get()) < 0) return WriteFailed("/progress");
    // Closed after each commit: a reader in this process that opens /progress then gets HDF5's dataset state
    // anew (it shares an open dataset's chunk lookup state, which direct chunk writes leave stale).
    progress_ds_ = h5::Handle();
    return absl::OkStatus();
  }

  absl::Status WriteFailed(const std::string& dataset) {
    const int err = errno;
    std::string os;
    if (err == ENOSPC || err == EFBIG || err == EDQUOT || err == EIO) os = absl::StrCat(": ", std::strerror(err));
    return Fail(absl::DataLossError(
        absl::StrCat(target_, ": cannot write the log", os, " (", dataset, "; HDF5: ", h5::LastErrorDetail(), ")")));
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::thread timer_;
  bool stop_ = false;
  h5::File file_;
  WriteLock lock_;         // of the file being written (its temporary name until placed)
  WriteLock target_lock_;  // of the old log that overwrite replaces at Close
  const std::string target_;
  bool placed_;
  const int num_decisions_;
  const log_format::RowCodec codec_;
  const std::vector<std::string> labels_;  // the method labels, in order of first appearance
  const std::vector<int> label_of_;         // each slot's index into labels_ and tables_
  const std::vector<int32_t> run_of_;
  const int num_slots_;
  const LogWriterOptions options_;
  int flush_every_;
  uint64_t reserved_;
  const uint64_t identity_;  // of the log's root attributes, in its journal's header
  const int64_t chunk_rows_;
  absl::Status failed_;
  std::map<int, PendingRows> pending_;  // the runs with episodes (or a finish) since their last commit
  int last_slot_ = -1;                  // the slot of the last Append and its entry (map entries stay put)
  PendingRows* last_pending_ = nullptr;
  int64_t pending_total_ = 0;  // episodes in pending_
  std::vector<Progress> progress_;  // acknowledged
  std::vector<LabelTables> tables_;
  h5::Handle progress_ds_;
  std::vector<bool> finished_;
  const int64_t progress_chunk_rows_;
  std::vector<char> progress_bytes_;   // every /progress row as stored (packed), zero beyond the last slot
  std::vector<size_t> progress_stored_;  // stored size of each /progress chunk's current copy
  std::vector<unsigned char> scratch_;
  log_journal::Writer journal_;  // with commits by count: acknowledges episodes ahead of the HDF5 commits
};

// Removes the temporary file of a Create that failed.
class RemoveOnFailure {
 public:
  explicit RemoveOnFailure(std::string path) : path_(std::move(path)) {}
  ~RemoveOnFailure() { if (!path_.empty()) ::unlink(path_.c_str()); }
  void Keep() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> EpisodeLogWriter::Create(
    const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
    const std::vector<RunSlot>& slots, const LogWriterOptions& options) {
  SlotSource source;
  source.count = static_cast<int64_t>(slots.size());
  source.at = [&slots](int64_t i) { return slots[static_cast<size_t>(i)]; };
  return Create(path, attributes, num_decisions, source, options);
}

absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> EpisodeLogWriter::Create(
    const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
    const SlotSource& slots, const LogWriterOptions& options) {
  h5::DisableErrorPrinting();
  if (num_decisions < 1) return Invalid(path, absl::StrCat("num_decisions must be positive, got ", num_decisions));
  if (options.flush_every < 0) return Invalid(path, absl::StrCat("flush_every must be >= 0, got ", options.flush_every));
  if (options.flush_interval_ms < 0)
    return Invalid(path, absl::StrCat("flush_interval_ms must be >= 0, got ", options.flush_interval_ms));
  for (const auto& [key, value] : attributes)
    if (key.empty() || In(kRootReserved, key))
      return Invalid(path, absl::StrCat("log attribute name '", key, "' is reserved by the log format"));
  if (slots.count < 0 || slots.count > std::numeric_limits<int>::max())
    return Invalid(path, absl::StrCat(slots.count, " run slots cannot be logged"));
  // Each slot's label (an index into `labels`) and run number: all the writer keeps of a slot.
  std::vector<std::string> labels;
  std::vector<int> label_of;
  std::vector<int32_t> run_of;
  {
    std::map<std::string, int> label_index;
    label_of.reserve(slots.count);
    run_of.reserve(slots.count);
    for (int64_t i = 0; i < slots.count; ++i) {
      const RunSlot r = slots.at(i);
      NAS_RETURN_IF_ERROR(CheckSlot(path, r));
      auto [it, added] = label_index.insert({r.label, static_cast<int>(labels.size())});
      if (added) labels.push_back(r.label);
      label_of.push_back(it->second);
      run_of.push_back(r.run);
    }
    std::vector<std::pair<int, int32_t>> keys(slots.count);  // (label, run): each planned once
    for (int64_t i = 0; i < slots.count; ++i) keys[i] = {label_of[i], run_of[i]};
    std::sort(keys.begin(), keys.end());
    for (size_t i = 1; i < keys.size(); ++i)
      if (keys[i] == keys[i - 1])
        return absl::AlreadyExistsError(
            absl::StrCat(path, ": run '", labels[keys[i].first], "' #", keys[i].second, " is planned twice"));
  }
  // An existing log that another process is writing is refused before anything touches it; with overwrite
  // its lock is held until the new log replaces it at Close.
  WriteLock target_lock;
  struct stat st;
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (options.replace_on_publish) {
    if (!exists) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  } else if (exists) {
    if (!options.overwrite) return absl::AlreadyExistsError(absl::StrCat(path, ": already exists; refusing to overwrite it"));
    NAS_ASSIGN_OR_RETURN(target_lock, WriteLock::Take(path));
  }
  // Locked before anything is written: no other process can write under this name.
  NAS_ASSIGN_OR_RETURN(WriteLock lock, WriteLock::CreateUnique(path));
  const std::string tmp = lock.path();
  RemoveOnFailure cleanup(tmp);
  NAS_ASSIGN_OR_RETURN(h5::File file, h5::File::CreateSwmr(tmp, /*overwrite=*/true));
  // Room for the metadata written below (when HDF5's cache evicts it, and at the close).
  uint64_t reserved = 0;
  NAS_RETURN_IF_ERROR(
      log_file::Reserve(lock.fd(), FileEnd(file.id()), (uint64_t{64} << 10) + slots.count * 512, &reserved, path));
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "format", log_format::kFormat));
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "format_version", log_format::kFormatVersion));
  std::map<std::string, std::string> all = attributes;
  all["flush_every"] = std::to_string(options.flush_every);
  all["flush_interval_ms"] = std::to_string(options.flush_interval_ms);
  for (const auto& [key, value] : all) NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", key, value));
  NAS_RETURN_IF_ERROR(file.CreateGroup("/runs", /*track_order=*/true));
  const hsize_t num_slots = static_cast<hsize_t>(slots.count);
  // Packed in the file: the in-memory row's padding bytes are not stored (they differ from run to run).
  const h5::Handle progress_type = log_format::PackedProgressType();
  NAS_RETURN_IF_ERROR(CreateDataset(file, "/progress", progress_type.get(), num_slots, num_slots,
                                    std::min<hsize_t>(num_slots, log_format::kProgressChunkRows), options.checksum));
  NAS_RETURN_IF_ERROR(log_format::WriteSlots(file.id(), path, slots, options.checksum));
  // One group per method label with its shared, extendible episodes and curves (a run column tells the runs apart).
  const log_format::RowCodec codec(num_decisions, /*with_fidelity=*/true, /*with_run=*/true);
  const h5::Handle curve_type = log_format::RunCurveType();
  const hsize_t chunk_rows = static_cast<hsize_t>(ChunkRowsFor(options));
  for (const std::string& label : labels) {
    const std::string group = absl::StrCat("/runs/", label);
    NAS_RETURN_IF_ERROR(file.CreateGroup(group));
    NAS_RETURN_IF_ERROR(
        CreateDataset(file, group + "/episodes", codec.type(), 0, H5S_UNLIMITED, chunk_rows, options.checksum));
    NAS_RETURN_IF_ERROR(
        CreateDataset(file, group + "/curves", curve_type.get(), 0, H5S_UNLIMITED, chunk_rows, options.checksum));
  }
  // Close and reopen in SWMR-write mode (the file's objects all exist; SWMR writing only appends to them).
  NAS_RETURN_IF_ERROR(file.Close());
  NAS_RETURN_IF_ERROR(log_file::TrimToEnd(lock.fd(), tmp));
  NAS_ASSIGN_OR_RETURN(file, h5::File::OpenSwmrWriter(tmp));
  reserved = 0;
  bool placed = false;
  if (!exists && !options.replace_on_publish) {
    NAS_RETURN_IF_ERROR(log_file::PlaceNoReplace(tmp, path));
    placed = true;
  }
  cleanup.Keep();
  return std::unique_ptr<EpisodeLogWriter>(new H5EpisodeLogWriter(std::move(file), std::move(lock),
                                                                  std::move(target_lock), path, placed, num_decisions,
                                                                  std::move(label_of), std::move(run_of),
                                                                  std::move(labels), options, reserved,
                                                                  log_journal::Identity(all)));
}

absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> EpisodeLogWriter::Create(
    const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
    const std::vector<RunSlot>& slots, bool overwrite, int flush_every) {
  if (flush_every < 1) return Invalid(path, absl::StrCat("flush_every must be >= 1, got ", flush_every));
  LogWriterOptions options;
  options.overwrite = overwrite;
  options.flush_every = flush_every;
  options.flush_interval_ms = 0;
  return Create(path, attributes, num_decisions, slots, options);
}

absl::Status EpisodeLogWriter::WriteAll(const std::string& path, const std::map<std::string, std::string>& attributes,
                                        int num_decisions, const std::vector<RunLog>& runs, bool overwrite) {
  std::vector<RunSlot> slots;
  for (const RunLog& r : runs) slots.push_back(RunSlot{r.label, r.method, r.run, r.attributes});
  LogWriterOptions options;  // one commit per run, at its end (flush_every 0, no timer)
  options.overwrite = overwrite;
  options.flush_every = options.flush_interval_ms = 0;
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<EpisodeLogWriter> w, Create(path, attributes, num_decisions, slots, options));
  for (size_t slot = 0; slot < runs.size(); ++slot) {
    for (const Episode& e : runs[slot].episodes) NAS_RETURN_IF_ERROR(w->Append(static_cast<int>(slot), e));
    if (runs[slot].complete) NAS_RETURN_IF_ERROR(w->FinishRun(static_cast<int>(slot)));
  }
  return w->Close();
}

}  // namespace nas
