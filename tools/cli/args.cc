#include "tools/cli/args.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "nas/util/path.h"

namespace nas::cli {

Args& Args::Option(const std::string& name, const std::string& help, const std::string& default_value) {
  order_.push_back(name);
  specs_[name] = Spec{help, default_value, false};
  return *this;
}

Args& Args::Flag(const std::string& name, const std::string& help) {
  order_.push_back(name);
  specs_[name] = Spec{help, "", true};
  return *this;
}

absl::Status Args::Parse(int argc, char** argv, int min_positional, int max_positional) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      return absl::OkStatus();
    }
    if (absl::StartsWith(a, "--")) {
      std::string name = a.substr(2), value;
      bool has_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      auto it = specs_.find(name);
      if (it == specs_.end()) {
        std::vector<std::string> known;
        for (const auto& n : order_) known.push_back("--" + n);
        return absl::InvalidArgumentError(absl::StrCat("nas ", command_, ": unknown option --", name,
                                                       "; known options: ", absl::StrJoin(known, ", ")));
      }
      if (it->second.is_flag) {
        if (has_value) return absl::InvalidArgumentError(absl::StrCat("nas ", command_, ": --", name, " takes no value"));
        values_[name] = "1";
        continue;
      }
      if (!has_value) {
        if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat("nas ", command_, ": --", name, " needs a value"));
        value = argv[++i];
      }
      values_[name] = value;
      continue;
    }
    positional_.push_back(a);
  }
  if (static_cast<int>(positional_.size()) < min_positional || static_cast<int>(positional_.size()) > max_positional)
    return absl::InvalidArgumentError(absl::StrCat("usage: nas ", command_, " ", usage_, " (see --help)"));
  return absl::OkStatus();
}

std::string Args::HelpText() const {
  std::string out = absl::StrCat("usage: nas ", command_, " ", usage_, "\n\n", description_, "\n");
  if (!order_.empty()) out += "\noptions:\n";
  auto left_of = [&](const std::string& n) {
    return specs_.at(n).is_flag ? absl::StrCat("--", n) : absl::StrCat("--", n, " VALUE");
  };
  size_t width = 0;
  for (const auto& n : order_) width = std::max(width, left_of(n).size());
  for (const auto& n : order_) {
    const Spec& s = specs_.at(n);
    const std::string left = left_of(n);
    absl::StrAppend(&out, "  ", left, std::string(width + 2 - left.size(), ' '), s.help);
    if (!s.default_value.empty()) absl::StrAppend(&out, " (default ", s.default_value, ")");
    out += "\n";
  }
  out += "\nexit status: 0 on success; 1 on any error (one line `nas: ...` on stderr).\n";
  return out;
}

std::string Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  return it != values_.end() ? it->second : specs_.at(name).default_value;
}

bool Args::Has(const std::string& name) const { return values_.count(name) > 0; }

bool Args::GetFlag(const std::string& name) const { return values_.count(name) > 0; }

absl::StatusOr<int> Args::GetInt(const std::string& name, int min_value, int max_value) const {
  int v;
  if (!absl::SimpleAtoi(Get(name), &v) || v < min_value || v > max_value)
    return absl::InvalidArgumentError(absl::StrCat(
        "nas ", command_, ": --", name, " must be an integer ",
        max_value < (1 << 30) ? absl::StrCat("in ", min_value, "..", max_value) : absl::StrCat(">= ", min_value),
        ", got '", Get(name), "'"));
  return v;
}

std::string CommandLine(const std::string& command, int argc, char** argv) {
  std::string out = absl::StrCat("nas ", command);
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789-_=./,:+@%") == std::string::npos;
    absl::StrAppend(&out, " ", plain ? a : absl::StrCat("'", absl::StrReplaceAll(a, {{"'", "'\\''"}}), "'"));
  }
  return out;
}

namespace {

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

}  // namespace

std::string BazelRunDirectory(const std::string& self_exe, const std::string& cwd, const char* working_directory) {
  if (working_directory == nullptr || *working_directory == '\0' || self_exe.empty() || cwd.empty()) return "";
  if (self_exe.find('/') == std::string::npos) return "";
  const std::string dir = Dirname(self_exe), name = Basename(self_exe);
  const std::string runfiles_root = RealPath(cwd + "/..");
  if (runfiles_root.empty()) return "";
  // `nas` hands a command over to `nas-torch` by execv in the same working directory (tools/cli/full_binary.h).
  for (const std::string& launched : {name, std::string("nas")})
    if (RealPath(absl::StrCat(dir, "/", launched, ".runfiles")) == runfiles_root) return working_directory;
  return "";
}

std::string ResolvePath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  static const std::string base = [] {
    char exe[PATH_MAX], cwd[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || getcwd(cwd, sizeof cwd) == nullptr) return std::string();
    return BazelRunDirectory(RealPath(std::string(exe, n)), cwd, std::getenv("BUILD_WORKING_DIRECTORY"));
  }();
  return base.empty() ? path : absl::StrCat(base, "/", path);
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace nas::cli
