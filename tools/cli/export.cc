// nas export LOG.h5 --csv OUT.csv [--curves CURVES.csv]: every episode of every run as one CSV row (label, method,
// run, then every field of the episode record, nas/log/episode_record.h; the actions as one space-separated
// column), and the training curves likewise, for analysis in other tools.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/log/episode_log.h"
#include "nas/log/episode_record.h"
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

std::string RunColumns(const RunLog& r) {
  return absl::StrCat(CsvField(r.label), ",", CsvField(r.method), ",", r.run);
}

std::string EpisodesCsv(const LogFile& log) {
  std::string out = record::EpisodeCsvHeader();
  for (const RunLog& r : log.runs) {
    const std::string run = RunColumns(r);
    for (const Episode& e : r.episodes) record::AppendEpisodeCsv(run, e, &out);
  }
  return out;
}

std::string CurvesCsv(const LogFile& log) {
  std::string out = record::CurveCsvHeader();
  for (const RunLog& r : log.runs) {
    const std::string run = RunColumns(r);
    for (const Episode& e : r.episodes)
      for (const CurvePoint& c : e.curve) record::AppendCurveCsv(run, c, &out);
  }
  return out;
}

// Writes `text` to `out` through a temporary file renamed over it.
absl::Status WriteText(const std::string& out, const std::string& text) {
  const std::string tmp = absl::StrCat(out, ".tmp.", getpid());
  std::ofstream f(tmp, std::ios::binary);
  f << text;
  f.close();
  if (!f || std::rename(tmp.c_str(), out.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat(out, ": cannot write the file"));
  }
  return absl::OkStatus();
}

std::string FieldList() {
  std::vector<std::string> names;
  for (const record::EpisodeField& f : record::kEpisodeFields) names.push_back(f.name);
  return absl::StrJoin(names, ", ");
}

std::string CurveFieldList() {
  std::vector<std::string> names;
  for (const record::CurveField& f : record::kCurveFields) names.push_back(f.name);
  return absl::StrJoin(names, ", ");
}

}  // namespace

int ExportCommand(int argc, char** argv) {
  Args args("export", "LOG.h5 --csv OUT.csv [--curves CURVES.csv]",
            absl::StrCat("Writes every episode of a log as CSV: label, method, run, then every field of the episode "
                         "record (",
                         FieldList(),
                         "; the actions as one space-separated column; fidelity is the table fidelity index, or "
                         "epochs when training, empty for a log without it whose table is not found). With "
                         "--curves, also every training-curve row (label, method, run, ",
                         CurveFieldList(), "). Numbers are written with 17 significant digits."));
  args.Option("csv", "the CSV file to write (required)")
      .Option("curves", "also write the training curves (real training) to this CSV file")
      .Flag("overwrite", "replace existing output files");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  if (!args.Has("csv") || args.Get("csv").empty())
    return Fail(absl::InvalidArgumentError("nas export: give the output file with --csv OUT.csv"));
  if (args.Has("curves") && args.Get("curves").empty())
    return Fail(absl::InvalidArgumentError("nas export: --curves needs a file name"));
  const std::string in = ResolvePath(args.positional()[0]);
  const std::string out = ResolvePath(args.Get("csv"));
  const std::string curves = args.Has("curves") ? ResolvePath(args.Get("curves")) : "";
  if (!curves.empty() && curves == out)
    return Fail(absl::InvalidArgumentError(absl::StrCat("nas export: ", out, " is given for both --csv and --curves")));
  if (absl::Status s = CheckOutput(out, TextOutput("CSV of nas export", record::EpisodeCsvHeader().substr(0, 30)),
                                   {in}, args.GetFlag("overwrite"));
      !s.ok())
    return Fail(s);
  if (!curves.empty())
    if (absl::Status s = CheckOutput(curves, TextOutput("curves CSV of nas export", record::CurveCsvHeader().substr(0, 30)),
                                     {in}, args.GetFlag("overwrite"));
        !s.ok())
      return Fail(s);
  auto log = ReadCheckedLog(in);
  if (!log.ok()) return Fail(log.status());
  ResolveUnrecordedFidelity(&*log, in);
  if (absl::Status s = WriteText(out, EpisodesCsv(*log)); !s.ok()) return Fail(s);
  if (!curves.empty())
    if (absl::Status s = WriteText(curves, CurvesCsv(*log)); !s.ok()) return Fail(s);
  size_t episodes = 0, rows = 0;
  for (const RunLog& r : log->runs) {
    episodes += r.episodes.size();
    for (const Episode& e : r.episodes) rows += e.curve.size();
  }
  std::fprintf(stderr, "%s: %zu runs, %zu episodes\n", out.c_str(), log->runs.size(), episodes);
  if (!curves.empty()) std::fprintf(stderr, "%s: %zu curve rows\n", curves.c_str(), rows);
  return 0;
}

}  // namespace nas::cli
