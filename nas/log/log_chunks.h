// Chunk writes of the episode log that never touch the bytes of an earlier write (not part of the log's API).
//
// Every chunked dataset of a log has the filters deflate then Fletcher32. The writer encodes each chunk itself
// (zlib, then HDF5's Fletcher32; level 1, or level 0 (stored blocks: no compression, a copy and zlib's Adler-32)
// where CPU matters more than size) and stores it with H5Dwrite_chunk, every time at a stored size other
// than the chunk's previous one (a pad byte after the zlib stream where the sizes would match; inflate stops at
// the stream's end). HDF5 gives a chunk whose stored size changed new file space, and in SWMR-write mode it never
// frees the old space (a reader may still follow the old chunk index), so a commit that adds rows to a partly
// filled chunk writes a new copy and leaves the acknowledged copy as it was: a write torn at any byte cannot
// damage an acknowledged row. The chunk index switches to the new copy when its metadata is flushed.
#ifndef NAS_LOG_LOG_CHUNKS_H_
#define NAS_LOG_LOG_CHUNKS_H_

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nas::log_chunks {

// The filters (deflate level 1, then Fletcher32 when `checksum`) of a chunked log dataset.
void SetFilters(hid_t dcpl, bool checksum);

// HDF5's Fletcher32 (as its filter computes it, over 16-bit big-endian words).
uint32_t Fletcher32(const unsigned char* data, size_t len);

// One 1-D chunked dataset's rows as the writer holds them: every row of its last, partly filled chunk, and that
// chunk's stored size.
class ChunkedRows {
 public:
  ChunkedRows(size_t row_size, int64_t chunk_rows, bool checksum, int level = 1)
      : row_size_(row_size), chunk_rows_(chunk_rows), checksum_(checksum), level_(level) {}
  int64_t rows() const { return rows_; }
  // Extends `ds` by `count` rows and writes them: the chunks they touch are each stored once, as new copies.
  // False on an HDF5 error. The caller flushes.
  bool Append(hid_t ds, const char* rows, int64_t count);
  // Drops the buffered partial chunk (a finished run's rows are not appended to again).
  void Release() { std::vector<char>().swap(partial_); }

 private:
  bool WriteChunk(hid_t ds, int64_t chunk);
  size_t row_size_;
  int64_t chunk_rows_;
  bool checksum_;
  int level_;
  int64_t rows_ = 0;
  std::vector<char> partial_;  // the raw rows of chunk rows_ / chunk_rows_ (zero beyond the last row)
  size_t stored_ = 0;          // stored size of that chunk's current copy (0: none)
  std::vector<unsigned char> encoded_;
};

// Writes chunk `chunk` of `ds` from the raw bytes `raw` (a whole chunk), zlib at `level` (0..9), at a stored size
// other than `*stored` (updated). For datasets whose chunks the writer rewrites as a whole (/progress).
bool WriteWholeChunk(hid_t ds, int64_t chunk, int64_t chunk_rows, const char* raw, size_t raw_size, bool checksum,
                     size_t* stored, std::vector<unsigned char>* scratch, int level = 1);

}  // namespace nas::log_chunks

#endif  // NAS_LOG_LOG_CHUNKS_H_
