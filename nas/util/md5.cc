#include "nas/util/md5.h"

#include <openssl/evp.h>

#include "nas/util/status.h"

namespace nas {
namespace {

// The algorithm is fetched once (OpenSSL 3 otherwise looks it up on every digest); each thread reuses its own
// context, so hashing many short strings (NB101 hashes ~60 per graph) costs no allocation.
const EVP_MD* Md5Algorithm() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "MD5", nullptr);
    return fetched != nullptr ? fetched : EVP_md5();
  }();
  return md;
}

struct ThreadCtx {
  ThreadCtx() : ctx(EVP_MD_CTX_new()) { NAS_CHECK(ctx != nullptr); }
  ~ThreadCtx() { EVP_MD_CTX_free(ctx); }
  EVP_MD_CTX* ctx;
};

}  // namespace

std::string Md5Hex(absl::string_view data) {
  static const char kDigits[] = "0123456789abcdef";
  thread_local ThreadCtx tc;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  NAS_CHECK(EVP_DigestInit_ex(tc.ctx, Md5Algorithm(), nullptr) == 1);
  NAS_CHECK(EVP_DigestUpdate(tc.ctx, data.data(), data.size()) == 1);
  NAS_CHECK(EVP_DigestFinal_ex(tc.ctx, digest, &len) == 1);
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 15];
  }
  return out;
}

}  // namespace nas
