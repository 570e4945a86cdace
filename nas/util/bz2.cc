#include "nas/util/bz2.h"

#include <bzlib.h>

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"

namespace nas {
namespace {

std::string Bz2ErrorText(int code) {
  switch (code) {
    case BZ_DATA_ERROR_MAGIC: return "not bzip2 data (bad magic bytes)";
    case BZ_DATA_ERROR: return "corrupt bzip2 data (CRC or format error)";
    case BZ_MEM_ERROR: return "out of memory while decompressing bzip2 data";
    case BZ_PARAM_ERROR: return "bzip2 parameter error";
    default: return absl::StrCat("bzip2 error ", code);
  }
}

}  // namespace

absl::StatusOr<std::string> Bz2Decompress(absl::string_view compressed, size_t max_output) {
  if (compressed.empty()) return absl::DataLossError("empty file (no bzip2 data)");
  std::string out;
  size_t in_pos = 0;
  // One iteration per concatenated stream.
  while (in_pos < compressed.size()) {
    bz_stream strm = {};
    int rc = BZ2_bzDecompressInit(&strm, /*verbosity=*/0, /*small=*/0);
    if (rc != BZ_OK) return absl::InternalError(Bz2ErrorText(rc));
    rc = BZ_OK;
    while (rc == BZ_OK) {
      if (strm.avail_in == 0 && in_pos < compressed.size()) {
        const size_t chunk = std::min<size_t>(compressed.size() - in_pos, UINT_MAX / 2);
        strm.next_in = const_cast<char*>(compressed.data() + in_pos);
        strm.avail_in = static_cast<unsigned>(chunk);
        in_pos += chunk;
      }
      if (out.size() >= max_output) {
        BZ2_bzDecompressEnd(&strm);
        return absl::ResourceExhaustedError(absl::StrCat("decompresses to more than ", max_output, " bytes"));
      }
      const size_t old = out.size();
      const size_t grow = std::min<size_t>({std::max<size_t>(old, 1 << 16), max_output - old, UINT_MAX / 2});
      out.resize(old + grow);
      strm.next_out = &out[old];
      strm.avail_out = static_cast<unsigned>(grow);
      rc = BZ2_bzDecompress(&strm);
      out.resize(old + (grow - strm.avail_out));
      // bzlib returns when the input or the output space runs out: with all input consumed, room left and no
      // stream end, the input stops mid-stream.
      if (rc == BZ_OK && strm.avail_in == 0 && in_pos >= compressed.size() && strm.avail_out > 0) {
        BZ2_bzDecompressEnd(&strm);
        return absl::DataLossError("truncated bzip2 data (the stream ends early)");
      }
    }
    if (rc != BZ_STREAM_END) {
      BZ2_bzDecompressEnd(&strm);
      return absl::DataLossError(Bz2ErrorText(rc));
    }
    // Unconsumed input belongs to the next stream.
    in_pos -= strm.avail_in;
    BZ2_bzDecompressEnd(&strm);
  }
  return out;
}

}  // namespace nas
