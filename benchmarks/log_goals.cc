// The episode log's goals, each figure beside its goal and the load average, in one run:
//   bazel run -c opt //benchmarks:log_goals [-- --pairs N --sizes 500,5000,50000]
// (1) The NB201 protocol (random search + REA, 500 runs x 120 evaluations, CIFAR-10 CSV table), whole process:
//     `nas run benchmarks/experiments/nb201_protocol_rs_rea_cifar10.textproto` (HDF5 log, default durability)
//     against benchmarks/nb201_protocol_reference.py (plain Python, no log); interleaved pairs, medians.
//     Goal: nas at least 2x faster.
// (2) Peak RSS of that `nas run` with 500, 5,000 and 50,000 runs in all (the two methods' runs together: the
//     config's `runs` is half of it), 120 evaluations each: goal at most 64 MB at every size.
// (3) A commit per episode (flush_every 1, no timer: each episode acknowledged by one journal record, the HDF5
//     datasets committed in groups), EpisodeLogWriter in this process: 10 runs x 2,000 episodes appended
//     round-robin, then Close; wall microseconds per episode. Goal at most 5 us.
// (4) The default group commit (a commit every 1,000 ms by a background thread): the writer's CPU time for the
//     protocol's episodes (1,000 runs x 120, appended as `nas run` does) against the CPU time of the rest of a
//     `nas run` of the protocol (its whole-process CPU time less the writer's). Goal at most 10%.
// (5) Log size: the protocol's log file against the raw bytes of its episodes (each the packed episode record,
//     nas/log/episode_record.h: 172 bytes with 6 decisions). Goal at most 1.5x.
// (6) Peak RSS of `nas run --resume` of each log of (2) (all its episodes copied into a new log): goal
//     independent of the log's size.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "benchmarks/child_process.h"
#include "nas/log/episode_log.h"

namespace {

using nas::bench::FindNb201Cifar10Csv;
using nas::bench::Median;
using nas::bench::Proc;

// stdout captured, stderr discarded.
Proc Run(const std::vector<std::string>& argv) { return nas::bench::RunProcess(argv); }

std::string Load() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

const char* Verdict(bool met) { return met ? "met" : "MISSED"; }

double ProcessCpuS() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + 1e-6 * ru.ru_utime.tv_usec + ru.ru_stime.tv_sec + 1e-6 * ru.ru_stime.tv_usec;
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }


const char kConfig[] = "benchmarks/experiments/nb201_protocol_rs_rea_cifar10.textproto";
const char kPython[] = "/usr/bin/python3";
const char kTime[] = "/usr/bin/time";  // GNU time (Debian's package time)

// The protocol config with `runs` runs per method, written to `dir`.
std::string ConfigWithRuns(const std::string& dir, int runs) {
  std::ifstream in(kConfig);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const size_t at = text.find("runs: 500");
  if (at == std::string::npos) return "";
  text.replace(at, 9, "runs: " + std::to_string(runs));
  const std::string path = dir + "/protocol_" + std::to_string(runs) + ".textproto";
  std::ofstream(path) << text;
  return path;
}

long long FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

std::vector<std::string> NasRun(const std::string& config, const std::string& table, const std::string& out) {
  return {"tools/nas", "run", config, "--table", table, "--out", out, "--overwrite", "--quiet"};
}

// (1), (5) and the CPU time (4) compares against.
double Protocol(int pairs, const std::string& dir, const std::string& table, const std::string& csv) {
  std::printf("\n(1) NB201 protocol, random search + REA, 500 runs x 120 evaluations, whole process, medians of "
              "%d interleaved pairs (load average %s)\n", pairs, Load().c_str());
  const std::string log = dir + "/protocol.h5";
  const std::vector<std::string> nas = NasRun(kConfig, table, log);
  const std::vector<std::string> py = {kPython, "benchmarks/nb201_protocol_reference.py", csv};
  std::vector<double> nw, nc, pw, ratio;
  for (int i = 0; i < pairs; ++i) {
    Proc a, b;
    if (i % 2) b = Run(py);
    a = Run(nas);
    if (i % 2 == 0) b = Run(py);
    if (a.code != 0 || b.code != 0) {
      std::printf("  failed: nas exit %d, python exit %d\n", a.code, b.code);
      return 0;
    }
    nw.push_back(a.wall_s), nc.push_back(a.cpu_s), pw.push_back(b.wall_s), ratio.push_back(b.wall_s / a.wall_s);
  }
  const double r = Median(ratio);
  std::printf("  nas run (HDF5 log, default durability)  wall %.3f s  cpu %.3f s\n", Median(nw), Median(nc));
  std::printf("  Python loop (no log)                     wall %.3f s\n", Median(pw));
  std::printf("  Python / nas wall: %.2fx   (goal >= 2x: %s)   load average %s\n", r, Verdict(r >= 2), Load().c_str());

  auto read = nas::ReadLog(log);
  if (!read.ok()) {
    std::printf("\n(5) skipped: %s\n", std::string(read.status().message()).c_str());
    return Median(nc);
  }
  long long episodes = 0;
  for (const nas::RunLog& run : read->runs) episodes += static_cast<long long>(run.episodes.size());
  const long long raw_row = 16 + 4 * read->num_decisions + 8 * 16 + 4;  // the packed episode record
  const long long size = FileSize(log);
  const double x = static_cast<double>(size) / static_cast<double>(episodes * raw_row);
  std::printf("\n(5) log size: %lld bytes for %lld episodes of %lld raw bytes each (%lld): %.2fx raw, %.1f bytes "
              "an episode   (goal <= 1.5x: %s)   load average %s\n",
              size, episodes, raw_row, episodes * raw_row, x, static_cast<double>(size) / episodes, Verdict(x <= 1.5),
              Load().c_str());
  return Median(nc);
}

void PeakRss(const std::vector<int>& sizes, const std::string& dir, const std::string& table) {
  std::printf("\n(2) peak RSS of the protocol's `nas run` by runs in all (2 methods, half of them each, 120 "
              "evaluations each)\n");
  for (int runs : sizes) {
    const std::string config = ConfigWithRuns(dir, std::max(1, runs / 2)), log = dir + "/rss.h5";
    if (config.empty()) return (void)std::printf("  skipped: %s has no 'runs: 500'\n", kConfig);
    // A child's ru_maxrss includes the RSS of the process it was forked from (this harness, which has read a
    // log by now): GNU time, itself small, forks `nas` and reports that process's own peak.
    const std::string rss_file = dir + "/rss.txt";
    std::vector<std::string> argv = NasRun(config, table, log);
    const bool timed = Exists(kTime);
    if (timed) argv.insert(argv.begin(), {kTime, "-f", "%M", "-o", rss_file});
    const Proc p = Run(argv);
    if (p.code != 0) {
      std::printf("  %6d runs: nas run failed (exit %d)\n", runs, p.code);
      continue;
    }
    double rss_mb = p.max_rss_mb;
    if (timed) {
      long long kb = 0;
      std::ifstream(rss_file) >> kb;
      rss_mb = kb / 1024.0;
    }
    std::printf("  %6d runs: %6.1f MB max RSS%s, wall %7.2f s, cpu %7.2f s, log %.1f MB   (goal <= 64 MB: %s)   "
                "load average %s\n", runs, rss_mb, timed ? "" : " (wait4: includes this harness's RSS)", p.wall_s,
                p.cpu_s, FileSize(log) / 1e6, Verdict(rss_mb <= 64), Load().c_str());
    // (6) `nas run --resume` of that log: every episode copied (streamed) into a new log, nothing to re-run.
    std::vector<std::string> resume = {"tools/nas", "run", config, "--table", table, "--resume", log, "--quiet"};
    if (timed) resume.insert(resume.begin(), {kTime, "-f", "%M", "-o", rss_file});
    const Proc q = Run(resume);
    double resume_mb = q.max_rss_mb;
    if (timed) {
      long long kb = 0;
      std::ifstream(rss_file) >> kb;
      resume_mb = kb / 1024.0;
    }
    if (q.code != 0)
      std::printf("  %6d runs: nas run --resume failed (exit %d)\n", runs, q.code);
    else
      std::printf("  %6d runs: --resume of that log %6.1f MB max RSS, wall %7.2f s   (goal: independent of the "
                  "log's size)   load average %s\n", runs, resume_mb, q.wall_s, Load().c_str());
    std::remove(log.c_str());
  }
}

nas::Episode SomeEpisode(int64_t i) {
  nas::Episode e;
  e.index = i;
  e.arch = (i * 7919) % 15625;
  e.actions = {static_cast<int32_t>(i % 5), 1, 2, 0, 4, static_cast<int32_t>(i % 3)};
  e.reward = e.valid_acc = 80 + 0.001 * static_cast<double>(i % 1000);
  e.test_acc = e.valid_acc - 1;
  e.sim_time = 100.0 * static_cast<double>(i + 1);
  e.incumbent = e.arch;
  e.incumbent_valid = e.valid_acc, e.incumbent_test = e.test_acc;
  e.proposal = i;
  return e;
}

void StrictCommit(const std::string& dir) {
  constexpr int kRuns = 10, kEpisodes = 2000;
  const std::string path = dir + "/strict.h5";
  std::vector<nas::RunSlot> slots;
  for (int r = 0; r < kRuns; ++r) slots.push_back(nas::RunSlot{"random", "random", r, {}});
  nas::LogWriterOptions options;
  options.overwrite = true;
  options.flush_every = 1;
  options.flush_interval_ms = 0;
  auto w = nas::EpisodeLogWriter::Create(path, {{"experiment", "log_goals"}}, 6, slots, options);
  if (!w.ok()) return (void)std::printf("\n(3) failed: %s\n", std::string(w.status().message()).c_str());
  std::vector<nas::Episode> episodes;  // made before the clock starts: the search makes them, not the writer
  for (int i = 0; i < kEpisodes; ++i) episodes.push_back(SomeEpisode(i));
  const auto start = std::chrono::steady_clock::now();
  const double cpu0 = ProcessCpuS();
  for (int i = 0; i < kEpisodes; ++i)
    for (int r = 0; r < kRuns; ++r)
      if (!(*w)->Append(r, episodes[i]).ok()) return (void)std::printf("\n(3) an append failed\n");
  if (!(*w)->Close().ok()) return (void)std::printf("\n(3) Close failed\n");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = ProcessCpuS() - cpu0;
  const double us = 1e6 * wall / (kRuns * kEpisodes);
  const double cpu_us = 1e6 * cpu / (kRuns * kEpisodes);
  std::printf("\n(3) a commit per episode (flush_every 1, journal): %.1f us wall, %.1f us cpu an episode (%d runs x %d "
              "episodes), log %.1f MB   (goal <= 5 us: wall %s, cpu %s)   load average %s\n",
              us, cpu_us, kRuns, kEpisodes, FileSize(path) / 1e6, Verdict(us <= 5), Verdict(cpu_us <= 5),
              Load().c_str());
  std::remove(path.c_str());
}

void GroupCommit(const std::string& dir, double nas_cpu_s) {
  constexpr int kRuns = 1000, kEpisodes = 120;
  const std::string path = dir + "/group.h5";
  std::vector<nas::RunSlot> slots;
  for (int r = 0; r < kRuns; ++r)
    slots.push_back(nas::RunSlot{r % 2 ? "rea" : "random", r % 2 ? "regularized_evolution" : "random", r / 2,
                                 {{"strategy_seed", std::to_string(1000003 * r)}, {"eval_seed", std::to_string(r)}}});
  nas::LogWriterOptions options;
  options.overwrite = true;  // the defaults otherwise: a commit every 1,000 ms
  std::vector<nas::Episode> episodes;  // made before the clock starts: the search makes them, not the writer
  for (int i = 0; i < kEpisodes; ++i) episodes.push_back(SomeEpisode(i));
  const double cpu0 = ProcessCpuS();
  const auto start = std::chrono::steady_clock::now();
  auto w = nas::EpisodeLogWriter::Create(path, {{"experiment", "log_goals"}}, 6, slots, options);
  if (!w.ok()) return (void)std::printf("\n(4) failed: %s\n", std::string(w.status().message()).c_str());
  const double cpu_created = ProcessCpuS();
  for (int r = 0; r < kRuns; ++r) {
    for (int i = 0; i < kEpisodes; ++i)
      if (!(*w)->Append(r, episodes[i]).ok()) return (void)std::printf("\n(4) an append failed\n");
    if (!(*w)->FinishRun(r).ok()) return (void)std::printf("\n(4) FinishRun failed\n");
  }
  const double cpu_appended = ProcessCpuS();
  if (!(*w)->Close().ok()) return (void)std::printf("\n(4) Close failed\n");
  const double cpu = ProcessCpuS() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("\n(4) default group commit: the writer takes %.1f ms cpu (%.1f ms wall, %.2f us an episode) for "
              "1,000 runs x 120 episodes",
              1e3 * cpu, 1e3 * wall, 1e6 * cpu / (kRuns * kEpisodes));
  std::printf(" (create %.1f, appends and commits %.1f, close %.1f)", 1e3 * (cpu_created - cpu0),
              1e3 * (cpu_appended - cpu_created), 1e3 * (cpu0 + cpu - cpu_appended));
  if (nas_cpu_s > cpu) {
    const double overhead = cpu / (nas_cpu_s - cpu);
    std::printf("; the rest of the protocol's nas run %.1f ms cpu: +%.1f%%   (goal <= 10%%: %s)", 1e3 * (nas_cpu_s - cpu),
                100 * overhead, Verdict(overhead <= 0.10));
  }
  std::printf("   load average %s\n", Load().c_str());
  std::remove(path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int pairs = 7;
  std::vector<int> sizes = {500, 5000, 50000};
  int repeat_group = 0;  // --group_only N: only (4)'s writer, N times (for a profiler)
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--pairs" && i + 1 < argc) {
      pairs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes.clear();
      for (absl::string_view s : absl::StrSplit(argv[++i], ',')) {
        int n = 0;
        if (absl::SimpleAtoi(s, &n) && n > 0) sizes.push_back(n);
      }
    } else if (a == "--group_only" && i + 1 < argc) {
      repeat_group = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: log_goals [--pairs N] [--sizes 500,5000,50000] [--group_only N]\n");
      return 2;
    }
  }
  std::printf("log_goals: %ld CPUs, load average %s\n", sysconf(_SC_NPROCESSORS_ONLN), Load().c_str());
  char tmpl[] = "/tmp/log_goals.XXXXXX";
  const std::string dir = mkdtemp(tmpl) ? tmpl : "/tmp";
  if (repeat_group > 0) {
    for (int i = 0; i < repeat_group; ++i) GroupCommit(dir, 0);
    Run({"/bin/rm", "-rf", dir});
    return 0;
  }
  std::string tried;
  const std::string csv = FindNb201Cifar10Csv(&tried);
  std::string table;
  if (csv.empty()) {
    std::printf("(1), (2), (4), (5) skipped: nasbench201/nasbench201_cifar10.csv of ../shared/data is in none of %s\n",
                tried.c_str());
  } else {
    table = dir + "/nb201_cifar10.h5";
    const Proc imp = Run({"tools/nas", "import", "nb201-csv", csv, table});
    if (imp.code != 0) {
      std::printf("(1), (2), (4), (5) skipped: `tools/nas import nb201-csv %s %s` failed (exit %d)\n", csv.c_str(),
                  table.c_str(), imp.code);
      table.clear();
    }
  }
  double nas_cpu = 0;
  if (!table.empty()) {
    if (Run({kPython, "-c", "1"}).code != 0)
      std::printf("(1) skipped: %s does not run\n", kPython);
    else
      nas_cpu = Protocol(pairs, dir, table, csv);
  }
  StrictCommit(dir);
  GroupCommit(dir, nas_cpu);
  if (!table.empty()) PeakRss(sizes, dir, table);
  Run({"/bin/rm", "-rf", dir});
  return 0;
}
