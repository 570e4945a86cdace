#include "nas/log/episode_record.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace nas::record {
namespace {

std::string Double(double v) { return absl::StrFormat("%.17g", v); }
bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

std::string Text(const Episode& e, const EpisodeField& f, const char* separator) {
  switch (f.type) {
    case Type::kInt64: return absl::StrCat(e.*f.i64);
    case Type::kInt32: return absl::StrCat(e.*f.i32);
    case Type::kFloat64: return Double(e.*f.f64);
    case Type::kActions: return absl::StrJoin(e.*f.actions, separator);
  }
  return "";
}

std::string Text(const CurvePoint& c, const CurveField& f) {
  return f.type == Type::kFloat64 ? Double(c.*f.f64) : absl::StrCat(c.*f.i64);
}

bool Same(const Episode& a, const Episode& b, const EpisodeField& f) {
  switch (f.type) {
    case Type::kInt64: return a.*f.i64 == b.*f.i64;
    case Type::kInt32: return a.*f.i32 == b.*f.i32;
    case Type::kFloat64: return SameBits(a.*f.f64, b.*f.f64);
    case Type::kActions: return a.*f.actions == b.*f.actions;
  }
  return false;
}

bool Same(const CurvePoint& a, const CurvePoint& b, const CurveField& f) {
  return f.type == Type::kFloat64 ? SameBits(a.*f.f64, b.*f.f64) : a.*f.i64 == b.*f.i64;
}

std::string EpisodeCsvHeader() {
  std::string out = "label,method,run";
  for (const EpisodeField& f : kEpisodeFields) absl::StrAppend(&out, ",", f.name);
  return out + "\n";
}

void AppendEpisodeCsv(const std::string& run_columns, const Episode& e, std::string* out) {
  out->append(run_columns);
  for (const EpisodeField& f : kEpisodeFields) {
    out->push_back(',');
    if (f.trailing_optional && f.type == Type::kInt32 && e.*f.i32 == f.missing) continue;  // unrecorded: empty
    out->append(Text(e, f, " "));
  }
  out->push_back('\n');
}

std::string CurveCsvHeader() {
  std::string out = "label,method,run";
  for (const CurveField& f : kCurveFields) absl::StrAppend(&out, ",", f.name);
  return out + "\n";
}

void AppendCurveCsv(const std::string& run_columns, const CurvePoint& c, std::string* out) {
  out->append(run_columns);
  for (const CurveField& f : kCurveFields) absl::StrAppend(out, ",", Text(c, f));
  out->push_back('\n');
}

}  // namespace nas::record
