// Locating the real benchmark files of ../shared/data (exposed to tests as the @shared_data repository).
#ifndef NAS_TESTING_SHARED_DATA_H_
#define NAS_TESTING_SHARED_DATA_H_

#include <string>

namespace nas::testing {

// Path of `relative` (e.g. "nasbench201/nasbench201_cifar10.csv") inside ../shared/data, or "" when absent.
// Looks in the test's runfiles (@shared_data) and then in $NAS_SHARED_DATA.
std::string SharedDataFile(const std::string& relative);
// The places SharedDataFile looks for `relative`, in order, comma-separated (for a message saying where a file
// was not found).
std::string SharedDataPlaces(const std::string& relative);

}  // namespace nas::testing

// Skips the current test, naming the wanted file, when it is absent.
#define NAS_REQUIRE_SHARED_FILE(var, relative)                                              \
  const std::string var = ::nas::testing::SharedDataFile(relative);                         \
  if (var.empty()) GTEST_SKIP() << "needs ../shared/data/" << (relative)                    \
                                << " (real benchmark data; absent on this machine)"

#endif  // NAS_TESTING_SHARED_DATA_H_
