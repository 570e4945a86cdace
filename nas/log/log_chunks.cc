#include "nas/log/log_chunks.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace nas::log_chunks {

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

bool ChunkedRows::WriteChunk(hid_t ds, int64_t chunk) {
  return WriteWholeChunk(ds, chunk, chunk_rows_, partial_.data(), partial_.size(), checksum_, &stored_, &encoded_,
                         level_);
}

bool ChunkedRows::Append(hid_t ds, const char* rows, int64_t count) {
  if (count <= 0) return true;
  const hsize_t total = static_cast<hsize_t>(rows_ + count);
  if (H5Dset_extent(ds, &total) < 0) return false;
  while (count > 0) {
    const int64_t in_chunk = rows_ % chunk_rows_;
    if (in_chunk != 0 && partial_.empty()) return false;  // appended to after Release
    if (in_chunk == 0) partial_.assign(static_cast<size_t>(chunk_rows_) * row_size_, 0), stored_ = 0;
    const int64_t n = std::min(chunk_rows_ - in_chunk, count);
    std::memcpy(partial_.data() + in_chunk * row_size_, rows, static_cast<size_t>(n) * row_size_);
    if (!WriteChunk(ds, rows_ / chunk_rows_)) return false;
    rows_ += n, rows += n * row_size_, count -= n;
  }
  return true;
}

}  // namespace nas::log_chunks
