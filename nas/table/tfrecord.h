// TFRecord files (TensorFlow's record framing), read as a stream with a fixed buffer. Each record:
//   uint64 length (little endian), uint32 masked CRC-32C of those 8 bytes, `length` data bytes,
//   uint32 masked CRC-32C of the data; mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282d8.
#ifndef NAS_TABLE_TFRECORD_H_
#define NAS_TABLE_TFRECORD_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nas {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven; `crc` continues a previous value.
uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);
uint32_t MaskCrc32c(uint32_t crc);

class TfRecordReader {
 public:
  // NotFound / PermissionDenied / Unavailable naming the file.
  static absl::StatusOr<std::unique_ptr<TfRecordReader>> Open(const std::string& path);
  ~TfRecordReader();

  // Reads the next record into `data` (reusing its capacity): true, or false at a clean end of file.
  // DataLoss naming the file and the record number (0-based) for a truncated record or a CRC mismatch.
  absl::StatusOr<bool> Next(std::string* data);
  // Number of records returned so far (the number of the next record).
  int64_t record_number() const { return record_; }
  // Bytes consumed so far.
  int64_t offset() const { return offset_; }

 private:
  TfRecordReader(std::string path, std::FILE* file);
  // Copies exactly n bytes into out; returns the number copied (< n only at end of file).
  size_t Read(char* out, size_t n);
  absl::Status Error(const std::string& what) const;

  std::string path_;
  std::FILE* file_;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  int64_t record_ = 0;
  int64_t offset_ = 0;
  bool read_error_ = false;
};

// Appends records with correct CRCs (tests, benchmarks, synthetic files).
class TfRecordWriter {
 public:
  static absl::StatusOr<std::unique_ptr<TfRecordWriter>> Create(const std::string& path);
  ~TfRecordWriter();
  absl::Status Write(absl::string_view data);
  absl::Status Close();

 private:
  TfRecordWriter(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  std::FILE* file_;
};

// One framed record as bytes (for tests that build or corrupt files in memory).
std::string FrameTfRecord(absl::string_view data);

}  // namespace nas

#endif  // NAS_TABLE_TFRECORD_H_
