#include "nas/testing/nas_cli.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

namespace nas::testing {

CliResult RunNas(const std::string& args) { return RunShell("tools/nas " + args); }

CliResult RunShell(const std::string& command) {
  const std::string cmd = command + " 2>&1";
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ScratchPath(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

}  // namespace nas::testing
