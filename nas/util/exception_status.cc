#include "nas/util/exception_status.h"

#include <new>

#include "absl/strings/str_cat.h"

namespace nas {

std::string ExceptionMessage(std::exception_ptr e) {
  if (!e) return "unknown exception";
  std::string what;
  try {
    std::rethrow_exception(e);
  } catch (const std::bad_alloc&) {
    return "out of memory (std::bad_alloc)";
  } catch (const std::exception& ex) {
    what = ex.what() ? ex.what() : "";
  } catch (...) {
    return "unknown exception";
  }
  // First non-empty line; control characters become spaces.
  size_t begin = what.find_first_not_of("\r\n");
  if (begin == std::string::npos) return "exception without a message";
  std::string line = what.substr(begin, what.find_first_of("\r\n", begin) - begin);
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return line;
}

absl::Status CurrentExceptionToStatus(const std::string& context) {
  const std::string message = ExceptionMessage(std::current_exception());
  return absl::InternalError(context.empty() ? message : absl::StrCat(context, ": ", message));
}

}  // namespace nas
