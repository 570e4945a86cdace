#include "tools/cli/output_guard.h"

#include <sys/stat.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/h5/h5.h"

namespace nas::cli {
namespace {

// The root `format` attribute of an HDF5 file, or "" when it is none (or HDF5 cannot open it).
std::string H5Format(const std::string& path) {
  auto file = h5::File::Open(path);
  if (!file.ok()) return "";
  auto format = file->ReadStringAttr("/", "format");
  return format.ok() ? *format : "";
}

std::string FirstBytes(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(&s[0], static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

bool HoldsPrevious(const std::string& path, const OutputKind& kind) {
  switch (kind.format) {
    case OutputKind::kNasLog:
      return H5Format(path) == "nas-log";
    case OutputKind::kNasTable:
      return H5Format(path) == "nas-table";
    case OutputKind::kText:
      return FirstBytes(path, kind.first_line.size()) == kind.first_line;
    case OutputKind::kPlot: {
      const std::string head = FirstBytes(path, 256);
      return absl::StartsWith(head, "\x89PNG\r\n\x1a\n") ||
             (absl::StartsWith(head, "<?xml") && absl::StrContains(head, "<svg")) || absl::StartsWith(head, "<svg");
    }
  }
  return false;
}

}  // namespace

OutputKind NasLogOutput() { return {OutputKind::kNasLog, "nas log", ""}; }
OutputKind NasTableOutput() { return {OutputKind::kNasTable, "nas table", ""}; }
OutputKind TextOutput(const std::string& description, const std::string& header_prefix) {
  return {OutputKind::kText, description, header_prefix};
}
OutputKind PlotOutput() { return {OutputKind::kPlot, "plot (SVG or PNG)", ""}; }

absl::Status CheckNotAnInput(const std::string& out, const std::vector<std::string>& inputs) {
  struct stat o;
  if (stat(out.c_str(), &o) != 0) return absl::OkStatus();  // nothing there (or a dangling link) is no input
  for (const std::string& in : inputs) {
    struct stat i;
    if (in.empty() || stat(in.c_str(), &i) != 0) continue;
    if (i.st_dev == o.st_dev && i.st_ino == o.st_ino)
      return absl::InvalidArgumentError(
          in == out ? absl::StrCat(out, ": is an input of this command; choose another output")
                    : absl::StrCat(out, ": is the same file as the input ", in, " (a link); choose another output"));
  }
  return absl::OkStatus();
}

absl::Status CheckOutput(const std::string& out, const OutputKind& kind, const std::vector<std::string>& inputs,
                         bool overwrite, const std::string& exists_hint) {
  if (absl::Status s = CheckNotAnInput(out, inputs); !s.ok()) return s;
  struct stat o;
  if (stat(out.c_str(), &o) != 0) return absl::OkStatus();
  if (S_ISDIR(o.st_mode))
    return absl::InvalidArgumentError(absl::StrCat(out, ": is a directory"));
  if (!overwrite) return absl::AlreadyExistsError(absl::StrCat(out, ": exists; ", exists_hint));
  if (!HoldsPrevious(out, kind))
    return absl::FailedPreconditionError(absl::StrCat(out, ": exists and is not a ", kind.description,
                                                      "; --overwrite only replaces a previous ", kind.description));
  return absl::OkStatus();
}

}  // namespace nas::cli
