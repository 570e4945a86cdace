// The log's chunk encoder against the libraries it stands in for: Adler32 against zlib's adler32, FletcherSums
// (pieces at any offsets) against HDF5's Fletcher32 algorithm, and a StoredChunk filled row by row against
// zlib's deflate at level 0 of the same bytes followed by Fletcher32.
#include "nas/log/log_chunks.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <vector>

namespace nas::log_chunks {
namespace {

std::vector<unsigned char> Bytes(size_t n, uint64_t seed, bool saturated = false) {
  std::mt19937_64 rng(seed);
  std::vector<unsigned char> b(n);
  for (auto& c : b) c = saturated ? 0xff : static_cast<unsigned char>(rng());
  return b;
}

TEST(LogChunks, Adler32IsZlibs) {
  for (size_t n : {0, 1, 31, 32, 33, 100, 5552, 5553, 65535, 131072 + 7, 4096 * 32 * 3 + 5})
    for (bool saturated : {false, true})
      for (uint32_t start : {1u, 0xfff0fff0u, 0x12345678u}) {
        const auto b = Bytes(n + 1, n + start, saturated);  // never empty: zlib gives 1 for a null buffer
        EXPECT_EQ(Adler32(start, b.data(), n), adler32_z(start, b.data(), n)) << n << " bytes from " << start;
      }
}

TEST(LogChunks, FletcherSumsOfPiecesIsFletcher32) {
  std::mt19937_64 rng(7);
  for (size_t n : {1, 2, 3, 17, 64, 719, 720, 721, 65536 + 3, 2 * 4096 * 32 + 33})
    for (bool saturated : {false, true}) {
      auto b = Bytes(n, n, saturated);
      b[0] |= 1;  // a non-zero byte
      FletcherSums whole, pieces;
      whole.Add(b.data(), 0, n);
      EXPECT_EQ(whole.Value(n), Fletcher32(b.data(), n)) << n;
      // Pieces in a shuffled order, at odd and even offsets.
      std::vector<std::pair<size_t, size_t>> cuts;
      for (size_t at = 0; at < n;) {
        const size_t len = std::min<size_t>(n - at, 1 + rng() % 97);
        cuts.push_back({at, len});
        at += len;
      }
      std::shuffle(cuts.begin(), cuts.end(), rng);
      for (auto [at, len] : cuts) pieces.Add(b.data() + at, at, len);
      EXPECT_EQ(pieces.Value(n), Fletcher32(b.data(), n)) << n;
      // Zeros beyond what was added.
      std::vector<unsigned char> longer = b;
      longer.resize(n + 11, 0);
      EXPECT_EQ(pieces.Value(n + 11), Fletcher32(longer.data(), n + 11)) << n;
    }
  // A multiple of 65535 in either sum is 0xffff, as HDF5's folds leave it.
  const std::vector<unsigned char> ff(2, 0xff);
  FletcherSums s;
  s.Add(ff.data(), 0, 2);
  EXPECT_EQ(s.Value(2), Fletcher32(ff.data(), 2));
}

// deflate at level 0 of `raw` in one call, then Fletcher32 (what the writer stores).
std::vector<unsigned char> Zlib0(const std::vector<unsigned char>& raw, bool pad) {
  z_stream z{};
  EXPECT_EQ(deflateInit(&z, 0), Z_OK);
  std::vector<unsigned char> out(deflateBound(&z, raw.size()) + 16);
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (pad) out.push_back(0);
  const uint32_t f = Fletcher32(out.data(), out.size());
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<unsigned char>(f >> (8 * b)));
  return out;
}

TEST(LogChunks, StoredChunkIsDeflateLevel0ThenFletcher32) {
  // The episodes' and curves' chunks (1,024 rows of 176 and 76 bytes), /progress's, and block-boundary sizes.
  for (size_t row : {176, 76, 17, 1})
    for (size_t rows : {1, 64, 373, 1024}) {
      const size_t raw_size = row * rows;
      const auto rows_bytes = Bytes(raw_size, raw_size);
      StoredChunk chunk;
      chunk.Reset(raw_size);
      std::vector<unsigned char> raw(raw_size, 0);
      for (size_t r = 0; r < rows; r += 1 + r % 50) {  // filled in steps, sealed after each as the writer does
        const size_t n = std::min(rows - r, 1 + r % 50);
        chunk.Put(r * row, rows_bytes.data() + r * row, n * row);
        std::copy(rows_bytes.begin() + r * row, rows_bytes.begin() + (r + n) * row, raw.begin() + r * row);
        for (bool pad : {false, true}) {
          const size_t size = chunk.Seal(pad, /*checksum=*/true);
          const std::vector<unsigned char> got(chunk.data(), chunk.data() + size);
          ASSERT_EQ(got, Zlib0(raw, pad)) << rows << " rows of " << row << " bytes, filled " << r + n;
        }
      }
    }
  for (size_t raw_size : {65534, 65535, 65536, 2 * 65535, 2 * 65535 + 1}) {
    auto raw = Bytes(raw_size, 3);
    StoredChunk chunk;
    chunk.Reset(raw_size);
    chunk.Put(0, raw.data(), raw_size);
    const size_t size = chunk.Seal(false, true);
    EXPECT_EQ(std::vector<unsigned char>(chunk.data(), chunk.data() + size), Zlib0(raw, false)) << raw_size;
  }
}

}  // namespace
}  // namespace nas::log_chunks
