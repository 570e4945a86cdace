// Helpers shared by the h5 wrapper's source files (not part of its API).
#ifndef NAS_H5_H5_INTERNAL_H_
#define NAS_H5_H5_INTERNAL_H_

#include <string>

#include "absl/status/status.h"
#include "nas/h5/h5.h"

namespace nas::h5::internal {

// "<file>: <object>: <what> (HDF5: <innermost reason>)".
absl::Status Err(absl::StatusCode code, const std::string& file, const std::string& object, const std::string& what,
                 bool with_detail = true);
std::string AttrLabel(const std::string& name);
// A variable-length (or fixed `size`) C string type in character set `cset`.
Handle StringType(H5T_cset_t cset = H5T_CSET_UTF8, size_t size = H5T_VARIABLE);

}  // namespace nas::h5::internal

#endif  // NAS_H5_H5_INTERNAL_H_
