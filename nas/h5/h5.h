// A small RAII layer over the HDF5 C API (HDF5 1.10): owned identifiers, files, groups, attributes and
// datasets addressed by absolute paths inside the file ("/archs/arch_str"). Every failure is an absl::Status
// whose one-line message names the file, the object and what is wrong (plus HDF5's own innermost reason);
// HDF5's automatic error printing is turned off. Nothing here aborts on a bad file.
//
// Layout written here: files in the HDF5 1.8 format (checksummed metadata; readable by HDF5 >= 1.8 and h5py);
// string attributes fixed-length UTF-8 (inside the checksummed object header), string datasets variable-length
// UTF-8, integers little-endian 32/64-bit, reals IEEE float64 little-endian (so doubles round-trip bit-exactly,
// NaN payloads included). Readers accept fixed- and variable-length strings alike. Caveat: HDF5 does not
// validate the global heap behind variable-length strings, so a corrupted (not merely truncated) file can
// crash HDF5 inside a variable-length read. Not thread-safe (Debian's HDF5 is the serial, non-thread-safe build): one thread per process
// may use HDF5 at a time.
#ifndef NAS_H5_H5_H_
#define NAS_H5_H5_H_

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nas::h5 {

// Turns off HDF5's printing of its error stack to stderr (idempotent; File::Open/Create call it).
void DisableErrorPrinting();

// The innermost description on HDF5's current error stack ("" when empty): the reason of the last failure.
std::string LastErrorDetail();

// Owns one HDF5 identifier and closes it with the H5*close function of its type (file, group, dataset,
// dataspace, datatype, attribute, property list).
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.release();
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  hid_t release() {
    hid_t id = id_;
    id_ = -1;
    return id;
  }
  // Closes the identifier (if any); returns false when HDF5 reported a failure while closing.
  bool reset();

 private:
  hid_t id_ = -1;
};

// Element types of numeric datasets.
enum class Type { kInt32, kInt64, kDouble };

// An N-dimensional array read from a dataset, row-major.
template <typename T>
struct Array {
  std::vector<int64_t> dims;
  std::vector<T> data;
};

class File {
 public:
  // Opens an existing file. NotFound when missing, InvalidArgument when not HDF5, DataLoss when HDF5 cannot
  // open it (truncated or corrupt).
  static absl::StatusOr<File> Open(const std::string& path, bool writable = false);
  // Creates a file. AlreadyExists when `path` exists and !overwrite; with overwrite it is truncated.
  static absl::StatusOr<File> Create(const std::string& path, bool overwrite);
  // A file in the HDF5 1.10 format for single-writer/multiple-reader (SWMR) use: create every object, close
  // it, then OpenSwmrWriter(); from then on only appends to existing datasets are allowed, and the file on disk
  // stays readable (by SWMR readers; Open() falls back to one) whenever the writer stops, SIGKILL included.
  static absl::StatusOr<File> CreateSwmr(const std::string& path, bool overwrite);
  // Opens a file made by CreateSwmr (and closed) for SWMR writing, with an empty metadata cache.
  static absl::StatusOr<File> OpenSwmrWriter(const std::string& path);
  absl::Status FlushDataset(const std::string& dataset);
  // Clears the superblock's "open for writing" status flags that a SWMR writer killed mid-write leaves behind,
  // as `h5clear -s` does (HDF5 1.10's file-access property "clear_status_flags" on a read-write open), so that
  // plain (non-SWMR) HDF5 readers such as h5py.File(path) open the file, and extends the superblock's end of
  // allocation to the file's size (`h5clear --increment=0`), which a killed writer leaves behind the data it
  // flushed. Changes nothing else.
  static absl::Status ClearStatusFlags(const std::string& path);

  File(File&&) = default;
  File& operator=(File&&) = default;
  ~File() = default;  // closes the file (errors ignored; call Close() to see them)

  const std::string& path() const { return path_; }
  bool is_open() const { return file_.valid(); }
  absl::Status Flush();
  absl::Status Close();

  // --- Groups and links ---
  // Creates `group` and any missing parents. With track_order, children are listed in creation order.
  absl::Status CreateGroup(const std::string& group, bool track_order = false);
  // True when every component of `object` exists ("/" always does).
  bool Exists(const std::string& object) const;
  // Names of the group's children, in creation order when the group tracks it, otherwise by name.
  absl::StatusOr<std::vector<std::string>> ListChildren(const std::string& group) const;

  // --- Attributes of a group or dataset (object "/" is the root). Writing replaces an existing attribute. ---
  absl::Status WriteStringAttr(const std::string& object, const std::string& name, const std::string& value);
  absl::Status WriteInt64Attr(const std::string& object, const std::string& name, int64_t value);
  absl::Status WriteDoubleAttr(const std::string& object, const std::string& name, double value);
  absl::Status WriteInt32ArrayAttr(const std::string& object, const std::string& name,
                                   const std::vector<int32_t>& values);
  absl::Status WriteInt64ArrayAttr(const std::string& object, const std::string& name,
                                   const std::vector<int64_t>& values);
  bool HasAttr(const std::string& object, const std::string& name) const;
  absl::StatusOr<std::string> ReadStringAttr(const std::string& object, const std::string& name) const;
  absl::StatusOr<int64_t> ReadInt64Attr(const std::string& object, const std::string& name) const;
  absl::StatusOr<double> ReadDoubleAttr(const std::string& object, const std::string& name) const;
  absl::StatusOr<std::vector<int32_t>> ReadInt32ArrayAttr(const std::string& object,
                                                          const std::string& name) const;
  absl::StatusOr<std::vector<int64_t>> ReadInt64ArrayAttr(const std::string& object,
                                                          const std::string& name) const;
  // Attribute names in name order.
  absl::StatusOr<std::vector<std::string>> ListAttrs(const std::string& object) const;
  // Every attribute as text: strings as they are, integers in decimal, reals with 17 significant digits,
  // 1-D numeric arrays comma-separated.
  absl::StatusOr<std::map<std::string, std::string>> ReadAllAttrsAsStrings(const std::string& object) const;

  // --- Fixed-size datasets (contiguous). Parents must exist. ---
  absl::Status WriteInt64s(const std::string& dataset, const std::vector<int64_t>& values);
  absl::Status WriteDoubles(const std::string& dataset, const std::vector<double>& values);
  absl::Status WriteStrings(const std::string& dataset, const std::vector<std::string>& values);
  absl::Status WriteDoublesND(const std::string& dataset, const std::vector<int64_t>& dims,
                              const std::vector<double>& values);
  absl::Status WriteInt32sND(const std::string& dataset, const std::vector<int64_t>& dims,
                             const std::vector<int32_t>& values);

  // Dimensions of a dataset.
  absl::StatusOr<std::vector<int64_t>> Shape(const std::string& dataset) const;
  // 1-D readers fail (naming the shape) for other ranks.
  absl::StatusOr<std::vector<int64_t>> ReadInt64s(const std::string& dataset) const;
  absl::StatusOr<std::vector<double>> ReadDoubles(const std::string& dataset) const;
  absl::StatusOr<std::vector<std::string>> ReadStrings(const std::string& dataset) const;
  absl::StatusOr<Array<double>> ReadDoublesND(const std::string& dataset) const;
  absl::StatusOr<Array<int32_t>> ReadInt32sND(const std::string& dataset) const;

  // --- Chunked, extendable datasets: 1-D (width 0) or 2-D [rows, width]; rows start at 0. ---
  absl::Status CreateExtendable(const std::string& dataset, Type type, int64_t width, int64_t chunk_rows);
  // Appends values (a whole number of rows of the dataset's width for 2-D).
  absl::Status AppendInt32s(const std::string& dataset, const std::vector<int32_t>& values);
  absl::Status AppendInt64s(const std::string& dataset, const std::vector<int64_t>& values);
  absl::Status AppendDoubles(const std::string& dataset, const std::vector<double>& values);

  hid_t id() const { return file_.get(); }

 private:
  File(std::string path, Handle file) : path_(std::move(path)), file_(std::move(file)) {}
  absl::Status WriteAttr(const std::string& object, const std::string& name, hid_t file_type, hid_t mem_type,
                         const std::vector<hsize_t>& dims, const void* data);
  absl::Status WriteDataset(const std::string& dataset, hid_t file_type, hid_t mem_type,
                            const std::vector<int64_t>& dims, const void* data, size_t count);
  absl::Status Append(const std::string& dataset, hid_t mem_type, const void* data, size_t count);

  std::string path_;
  Handle file_;
};

}  // namespace nas::h5

#endif  // NAS_H5_H5_H_
