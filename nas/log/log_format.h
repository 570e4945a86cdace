// The episode log's on-disk types, shared by the writer (episode_log.cc) and the reader (log_read.cc); not part
// of the log's API. The layout is documented in episode_log.h and nas/log/README.md ("Log format").
#ifndef NAS_LOG_LOG_FORMAT_H_
#define NAS_LOG_LOG_FORMAT_H_

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"

namespace nas::log_format {

inline constexpr char kFormat[] = "nas-log";
inline constexpr char kFormatVersion[] = "3";
inline constexpr char kOldFormatVersion[] = "2";  // /completed list instead of /progress; still read
inline constexpr int64_t kChunkRows = 32;
inline constexpr int64_t kProgressChunkRows = 64;
inline constexpr int kFixedFields = 18;  // episode fields besides the actions and the trailing fidelity
inline constexpr char kFidelityField[] = "fidelity";  // int32, last; absent in logs written before it

// One row of /progress: what a run has acknowledged. Written in place after the rows it counts are flushed.
struct Progress {
  int64_t episodes = 0;    // acknowledged episodes (rows of episodes beyond it are ignored)
  int64_t curve_rows = 0;  // acknowledged rows of curves
  int8_t complete = 0;     // 1 once the run finished
};

// Packed episode row: index, arch, a0..a{D-1} (int32), then the tail fields (8 bytes each), then fidelity
// (int32; `with_fidelity` false: the layout of logs written without it, read as kFidelityUnrecorded).
class RowCodec {
 public:
  explicit RowCodec(int num_decisions, bool with_fidelity = true);
  bool with_fidelity() const { return with_fidelity_; }
  hid_t type() const { return type_.get(); }
  size_t size() const { return size_; }
  void Encode(const Episode& e, char* row) const;
  void Decode(const char* row, Episode* e) const;

 private:
  int d_;
  bool with_fidelity_;
  size_t size_;
  h5::Handle type_;
};

h5::Handle CurveType();     // rows of /runs/<label>/<run>/curves (CurvePoint)
h5::Handle ProgressType();  // rows of /progress (Progress), in memory
// The packed file type of /progress (17 bytes a row); the writer writes it from PackProgress's bytes, so no
// HDF5 type conversion (which allocates and clears a 1 MiB buffer per write) runs per commit.
h5::Handle PackedProgressType();
inline constexpr size_t kPackedProgressSize = 17;
void PackProgress(const Progress& p, char* row);

// The number of decisions of an episodes dataset's compound type, checking every member name, and whether it
// has the trailing fidelity field.
absl::Status DecisionsOf(hid_t dataset, const std::string& path, const std::string& name, int* decisions,
                         bool* has_fidelity);

absl::Status Invalid(const std::string& path, const std::string& what);

// A failed H5Dread of `dataset`: "corrupt" (naming the checksum) when HDF5's Fletcher32 check failed.
absl::Status ReadError(const std::string& path, const std::string& dataset);

}  // namespace nas::log_format

#endif  // NAS_LOG_LOG_FORMAT_H_
