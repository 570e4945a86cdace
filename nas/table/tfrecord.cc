#include "nas/table/tfrecord.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace nas {
namespace {

constexpr size_t kBufferSize = 1 << 20;
constexpr uint64_t kMaxRecordBytes = uint64_t{1} << 30;  // a sanity bound; nasbench's records are < 2 KB

// Slice-by-8 tables for the reflected Castagnoli polynomial.
struct Crc32cTables {
  uint32_t t[8][256];
  Crc32cTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
};
const Crc32cTables& Tables() {
  static const Crc32cTables* const tables = new Crc32cTables();
  return *tables;
}

uint64_t LoadLe64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint32_t LoadLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
void StoreLe(uint64_t v, int bytes, char* out) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

absl::Status OpenError(const std::string& path, const char* what) {
  const int err = errno;
  const std::string msg = absl::StrCat(path, ": cannot ", what, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}

}  // namespace

uint32_t Crc32c(const void* data, size_t size, uint32_t crc) {
  const auto& t = Tables().t;
  const unsigned char* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  while (size >= 8) {
    const uint32_t lo = crc ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^ t[3][p[4]] ^
          t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    size -= 8;
  }
  while (size--) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
  return ~crc;
}

uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282d8u; }

std::string FrameTfRecord(absl::string_view data) {
  std::string out(12, '\0');
  StoreLe(data.size(), 8, &out[0]);
  StoreLe(MaskCrc32c(Crc32c(out.data(), 8)), 4, &out[8]);
  out.append(data.data(), data.size());
  char crc[4];
  StoreLe(MaskCrc32c(Crc32c(data.data(), data.size())), 4, crc);
  out.append(crc, 4);
  return out;
}

absl::StatusOr<std::unique_ptr<TfRecordReader>> TfRecordReader::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return OpenError(path, "open");
  return std::unique_ptr<TfRecordReader>(new TfRecordReader(path, f));
}

TfRecordReader::TfRecordReader(std::string path, std::FILE* file)
    : path_(std::move(path)), file_(file), buffer_(kBufferSize) {}

TfRecordReader::~TfRecordReader() { std::fclose(file_); }

size_t TfRecordReader::Read(char* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    if (pos_ == end_) {
      if (n - done >= buffer_.size()) {  // large payloads bypass the buffer
        const size_t want = n - done;
        const size_t got = std::fread(out + done, 1, want, file_);
        done += got;
        if (got < want) {
          if (std::ferror(file_)) read_error_ = true;
          break;
        }
        continue;
      }
      pos_ = 0;
      end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
      if (end_ == 0) {
        if (std::ferror(file_)) read_error_ = true;
        break;
      }
    }
    const size_t take = std::min(n - done, end_ - pos_);
    std::memcpy(out + done, buffer_.data() + pos_, take);
    pos_ += take;
    done += take;
  }
  offset_ += static_cast<int64_t>(done);
  return done;
}

absl::Status TfRecordReader::Error(const std::string& what) const {
  return absl::DataLossError(absl::StrCat(path_, ": record ", record_, " (byte offset ", offset_, "): ", what));
}

absl::StatusOr<bool> TfRecordReader::Next(std::string* data) {
  char header[12];
  const size_t got = Read(header, sizeof header);
  if (read_error_) return Error("read error");
  if (got == 0) return false;
  if (got < sizeof header) return Error(absl::StrCat("truncated: only ", got, " of the 12 header bytes"));
  const uint64_t length = LoadLe64(header);
  if (MaskCrc32c(Crc32c(header, 8)) != LoadLe32(header + 8))
    return Error("length CRC mismatch (corrupt length field)");
  if (length > kMaxRecordBytes) return Error(absl::StrCat("implausible record length ", length));
  data->resize(static_cast<size_t>(length));
  const size_t body = Read(data->empty() ? nullptr : &(*data)[0], data->size());
  if (read_error_) return Error("read error");
  if (body < data->size())
    return Error(absl::StrCat("truncated: only ", body, " of ", length, " data bytes"));
  char footer[4];
  const size_t fgot = Read(footer, sizeof footer);
  if (read_error_) return Error("read error");
  if (fgot < sizeof footer) return Error("truncated: the data CRC is missing");
  if (MaskCrc32c(Crc32c(data->data(), data->size())) != LoadLe32(footer))
    return Error("data CRC mismatch (corrupt record data)");
  ++record_;
  return true;
}

absl::StatusOr<std::unique_ptr<TfRecordWriter>> TfRecordWriter::Create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return OpenError(path, "create");
  return std::unique_ptr<TfRecordWriter>(new TfRecordWriter(path, f));
}

TfRecordWriter::~TfRecordWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

absl::Status TfRecordWriter::Write(absl::string_view data) {
  const std::string framed = FrameTfRecord(data);
  if (file_ == nullptr || std::fwrite(framed.data(), 1, framed.size(), file_) != framed.size())
    return absl::UnavailableError(absl::StrCat(path_, ": write failed"));
  return absl::OkStatus();
}

absl::Status TfRecordWriter::Close() {
  if (file_ == nullptr) return absl::OkStatus();
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return absl::UnavailableError(absl::StrCat(path_, ": close failed: ", std::strerror(errno)));
  return absl::OkStatus();
}

}  // namespace nas
