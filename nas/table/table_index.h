// Row lookup for dense and sparse tables (table.h). Dense: the row is the space's ordinal. Sparse (NB101): the
// row whose key is the architecture's SearchSpace::CanonicalKey, so every isomorphic or pruned-equal
// variant of a graph finds the one row the source measured.
#ifndef NAS_TABLE_TABLE_INDEX_H_
#define NAS_TABLE_TABLE_INDEX_H_

#include <cstdint>

#include "absl/status/status.h"
#include "nas/space/space.h"
#include "nas/table/table.h"

namespace nas {

// The row of `actions`, or -1 when the actions are not a valid architecture of `space` or a sparse table has
// no row for them. `space` must be the table's space (space.name() == table.space()).
int64_t RowOf(const Table& table, const SearchSpace& space, const Actions& actions);

// Whether `space` can index `table`: same name, and for dense tables num_archs == space.size().
absl::Status CheckTableSpace(const Table& table, const SearchSpace& space);

}  // namespace nas

#endif  // NAS_TABLE_TABLE_INDEX_H_
