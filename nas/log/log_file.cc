#include "nas/log/log_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nas/log/episode_log.h"
#include "nas/util/status.h"

namespace nas::log_file {
namespace {

absl::Status OsError(const std::string& path, const std::string& what, int err) {
  const std::string msg = absl::StrCat(path, ": ", what, ": ", std::strerror(err));
  if (err == ENOSPC || err == EFBIG || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::FailedPreconditionError(msg);
}

bool Lock(int fd) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(1) << 40;  // a byte HDF5 never uses
  fl.l_len = 1;
  return fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

}  // namespace

absl::StatusOr<WriteLock> WriteLock::Take(const std::string& path) {
  WriteLock lock;
  lock.fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (lock.fd_ < 0)
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open for locking: ", std::strerror(errno)));
  lock.path_ = path;
  if (!Lock(lock.fd_))
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": another nas process is writing this log (it holds the log's write lock)"));
  return lock;
}

absl::StatusOr<WriteLock> WriteLock::CreateUnique(const std::string& target) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int attempt = 0; attempt < 100; ++attempt) {
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
      for (unsigned char& b : bytes) b = static_cast<unsigned char>(getpid() * 31 + attempt * 7 + (&b - bytes));
    std::string name = target + ".";
    for (unsigned char b : bytes) name += kChars[b % (sizeof kChars - 1)];
    name += ".partial";
    WriteLock lock;
    lock.fd_ = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (lock.fd_ < 0) {
      if (errno == EEXIST) continue;
      return OsError(target, "cannot create the new log next to it", errno);
    }
    lock.path_ = name;
    if (!Lock(lock.fd_)) return absl::InternalError(absl::StrCat(name, ": cannot lock a file just created"));
    return lock;
  }
  return absl::InternalError(absl::StrCat(target, ": no unused temporary name after 100 attempts"));
}

WriteLock::WriteLock(WriteLock&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }

WriteLock& WriteLock::operator=(WriteLock&& o) noexcept {
  std::swap(fd_, o.fd_);
  std::swap(path_, o.path_);
  return *this;
}

WriteLock::~WriteLock() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status PlaceNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return absl::OkStatus();
  if (errno == EEXIST)
    return absl::AlreadyExistsError(absl::StrCat(to, ": already exists (another process created it first); "
                                                 "refusing to overwrite it"));
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    return OsError(to, "cannot move the new log into place", errno);
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST)
      return absl::AlreadyExistsError(absl::StrCat(to, ": already exists (another process created it first); "
                                                   "refusing to overwrite it"));
    return OsError(to, "cannot move the new log into place", errno);
  }
  ::unlink(from.c_str());
  return absl::OkStatus();
}

absl::Status Reserve(int fd, uint64_t hdf5_end, uint64_t bytes, uint64_t* reserved, const std::string& log_name) {
  const uint64_t want = hdf5_end + bytes;
  if (want <= *reserved) return absl::OkStatus();
  // Some headroom, so that a log growing steadily reserves about once per 1/8 of its size.
  const uint64_t target = want + std::max<uint64_t>(uint64_t{64} << 10, hdf5_end / 8);
  int err = posix_fallocate(fd, 0, static_cast<off_t>(target));
  if (err != 0 && target > want) err = posix_fallocate(fd, 0, static_cast<off_t>(want));  // without headroom
  if (err != 0) return OsError(log_name, "cannot write the log", err);
  *reserved = err == 0 && target > want ? target : want;
  struct stat st;
  if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) > *reserved) *reserved = st.st_size;
  return absl::OkStatus();
}

absl::Status TrimToEnd(int fd, const std::string& path) {
  // Superblock v2/v3 (HDF5 file format spec, "Superblock"): signature (8), version (1), sizes of offsets and
  // lengths (1 + 1), flags (1), base address, extension address, end-of-file address (8 each), ...
  unsigned char sb[36];
  static const unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  absl::Status status = absl::OkStatus();
  if (::pread(fd, sb, sizeof sb, 0) == static_cast<ssize_t>(sizeof sb) && std::memcmp(sb, kSignature, 8) == 0 &&
      (sb[8] == 2 || sb[8] == 3) && sb[9] == 8) {
    uint64_t base = 0, eoa = 0;
    for (int i = 7; i >= 0; --i) base = (base << 8) | sb[12 + i], eoa = (eoa << 8) | sb[28 + i];
    struct stat st;
    if (fstat(fd, &st) == 0 && base == 0 && eoa > 0 && static_cast<uint64_t>(st.st_size) > eoa &&
        ::ftruncate(fd, static_cast<off_t>(eoa)) != 0)
      status = OsError(path, "cannot trim the closed log", errno);
  }
  return status;
}

}  // namespace nas::log_file

namespace nas {

// The log's write lock for callers outside the writer (episode_log.h).
using log_file::WriteLock;

struct LogLock::Impl {
  WriteLock lock;
};
LogLock::LogLock() : impl_(new Impl) {}
LogLock::LogLock(LogLock&&) noexcept = default;
LogLock& LogLock::operator=(LogLock&&) noexcept = default;
LogLock::~LogLock() = default;

absl::StatusOr<LogLock> LogLock::Take(const std::string& path) {
  LogLock l;
  NAS_ASSIGN_OR_RETURN(l.impl_->lock, WriteLock::Take(path));
  return l;
}

absl::Status CheckNotBeingWritten(const std::string& path) { return WriteLock::Take(path).status(); }

}  // namespace nas
