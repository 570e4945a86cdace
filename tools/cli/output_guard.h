// Output over input: what a writing command checks before it writes OUT. OUT may not be any of the command's
// inputs (compared by device and inode, so symbolic and hard links count as the same file), and an existing
// OUT is replaced only with --overwrite and only when it holds a previous output of the same kind (a nas log
// for `run`, a nas table for import / build-table / merge-tables, the command's own CSV header, a plot).
#ifndef TOOLS_CLI_OUTPUT_GUARD_H_
#define TOOLS_CLI_OUTPUT_GUARD_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace nas::cli {

struct OutputKind {
  enum Format { kNasLog, kNasTable, kText, kPlot };
  Format format;
  std::string description;  // "nas log", "CSV of nas export", ...
  std::string first_line;   // kText: the start of the first line the command writes (its header)
};

OutputKind NasLogOutput();
OutputKind NasTableOutput();
OutputKind TextOutput(const std::string& description, const std::string& header_prefix);
OutputKind PlotOutput();

// OK when `out` may be written: it is none of `inputs` and either does not exist, or `overwrite` is set and it
// holds a previous output of `kind`. Otherwise one-line errors naming `out` (and the input it is).
absl::Status CheckOutput(const std::string& out, const OutputKind& kind, const std::vector<std::string>& inputs,
                         bool overwrite, const std::string& exists_hint = "pass --overwrite to replace it");

// Only the input part of CheckOutput (for --resume, which appends to its own log).
absl::Status CheckNotAnInput(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace nas::cli

#endif  // TOOLS_CLI_OUTPUT_GUARD_H_
