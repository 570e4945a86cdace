// The one HDF5 table format (documented in nas/table/README.md). Every importer and `nas build-table`
// writes it; every evaluator reads it.
//
//   /                       attrs: format = "nas-table", format_version = 1, space (e.g. "nb201"),
//                                  num_archs, and every Table::attributes() entry (source, license,
//                                  source_sha256, command, ...), all as strings except the two ints.
//   /archs/arch_str         [A] fixed-length strings, the space's notation (row = space ordinal)
//   /archs/key              [A] fixed-length strings, only in sparse tables (table.h: NB101): row r holds
//                           the architectures with SearchSpace::CanonicalKey == key[r], arch_str[r] is one of
//                           them, and num_archs = A is the number of rows, not the space's size
//   /archs/source_index     [A] int64, the source's own index (-1 unknown)
//   /archs/params_m         [A] float64, parameters in millions (NaN unknown)
//   /archs/flops_m          [A] float64, FLOPs in millions (NaN unknown)
//   /datasets/<name>/       attrs: fidelities (int32[F], epochs), seeds (int64[S]; may be empty)
//   /datasets/<name>/{train_acc,valid_acc,test_acc,train_time}
//                           [A, F, S+1] float64; slot S is the mean over seeds (see table.h)
#ifndef NAS_TABLE_TABLE_IO_H_
#define NAS_TABLE_TABLE_IO_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nas/table/table.h"

namespace nas {

// Refuses to replace an existing file unless `overwrite`; writes to a temporary name and renames, so a crash
// never leaves a half-written table under `path`.
absl::Status WriteTable(const Table& table, const std::string& path, bool overwrite);

// Every failure (missing file, not HDF5, truncated, wrong format or version, inconsistent shapes, unknown
// space) is one clear message naming the file.
absl::StatusOr<std::unique_ptr<Table>> ReadTable(const std::string& path);

}  // namespace nas

#endif  // NAS_TABLE_TABLE_IO_H_
