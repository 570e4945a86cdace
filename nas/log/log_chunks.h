// Chunk writes of the episode log that never touch the bytes of an earlier write (not part of the log's API).
//
// Every chunked dataset of a log has the filters deflate then Fletcher32. The writer encodes each chunk itself
// and stores it with H5Dwrite_chunk, every time at a stored size other than the chunk's previous one (a pad byte
// after the zlib stream where the sizes would match; inflate stops at the stream's end). HDF5 gives a chunk
// whose stored size changed new file space, and in SWMR-write mode it never frees the old space (a reader may
// still follow the old chunk index), so a commit that adds rows to a partly filled chunk writes a new copy and
// leaves the acknowledged copy as it was: a write torn at any byte cannot damage an acknowledged row. The chunk
// index switches to the new copy when its metadata is flushed.
//
// The methods' episodes and curves (ChunkedRows) are stored as zlib's deflate at level 0 writes them (stored
// blocks: the rows themselves, framed, with zlib's Adler-32), byte for byte: the rows are copied once, straight
// into the stream that is stored, and both checksums are updated with the new rows only (the rest of a chunk
// is zero, which adds nothing to either).
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

// zlib's adler32(adler, data, len), the same value (with AVX2 where the CPU has it).
uint32_t Adler32(uint32_t adler, const unsigned char* data, size_t len);

// HDF5's Fletcher32 of a byte string built piece by piece at any offsets: the checksum is linear in the bytes,
// so each piece adds its own share; bytes never added count as zero.
class FletcherSums {
 public:
  // Adds `len` bytes placed at byte offset `at` of the string (where zeros were).
  void Add(const unsigned char* data, uint64_t at, size_t len);
  // Fletcher32 of the whole string of `len` bytes (bytes beyond what was added are zero). The string must hold
  // a non-zero byte.
  uint32_t Value(uint64_t len) const;

 private:
  uint64_t s1_ = 0;  // sum of the 16-bit words, mod 65535
  uint64_t t_ = 0;   // sum of (1-based word index) x word, mod 65535
};

// One chunk as deflate at level 0 stores `raw_size` bytes (zlib header, stored blocks of at most 65,535 bytes,
// Adler-32), then Fletcher32 (HDF5's filter's output), built in place.
class StoredChunk {
 public:
  // Starts a chunk of `raw_size` bytes, all zero.
  void Reset(size_t raw_size);
  // Copies `len` raw bytes to raw offset `at` (where nothing was put yet).
  void Put(size_t at, const unsigned char* data, size_t len);
  // Finishes the stream (Adler-32 of the raw bytes), a pad byte after it when `pad`, then Fletcher32 when
  // `checksum`. Returns the stored size; the bytes are data()[0, size).
  size_t Seal(bool pad, bool checksum);
  const unsigned char* data() const { return stream_.data(); }

 private:
  size_t raw_size_ = 0;
  size_t filled_ = 0;  // raw bytes [0, filled_) put so far (Put appends in order)
  uint32_t adler_ = 1;  // of raw [0, filled_)
  FletcherSums sums_;   // of the stream's bytes but its trailer
  size_t body_ = 0;     // stream bytes before the Adler-32
  std::vector<unsigned char> stream_;
};

// One 1-D chunked dataset's rows as the writer holds them: its last, partly filled chunk (as stored).
// A commit is Begin (extends the dataset), Add (copies rows into the chunk being built, storing each chunk
// that fills), End (stores the partly filled last chunk). Each touched chunk is stored once, as a new copy.
class ChunkedRows {
 public:
  ChunkedRows(size_t row_size, int64_t chunk_rows, bool checksum)
      : row_size_(row_size), chunk_rows_(chunk_rows), checksum_(checksum) {}
  int64_t rows() const { return rows_; }
  // False on an HDF5 error. The caller flushes.
  bool Begin(hid_t ds, int64_t count);
  bool Add(const char* rows, int64_t count);
  bool End();
  bool Append(hid_t ds, const char* rows, int64_t count) { return Begin(ds, count) && Add(rows, count) && End(); }

 private:
  bool Store(int64_t chunk);
  size_t row_size_;
  int64_t chunk_rows_;
  bool checksum_;
  hid_t ds_ = -1;
  int64_t rows_ = 0;        // rows stored or being added
  bool dirty_ = false;      // the chunk being built holds rows not stored yet
  size_t stored_ = 0;       // stored size of the current chunk's last copy (0: none)
  StoredChunk chunk_;       // chunk rows_ / chunk_rows_ (or the one just filled)
};

// Writes chunk `chunk` of `ds` from the raw bytes `raw` (a whole chunk), zlib at `level` (0..9), at a stored size
// other than `*stored` (updated). For datasets whose chunks the writer rewrites as a whole (/progress).
bool WriteWholeChunk(hid_t ds, int64_t chunk, int64_t chunk_rows, const char* raw, size_t raw_size, bool checksum,
                     size_t* stored, std::vector<unsigned char>* scratch, int level = 1);

}  // namespace nas::log_chunks

#endif  // NAS_LOG_LOG_CHUNKS_H_
