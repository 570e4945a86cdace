#include "nas/log/log_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "nas/util/status.h"

namespace nas::log_journal {
namespace {

constexpr char kMagic[8] = {'N', 'A', 'S', 'J', 'R', 'N', 'L', '1'};
constexpr size_t kHeaderSize = 40, kRecordHead = 8, kBodyHead = 16;

uint32_t Crc(const char* data, size_t n) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
}

template <typename T>
void Put(char* at, T v) {
  std::memcpy(at, &v, sizeof v);
}
template <typename T>
T Get(const char* at) {
  T v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

absl::Status WriteAll(int fd, const char* data, size_t n, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const ssize_t w = ::pwrite(fd, data + done, n - done, static_cast<off_t>(offset + done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      return absl::DataLossError(absl::StrCat(path, ": cannot write the log: ", std::strerror(w < 0 ? errno : EIO)));
    done += static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

std::string PathOf(const std::string& log_path) { return log_path + ".journal"; }

uint64_t Identity(const std::map<std::string, std::string>& attributes) {
  std::string lines;
  for (const auto& [key, value] : attributes) absl::StrAppend(&lines, key, "=", value, "\n");
  const auto* bytes = reinterpret_cast<const Bytef*>(lines.data());
  const uint64_t crc = crc32(0L, bytes, static_cast<uInt>(lines.size()));
  const uint64_t adler = adler32(1L, bytes, static_cast<uInt>(lines.size()));
  return crc << 32 | (adler & 0xffffffffu);
}

Writer::~Writer() { Close(false); }

absl::Status Writer::Open(const std::string& log_path, const std::string& log_name, uint64_t identity,
                          uint32_t row_size, uint32_t curve_size) {
  Close(false);
  path_ = PathOf(log_path);
  name_ = log_name;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return absl::DataLossError(
        absl::StrCat(name_, ": cannot write the log: ", std::strerror(errno), " (its journal ", path_, ")"));
  row_size_ = row_size;
  curve_size_ = curve_size;
  char h[kHeaderSize] = {};
  std::memcpy(h, kMagic, 8);
  Put<uint64_t>(h + 8, identity);
  Put<uint32_t>(h + 24, row_size);
  Put<uint32_t>(h + 28, curve_size);
  Put<uint32_t>(h + 32, Crc(h, 32));
  end_ = 0;
  if (absl::Status s = WriteAll(fd_, h, kHeaderSize, 0, name_); !s.ok()) return s;
  end_ = kHeaderSize;
  return absl::OkStatus();
}

absl::Status Writer::Append(uint8_t kind, int32_t slot, const char* rows, uint32_t num_rows, const char* curves,
                            uint32_t num_curves) {
  const size_t body = kBodyHead + size_t{num_rows} * row_size_ + size_t{num_curves} * curve_size_;
  buffer_.resize(kRecordHead + body);
  char* b = buffer_.data() + kRecordHead;
  std::memset(b, 0, kBodyHead);
  b[0] = static_cast<char>(kind);
  Put<int32_t>(b + 4, slot);
  Put<uint32_t>(b + 8, num_rows);
  Put<uint32_t>(b + 12, num_curves);
  if (num_rows > 0) std::memcpy(b + kBodyHead, rows, size_t{num_rows} * row_size_);
  if (num_curves > 0) std::memcpy(b + kBodyHead + size_t{num_rows} * row_size_, curves, size_t{num_curves} * curve_size_);
  Put<uint32_t>(buffer_.data(), static_cast<uint32_t>(body));
  Put<uint32_t>(buffer_.data() + 4, Crc(b, body));
  if (absl::Status s = WriteAll(fd_, buffer_.data(), buffer_.size(), end_, name_); !s.ok()) return s;
  end_ += buffer_.size();
  return absl::OkStatus();
}

void Writer::Close(bool remove) {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (remove) ::unlink(path_.c_str());
}

absl::Status Scan(const std::string& log_path, const log_format::RowCodec& codec, LogFile* log,
                  std::vector<int64_t>* have, const std::function<absl::Status(int, Episode&&)>& each,
                  int64_t* applied) {
  *applied = 0;
  const std::string path = PathOf(log_path);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return absl::OkStatus();  // no journal: the HDF5 datasets hold everything
  struct Closer {
    std::FILE* f;
    ~Closer() { std::fclose(f); }
  } closer{f};
  char h[kHeaderSize];
  const bool ours = std::fread(h, 1, kHeaderSize, f) == kHeaderSize && std::memcmp(h, kMagic, 8) == 0 &&
                    Get<uint32_t>(h + 32) == Crc(h, 32) && Get<uint64_t>(h + 8) == Identity(log->attributes) &&
                    Get<uint32_t>(h + 24) == codec.size() && Get<uint32_t>(h + 28) == log_format::kRunCurveSize;
  if (!ours) return absl::OkStatus();
  const int64_t num_slots = static_cast<int64_t>(log->runs.size());
  std::map<int64_t, bool> stopped;  // runs whose journal rows stopped matching (a gap): nothing more applies
  std::vector<char> body;
  char head[kRecordHead];
  while (std::fread(head, 1, kRecordHead, f) == kRecordHead) {
    const uint32_t size = Get<uint32_t>(head);
    if (size < kBodyHead || size > (uint32_t{1} << 30)) break;
    body.resize(size);
    if (std::fread(body.data(), 1, size, f) != size || Crc(body.data(), size) != Get<uint32_t>(head + 4)) break;
    const uint8_t kind = static_cast<uint8_t>(body[0]);
    const int32_t slot = Get<int32_t>(body.data() + 4);
    const uint32_t rows = Get<uint32_t>(body.data() + 8), curves = Get<uint32_t>(body.data() + 12);
    if ((kind != kRows && kind != kRowsAndEnd) || slot < 0 || slot >= num_slots ||
        kBodyHead + uint64_t{rows} * codec.size() + uint64_t{curves} * log_format::kRunCurveSize != size)
      break;  // not a record of this log: stop
    RunLog& run = log->runs[slot];
    if (!run.damage.empty() || stopped.count(slot)) continue;
    const char* row = body.data() + kBodyHead;
    const char* curve_rows = row + size_t{rows} * codec.size();
    bool gap = false;
    for (uint32_t i = 0; i < rows && !gap; ++i, row += codec.size()) {
      Episode e;
      codec.Decode(row, &e);
      int64_t& count = (*have)[slot];
      if (log_format::RowCodec::Run(row) != run.run || e.index > count) {
        gap = true;
      } else if (e.index == count) {
        for (uint32_t k = 0; k < curves; ++k) {
          int32_t r = 0;
          CurvePoint c;
          log_format::DecodeRunCurve(curve_rows + size_t{k} * log_format::kRunCurveSize, &r, &c);
          if (c.episode == e.index) e.curve.push_back(c);
        }
        ++count;
        ++*applied;
        if (each) NAS_RETURN_IF_ERROR(each(slot, std::move(e)));
      }
    }
    if (gap) {
      stopped[slot] = true;
      continue;
    }
    if (kind == kRowsAndEnd) run.complete = true;
  }
  return absl::OkStatus();
}

absl::Status Apply(const std::string& log_path, const log_format::RowCodec& codec, LogFile* log, int64_t* applied) {
  std::vector<int64_t> have(log->runs.size());
  for (size_t s = 0; s < log->runs.size(); ++s) have[s] = static_cast<int64_t>(log->runs[s].episodes.size());
  return Scan(log_path, codec, log, &have,
              [log](int slot, Episode&& e) {
                log->runs[slot].episodes.push_back(std::move(e));
                return absl::OkStatus();
              },
              applied);
}

}  // namespace nas::log_journal
