// An LD_PRELOAD shim that tears the writes of one file deterministically, for torn_commit_test.
//
// Every pwrite to a file whose path contains $TEAR_MATCH defines tear points: one before its first byte and one
// at every 4096-byte page boundary inside it (a write interrupted by SIGKILL stops at a page boundary). The
// points are numbered in the order they occur, from 0. With $TEAR_AT=k the process writes the bytes of its
// write up to point k and kills itself with SIGKILL there. $TEAR_COUNT_OUT names a file that receives the number
// of points when the process exits normally.
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);

long long g_points = 0;

bool Matches(int fd) {
  static const char* match = std::getenv("TEAR_MATCH");
  if (match == nullptr || *match == '\0') return false;
  char link[64], path[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return false;
  path[n] = '\0';
  return std::strstr(path, match) != nullptr;
}

long long TearAt() {
  static const long long at = [] {
    const char* s = std::getenv("TEAR_AT");
    return s != nullptr ? std::atoll(s) : -1LL;
  }();
  return at;
}

ssize_t Torn(PwriteFn real, int fd, const void* buf, size_t count, off_t offset) {
  if (count == 0 || !Matches(fd)) return real(fd, buf, count, offset);
  const long long at = TearAt();
  // Point before the first byte, then at each page boundary strictly inside [offset, offset + count).
  off_t boundary = offset;
  while (true) {
    if (g_points++ == at) {
      const size_t head = static_cast<size_t>(boundary - offset);
      size_t done = 0;
      while (done < head) {
        const ssize_t w = real(fd, static_cast<const char*>(buf) + done, head - done, offset + done);
        if (w <= 0) break;
        done += static_cast<size_t>(w);
      }
      raise(SIGKILL);
    }
    boundary = (boundary / 4096 + 1) * 4096;
    if (boundary >= offset + static_cast<off_t>(count)) break;
  }
  return real(fd, buf, count, offset);
}

PwriteFn Real(const char* name) { return reinterpret_cast<PwriteFn>(dlsym(RTLD_NEXT, name)); }

struct CountAtExit {
  ~CountAtExit() {
    if (const char* out = std::getenv("TEAR_COUNT_OUT")) {
      if (FILE* f = std::fopen(out, "w")) std::fprintf(f, "%lld\n", g_points), std::fclose(f);
    }
  }
} count_at_exit;

}  // namespace

extern "C" ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static const PwriteFn real = Real("pwrite");
  return Torn(real, fd, buf, count, offset);
}

extern "C" ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  static const PwriteFn real = Real("pwrite64");
  return Torn(real, fd, buf, count, offset);
}
