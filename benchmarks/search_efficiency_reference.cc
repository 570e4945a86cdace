// The committed reference of the search-efficiency regression test (benchmarks/search_efficiency.h).
//   bazel run //benchmarks:search_efficiency_reference                       # check now vs the committed file
//   bazel run //benchmarks:search_efficiency_reference -- --regenerate       # (re)write it
//   ... -- [--regenerate] --table auto|embedded|nb201_csv|synthetic|all      # which table(s); default auto
// --regenerate writes $BUILD_WORKSPACE_DIRECTORY/results/search_efficiency/<table>.csv (commit it).
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "benchmarks/search_efficiency.h"

namespace nas::efficiency {
namespace {

int Main(int argc, char** argv) {
  bool regenerate = false;
  std::string kind = "auto";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--regenerate") {
      regenerate = true;
    } else if (a == "--table" && i + 1 < argc) {
      kind = argv[++i];
    } else if (a.rfind("--table=", 0) == 0) {
      kind = a.substr(8);
    } else {
      std::fprintf(stderr, "search_efficiency_reference: unknown argument '%s'; usage: [--regenerate] "
                           "[--table auto|embedded|nb201_csv|synthetic|all]\n", a.c_str());
      return 1;
    }
  }
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (regenerate && !ws) {
    std::fprintf(stderr, "search_efficiency_reference: --regenerate writes into the workspace; run it with "
                         "`%s`\n", kRegenerateCommand);
    return 1;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::vector<std::string> kinds = {kind};
  if (kind == "all") kinds = {"embedded", "nb201_csv", "synthetic"};
  int failures = 0;
  for (const std::string& k : kinds) {
    auto table = LoadProtocolTable(k, tmp ? tmp : "/tmp");
    if (!table.ok()) {
      std::fprintf(stderr, "%s: skipped: %s\n", k.c_str(), std::string(table.status().message()).c_str());
      if (kind != "all") return 1;
      continue;
    }
    auto results = RunProtocol(*table->table, table->config, table->name);
    if (!results.ok()) {
      std::fprintf(stderr, "%s: %s\n", table->name.c_str(), std::string(results.status().message()).c_str());
      return 1;
    }
    const std::string relative = "results/search_efficiency/" + table->name + ".csv";
    const std::string path = ws ? std::string(ws) + "/" + relative : relative;
    if (regenerate) {
      ::mkdir((std::string(ws) + "/results").c_str(), 0755);
      ::mkdir((std::string(ws) + "/results/search_efficiency").c_str(), 0755);
      std::ofstream out(path);
      out << FormatCsv(*results);
      if (!out.good()) {
        std::fprintf(stderr, "%s: cannot write\n", path.c_str());
        return 1;
      }
      std::printf("%s: wrote %s (%zu methods x %zu runs; table checksum %s)\n", table->description.c_str(),
                  relative.c_str(), results->labels.size(), results->by_label.begin()->second.size(),
                  results->table_checksum.c_str());
      continue;
    }
    std::ifstream in(path);
    if (!in.good()) {
      std::printf("%s: no reference %s; create it with: %s\n", table->description.c_str(), relative.c_str(),
                  kRegenerateCommand);
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto reference = ParseCsv(text.str(), path);
    if (!reference.ok()) {
      std::fprintf(stderr, "%s\n", std::string(reference.status().message()).c_str());
      return 1;
    }
    if (reference->table_checksum != results->table_checksum ||
        reference->protocol_checksum != results->protocol_checksum) {
      std::printf("%s: %s was made on another %s; regenerate: %s\n", table->description.c_str(), relative.c_str(),
                  reference->table_checksum != results->table_checksum ? "table" : "protocol", kRegenerateCommand);
      continue;
    }
    const Verdict v = Check(*results, *reference);
    std::printf("%s vs %s: %s, %s\n%s", table->description.c_str(), relative.c_str(),
                v.identical ? "identical" : "changed", v.pass ? "PASS" : "FAIL", v.report.c_str());
    failures += !v.pass;
  }
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace nas::efficiency

int main(int argc, char** argv) { return nas::efficiency::Main(argc, argv); }
