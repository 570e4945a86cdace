// File-system side of the episode log (not part of its API): the advisory write lock, unique temporary
// names, no-replace placement, and reserving disk space ahead of HDF5 so that a full disk or a file-size limit
// is met by a failed reservation (the file stays consistent) instead of by a failed write inside HDF5.
#ifndef NAS_LOG_LOG_FILE_H_
#define NAS_LOG_LOG_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nas::log_file {

// An open file description lock (fcntl F_OFD_SETLK) on a byte HDF5 never uses: HDF5's flock-based locking
// does not see it, so SWMR readers keep working. Released when the holder closes it or dies.
class WriteLock {
 public:
  // Locks an existing file.
  static absl::StatusOr<WriteLock> Take(const std::string& path);
  // Creates a new file next to `target` with a unique name (`target`.XXXXXX.partial) and locks it before
  // anything is written, so no other process can ever write under that name.
  static absl::StatusOr<WriteLock> CreateUnique(const std::string& target);
  WriteLock() = default;
  WriteLock(WriteLock&& o) noexcept;
  WriteLock& operator=(WriteLock&& o) noexcept;
  ~WriteLock();

  bool held() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// Moves `from` to `to` only if `to` does not exist (renameat2 RENAME_NOREPLACE, or link + unlink where the
// file system lacks it). AlreadyExists when another process put a file there first.
absl::Status PlaceNoReplace(const std::string& from, const std::string& to);

// Makes sure `bytes` beyond HDF5's current end of file are allocated on disk (posix_fallocate through `fd`,
// which extends the file; HDF5 accepts a file longer than its end-of-allocation address). `*reserved` is
// the file length already reserved. Fails with the OS error (ENOSPC, EFBIG for RLIMIT_FSIZE, EDQUOT).
absl::Status Reserve(int fd, uint64_t hdf5_end, uint64_t bytes, uint64_t* reserved, const std::string& log_name);

// Cuts a closed HDF5 file (superblock version 2 or 3) back to its end-of-allocation address, dropping what
// Reserve added beyond it. A file of another kind is left alone.
absl::Status TrimToEnd(int fd, const std::string& path);

}  // namespace nas::log_file

#endif  // NAS_LOG_LOG_FILE_H_
