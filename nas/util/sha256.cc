#include "nas/util/sha256.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "nas/util/status.h"

namespace nas {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string Hex(const unsigned char* digest, unsigned int len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kDigits[digest[i] >> 4]);
    out.push_back(kDigits[digest[i] & 15]);
  }
  return out;
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  NAS_CHECK(ctx != nullptr);
  NAS_CHECK(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1);
  NAS_CHECK(EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1);
  NAS_CHECK(EVP_DigestFinal_ex(ctx.get(), digest, &len) == 1);
  return Hex(digest, len);
}

absl::StatusOr<std::string> Sha256File(const std::string& path) {
  // Opening a FIFO blocks until a writer appears: only regular files are hashed.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError(absl::StrCat(path, ": is not a regular file (a FIFO, device or socket)"));
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) {
    const int err = errno;
    const std::string what = absl::StrCat(path, ": cannot open for hashing: ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(what);
    if (err == EACCES) return absl::PermissionDeniedError(what);
    return absl::UnavailableError(what);
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  NAS_CHECK(ctx != nullptr);
  NAS_CHECK(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1);
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), file.get())) > 0) NAS_CHECK(EVP_DigestUpdate(ctx.get(), buf, n) == 1);
  if (std::ferror(file.get())) return absl::DataLossError(absl::StrCat(path, ": read error while hashing"));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  NAS_CHECK(EVP_DigestFinal_ex(ctx.get(), digest, &len) == 1);
  return Hex(digest, len);
}

}  // namespace nas
