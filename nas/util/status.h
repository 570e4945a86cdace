// Status helpers shared by the whole library (absl::Status / StatusOr at every I/O boundary).
#ifndef NAS_UTIL_STATUS_H_
#define NAS_UTIL_STATUS_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NAS_STATUS_CONCAT_INNER_(a, b) a##b
#define NAS_STATUS_CONCAT_(a, b) NAS_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define NAS_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::absl::Status nas_status_ = (expr);           \
    if (!nas_status_.ok()) return nas_status_;     \
  } while (0)

// `lhs = value of expr` for an absl::StatusOr<T> expr, or returns its error.
#define NAS_ASSIGN_OR_RETURN(lhs, expr) \
  NAS_ASSIGN_OR_RETURN_IMPL_(NAS_STATUS_CONCAT_(nas_statusor_, __LINE__), lhs, expr)
#define NAS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

// Programmer invariants only (never user input): abort with file and line.
#define NAS_CHECK(cond)                                                                      \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: internal invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

#endif  // NAS_UTIL_STATUS_H_
