// nas export LOG.h5 --csv OUT.csv: every episode of every run as one CSV row (label, method, run, then every
// episode field; the actions as one space-separated column), for analysis in other tools.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nas/log/episode_log.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"
#include "tools/cli/log_input.h"
#include "tools/cli/output_guard.h"

namespace nas::cli {
namespace {

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// %.17g round-trips every double; NaN and infinities as nan / inf / -inf.
std::string Double(double v) { return absl::StrFormat("%.17g", v); }

constexpr const char* kHeader =
    "label,method,run,index,arch,actions,log_prob,entropy,reward,valid_acc,test_acc,sim_time,wall_time,"
    "incumbent,incumbent_valid,incumbent_test,table_slot,fidelity\n";

std::string EpisodesCsv(const LogFile& log) {
  std::string out = kHeader;
  for (const RunLog& r : log.runs) {
    const std::string prefix = absl::StrCat(CsvField(r.label), ",", CsvField(r.method), ",", r.run, ",");
    for (const Episode& e : r.episodes)
      absl::StrAppend(&out, prefix, e.index, ",", e.arch, ",", absl::StrJoin(e.actions, " "), ",", Double(e.log_prob),
                      ",", Double(e.entropy), ",", Double(e.reward), ",", Double(e.valid_acc), ",", Double(e.test_acc),
                      ",", Double(e.sim_time), ",", Double(e.wall_time), ",", e.incumbent, ",",
                      Double(e.incumbent_valid), ",", Double(e.incumbent_test), ",", e.table_slot, ",",
                      e.fidelity == kFidelityUnrecorded ? std::string() : absl::StrCat(e.fidelity), "\n");
  }
  return out;
}

}  // namespace

int ExportCommand(int argc, char** argv) {
  Args args("export", "LOG.h5 --csv OUT.csv",
            "Writes every episode of a log as CSV: label, method, run, index, arch, actions (space-separated\n"
            "decisions), log_prob, entropy, reward, valid_acc, test_acc, sim_time, wall_time, incumbent,\n"
            "incumbent_valid, incumbent_test, table_slot, fidelity (table fidelity index, or epochs when\n"
            "training; empty for a log without it whose table is not found). Numbers are written with 17\n"
            "significant digits.");
  args.Option("csv", "the CSV file to write (required)").Flag("overwrite", "replace an existing OUT.csv");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  if (!args.Has("csv") || args.Get("csv").empty())
    return Fail(absl::InvalidArgumentError("nas export: give the output file with --csv OUT.csv"));
  const std::string in = ResolvePath(args.positional()[0]);
  const std::string out = ResolvePath(args.Get("csv"));
  if (absl::Status s = CheckOutput(out, TextOutput("CSV of nas export", std::string(kHeader).substr(0, 30)), {in},
                                   args.GetFlag("overwrite"));
      !s.ok())
    return Fail(s);
  auto log = ReadCheckedLog(in);
  if (!log.ok()) return Fail(log.status());
  ResolveUnrecordedFidelity(&*log, in);
  const std::string text = EpisodesCsv(*log);
  const std::string tmp = absl::StrCat(out, ".tmp.", getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    f.close();
    if (!f || std::rename(tmp.c_str(), out.c_str()) != 0) {
      std::remove(tmp.c_str());
      return Fail(absl::InternalError(absl::StrCat(out, ": cannot write the file")));
    }
  }
  size_t episodes = 0;
  for (const RunLog& r : log->runs) episodes += r.episodes.size();
  std::fprintf(stderr, "%s: %zu runs, %zu episodes\n", out.c_str(), log->runs.size(), episodes);
  return 0;
}

}  // namespace nas::cli
