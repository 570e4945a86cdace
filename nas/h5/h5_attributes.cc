// The attribute half of the h5 wrapper (h5.h): string, integer, double and array attributes.
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nas/h5/h5.h"
#include "nas/h5/h5_internal.h"
#include "nas/util/status.h"

namespace nas::h5 {

using internal::AttrLabel;
using internal::Err;
using internal::StringType;

namespace {

std::string FormatDouble(double v) { return absl::StrFormat("%.17g", v); }

bool ClassAllowed(H5T_class_t cls, bool integer_only) {
  return cls == H5T_INTEGER || (!integer_only && cls == H5T_FLOAT);
}

template <typename T>
absl::StatusOr<std::vector<T>> ReadAttrValues(const File& f, const std::string& object, const std::string& name,
                                              hid_t mem_type, bool integer_only) {
  if (!f.HasAttr(object, name))
    return Err(absl::StatusCode::kNotFound, f.path(), object, absl::StrCat("missing ", AttrLabel(name)), false);
  Handle attr(H5Aopen_by_name(f.id(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return Err(absl::StatusCode::kDataLoss, f.path(), object, "cannot open " + AttrLabel(name));
  Handle type(H5Aget_type(attr.get()));
  if (!type.valid() || !ClassAllowed(H5Tget_class(type.get()), integer_only))
    return Err(absl::StatusCode::kInvalidArgument, f.path(), object,
               absl::StrCat(AttrLabel(name), " is not ", integer_only ? "an integer" : "a number"), false);
  Handle space(H5Aget_space(attr.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (rank < 0 || rank > 1 || n < 0)
    return Err(absl::StatusCode::kInvalidArgument, f.path(), object,
               absl::StrCat(AttrLabel(name), " must be a scalar or a 1-D array"), false);
  std::vector<T> values(static_cast<size_t>(n));
  if (n > 0 && H5Aread(attr.get(), mem_type, values.data()) < 0)
    return Err(absl::StatusCode::kDataLoss, f.path(), object, "cannot read " + AttrLabel(name));
  return values;
}

}  // namespace

// ---------------------------------------------------------------------------------------------- attributes

absl::Status File::WriteAttr(const std::string& object, const std::string& name, hid_t file_type, hid_t mem_type,
                             const std::vector<hsize_t>& dims, const void* data) {
  Handle obj(H5Oopen(file_.get(), object.c_str(), H5P_DEFAULT));
  if (!obj.valid()) return Err(absl::StatusCode::kNotFound, path_, object, "cannot open object");
  if (H5Aexists(obj.get(), name.c_str()) > 0 && H5Adelete(obj.get(), name.c_str()) < 0)
    return Err(absl::StatusCode::kFailedPrecondition, path_, object, "cannot replace " + AttrLabel(name));
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                            : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle attr(H5Acreate2(obj.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return Err(absl::StatusCode::kFailedPrecondition, path_, object, "cannot create " + AttrLabel(name));
  const bool empty = !dims.empty() && dims[0] == 0;
  if (!empty && H5Awrite(attr.get(), mem_type, data) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, object, "cannot write " + AttrLabel(name));
  return absl::OkStatus();
}

absl::Status File::WriteStringAttr(const std::string& object, const std::string& name, const std::string& value) {
  // Fixed-length, stored inside the (checksummed) object header: no global-heap indirection, which HDF5 reads
  // without validation (a corrupt global heap can crash the library).
  Handle type = StringType(H5T_CSET_UTF8, std::max<size_t>(value.size(), 1));
  std::string padded = value;
  padded.resize(std::max<size_t>(value.size(), 1), '\0');
  return WriteAttr(object, name, type.get(), type.get(), {}, padded.data());
}

absl::Status File::WriteInt64Attr(const std::string& object, const std::string& name, int64_t value) {
  return WriteAttr(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &value);
}

absl::Status File::WriteDoubleAttr(const std::string& object, const std::string& name, double value) {
  return WriteAttr(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &value);
}

absl::Status File::WriteInt32ArrayAttr(const std::string& object, const std::string& name,
                                       const std::vector<int32_t>& values) {
  return WriteAttr(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, {values.size()}, values.data());
}

absl::Status File::WriteInt64ArrayAttr(const std::string& object, const std::string& name,
                                       const std::vector<int64_t>& values) {
  return WriteAttr(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {values.size()}, values.data());
}

bool File::HasAttr(const std::string& object, const std::string& name) const {
  return H5Aexists_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

absl::StatusOr<std::string> File::ReadStringAttr(const std::string& object, const std::string& name) const {
  if (!HasAttr(object, name))
    return Err(absl::StatusCode::kNotFound, path_, object, absl::StrCat("missing ", AttrLabel(name)), false);
  Handle attr(H5Aopen_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return Err(absl::StatusCode::kDataLoss, path_, object, "cannot open " + AttrLabel(name));
  Handle type(H5Aget_type(attr.get()));
  Handle space(H5Aget_space(attr.get()));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING)
    return Err(absl::StatusCode::kInvalidArgument, path_, object, AttrLabel(name) + " is not a string", false);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    return Err(absl::StatusCode::kInvalidArgument, path_, object, AttrLabel(name) + " is not a single string", false);
  const H5T_cset_t cset = H5Tget_cset(type.get());
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = StringType(cset);
    char* ptr = nullptr;
    if (H5Aread(attr.get(), mem.get(), &ptr) < 0)
      return Err(absl::StatusCode::kDataLoss, path_, object, "cannot read " + AttrLabel(name));
    std::string value = ptr != nullptr ? ptr : "";
    H5free_memory(ptr);
    return value;
  }
  const size_t size = H5Tget_size(type.get());
  Handle mem = StringType(cset, size);
  std::string value(size, '\0');
  if (size > 0 && H5Aread(attr.get(), mem.get(), value.data()) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, object, "cannot read " + AttrLabel(name));
  value.resize(std::strlen(value.c_str()));
  return value;
}

absl::StatusOr<int64_t> File::ReadInt64Attr(const std::string& object, const std::string& name) const {
  NAS_ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadAttrValues<int64_t>(*this, object, name, H5T_NATIVE_INT64, true));
  if (v.size() != 1)
    return Err(absl::StatusCode::kInvalidArgument, path_, object, AttrLabel(name) + " is not a single integer", false);
  return v[0];
}

absl::StatusOr<double> File::ReadDoubleAttr(const std::string& object, const std::string& name) const {
  NAS_ASSIGN_OR_RETURN(std::vector<double> v, ReadAttrValues<double>(*this, object, name, H5T_NATIVE_DOUBLE, false));
  if (v.size() != 1)
    return Err(absl::StatusCode::kInvalidArgument, path_, object, AttrLabel(name) + " is not a single number", false);
  return v[0];
}

absl::StatusOr<std::vector<int32_t>> File::ReadInt32ArrayAttr(const std::string& object,
                                                              const std::string& name) const {
  return ReadAttrValues<int32_t>(*this, object, name, H5T_NATIVE_INT32, true);
}

absl::StatusOr<std::vector<int64_t>> File::ReadInt64ArrayAttr(const std::string& object,
                                                              const std::string& name) const {
  return ReadAttrValues<int64_t>(*this, object, name, H5T_NATIVE_INT64, true);
}

namespace {
herr_t CollectAttrName(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}
}  // namespace

absl::StatusOr<std::vector<std::string>> File::ListAttrs(const std::string& object) const {
  Handle obj(H5Oopen(file_.get(), object.c_str(), H5P_DEFAULT));
  if (!obj.valid()) return Err(absl::StatusCode::kNotFound, path_, object, "cannot open object");
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Aiterate2(obj.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, CollectAttrName, &names) < 0)
    return Err(absl::StatusCode::kDataLoss, path_, object, "cannot list attributes");
  return names;
}

absl::StatusOr<std::map<std::string, std::string>> File::ReadAllAttrsAsStrings(const std::string& object) const {
  NAS_ASSIGN_OR_RETURN(std::vector<std::string> names, ListAttrs(object));
  std::map<std::string, std::string> out;
  for (const std::string& name : names) {
    Handle attr(H5Aopen_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
    Handle type(attr.valid() ? H5Aget_type(attr.get()) : -1);
    if (!type.valid()) return Err(absl::StatusCode::kDataLoss, path_, object, "cannot open " + AttrLabel(name));
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls == H5T_STRING) {
      NAS_ASSIGN_OR_RETURN(out[name], ReadStringAttr(object, name));
    } else if (cls == H5T_INTEGER) {
      NAS_ASSIGN_OR_RETURN(auto v, ReadAttrValues<int64_t>(*this, object, name, H5T_NATIVE_INT64, true));
      out[name] = absl::StrJoin(v, ",");
    } else if (cls == H5T_FLOAT) {
      NAS_ASSIGN_OR_RETURN(auto v, ReadAttrValues<double>(*this, object, name, H5T_NATIVE_DOUBLE, false));
      out[name] = absl::StrJoin(v, ",", [](std::string* s, double d) { s->append(FormatDouble(d)); });
    } else {
      return Err(absl::StatusCode::kInvalidArgument, path_, object,
                 AttrLabel(name) + " has an unsupported type (not a string or number)", false);
    }
  }
  return out;
}

}  // namespace nas::h5
