#include "nas/table/table_index.h"

#include "absl/strings/str_cat.h"

namespace nas {

int64_t RowOf(const Table& table, const SearchSpace& space, const Actions& actions) {
  if (!space.IsValid(actions)) return -1;
  if (!table.sparse()) {
    const int64_t ordinal = space.Ordinal(actions);
    return ordinal < table.num_archs() ? ordinal : -1;
  }
  return table.RowOfKey(space.CanonicalKey(actions));
}

absl::Status CheckTableSpace(const Table& table, const SearchSpace& space) {
  if (table.space() != space.name())
    return absl::InvalidArgumentError(
        absl::StrCat("the table is for space '", table.space(), "', not '", space.name(), "'"));
  if (!table.sparse() && table.num_archs() != space.size())
    return absl::InvalidArgumentError(absl::StrCat("the dense table has ", table.num_archs(),
                                                   " rows but space '", space.name(), "' has ", space.size()));
  return absl::OkStatus();
}

}  // namespace nas
