#include "nas/h5/h5.h"
#include "nas/h5/h5_internal.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "nas/util/status.h"

namespace nas::h5 {
namespace internal {

absl::Status Err(absl::StatusCode code, const std::string& file, const std::string& object,
                 const std::string& what, bool with_detail) {
  std::string msg = absl::StrCat(file, ": ", object.empty() ? "" : absl::StrCat(object, ": "), what);
  if (with_detail) {
    const std::string detail = LastErrorDetail();
    if (!detail.empty()) absl::StrAppend(&msg, " (HDF5: ", detail, ")");
  }
  return absl::Status(code, msg);
}

std::string AttrLabel(const std::string& name) { return absl::StrCat("attribute '", name, "'"); }

// A variable-length (or fixed `size`) C string type in character set `cset`.
Handle StringType(H5T_cset_t cset, size_t size) {
  Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), size);
  H5Tset_cset(t.get(), cset);
  if (size != H5T_VARIABLE) H5Tset_strpad(t.get(), H5T_STR_NULLPAD);
  return t;
}

}  // namespace internal

namespace {

using internal::Err;
using internal::StringType;

// Refuse to allocate more than this for one read (a corrupt header must not exhaust memory).
constexpr uint64_t kMaxReadBytes = uint64_t{16} << 30;

herr_t FirstErrorCallback(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n == 0 && err != nullptr && err->desc != nullptr) *out = err->desc;
  return 0;
}


hid_t FileType(Type type) {
  switch (type) {
    case Type::kInt32: return H5T_STD_I32LE;
    case Type::kInt64: return H5T_STD_I64LE;
    case Type::kDouble: return H5T_IEEE_F64LE;
  }
  return H5T_IEEE_F64LE;
}


Handle AccessList(bool create = false, bool swmr = false) {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  // The HDF5 1.8 file format: checksummed object headers and B-trees (so corrupt metadata is an error, not a
  // crash) and creation-order indexes; readable by HDF5 >= 1.8 (h5py included). SWMR needs the 1.10 format.
  if (create) H5Pset_libver_bounds(fapl.get(), swmr ? H5F_LIBVER_LATEST : H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
  H5Pset_file_locking(fapl.get(), 1, 1);  // lock, but work on file systems without locks
  return fapl;
}

// HDF5 1.10 walks every metadata cache entry on each flush (H5C_set_slist_enabled); a small cache keeps a
// flush cheap when the file holds thousands of objects, each written once in a while (a 1,600-run log with a
// flush per episode: 12.9 s with the default cache, 1.1 s with this one).
void SmallMetadataCache(hid_t fapl) {
  H5AC_cache_config_t mdc;
  mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  if (H5Pget_mdc_config(fapl, &mdc) < 0) return;
  mdc.set_initial_size = true;
  mdc.initial_size = 64 * 1024;
  mdc.min_size = 32 * 1024;
  mdc.max_size = 256 * 1024;
  H5Pset_mdc_config(fapl, &mdc);
}

// Object creation properties without modification/creation times, so that the same content written twice gives
// the same bytes (HDF5 stores four timestamps per object header by default). `cls`: H5P_GROUP_CREATE,
// H5P_DATASET_CREATE or H5P_FILE_CREATE (the root group).
Handle UntimedCreateList(hid_t cls) {
  Handle plist(H5Pcreate(cls));
  H5Pset_obj_track_times(plist.get(), false);
  return plist;
}

bool ClassAllowed(H5T_class_t cls, bool integer_only) {
  return cls == H5T_INTEGER || (!integer_only && cls == H5T_FLOAT);
}

std::string ShapeText(const std::vector<int64_t>& dims) { return absl::StrCat("[", absl::StrJoin(dims, ", "), "]"); }

// Reads a numeric attribute of rank <= 1 (or a null dataspace: no values).

template <typename T>
absl::StatusOr<Array<T>> ReadArray(const File& f, const std::string& dataset, hid_t mem_type, bool integer_only) {
  Handle ds(H5Dopen2(f.id(), dataset.c_str(), H5P_DEFAULT));
  if (!ds.valid()) return Err(absl::StatusCode::kNotFound, f.path(), dataset, "cannot open dataset");
  Handle type(H5Dget_type(ds.get()));
  if (!type.valid() || !ClassAllowed(H5Tget_class(type.get()), integer_only))
    return Err(absl::StatusCode::kInvalidArgument, f.path(), dataset,
               absl::StrCat("dataset is not ", integer_only ? "integer" : "numeric"), false);
  Handle space(H5Dget_space(ds.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return Err(absl::StatusCode::kDataLoss, f.path(), dataset, "cannot read the dataset's shape");
  std::vector<hsize_t> hdims(rank);
  H5Sget_simple_extent_dims(space.get(), hdims.data(), nullptr);
  Array<T> out;
  uint64_t total = 1;
  for (hsize_t d : hdims) {
    out.dims.push_back(static_cast<int64_t>(d));
    total *= d;
    if (d != 0 && total * sizeof(T) > kMaxReadBytes)
      return Err(absl::StatusCode::kDataLoss, f.path(), dataset,
                 absl::StrCat("implausible shape ", ShapeText(out.dims), " (corrupt file?)"), false);
  }
  out.data.resize(total);
  if (total > 0 && H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data.data()) < 0)
    return Err(absl::StatusCode::kDataLoss, f.path(), dataset, "cannot read the dataset (truncated file?)");
  return out;
}

template <typename T>
absl::StatusOr<std::vector<T>> Read1D(const File& f, const std::string& dataset, hid_t mem_type, bool integer_only) {
  NAS_ASSIGN_OR_RETURN(Array<T> a, ReadArray<T>(f, dataset, mem_type, integer_only));
  if (a.dims.size() != 1)
    return Err(absl::StatusCode::kInvalidArgument, f.path(), dataset,
               absl::StrCat("expected a 1-D dataset, found shape ", ShapeText(a.dims)), false);
  return std::move(a.data);
}

}  // namespace

void DisableErrorPrinting() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string LastErrorDetail() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, FirstErrorCallback, &detail);
  return absl::StrReplaceAll(detail, {{"\n", " "}});
}

bool Handle::reset() {
  if (id_ < 0) return true;
  herr_t rc = 0;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: rc = H5Fclose(id_); break;
    case H5I_GROUP: rc = H5Gclose(id_); break;
    case H5I_DATASET: rc = H5Dclose(id_); break;
    case H5I_DATASPACE: rc = H5Sclose(id_); break;
    case H5I_DATATYPE: rc = H5Tclose(id_); break;
    case H5I_ATTR: rc = H5Aclose(id_); break;
    case H5I_GENPROP_LST: rc = H5Pclose(id_); break;
    default: rc = H5Idec_ref(id_) < 0 ? -1 : 0; break;
  }
  id_ = -1;
  return rc >= 0;
}

// ---------------------------------------------------------------------------------------------- files

absl::StatusOr<File> File::Open(const std::string& path, bool writable) {
  DisableErrorPrinting();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot access: ", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not an HDF5 file"));
  // Opening a FIFO blocks until a writer appears, and a device or socket is no file to read: refused.
  if (!S_ISREG(st.st_mode))
    return absl::InvalidArgumentError(absl::StrCat(path, ": is not a regular file (a FIFO, device or socket)"));
  if (!std::ifstream(path).good()) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot be read"));
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0)
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an HDF5 file (no HDF5 signature; ", st.st_size,
                                                   " bytes)"));
  if (is_hdf5 < 0) return Err(absl::StatusCode::kDataLoss, path, "", "cannot check whether this is an HDF5 file");
  Handle fapl = AccessList();
  Handle file(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get()));
  if (!file.valid() && !writable) {
    // A file a SWMR writer has open (or was killed with) is marked "open for write": read it as a SWMR reader.
    const std::string detail = LastErrorDetail();
    if (detail.find("already open for write") != std::string::npos) {
      Handle swmr_fapl = AccessList();
      // A checksum that fails is re-read (a live writer may be halfway through that write) with a growing
      // sleep: HDF5's default of 100 attempts made a corrupt file hang a reader for minutes; 10 take < 0.2 s.
      H5Pset_metadata_read_attempts(swmr_fapl.get(), 10);
      file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, swmr_fapl.get()));
    }
  }
  if (!file.valid())
    return Err(absl::StatusCode::kDataLoss, path, "", "HDF5 cannot open this file (truncated or corrupt?)");
  return File(path, std::move(file));
}

absl::StatusOr<File> File::CreateSwmr(const std::string& path, bool overwrite) {
  DisableErrorPrinting();
  struct stat st;
  if (!overwrite && ::stat(path.c_str(), &st) == 0)
    return absl::AlreadyExistsError(absl::StrCat(path, ": already exists; refusing to overwrite it"));
  // HDF5's default (adaptive) metadata cache while the objects are created: a small one evicted and rewrote
  // object headers thousands of times for a log of thousands of runs. The SWMR writer reopens it small.
  Handle fapl = AccessList(/*create=*/true, /*swmr=*/true);
  Handle fcpl = UntimedCreateList(H5P_FILE_CREATE);
  Handle file(H5Fcreate(path.c_str(), overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, fcpl.get(), fapl.get()));
  if (!file.valid()) return Err(absl::StatusCode::kFailedPrecondition, path, "", "cannot create the file");
  return File(path, std::move(file));
}


absl::StatusOr<File> File::OpenSwmrWriter(const std::string& path) {
  DisableErrorPrinting();
  Handle fapl = AccessList(/*create=*/true, /*swmr=*/true);
  SmallMetadataCache(fapl.get());
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, fapl.get()));
  if (!file.valid()) return Err(absl::StatusCode::kFailedPrecondition, path, "", "cannot open for SWMR writing");
  return File(path, std::move(file));
}

absl::Status File::ClearStatusFlags(const std::string& path) {
  DisableErrorPrinting();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Err(absl::StatusCode::kNotFound, path, "", "no such file", false);
  Handle fapl = AccessList();
  hbool_t clear = true;
  if (H5Pset(fapl.get(), "clear_status_flags", &clear) < 0)
    return Err(absl::StatusCode::kInternal, path, "", "this HDF5 cannot clear status flags");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()));
  if (!file.valid()) return Err(absl::StatusCode::kDataLoss, path, "", "HDF5 cannot open this file read-write");
  // A killed writer leaves the superblock's end-of-allocation behind the data it flushed after the last
  // superblock write (SWMR readers do not mind, plain readers do: "addr overflow"): extend it to the end of the
  // file, as `h5clear --increment=0` does.
  haddr_t eoa = 0;
  if (H5Fget_eoa(file.get(), &eoa) < 0 || (static_cast<uint64_t>(st.st_size) > eoa && H5Fincrement_filesize(file.get(), 0) < 0))
    return Err(absl::StatusCode::kDataLoss, path, "", "cannot extend the file's end of allocation to its size");
  if (!file.reset()) return Err(absl::StatusCode::kDataLoss, path, "", "error while closing the file");
  return absl::OkStatus();
}

absl::Status File::FlushDataset(const std::string& dataset) {
  Handle ds(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!ds.valid() || H5Dflush(ds.get()) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, dataset, "cannot flush dataset");
  return absl::OkStatus();
}

absl::StatusOr<File> File::Create(const std::string& path, bool overwrite) {
  DisableErrorPrinting();
  struct stat st;
  if (!overwrite && ::stat(path.c_str(), &st) == 0)
    return absl::AlreadyExistsError(absl::StrCat(path, ": already exists; refusing to overwrite it"));
  Handle fapl = AccessList(/*create=*/true);
  Handle fcpl = UntimedCreateList(H5P_FILE_CREATE);
  Handle file(H5Fcreate(path.c_str(), overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, fcpl.get(), fapl.get()));
  if (!file.valid()) return Err(absl::StatusCode::kFailedPrecondition, path, "", "cannot create the file");
  return File(path, std::move(file));
}

absl::Status File::Flush() {
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, "", "cannot flush the file");
  return absl::OkStatus();
}

absl::Status File::Close() {
  if (!file_.valid()) return absl::OkStatus();
  if (!file_.reset()) return Err(absl::StatusCode::kDataLoss, path_, "", "error while closing the file");
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------- groups

absl::Status File::CreateGroup(const std::string& group, bool track_order) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle gcpl = UntimedCreateList(H5P_GROUP_CREATE);
  if (track_order) H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  Handle g(H5Gcreate2(file_.get(), group.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT));
  if (!g.valid()) return Err(absl::StatusCode::kFailedPrecondition, path_, group, "cannot create group");
  return absl::OkStatus();
}

bool File::Exists(const std::string& object) const {
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(object, '/', absl::SkipEmpty())) {
    absl::StrAppend(&prefix, "/", part);
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> File::ListChildren(const std::string& group) const {
  Handle g(H5Gopen2(file_.get(), group.c_str(), H5P_DEFAULT));
  if (!g.valid()) return Err(absl::StatusCode::kNotFound, path_, group, "cannot open group");
  H5G_info_t info;
  if (H5Gget_info(g.get(), &info) < 0) return Err(absl::StatusCode::kDataLoss, path_, group, "cannot list group");
  Handle gcpl(H5Gget_create_plist(g.get()));
  unsigned flags = 0;
  H5Pget_link_creation_order(gcpl.get(), &flags);
  const H5_index_t index = (flags & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(g.get(), ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) return Err(absl::StatusCode::kDataLoss, path_, group, "cannot list group");
    std::string name(static_cast<size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(g.get(), ".", index, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<size_t>(len));
    names.push_back(std::move(name));
  }
  return names;
}

// ---------------------------------------------------------------------------------------------- datasets

absl::Status File::WriteDataset(const std::string& dataset, hid_t file_type, hid_t mem_type,
                                const std::vector<int64_t>& dims, const void* data, size_t count) {
  std::vector<hsize_t> hdims;
  uint64_t total = 1;
  for (int64_t d : dims) {
    if (d < 0) return Err(absl::StatusCode::kInvalidArgument, path_, dataset, "negative dimension", false);
    hdims.push_back(static_cast<hsize_t>(d));
    total *= static_cast<uint64_t>(d);
  }
  if (dims.empty() || total != count)
    return Err(absl::StatusCode::kInvalidArgument, path_, dataset,
               absl::StrCat("shape ", ShapeText(dims), " does not hold ", count, " values"), false);
  Handle space(H5Screate_simple(static_cast<int>(hdims.size()), hdims.data(), nullptr));
  Handle dcpl = UntimedCreateList(H5P_DATASET_CREATE);
  Handle ds(H5Dcreate2(file_.get(), dataset.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!ds.valid()) return Err(absl::StatusCode::kFailedPrecondition, path_, dataset, "cannot create dataset");
  if (count > 0 && H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, dataset, "cannot write dataset");
  return absl::OkStatus();
}

absl::Status File::WriteInt64s(const std::string& dataset, const std::vector<int64_t>& values) {
  return WriteDataset(dataset, H5T_STD_I64LE, H5T_NATIVE_INT64, {static_cast<int64_t>(values.size())},
                      values.data(), values.size());
}

absl::Status File::WriteDoubles(const std::string& dataset, const std::vector<double>& values) {
  return WriteDataset(dataset, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {static_cast<int64_t>(values.size())},
                      values.data(), values.size());
}

// Fixed-length (NUL-padded) strings: HDF5 does not checksum the global heap behind variable-length strings,
// and a corrupted one crashed the reader in a fuzz test; fixed-length data cannot.
absl::Status File::WriteStrings(const std::string& dataset, const std::vector<std::string>& values) {
  size_t width = 1;
  for (const std::string& s : values) width = std::max(width, s.size());
  std::vector<char> buffer(values.size() * width, '\0');
  for (size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), &buffer[i * width]);
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), width);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return WriteDataset(dataset, type.get(), type.get(), {static_cast<int64_t>(values.size())}, buffer.data(),
                      values.size());
}

absl::Status File::WriteDoublesND(const std::string& dataset, const std::vector<int64_t>& dims,
                                  const std::vector<double>& values) {
  return WriteDataset(dataset, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, values.data(), values.size());
}

absl::Status File::WriteInt32sND(const std::string& dataset, const std::vector<int64_t>& dims,
                                 const std::vector<int32_t>& values) {
  return WriteDataset(dataset, H5T_STD_I32LE, H5T_NATIVE_INT32, dims, values.data(), values.size());
}

absl::StatusOr<std::vector<int64_t>> File::Shape(const std::string& dataset) const {
  Handle ds(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!ds.valid()) return Err(absl::StatusCode::kNotFound, path_, dataset, "cannot open dataset");
  Handle space(H5Dget_space(ds.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return Err(absl::StatusCode::kDataLoss, path_, dataset, "cannot read the dataset's shape");
  std::vector<hsize_t> hdims(rank);
  H5Sget_simple_extent_dims(space.get(), hdims.data(), nullptr);
  return std::vector<int64_t>(hdims.begin(), hdims.end());
}

absl::StatusOr<std::vector<int64_t>> File::ReadInt64s(const std::string& dataset) const {
  return Read1D<int64_t>(*this, dataset, H5T_NATIVE_INT64, true);
}

absl::StatusOr<std::vector<double>> File::ReadDoubles(const std::string& dataset) const {
  return Read1D<double>(*this, dataset, H5T_NATIVE_DOUBLE, false);
}

absl::StatusOr<Array<double>> File::ReadDoublesND(const std::string& dataset) const {
  return ReadArray<double>(*this, dataset, H5T_NATIVE_DOUBLE, false);
}

absl::StatusOr<Array<int32_t>> File::ReadInt32sND(const std::string& dataset) const {
  return ReadArray<int32_t>(*this, dataset, H5T_NATIVE_INT32, true);
}

absl::StatusOr<std::vector<std::string>> File::ReadStrings(const std::string& dataset) const {
  Handle ds(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!ds.valid()) return Err(absl::StatusCode::kNotFound, path_, dataset, "cannot open dataset");
  Handle type(H5Dget_type(ds.get()));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING)
    return Err(absl::StatusCode::kInvalidArgument, path_, dataset, "dataset is not of strings", false);
  Handle space(H5Dget_space(ds.get()));
  if (H5Sget_simple_extent_ndims(space.get()) != 1)
    return Err(absl::StatusCode::kInvalidArgument, path_, dataset, "expected a 1-D dataset of strings", false);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  const H5T_cset_t cset = H5Tget_cset(type.get());
  std::vector<std::string> out;
  if (n == 0) return out;
  out.reserve(n);
  if (H5Tis_variable_str(type.get()) > 0) {
    if (n * sizeof(char*) > kMaxReadBytes)
      return Err(absl::StatusCode::kDataLoss, path_, dataset, "implausible length (corrupt file?)", false);
    Handle mem = StringType(cset);
    std::vector<char*> buf(n, nullptr);
    if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
      return Err(absl::StatusCode::kDataLoss, path_, dataset, "cannot read the dataset (truncated file?)");
    for (char* p : buf) out.emplace_back(p != nullptr ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
    return out;
  }
  const size_t size = H5Tget_size(type.get());
  if (size == 0 || n * size > kMaxReadBytes)
    return Err(absl::StatusCode::kDataLoss, path_, dataset, "implausible string size (corrupt file?)", false);
  Handle mem = StringType(cset, size);
  std::vector<char> buf(n * size);
  if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, dataset, "cannot read the dataset (truncated file?)");
  for (hsize_t i = 0; i < n; ++i) {
    const char* p = buf.data() + i * size;
    out.emplace_back(p, strnlen(p, size));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- extendable

absl::Status File::CreateExtendable(const std::string& dataset, Type type, int64_t width, int64_t chunk_rows) {
  if (width < 0 || chunk_rows < 1)
    return Err(absl::StatusCode::kInvalidArgument, path_, dataset,
               absl::StrCat("bad extendable layout (width ", width, ", chunk ", chunk_rows, ")"), false);
  const int rank = width > 0 ? 2 : 1;
  const hsize_t dims[2] = {0, static_cast<hsize_t>(width)};
  const hsize_t maxdims[2] = {H5S_UNLIMITED, static_cast<hsize_t>(width)};
  const hsize_t chunk[2] = {static_cast<hsize_t>(chunk_rows), static_cast<hsize_t>(width)};
  Handle space(H5Screate_simple(rank, dims, maxdims));
  Handle dcpl = UntimedCreateList(H5P_DATASET_CREATE);
  if (H5Pset_chunk(dcpl.get(), rank, chunk) < 0)
    return Err(absl::StatusCode::kInvalidArgument, path_, dataset, "cannot set the chunk size");
  Handle ds(H5Dcreate2(file_.get(), dataset.c_str(), FileType(type), space.get(), H5P_DEFAULT, dcpl.get(),
                       H5P_DEFAULT));
  if (!ds.valid()) return Err(absl::StatusCode::kFailedPrecondition, path_, dataset, "cannot create dataset");
  return absl::OkStatus();
}

absl::Status File::Append(const std::string& dataset, hid_t mem_type, const void* data, size_t count) {
  Handle ds(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!ds.valid()) return Err(absl::StatusCode::kNotFound, path_, dataset, "cannot open dataset");
  Handle space(H5Dget_space(ds.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != 1 && rank != 2)
    return Err(absl::StatusCode::kInvalidArgument, path_, dataset, "can only append to 1-D or 2-D datasets", false);
  hsize_t dims[2] = {0, 1};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const hsize_t width = rank == 2 ? dims[1] : 1;
  if (width == 0 || count % width != 0)
    return Err(absl::StatusCode::kInvalidArgument, path_, dataset,
               absl::StrCat(count, " values are not a whole number of rows of width ", width), false);
  const hsize_t rows = count / width;
  if (rows == 0) return absl::OkStatus();
  const hsize_t new_dims[2] = {dims[0] + rows, width};
  if (H5Dset_extent(ds.get(), new_dims) < 0)
    return Err(absl::StatusCode::kFailedPrecondition, path_, dataset, "cannot extend dataset");
  Handle file_space(H5Dget_space(ds.get()));
  const hsize_t start[2] = {dims[0], 0};
  const hsize_t block[2] = {rows, width};
  const hsize_t mem_count = count;
  Handle mem_space(H5Screate_simple(1, &mem_count, nullptr));
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, block, nullptr) < 0 ||
      H5Dwrite(ds.get(), mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, dataset, "cannot append to dataset");
  return absl::OkStatus();
}

absl::Status File::AppendInt32s(const std::string& dataset, const std::vector<int32_t>& values) {
  return Append(dataset, H5T_NATIVE_INT32, values.data(), values.size());
}

absl::Status File::AppendInt64s(const std::string& dataset, const std::vector<int64_t>& values) {
  return Append(dataset, H5T_NATIVE_INT64, values.data(), values.size());
}

absl::Status File::AppendDoubles(const std::string& dataset, const std::vector<double>& values) {
  return Append(dataset, H5T_NATIVE_DOUBLE, values.data(), values.size());
}

}  // namespace nas::h5
