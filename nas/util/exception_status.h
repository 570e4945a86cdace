// The edge between C++ exceptions (std::bad_alloc, LibTorch's c10::Error, anything thrown) and absl::Status:
// call ExceptionToStatus() inside a `catch (...)` block, at a thread boundary or in main().
#ifndef NAS_UTIL_EXCEPTION_STATUS_H_
#define NAS_UTIL_EXCEPTION_STATUS_H_

#include <exception>
#include <string>

#include "absl/status/status.h"

namespace nas {

// One line describing `e`: the first line of what() (LibTorch appends a multi-line backtrace), "out of memory
// (std::bad_alloc)" for allocation failures, or "unknown exception" for a thrown non-std::exception.
std::string ExceptionMessage(std::exception_ptr e);

// Internal status "<context>: <ExceptionMessage>" (just the message when context is empty) for the exception
// being handled; call only inside a catch block.
absl::Status CurrentExceptionToStatus(const std::string& context = "");

}  // namespace nas

#endif  // NAS_UTIL_EXCEPTION_STATUS_H_
