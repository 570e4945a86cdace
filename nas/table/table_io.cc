#include "nas/table/table_io.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/h5/h5.h"
#include "nas/space/space.h"
#include "nas/table/table_checksum.h"
#include "nas/util/status.h"

namespace nas {
namespace {

constexpr char kFormat[] = "nas-table";
constexpr int64_t kFormatVersion = 1;
const char* const kReservedAttrs[] = {"format", "format_version", "space", "num_archs", "values_sha256"};
const char* const kMetrics[] = {"train_acc", "valid_acc", "test_acc", "train_time"};

bool IsReserved(const std::string& key) {
  for (const char* r : kReservedAttrs)
    if (key == r) return true;
  return false;
}

double TableEntry::*MetricField(int k) {
  static double TableEntry::*const kFields[] = {&TableEntry::train_acc, &TableEntry::valid_acc,
                                                &TableEntry::test_acc, &TableEntry::train_time};
  return kFields[k];
}

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

// Checks what the writer needs and the reader will check, so a written table always reads back.
absl::Status ValidateForWrite(const Table& table, const std::string& path, const SearchSpace& space) {
  if (!table.sparse() && table.num_archs() != space.size())
    return Invalid(path, absl::StrCat("cannot write: the table has ", table.num_archs(), " architectures but space '",
                                      table.space(), "' has ", space.size()));
  if (table.sparse() && (table.num_archs() < 1 || table.row_keys().size() != static_cast<size_t>(table.num_archs())))
    return Invalid(path, "cannot write: a sparse table needs at least one row and one key per row");
  const size_t a = static_cast<size_t>(table.num_archs());
  if (table.source_index().size() != a || table.params_m().size() != a || table.flops_m().size() != a)
    return Invalid(path, "cannot write: per-architecture arrays do not have num_archs entries");
  for (const auto& [key, value] : table.attributes())
    if (IsReserved(key) || key.empty())
      return Invalid(path, absl::StrCat("cannot write: attribute name '", key, "' is reserved by the format"));
  std::set<std::string> names;
  for (const TableDataset& d : table.datasets()) {
    if (d.name().empty() || d.name().find('/') != std::string::npos || d.name() == "." || d.name() == "..")
      return Invalid(path, absl::StrCat("cannot write: bad dataset name '", d.name(), "'"));
    if (d.fidelities().empty())
      return Invalid(path, absl::StrCat("cannot write: dataset '", d.name(), "' has no fidelities"));
    if (!names.insert(d.name()).second)
      return Invalid(path, absl::StrCat("cannot write: dataset '", d.name(), "' appears twice"));
    if (d.num_archs() != table.num_archs() ||
        d.entries().size() != a * d.fidelities().size() * static_cast<size_t>(d.num_slots()))
      return Invalid(path, absl::StrCat("cannot write: dataset '", d.name(), "' has inconsistent sizes"));
  }
  return absl::OkStatus();
}

absl::Status WriteContents(const Table& table, const SearchSpace& space, h5::File& file) {
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "format", kFormat));
  NAS_RETURN_IF_ERROR(file.WriteInt64Attr("/", "format_version", kFormatVersion));
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "space", table.space()));
  NAS_RETURN_IF_ERROR(file.WriteInt64Attr("/", "num_archs", table.num_archs()));
  for (const auto& [key, value] : table.attributes()) NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", key, value));

  const int64_t a = table.num_archs();
  std::vector<std::string> arch_str(static_cast<size_t>(table.sparse() ? 0 : a));
  for (int64_t i = 0; i < static_cast<int64_t>(arch_str.size()); ++i) arch_str[i] = space.ToString(space.FromOrdinal(i));
  if (table.sparse()) arch_str = table.row_archs();
  TableChecksums sums;
  NAS_RETURN_IF_ERROR(file.CreateGroup("/archs"));
  NAS_RETURN_IF_ERROR(file.WriteStrings("/archs/arch_str", arch_str));
  NAS_RETURN_IF_ERROR(sums.Store(file, "/archs/arch_str", DigestStrings(arch_str)));
  if (table.sparse()) {
    NAS_RETURN_IF_ERROR(file.WriteStrings("/archs/key", table.row_keys()));
    NAS_RETURN_IF_ERROR(sums.Store(file, "/archs/key", DigestStrings(table.row_keys())));
  }
  NAS_RETURN_IF_ERROR(file.WriteInt64s("/archs/source_index", table.source_index()));
  NAS_RETURN_IF_ERROR(sums.Store(file, "/archs/source_index", DigestInt64s(table.source_index())));
  NAS_RETURN_IF_ERROR(file.WriteDoubles("/archs/params_m", table.params_m()));
  NAS_RETURN_IF_ERROR(sums.Store(file, "/archs/params_m", DigestDoubles(table.params_m())));
  NAS_RETURN_IF_ERROR(file.WriteDoubles("/archs/flops_m", table.flops_m()));
  NAS_RETURN_IF_ERROR(sums.Store(file, "/archs/flops_m", DigestDoubles(table.flops_m())));

  NAS_RETURN_IF_ERROR(file.CreateGroup("/datasets", /*track_order=*/true));
  for (const TableDataset& d : table.datasets()) {
    const std::string group = absl::StrCat("/datasets/", d.name());
    NAS_RETURN_IF_ERROR(file.CreateGroup(group));
    const std::vector<int32_t> fidelities(d.fidelities().begin(), d.fidelities().end());
    NAS_RETURN_IF_ERROR(file.WriteInt32ArrayAttr(group, "fidelities", fidelities));
    NAS_RETURN_IF_ERROR(file.WriteInt64ArrayAttr(group, "seeds", d.seeds()));
    sums.AddGroup(group, fidelities, d.seeds());
    const std::vector<int64_t> dims = {a, static_cast<int64_t>(d.fidelities().size()), d.num_slots()};
    std::vector<double> values(d.entries().size());
    for (int k = 0; k < 4; ++k) {
      for (size_t i = 0; i < values.size(); ++i) values[i] = d.entries()[i].*MetricField(k);
      const std::string array = absl::StrCat(group, "/", kMetrics[k]);
      NAS_RETURN_IF_ERROR(file.WriteDoublesND(array, dims, values));
      NAS_RETURN_IF_ERROR(sums.Store(file, array, DigestDoubles(values)));
    }
  }
  NAS_RETURN_IF_ERROR(file.WriteStringAttr("/", "values_sha256", sums.ValuesSha256()));
  return file.Close();
}

// Sparse tables: /archs/key has a distinct key per row, and every /archs/arch_str parses to a valid architecture
// of the space. (Keys are not recomputed from the arch strings: that costs seconds for NB101's 423,624 rows.)
absl::Status ReadRowKeys(const h5::File& file, const SearchSpace& space, const std::vector<std::string>& arch_str,
                         Table& table, TableChecksums& sums) {
  const std::string& path = file.path();
  NAS_ASSIGN_OR_RETURN(std::vector<std::string> keys, file.ReadStrings("/archs/key"));
  NAS_RETURN_IF_ERROR(sums.Verify(file, "/archs/key", DigestStrings(keys)));
  if (keys.size() != static_cast<size_t>(table.num_archs()))
    return Invalid(path, absl::StrCat("/archs/key has ", keys.size(), " entries, expected num_archs = ",
                                      table.num_archs()));
  for (size_t i = 0; i < arch_str.size(); ++i) {
    auto actions = space.Parse(arch_str[i]);
    if (!actions.ok() || !space.IsValid(*actions))
      return Invalid(path, absl::StrCat("/archs/arch_str row ", i, " is '", arch_str[i], "', not a valid ",
                                        space.name(), " architecture"));
  }
  absl::Status s = table.SetRowKeys(std::move(keys), arch_str);
  if (!s.ok()) return Invalid(path, absl::StrCat("/archs/key: ", s.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Table>> ReadContents(const h5::File& file) {
  const std::string& path = file.path();
  if (!file.HasAttr("/", "format"))
    return Invalid(path, "not a nas table (the root has no 'format' attribute)");
  NAS_ASSIGN_OR_RETURN(const std::string format, file.ReadStringAttr("/", "format"));
  if (format != kFormat) return Invalid(path, absl::StrCat("not a nas table (format is '", format, "', expected '",
                                                           kFormat, "')"));
  NAS_ASSIGN_OR_RETURN(const int64_t version, file.ReadInt64Attr("/", "format_version"));
  if (version != kFormatVersion)
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": table format_version ", version, " is not supported: this build reads version ", kFormatVersion,
        version > kFormatVersion ? " (the file was written by a newer version; update this program)"
                                 : " (the file is from an older version; re-import or rebuild it)"));
  NAS_ASSIGN_OR_RETURN(const std::string space_name, file.ReadStringAttr("/", "space"));
  auto space_or = CreateSpace(space_name);
  if (!space_or.ok()) return Invalid(path, std::string(space_or.status().message()));
  std::unique_ptr<SearchSpace> space = std::move(space_or).value();
  NAS_ASSIGN_OR_RETURN(const int64_t num_archs, file.ReadInt64Attr("/", "num_archs"));
  const bool sparse = file.Exists("/archs/key");  // sparse rows keyed by CanonicalKey (table.h)
  if (sparse) {  // the row count must match the keys before anything is allocated for it
    NAS_ASSIGN_OR_RETURN(const std::vector<int64_t> key_shape, file.Shape("/archs/key"));
    if (num_archs < 1 || num_archs > space->size() || key_shape != std::vector<int64_t>{num_archs})
      return Invalid(path, absl::StrCat("num_archs is ", num_archs, " but /archs/key has shape [",
                                        absl::StrJoin(key_shape, ", "), "] (sparse table)"));
  }
  if (!sparse && num_archs != space->size())
    return Invalid(path, absl::StrCat("num_archs is ", num_archs, " but space '", space_name, "' has ",
                                      space->size(), " architectures"));

  auto table = std::make_unique<Table>(space_name, num_archs);
  NAS_ASSIGN_OR_RETURN(auto attrs, file.ReadAllAttrsAsStrings("/"));
  for (auto& [key, value] : attrs)
    if (!IsReserved(key)) table->attributes()[key] = std::move(value);

  auto check_len = [&](const std::string& name, size_t n) -> absl::Status {
    if (n != static_cast<size_t>(num_archs))
      return Invalid(path, absl::StrCat(name, " has ", n, " entries, expected num_archs = ", num_archs));
    return absl::OkStatus();
  };
  TableChecksums sums;
  NAS_ASSIGN_OR_RETURN(const std::vector<std::string> arch_str, file.ReadStrings("/archs/arch_str"));
  NAS_RETURN_IF_ERROR(sums.Verify(file, "/archs/arch_str", DigestStrings(arch_str)));
  NAS_RETURN_IF_ERROR(check_len("/archs/arch_str", arch_str.size()));
  for (int64_t i = 0; i < (sparse ? 0 : num_archs); ++i) {
    const std::string expected = space->ToString(space->FromOrdinal(i));
    if (arch_str[i] != expected)
      return Invalid(path, absl::StrCat("/archs/arch_str row ", i, " is '", arch_str[i], "' but ordinal ", i,
                                        " of space '", space_name, "' is '", expected, "'"));
  }
  if (sparse) NAS_RETURN_IF_ERROR(ReadRowKeys(file, *space, arch_str, *table, sums));
  NAS_ASSIGN_OR_RETURN(table->source_index(), file.ReadInt64s("/archs/source_index"));
  NAS_RETURN_IF_ERROR(sums.Verify(file, "/archs/source_index", DigestInt64s(table->source_index())));
  NAS_RETURN_IF_ERROR(check_len("/archs/source_index", table->source_index().size()));
  NAS_ASSIGN_OR_RETURN(table->params_m(), file.ReadDoubles("/archs/params_m"));
  NAS_RETURN_IF_ERROR(sums.Verify(file, "/archs/params_m", DigestDoubles(table->params_m())));
  NAS_RETURN_IF_ERROR(check_len("/archs/params_m", table->params_m().size()));
  NAS_ASSIGN_OR_RETURN(table->flops_m(), file.ReadDoubles("/archs/flops_m"));
  NAS_RETURN_IF_ERROR(sums.Verify(file, "/archs/flops_m", DigestDoubles(table->flops_m())));
  NAS_RETURN_IF_ERROR(check_len("/archs/flops_m", table->flops_m().size()));

  NAS_ASSIGN_OR_RETURN(const std::vector<std::string> names, file.ListChildren("/datasets"));
  for (const std::string& name : names) {
    const std::string group = absl::StrCat("/datasets/", name);
    NAS_ASSIGN_OR_RETURN(const std::vector<int32_t> fidelities, file.ReadInt32ArrayAttr(group, "fidelities"));
    NAS_ASSIGN_OR_RETURN(std::vector<int64_t> seeds, file.ReadInt64ArrayAttr(group, "seeds"));
    if (fidelities.empty()) return Invalid(path, absl::StrCat(group, ": has no fidelities"));
    sums.AddGroup(group, fidelities, seeds);
    TableDataset& d =
        table->AddDataset(name, std::vector<int>(fidelities.begin(), fidelities.end()), std::move(seeds));
    const std::vector<int64_t> want = {num_archs, static_cast<int64_t>(fidelities.size()), d.num_slots()};
    for (int k = 0; k < 4; ++k) {
      const std::string ds = absl::StrCat(group, "/", kMetrics[k]);
      NAS_ASSIGN_OR_RETURN(const std::vector<int64_t> shape, file.Shape(ds));
      if (shape != want)
        return Invalid(path, absl::StrCat(ds, " has shape [", absl::StrJoin(shape, ", "), "], expected [",
                                          absl::StrJoin(want, ", "), "] (archs, fidelities, seeds + mean)"));
      NAS_ASSIGN_OR_RETURN(const h5::Array<double> values, file.ReadDoublesND(ds));
      NAS_RETURN_IF_ERROR(sums.Verify(file, ds, DigestDoubles(values.data)));
      if (values.data.size() != d.entries().size())
        return Invalid(path, absl::StrCat(ds, " changed size while reading"));
      std::vector<TableEntry>& entries = d.mutable_entries();
      for (size_t i = 0; i < entries.size(); ++i) entries[i].*MetricField(k) = values.data[i];
    }
  }
  const std::string values_sha256 = sums.ValuesSha256();
  bool root_matches = false;
  if (file.HasAttr("/", "values_sha256")) {
    NAS_ASSIGN_OR_RETURN(const std::string stored, file.ReadStringAttr("/", "values_sha256"));
    if (stored != values_sha256)
      return absl::DataLossError(absl::StrCat(path, ": values_sha256 does not match the table's arrays (corrupt file)"));
    root_matches = true;
  }
  table->set_values_sha256(values_sha256, root_matches && sums.complete());
  return table;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

absl::Status WriteTable(const Table& table, const std::string& path, bool overwrite) {
  if (!overwrite && FileExists(path))
    return absl::AlreadyExistsError(absl::StrCat(path, ": already exists; refusing to overwrite it"));
  auto space_or = CreateSpace(table.space());
  if (!space_or.ok()) return Invalid(path, absl::StrCat("cannot write: ", space_or.status().message()));
  NAS_RETURN_IF_ERROR(ValidateForWrite(table, path, **space_or));

  const std::string tmp = path + ".tmp";
  absl::Status status;
  {
    auto file = h5::File::Create(tmp, /*overwrite=*/true);
    if (!file.ok()) return file.status();
    status = WriteContents(table, **space_or, *file);
  }
  if (status.ok() && std::rename(tmp.c_str(), path.c_str()) != 0)
    status = absl::UnavailableError(absl::StrCat(path, ": cannot rename ", tmp, " to it: ", std::strerror(errno)));
  if (!status.ok()) std::remove(tmp.c_str());
  return status;
}

absl::StatusOr<std::unique_ptr<Table>> ReadTable(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(h5::File file, h5::File::Open(path));
  return ReadContents(file);
}

}  // namespace nas
