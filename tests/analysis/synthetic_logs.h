// Small synthetic episode logs for the analysis tests (written with nas::EpisodeLogWriter; no table needed).
#ifndef TESTS_ANALYSIS_SYNTHETIC_LOGS_H_
#define TESTS_ANALYSIS_SYNTHETIC_LOGS_H_

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nas/log/episode_log.h"

namespace nas::testing {

struct SyntheticLog {
  std::string sha256 = "aaaa1111";
  std::string dataset = "toy";
  std::string search_epochs = "12", report_epochs = "200";
  std::string budget = "evaluations: 10";  // the config's budget body
  double best_test_acc = 92;
  std::vector<std::pair<std::string, std::string>> methods = {{"random", "random"}, {"rl", "reinforce"}};  // label, name
  int first_run = 0, runs = 3, episodes = 10;
  // Incumbent test accuracy of (label, run, episode index); sim_time of episode i is 100 (i + 1).
  std::function<double(const std::string&, int, int)> incumbent_test = [](const std::string& label, int run, int i) {
    return (label == "rl" ? 90.0 : 89.0) + 0.1 * run - 0.5 * (9 - i);
  };
};

inline std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

inline std::string ConfigText(const SyntheticLog& s) {
  std::string methods;
  for (const auto& [label, name] : s.methods) {
    absl::StrAppend(&methods, "methods { name: \"", name, "\" label: \"", label, "\"");
    if (name == "reinforce") methods += " reinforce { policy: PER_EDGE }";
    methods += " }\n";
  }
  return absl::StrCat("name: \"synthetic\"\nbenchmark { table: \"t.h5\" dataset: \"", s.dataset, "\" search_epochs: ",
                      s.search_epochs, " report_epochs: ", s.report_epochs, " seed_mode: MEAN }\nbudget { ", s.budget,
                      " }\nseeds { experiment_seed: 1 first_run: ", s.first_run, " runs: ", s.runs, " }\n", methods);
}

// Writes the log; returns "" or an error message.
inline std::string WriteSyntheticLog(const std::string& path, const SyntheticLog& s) {
  const std::map<std::string, std::string> attrs = {
      {"config", ConfigText(s)},        {"experiment", "synthetic"},        {"table_sha256", s.sha256},
      {"search_epochs", s.search_epochs}, {"report_epochs", s.report_epochs},
      {"best_test_acc", absl::StrCat(s.best_test_acc)}};
  std::vector<RunLog> runs;
  for (const auto& [label, name] : s.methods)
    for (int r = s.first_run; r < s.first_run + s.runs; ++r) {
      RunLog run;
      run.label = label;
      run.method = name;
      run.run = r;
      run.attributes = {{"strategy_seed", absl::StrCat(r)}, {"eval_seed", absl::StrCat(r)}};
      for (int i = 0; i < s.episodes; ++i) {
        Episode e;
        e.index = i;
        e.arch = i;
        e.actions = {i % 5, 1, 2, 3, 4, 0};
        e.valid_acc = e.test_acc = e.reward = 80 + i;
        e.sim_time = 100.0 * (i + 1);
        e.incumbent = i;
        e.incumbent_test = s.incumbent_test(label, r, i);
        e.incumbent_valid = e.incumbent_test + 1;
        run.episodes.push_back(e);
      }
      runs.push_back(std::move(run));
    }
  absl::Status st = EpisodeLogWriter::WriteAll(path, attrs, 6, runs, /*overwrite=*/true);
  return st.ok() ? "" : std::string(st.message());
}

}  // namespace nas::testing

#endif  // TESTS_ANALYSIS_SYNTHETIC_LOGS_H_
