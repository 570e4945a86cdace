// The episode log's on-disk types, shared by the writer (episode_log.cc) and the reader (log_read.cc); not part
// of the log's API. The layout is documented in episode_log.h and nas/log/README.md ("Log format").
#ifndef NAS_LOG_LOG_FORMAT_H_
#define NAS_LOG_LOG_FORMAT_H_

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"

namespace nas::log_format {

inline constexpr char kFormat[] = "nas-log";
inline constexpr char kFormatVersion[] = "4";
inline constexpr char kRunGroupsVersion[] = "3";  // a group and datasets per run; still read
inline constexpr char kOldFormatVersion[] = "2";  // format 3 with a /completed list instead of /progress; still read
inline constexpr int64_t kChunkRows = 32;         // rows a chunk of the run datasets of format 3
// Rows a chunk of a method's episodes and curves (format 4; the HDF5 datasets are always group-committed,
// acknowledgements by count go to the journal, log_journal.h).
inline constexpr int64_t kGroupChunkRows = 1024;
inline constexpr int64_t kProgressChunkRows = 64;
inline constexpr int kFixedFields = 18;  // scalar episode fields stored in every layout (all but the fidelity)

// One row of /progress: what a run has acknowledged. Written in place after the rows it counts are flushed.
struct Progress {
  int64_t episodes = 0;    // acknowledged episodes (rows of episodes beyond it are ignored)
  int64_t curve_rows = 0;  // acknowledged rows of curves
  int8_t complete = 0;     // 1 once the run finished
};

// Packed episode row: the fields of record::kEpisodeFields in order (the actions as int32 a0..a{D-1}), without
// the trailing optional fidelity when `with_fidelity` is false (logs written without it; read as
// kFidelityUnrecorded).
// `with_run`: the row starts with the run number (int32 "run"; format 4, where a method's runs share datasets).
class RowCodec {
 public:
  explicit RowCodec(int num_decisions, bool with_fidelity = true, bool with_run = false);
  bool with_fidelity() const { return with_fidelity_; }
  bool with_run() const { return with_run_; }
  hid_t type() const { return type_.get(); }
  size_t size() const { return size_; }
  void Encode(const Episode& e, char* row, int32_t run = 0) const;
  void Decode(const char* row, Episode* e) const;
  static int32_t Run(const char* row);  // with_run rows

 private:
  int d_;
  bool with_fidelity_;
  bool with_run_;
  size_t size_;
  h5::Handle type_;
  // Encode's plan: the stored scalar fields as byte copies out of an Episode, fields adjacent in both merged.
  struct Copy {
    size_t from, to, len;
  };
  std::vector<Copy> copies_;
  size_t actions_at_ = 0;  // the actions' offset in the row
};

h5::Handle CurveType();     // curve rows (CurvePoint, record::kCurveFields), in memory and in the file
// Curve rows of format 4: the run number (int32 "run"), then the CurvePoint's fields, packed (76 bytes).
h5::Handle RunCurveType();
inline constexpr size_t kRunCurveSize = 4 + sizeof(CurvePoint);
void EncodeRunCurve(int32_t run, const CurvePoint& c, char* row);
void DecodeRunCurve(const char* row, int32_t* run, CurvePoint* c);
h5::Handle ProgressType();  // rows of /progress (Progress), in memory
// The packed file type of /progress (17 bytes a row); the writer writes it from PackProgress's bytes, so no
// HDF5 type conversion (which allocates and clears a 1 MiB buffer per write) runs per commit.
h5::Handle PackedProgressType();
inline constexpr size_t kPackedProgressSize = 17;
void PackProgress(const Progress& p, char* row);

// The number of decisions of an episodes dataset's compound type, checking every member name, and whether it
// has the trailing fidelity field.
absl::Status DecisionsOf(hid_t dataset, const std::string& path, const std::string& name, int* decisions,
                         bool* has_fidelity, bool with_run = false);

// /slots of format 4: one row per run (label, method, run, and its attributes as "key=value" lines, the value's
// backslashes and newlines escaped), fixed-length strings.
// Written in blocks of rows, asking `slots` for each slot twice (the strings' widths, then the rows).
absl::Status WriteSlots(hid_t file, const std::string& path, const SlotSource& slots, bool checksum);
absl::Status ReadSlots(hid_t file, const std::string& path, std::vector<RunLog>* runs);

// Rows [0, count) of a 1-D dataset (`count` < 0: all of them), read chunk by chunk into `out` as `mem_type`.
// A chunk that cannot be read fails (ReadError), or, when `bad_chunks` is given, is recorded there (its rows are
// left zero) with the error in `*damage`. Fails when the dataset holds fewer than `count` rows.
absl::Status ReadRows(hid_t file, const std::string& path, const std::string& name, hid_t mem_type, size_t row_size,
                      int64_t count, std::vector<char>* out, int64_t* rows,
                      std::vector<std::pair<int64_t, int64_t>>* bad_rows = nullptr, std::string* damage = nullptr);

// Opens the 1-D dataset `name` into `*ds` and its dataspace into `*space`; a `*count` < 0 becomes its number of
// rows, and a `*count` beyond it fails (a corrupt or truncated log).
absl::Status OpenRows(hid_t file, const std::string& path, const std::string& name, int64_t* count, h5::Handle* ds,
                      h5::Handle* space);

// Format 4's runs: reads /slots, the methods' episodes and curves, and gives every run its acknowledged rows
// (`progress` empty: every row the datasets hold, unfinished). `keep_intact`: a run with rows in a chunk that
// cannot be read gets `damage` and no episodes; the other runs are kept.
absl::Status ReadRunTables(hid_t file, const std::string& path, const std::vector<Progress>* progress,
                           bool keep_intact, LogFile* log);

absl::Status Invalid(const std::string& path, const std::string& what);

// A failed H5Dread of `dataset`: "corrupt" (naming the checksum) when HDF5's Fletcher32 check failed.
absl::Status ReadError(const std::string& path, const std::string& dataset);

}  // namespace nas::log_format

#endif  // NAS_LOG_LOG_FORMAT_H_
