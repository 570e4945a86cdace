#include "benchmarks/child_process.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace nas::bench {

Proc RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env, Stderr err) {
  Proc p;
  int fds[2];
  if (pipe(fds) != 0) return p;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    if (err == Stderr::kStdout) {
      dup2(1, 2);
    } else if (err == Stderr::kNull) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, 2);
    }
    // Paths given to the child are relative to the runfiles tree it starts in, not to the user's directory.
    unsetenv("BUILD_WORKING_DIRECTORY");
    for (const std::string& kv : env) putenv(strdup(kv.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) p.out.append(buf, n);
  close(fds[0]);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  p.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  p.cpu_s = ru.ru_utime.tv_sec + 1e-6 * ru.ru_utime.tv_usec + ru.ru_stime.tv_sec + 1e-6 * ru.ru_stime.tv_usec;
  p.max_rss_mb = ru.ru_maxrss / 1024.0;
  return p;
}

double ImagesPerSecond(const Proc& p) {
  double v = 0;
  const size_t at = p.out.find("img/s ");
  if (p.code != 0 || at == std::string::npos || std::sscanf(p.out.c_str() + at, "img/s %lf", &v) != 1) return 0;
  return v;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void InterleavedPairs(int pairs, const std::function<void(int i)>& reference, const std::function<void(int i)>& ours,
                      const std::function<void(int i)>& done) {
  for (int i = 0; i < pairs; ++i) {
    if (reference && i % 2 == 1) reference(i);
    ours(i);
    if (reference && i % 2 == 0) reference(i);
    if (done) done(i);
  }
}

std::string FindNb201Cifar10Csv(std::string* tried) {
  const std::string rel = "nasbench201/nasbench201_cifar10.csv";
  std::vector<std::string> c;
  if (const char* d = std::getenv("NAS_SHARED_DATA")) c.push_back(std::string(d) + "/" + rel);
  c.push_back("../shared_data/data/" + rel);  // runfiles of @shared_data
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY")) c.push_back(std::string(ws) + "/../shared/data/" + rel);
  char cwd[4096];
  *tried = "";
  for (const std::string& p : c) {
    if (access(p.c_str(), F_OK) == 0) return p;
    *tried += (tried->empty() ? "" : ", ") + p;
  }
  *tried += std::string(" (relative to ") + (getcwd(cwd, sizeof cwd) ? cwd : "?") + ")";
  return "";
}

}  // namespace nas::bench
