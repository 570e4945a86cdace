#include "nas/log/log_chunks.h"

#include <immintrin.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace nas::log_chunks {
namespace {

constexpr uint64_t kFletcherMod = 65535;  // Fletcher32's sums are kept modulo 2^16 - 1 (its folds)
constexpr uint64_t kAdlerMod = 65521;
constexpr size_t kStoredBlock = 65535;    // deflate's largest stored block

bool HasAvx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}

// Of the 16-bit big-endian words w_0..w_{n-1} at `d`: *s = sum w_j and *u = sum j w_j, both modulo 65535.
void WordSumsScalar(const unsigned char* d, size_t words, size_t j0, uint64_t* s, uint64_t* u) {
  uint64_t ss = *s, uu = *u;
  while (words > 0) {
    const size_t n = std::min<size_t>(words, 1 << 16);
    uint64_t bs = 0, bu = 0;  // below 2^48: no overflow
    for (size_t j = 0; j < n; ++j, d += 2) {
      const uint64_t w = (uint64_t{d[0]} << 8) | d[1];
      bs += w;
      bu += j * w;
    }
    uu = (uu + (j0 % kFletcherMod) * (bs % kFletcherMod) + bu) % kFletcherMod;
    ss = (ss + bs) % kFletcherMod;
    words -= n, j0 += n;
  }
  *s = ss, *u = uu;
}

__attribute__((target("avx2"))) uint64_t Sum64(__m256i v) {
  alignas(32) uint64_t x[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(x), v);
  return x[0] + x[1] + x[2] + x[3];
}

__attribute__((target("avx2"))) uint64_t Sum32(__m256i v) {
  alignas(32) uint32_t x[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(x), v);
  uint64_t sum = 0;
  for (uint32_t e : x) sum += e;
  return sum;
}

// WordSumsScalar, 16 words (32 bytes) a step: the words' high and low bytes summed apart (sad), their weighted
// sums by multiply-add of bytes; the same integers, so the same result.
__attribute__((target("avx2"))) void WordSumsAvx2(const unsigned char* d, size_t words, size_t j0, uint64_t* s,
                                                  uint64_t* u) {
  const __m256i zero = _mm256_setzero_si256(), ones = _mm256_set1_epi16(1), even = _mm256_set1_epi16(0x00ff);
  alignas(32) int8_t hi_w[32], lo_w[32];  // byte q of a step: word q / 2, its high byte when q is even
  for (int q = 0; q < 32; ++q) hi_w[q] = q % 2 ? 0 : q / 2, lo_w[q] = q % 2 ? q / 2 : 0;
  const __m256i hi_weights = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi_w));
  const __m256i lo_weights = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo_w));
  uint64_t ss = *s, uu = *u;
  while (words >= 16) {
    const size_t steps = std::min<size_t>(words / 16, 4096);  // 32-bit lanes below 2^31
    __m256i sums = zero, prefix = zero, hi_u = zero, lo_u = zero;
    for (size_t k = 0; k < steps; ++k, d += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d));
      const __m256i hi = _mm256_sad_epu8(_mm256_and_si256(v, even), zero);
      const __m256i lo = _mm256_sad_epu8(_mm256_srli_epi16(v, 8), zero);
      prefix = _mm256_add_epi64(prefix, sums);
      sums = _mm256_add_epi64(sums, _mm256_add_epi64(_mm256_slli_epi64(hi, 8), lo));
      hi_u = _mm256_add_epi32(hi_u, _mm256_madd_epi16(_mm256_maddubs_epi16(v, hi_weights), ones));
      lo_u = _mm256_add_epi32(lo_u, _mm256_madd_epi16(_mm256_maddubs_epi16(v, lo_weights), ones));
    }
    const uint64_t bs = Sum64(sums), p = Sum64(prefix);
    // sum over steps k of (16 k + j) w: 16 (sum_k k s_k) + sum_j j w, with sum_k k s_k = (steps - 1) bs - p.
    const uint64_t bu = (16 * ((steps - 1) * bs - p) + 256 * Sum32(hi_u) + Sum32(lo_u)) % kFletcherMod;
    uu = (uu + (j0 % kFletcherMod) * (bs % kFletcherMod) + bu) % kFletcherMod;
    ss = (ss + bs) % kFletcherMod;
    words -= 16 * steps, j0 += 16 * steps;
  }
  *s = ss, *u = uu;
  WordSumsScalar(d, words, j0, s, u);
}

// zlib's adler32, 32 bytes a step (the byte sums by sad, the weighted sums by multiply-add).
__attribute__((target("avx2"))) uint32_t Adler32Avx2(uint32_t adler, const unsigned char* d, size_t len) {
  uint64_t a = adler & 0xffff, b = adler >> 16;
  const __m256i zero = _mm256_setzero_si256(), ones = _mm256_set1_epi16(1);
  alignas(32) int8_t w[32];
  for (int q = 0; q < 32; ++q) w[q] = static_cast<int8_t>(32 - q);
  const __m256i weights = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
  while (len >= 32) {
    const size_t steps = std::min<size_t>(len / 32, 4096);
    __m256i sums = zero, prefix = zero, weighted = zero;
    for (size_t k = 0; k < steps; ++k, d += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d));
      prefix = _mm256_add_epi64(prefix, sums);
      sums = _mm256_add_epi64(sums, _mm256_sad_epu8(v, zero));
      weighted = _mm256_add_epi32(weighted, _mm256_madd_epi16(_mm256_maddubs_epi16(v, weights), ones));
    }
    const uint64_t n = 32 * steps;
    // b gains n a + sum over bytes of (n - position) x byte; position 32 k + q: 32 (steps - 1 - k) + (32 - q).
    b = (b + n * a + 32 * Sum64(prefix) + Sum32(weighted)) % kAdlerMod;
    a = (a + Sum64(sums)) % kAdlerMod;
    len -= n;
  }
  for (; len > 0; --len, ++d) a += *d, b += a;
  return static_cast<uint32_t>(((b % kAdlerMod) << 16) | (a % kAdlerMod));
}

}  // namespace

uint32_t Adler32(uint32_t adler, const unsigned char* data, size_t len) {
  if (HasAvx2()) return Adler32Avx2(adler, data, len);
  return static_cast<uint32_t>(adler32_z(adler, data, len));
}

void FletcherSums::Add(const unsigned char* d, uint64_t at, size_t len) {
  // Byte p is the high byte of word p / 2 (0-based) when p is even, its low byte when odd.
  if (len > 0 && at % 2) {
    s1_ = (s1_ + d[0]) % kFletcherMod;
    t_ = (t_ + ((at / 2 + 1) % kFletcherMod) * d[0]) % kFletcherMod;
    ++d, ++at, --len;
  }
  const size_t words = len / 2;
  uint64_t s = 0, u = 0;
  if (HasAvx2())
    WordSumsAvx2(d, words, 0, &s, &u);
  else
    WordSumsScalar(d, words, 0, &s, &u);
  // 1-based index of the first word: at / 2 + 1.
  t_ = (t_ + ((at / 2 + 1) % kFletcherMod) * s + u) % kFletcherMod;
  s1_ = (s1_ + s) % kFletcherMod;
  if (len % 2) {
    const uint64_t v = uint64_t{d[2 * words]} << 8, p = at + 2 * words;
    s1_ = (s1_ + v) % kFletcherMod;
    t_ = (t_ + ((p / 2 + 1) % kFletcherMod) * v) % kFletcherMod;
  }
}

uint32_t FletcherSums::Value(uint64_t len) const {
  // HDF5's sums: sum1 = sum of the n words, sum2 = sum of its n running values = (n + 1) sum1 - sum i w_i; its
  // folds keep each modulo 65535 and non-zero once a word was (a string with a non-zero byte): 65535 stands for
  // a multiple of 65535.
  const uint64_t n = (len + 1) / 2;
  const uint64_t sum1 = s1_ % kFletcherMod;
  const uint64_t sum2 = ((n + 1) % kFletcherMod * sum1 + kFletcherMod - t_ % kFletcherMod) % kFletcherMod;
  const uint32_t f1 = sum1 == 0 ? 0xffff : static_cast<uint32_t>(sum1);
  const uint32_t f2 = sum2 == 0 ? 0xffff : static_cast<uint32_t>(sum2);
  return (f2 << 16) | f1;
}

void StoredChunk::Reset(size_t raw_size) {
  raw_size_ = raw_size;
  filled_ = 0;
  adler_ = 1;
  sums_ = FletcherSums();
  const size_t blocks = raw_size == 0 ? 1 : (raw_size + kStoredBlock - 1) / kStoredBlock;
  body_ = 2 + 5 * blocks + raw_size;
  stream_.assign(body_ + 4 + 1 + 4, 0);  // trailer: Adler-32, a pad byte, Fletcher32
  stream_[0] = 0x78, stream_[1] = 0x01;  // zlib's header at level 0 (32 KiB window, no dictionary)
  sums_.Add(stream_.data(), 0, 2);
  for (size_t k = 0; k < blocks; ++k) {
    unsigned char* h = &stream_[2 + k * (kStoredBlock + 5)];
    const size_t len = std::min(kStoredBlock, raw_size - k * kStoredBlock);
    h[0] = k + 1 == blocks ? 1 : 0;  // BFINAL, BTYPE 00 (stored), padded to the byte
    h[1] = len & 0xff, h[2] = len >> 8, h[3] = ~len & 0xff, h[4] = (~len >> 8) & 0xff;  // LEN, NLEN (little-endian)
    sums_.Add(h, 2 + k * (kStoredBlock + 5), 5);
  }
}

void StoredChunk::Put(size_t at, const unsigned char* data, size_t len) {
  adler_ = Adler32(adler_, data, len);  // `at` is filled_: rows are put in order
  filled_ = at + len;
  while (len > 0) {
    const size_t k = at / kStoredBlock, n = std::min(len, kStoredBlock * (k + 1) - at);
    const size_t off = 2 + 5 * (k + 1) + at;
    std::memcpy(&stream_[off], data, n);
    sums_.Add(data, off, n);
    at += n, data += n, len -= n;
  }
}

size_t StoredChunk::Seal(bool pad, bool checksum) {
  // Adler-32 of the raw bytes: of those put, then of the zeros after them (a = 1, b = their count).
  uint32_t adler = adler_;
  if (filled_ < raw_size_) {
    const uint64_t zeros = raw_size_ - filled_;
    adler = static_cast<uint32_t>(adler32_combine(adler, ((zeros % kAdlerMod) << 16) | 1, static_cast<z_off_t>(zeros)));
  }
  unsigned char* t = &stream_[body_];
  t[0] = adler >> 24, t[1] = (adler >> 16) & 0xff, t[2] = (adler >> 8) & 0xff, t[3] = adler & 0xff;  // big-endian
  size_t len = body_ + 4;
  if (pad) stream_[len++] = 0;  // after the stream's end: inflate does not read it
  if (!checksum) return len;
  FletcherSums sums = sums_;
  sums.Add(t, body_, 4);
  const uint32_t f = sums.Value(len);
  for (int b = 0; b < 4; ++b) stream_[len + b] = static_cast<unsigned char>(f >> (8 * b));  // little-endian
  return len + 4;
}

bool ChunkedRows::Begin(hid_t ds, int64_t count) {
  ds_ = ds;
  if (count <= 0) return true;
  const hsize_t total = static_cast<hsize_t>(rows_ + count);
  return H5Dset_extent(ds, &total) >= 0;
}

bool ChunkedRows::Add(const char* rows, int64_t count) {
  while (count > 0) {
    const int64_t in_chunk = rows_ % chunk_rows_;
    if (in_chunk == 0 && !dirty_) chunk_.Reset(static_cast<size_t>(chunk_rows_) * row_size_), stored_ = 0;
    const int64_t n = std::min(chunk_rows_ - in_chunk, count);
    chunk_.Put(static_cast<size_t>(in_chunk) * row_size_, reinterpret_cast<const unsigned char*>(rows),
               static_cast<size_t>(n) * row_size_);
    dirty_ = true;
    rows_ += n, rows += n * row_size_, count -= n;
    if (rows_ % chunk_rows_ == 0) {  // the chunk is full: stored now, never again
      if (!Store((rows_ - 1) / chunk_rows_)) return false;
    }
  }
  return true;
}

bool ChunkedRows::End() {
  if (!dirty_) return true;
  return Store(rows_ / chunk_rows_);
}

bool ChunkedRows::Store(int64_t chunk) {
  size_t size = chunk_.Seal(/*pad=*/false, checksum_);
  if (size == stored_) size = chunk_.Seal(/*pad=*/true, checksum_);  // another stored size: a new copy
  const hsize_t offset = static_cast<hsize_t>(chunk * chunk_rows_);
  if (H5Dwrite_chunk(ds_, H5P_DEFAULT, 0, &offset, size, chunk_.data()) < 0) return false;
  stored_ = size;
  dirty_ = false;
  return true;
}


void SetFilters(hid_t dcpl, bool checksum) {
  H5Pset_deflate(dcpl, 1);
  if (checksum) H5Pset_fletcher32(dcpl);
}

uint32_t Fletcher32(const unsigned char* data, size_t len) {
  // The algorithm of HDF5's H5_checksum_fletcher32 (H5checksum.c): sums of 16-bit big-endian words, folded every
  // 360 words; an odd last byte is the high byte of a last word.
  size_t words = len / 2;
  uint32_t sum1 = 0, sum2 = 0;
  while (words) {
    size_t block = words > 360 ? 360 : words;
    words -= block;
    // Four words a step: the same sums modulo 2^32 as one word a step (sum2 gains 4 sum1 + 4 w0 + 3 w1 + 2 w2 +
    // w3), so the result is HDF5's bit for bit; the folds stay every 360 words.
    for (; block >= 4; block -= 4, data += 8) {
      const uint32_t w0 = (uint32_t{data[0]} << 8) | data[1], w1 = (uint32_t{data[2]} << 8) | data[3];
      const uint32_t w2 = (uint32_t{data[4]} << 8) | data[5], w3 = (uint32_t{data[6]} << 8) | data[7];
      sum2 += 4 * sum1 + 4 * w0 + 3 * w1 + 2 * w2 + w3;
      sum1 += w0 + w1 + w2 + w3;
    }
    for (; block > 0; --block, data += 2) {
      sum1 += (uint32_t{data[0]} << 8) | data[1];
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (len % 2) {
    sum1 += static_cast<uint32_t>(static_cast<uint16_t>(*data) << 8);
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

bool WriteWholeChunk(hid_t ds, int64_t chunk, int64_t chunk_rows, const char* raw, size_t raw_size, bool checksum,
                     size_t* stored, std::vector<unsigned char>* out, int level) {
  // One zlib stream per thread and level, reset for each chunk (initialising one costs more than compressing a
  // chunk).
  struct Deflater {
    z_stream z{};
    bool ok = false;
    bool started = false;
    ~Deflater() {
      if (ok) deflateEnd(&z);
    }
  };
  if (level < 0 || level > 9) return false;
  thread_local Deflater deflaters[10];
  Deflater& deflater = deflaters[level];
  if (!deflater.started) deflater.started = true, deflater.ok = deflateInit(&deflater.z, level) == Z_OK;
  z_stream& z = deflater.z;
  if (!deflater.ok || deflateReset(&z) != Z_OK) return false;
  out->resize(deflateBound(&z, raw_size) + 1 + 4);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw));
  z.avail_in = static_cast<uInt>(raw_size);
  z.next_out = out->data();
  z.avail_out = static_cast<uInt>(out->size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) return false;
  size_t len = z.total_out;
  size_t size = len + (checksum ? 4 : 0);
  if (size == *stored) out->data()[len++] = 0, ++size;  // a pad byte after the zlib stream: another size
  if (checksum) {
    const uint32_t f = Fletcher32(out->data(), len);
    for (int b = 0; b < 4; ++b) out->data()[len + b] = static_cast<unsigned char>(f >> (8 * b));  // little-endian
  }
  const hsize_t offset = static_cast<hsize_t>(chunk * chunk_rows);
  if (H5Dwrite_chunk(ds, H5P_DEFAULT, 0, &offset, size, out->data()) < 0) return false;
  *stored = size;
  return true;
}

}  // namespace nas::log_chunks
