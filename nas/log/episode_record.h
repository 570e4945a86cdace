// The episode record and the curve record, and the one description of their fields from which the log's writer
// and reader (log_format.cc), replay's field-by-field comparison (replay.cc) and `nas export`'s CSV columns are
// all driven. A field added to Episode or CurvePoint must be added to kEpisodeFields / kCurveFields
// (tests/log/episode_record_test.cc fails otherwise); every user then handles it.
#ifndef NAS_LOG_EPISODE_RECORD_H_
#define NAS_LOG_EPISODE_RECORD_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nas {

// One epoch of a really trained child (train evaluator); one row of the log's curves.
struct CurvePoint {
  int64_t episode = 0;
  int64_t epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0, valid_loss = 0, valid_acc = 0, test_loss = 0, test_acc = 0;
  double train_time = 0;  // wall seconds (not compared by replay)
};

struct Episode {
  int64_t index = 0;        // 0-based within the run
  int64_t arch = 0;         // space ordinal
  std::vector<int32_t> actions;
  double log_prob = 0;      // log-probability of the actions under the sampling policy (0 for non-RL)
  double entropy = 0;       // policy entropy summed over decisions (0 for non-RL)
  double reward = 0;        // what the strategy was told
  double valid_acc = 0;     // search signal (percent)
  double test_acc = 0;      // reported figure (percent)
  double sim_time = 0;      // cumulative simulated seconds after this episode
  double wall_time = 0;     // cumulative wall seconds after this episode (not compared by replay)
  int64_t incumbent = 0;    // ordinal of the best-by-validation architecture so far
  double incumbent_valid = 0;
  double incumbent_test = 0;
  int64_t table_slot = 0;   // seed slot of the table used (mean slot for MEAN), or the training seed
  std::vector<CurvePoint> curve;  // training curve of this episode's child (train evaluator only)
  // Parallel workers (budget.workers): episodes are in the order results were told (simulated finish order);
  // sim_time is the simulated finish time.
  int64_t worker = 0;       // simulated worker that evaluated it (0 .. workers-1)
  int64_t proposal = 0;     // position in the strategy's proposal order (= index with one worker)
  // Reward design (NaN where unknown):
  double params_m = NAN;    // the architecture's parameters (millions), from the table or the trained child
  double flops_m = NAN;     // its forward multiply-adds (millions)
  double cost = NAN;        // the cost the reward used (benchmark.reward.cost), NaN without a cost term
  // The fidelity evaluated: an index into the table dataset's fidelities, or epochs for trained children.
  // Logs written without the field read as kFidelityUnrecorded until FillUnrecordedFidelity gives them the
  // fidelity their config evaluated (the search fidelity).
  int32_t fidelity = 0;
};
inline constexpr int32_t kFidelityUnrecorded = -1;

namespace record {

// How a field is stored: int64 / int32 / float64 in the log's compound rows; kActions is the variable number of
// decisions, stored as int32 members a0..a{D-1}.
enum class Type { kInt64, kInt32, kFloat64, kActions };
// What replay compares: the bytes (so -0.0 != 0.0 and NaN payloads count), or nothing (wall times).
enum class Compare { kBits, kNotCompared };

struct EpisodeField {
  const char* name;
  Type type;
  Compare compare;
  int64_t Episode::*i64;
  int32_t Episode::*i32;
  double Episode::*f64;
  std::vector<int32_t> Episode::*actions;
  // Absent from the rows of logs written before the field existed (only a trailing field can be); such logs read
  // it as `missing` (kFidelityUnrecorded).
  bool trailing_optional;
  int32_t missing;
};

struct CurveField {
  const char* name;
  Type type;
  Compare compare;
  int64_t CurvePoint::*i64;
  double CurvePoint::*f64;
};

constexpr EpisodeField I64(const char* name, int64_t Episode::*m) {
  return {name, Type::kInt64, Compare::kBits, m, nullptr, nullptr, nullptr, false, 0};
}
constexpr EpisodeField F64(const char* name, double Episode::*m, Compare c = Compare::kBits) {
  return {name, Type::kFloat64, c, nullptr, nullptr, m, nullptr, false, 0};
}

// The episode row, in the log's column order (the curves are their own record).
inline constexpr EpisodeField kEpisodeFields[] = {
    I64("index", &Episode::index),
    I64("arch", &Episode::arch),
    {"actions", Type::kActions, Compare::kBits, nullptr, nullptr, nullptr, &Episode::actions, false, 0},
    F64("log_prob", &Episode::log_prob),
    F64("entropy", &Episode::entropy),
    F64("reward", &Episode::reward),
    F64("valid_acc", &Episode::valid_acc),
    F64("test_acc", &Episode::test_acc),
    F64("sim_time", &Episode::sim_time),
    F64("wall_time", &Episode::wall_time, Compare::kNotCompared),
    I64("incumbent", &Episode::incumbent),
    F64("incumbent_valid", &Episode::incumbent_valid),
    F64("incumbent_test", &Episode::incumbent_test),
    I64("table_slot", &Episode::table_slot),
    I64("worker", &Episode::worker),
    I64("proposal", &Episode::proposal),
    F64("params_m", &Episode::params_m),
    F64("flops_m", &Episode::flops_m),
    F64("cost", &Episode::cost),
    {"fidelity", Type::kInt32, Compare::kBits, nullptr, &Episode::fidelity, nullptr, nullptr, true,
     kFidelityUnrecorded},
};
inline constexpr size_t kNumEpisodeFields = sizeof(kEpisodeFields) / sizeof(kEpisodeFields[0]);

constexpr CurveField CI64(const char* name, int64_t CurvePoint::*m) {
  return {name, Type::kInt64, Compare::kBits, m, nullptr};
}
constexpr CurveField CF64(const char* name, double CurvePoint::*m, Compare c = Compare::kBits) {
  return {name, Type::kFloat64, c, nullptr, m};
}

// The curve row, in the log's column order.
inline constexpr CurveField kCurveFields[] = {
    CI64("episode", &CurvePoint::episode),
    CI64("epoch", &CurvePoint::epoch),
    CF64("train_loss", &CurvePoint::train_loss),
    CF64("train_acc", &CurvePoint::train_acc),
    CF64("valid_loss", &CurvePoint::valid_loss),
    CF64("valid_acc", &CurvePoint::valid_acc),
    CF64("test_loss", &CurvePoint::test_loss),
    CF64("test_acc", &CurvePoint::test_acc),
    CF64("train_time", &CurvePoint::train_time, Compare::kNotCompared),
};
inline constexpr size_t kNumCurveFields = sizeof(kCurveFields) / sizeof(kCurveFields[0]);

// Bytes of one stored value of `type` (kActions: one decision).
constexpr size_t StoredSize(Type type) { return type == Type::kInt64 || type == Type::kFloat64 ? 8 : 4; }

// The field's value as text: integers in decimal, doubles with %.17g (round-trips; nan / inf / -inf), the actions
// joined by `separator`.
std::string Text(const Episode& e, const EpisodeField& f, const char* separator = ",");
std::string Text(const CurvePoint& c, const CurveField& f);
// Whether the field's values have the same bits.
bool Same(const Episode& a, const Episode& b, const EpisodeField& f);
bool Same(const CurvePoint& a, const CurvePoint& b, const CurveField& f);

// CSV of `nas export`: a header and rows of every field, after the run's own columns (label, method, run). The
// actions are one space-separated column; an unrecorded fidelity is an empty cell.
std::string EpisodeCsvHeader();
void AppendEpisodeCsv(const std::string& run_columns, const Episode& e, std::string* out);
std::string CurveCsvHeader();
void AppendCurveCsv(const std::string& run_columns, const CurvePoint& c, std::string* out);

}  // namespace record
}  // namespace nas

#endif  // NAS_LOG_EPISODE_RECORD_H_
