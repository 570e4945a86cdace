// The crash-safe journal of `nas build-table` (OUT.h5.journal): one text line per finished work item,
// appended and fsync'ed, so a killed build resumes where it stopped (--resume).
//
//   nas-build-journal 1 spec_sha256=<hex> shard=<i>/<n>
//   item <representative> <seed> <fidelity> <train_acc> <valid_acc> <test_acc> <train_time> <params_m> <flops_m> <check>
//
// Metrics are C99 hex floats ("%a"), so they read back bit for bit; <check> is the first 16 hex digits of the
// SHA-256 of the line before it. A last line without its newline or with a wrong check (a write torn by the
// kill) is ignored and cut off before appending; a bad line anywhere else is corruption (DataLoss).
#ifndef NAS_TABULATE_JOURNAL_H_
#define NAS_TABULATE_JOURNAL_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nas {

struct JournalRecord {
  int64_t representative = 0;
  uint64_t seed = 0;
  int fidelity = 0;  // epochs
  double train_acc = 0, valid_acc = 0, test_acc = 0;
  double train_time = 0;  // sum of the epochs' training wall seconds
  double params_m = 0, flops_m = 0;
};

std::string JournalHeader(const std::string& spec_sha256, const std::string& shard);
std::string FormatJournalRecord(const JournalRecord& r);  // with the check and the newline

struct JournalContents {
  std::string header;  // without the newline
  std::vector<JournalRecord> records;
  int64_t valid_bytes = 0;  // length of the intact prefix (header + whole, checked lines)
  bool torn_tail = false;
};

// Reads a journal; errors name the file (and the line for corruption).
absl::StatusOr<JournalContents> ReadJournal(const std::string& path);

// Appends records, one write + fsync each; thread-safe.
class JournalWriter {
 public:
  // Creates `path` (O_EXCL) with `header`.
  static absl::StatusOr<std::unique_ptr<JournalWriter>> Create(const std::string& path, const std::string& header);
  // Opens an existing journal for appending, first cutting it to `valid_bytes` (drops a torn tail).
  static absl::StatusOr<std::unique_ptr<JournalWriter>> Reopen(const std::string& path, int64_t valid_bytes);
  ~JournalWriter();
  absl::Status Append(const JournalRecord& record);

 private:
  JournalWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  absl::Status WriteAll(const std::string& data);
  std::string path_;
  int fd_;
  std::mutex mu_;
};

}  // namespace nas

#endif  // NAS_TABULATE_JOURNAL_H_
