// Content checksums of the table format (nas/table/README.md): every array a table stores (/archs/* and
// /datasets/<name>/<metric>) carries a string attribute `sha256`, the SHA-256 of its values (doubles and int64
// as their 8 little-endian bytes, strings as an 8-byte little-endian length and the bytes); the root attribute
// `values_sha256` is the SHA-256 of the manifest, one line "<array path> <digest>" per array in file order plus
// "<dataset group> fidelities=<f,...> seeds=<s,...>" per dataset. HDF5 checksums the metadata but not the raw
// data, so these catch a flipped byte in the values. Tables written before the checksums have no attributes:
// they load unverified, and their values_sha256 is computed the same way.
#ifndef NAS_TABLE_TABLE_CHECKSUM_H_
#define NAS_TABLE_TABLE_CHECKSUM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nas/h5/h5.h"

namespace nas {

std::string DigestDoubles(const std::vector<double>& values);
std::string DigestInt64s(const std::vector<int64_t>& values);
std::string DigestStrings(const std::vector<std::string>& values);

// Collects the manifest while a table is written or read.
class TableChecksums {
 public:
  // Writing: stores `digest` as `array`'s sha256 attribute and adds it to the manifest.
  absl::Status Store(h5::File& file, const std::string& array, const std::string& digest);
  // Reading: compares `digest` (of the values just read) with `array`'s stored attribute, if it has one:
  // DataLoss "<file>: <array>: values do not match their stored SHA-256 (corrupt file)" when they differ.
  absl::Status Verify(const h5::File& file, const std::string& array, const std::string& digest);
  void AddGroup(const std::string& group, const std::vector<int32_t>& fidelities, const std::vector<int64_t>& seeds);

  std::string ValuesSha256() const;
  // Every verified array had a stored digest.
  bool complete() const { return verified_ > 0 && missing_ == 0; }
  bool any_stored() const { return verified_ > 0; }

 private:
  std::string manifest_;
  int verified_ = 0, missing_ = 0;
};

}  // namespace nas

#endif  // NAS_TABLE_TABLE_CHECKSUM_H_
