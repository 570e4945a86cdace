// Child processes for the side-by-side benchmark harnesses (side_by_side, supernet_benchmark): run one with
// its peak memory and CPU time, read its "img/s" line, and interleave A/B pairs so that a drift in the load
// of a shared machine hits both sides alike.
#ifndef BENCHMARKS_CHILD_PROCESS_H_
#define BENCHMARKS_CHILD_PROCESS_H_

#include <functional>
#include <string>
#include <vector>

namespace nas::bench {

struct Proc {
  int code = -1;  // exit status; -1 when it did not start or did not exit normally
  std::string out;
  double wall_s = 0, cpu_s = 0, max_rss_mb = 0;  // cpu_s: user + system; rusage of the child itself (wait4)
};

enum class Stderr { kInherit, kNull, kStdout };

// Runs argv (no shell; argv[0] a path) with extra environment entries "K=V", capturing stdout. The child
// inherits the working directory (the runfiles tree under `bazel run`), without BUILD_WORKING_DIRECTORY.
Proc RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                Stderr err = Stderr::kNull);

// The first number after "img/s " in the output; 0 when the process failed or printed none.
double ImagesPerSecond(const Proc& p);

double Median(std::vector<double> v);  // 0 when empty

// The NB201 CIFAR-10 CSV of ../shared/data ($NAS_SHARED_DATA, the @shared_data runfiles, or beside the
// workspace under `bazel run`), or "" with `tried` listing the places looked at and the working directory.
std::string FindNb201Cifar10Csv(std::string* tried);

// Pair i = 0 .. pairs - 1: `reference` (when set) runs before `ours` for odd i and after it for even i; then
// `done` (when set) records the pair.
void InterleavedPairs(int pairs, const std::function<void(int i)>& reference, const std::function<void(int i)>& ours,
                      const std::function<void(int i)>& done = nullptr);

}  // namespace nas::bench

#endif  // BENCHMARKS_CHILD_PROCESS_H_
