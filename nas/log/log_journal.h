// The episode log's write-ahead journal (not part of its API; described in nas/log/README.md, "Crash safety").
//
// With commits by count (`flush_every` > 0) an episode is acknowledged once its record is in the journal, a
// file beside the log (`LOG.h5.journal`) that is only ever appended to, one pwrite(2) per acknowledgement:
//
//   header  40 bytes: "NASJRNL1", the identity of the log it belongs to (u64: CRC-32 and Adler-32 of its root
//           attributes as "key=value" lines, which hold the config, created_utc, host and provenance), 8 zero
//           bytes, the episode row size and the curve row size (u32 each), the CRC-32 of the 32 bytes before
//           it, 4 zero bytes.
//   record  u32 body size, u32 CRC-32 of the body, then the body: u8 kind (1 rows, 2 rows and the run's end),
//           3 zero bytes, i32 slot, u32 episode rows, u32 curve rows, the episode rows (the packed rows of the
//           run's episodes datasets, run column first), the curve rows.
//
// The HDF5 datasets are committed in groups (the writer's pending bound, the timer, Close). A reader applies,
// per run, the journal's rows beyond what /progress acknowledges, in order, and stops at the first record that
// is torn (its CRC does not match, or it is cut short by the end of the file). A journal whose header names
// another log (a stale journal of a replaced or resumed log) is ignored. Copied together, a log and its journal
// stay a pair.
#ifndef NAS_LOG_LOG_JOURNAL_H_
#define NAS_LOG_LOG_JOURNAL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nas/log/episode_log.h"
#include "nas/log/log_format.h"

namespace nas::log_journal {

std::string PathOf(const std::string& log_path);

// The identity of a log with these root attributes (all but format and format_version).
uint64_t Identity(const std::map<std::string, std::string>& attributes);

inline constexpr uint8_t kRows = 1, kRowsAndEnd = 2;

// Appends records to a new journal of the log file at `log_path` (created, or truncated, by Open); errors name
// `log_name`.
class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();
  absl::Status Open(const std::string& log_path, const std::string& log_name, uint64_t identity, uint32_t row_size,
                    uint32_t curve_size);
  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // One record, written with one pwrite(2) (more only when the kernel writes it short). On an error the record
  // may be torn: readers ignore it and everything after it.
  absl::Status Append(uint8_t kind, int32_t slot, const char* rows, uint32_t num_rows, const char* curves,
                      uint32_t num_curves);
  // Closes the journal; `remove`: unlinks it (every record it holds is committed to the HDF5 file).
  void Close(bool remove);

 private:
  int fd_ = -1;
  std::string path_, name_;
  uint32_t row_size_ = 0, curve_size_ = 0;
  uint64_t end_ = 0;
  std::vector<char> buffer_;
};

// Applies `log_path`'s journal (if any) to `log`, whose runs hold what /progress acknowledges: each run gets
// the journal's following rows (and their curves), and complete when its end is journaled after its last row.
// Damaged runs get nothing. `*applied`: the number of episodes added. Errors only for a journal that cannot be
// read at all (a torn or foreign journal is not an error).
absl::Status Apply(const std::string& log_path, const log_format::RowCodec& codec, LogFile* log, int64_t* applied);

// Apply's walk without holding the rows: `(*have)[slot]` is what run `slot` holds (advanced by every row
// applied); `each` (may be empty) gets each applied episode with its curves. Sets `complete` of the runs whose
// end is journaled after their last row.
absl::Status Scan(const std::string& log_path, const log_format::RowCodec& codec, LogFile* log,
                  std::vector<int64_t>* have, const std::function<absl::Status(int, Episode&&)>& each,
                  int64_t* applied);

}  // namespace nas::log_journal

#endif  // NAS_LOG_LOG_JOURNAL_H_
