// The description of the episode and curve records (nas/log/episode_record.h) covers every member of Episode and
// CurvePoint, and every user driven by it handles every field: the log's writer and reader (a value set in each
// field comes back), replay's comparison (a change in each compared field is named, wall times are not
// compared), and the CSV of `nas export` (a column per field). Adding a member to Episode or CurvePoint without
// adding it to the description fails MembersAreAllDescribed.
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nas/log/episode_log.h"
#include "nas/log/episode_record.h"
#include "nas/log/replay.h"

namespace nas {
namespace {

using record::kCurveFields;
using record::kEpisodeFields;

// The number of members of an aggregate: the most initializers T{...} accepts.
struct AnyMember {
  template <class T>
  operator T() const;  // never defined: used in unevaluated contexts only
};
template <class T, class... A>
constexpr auto Initializable(int) -> decltype(T{std::declval<A>()...}, true) {
  return true;
}
template <class T, class... A>
constexpr bool Initializable(...) {
  return false;
}
template <class T, class... A>
constexpr size_t MemberCount() {
  if constexpr (Initializable<T, A..., AnyMember>(0))
    return MemberCount<T, A..., AnyMember>();
  else
    return sizeof...(A);
}

struct Probe {
  int64_t a = 0;
  std::vector<int32_t> b;
  double c = 0;
  int32_t d = 0;
};
static_assert(MemberCount<Probe>() == 4, "MemberCount counts an aggregate's members");

TEST(EpisodeRecord, MembersAreAllDescribed) {
  // Episode::curve is the curve record's rows, the one member kEpisodeFields leaves to kCurveFields.
  EXPECT_EQ(MemberCount<Episode>(), record::kNumEpisodeFields + 1)
      << "Episode has a member that record::kEpisodeFields (nas/log/episode_record.h) does not describe";
  EXPECT_EQ(MemberCount<CurvePoint>(), record::kNumCurveFields)
      << "CurvePoint has a member that record::kCurveFields (nas/log/episode_record.h) does not describe";
  std::set<std::string> names;
  std::set<const void*> members;
  Episode e;
  for (const record::EpisodeField& f : kEpisodeFields) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name << " is described twice";
    const void* at = f.i64 ? static_cast<const void*>(&(e.*f.i64))
                     : f.i32 ? static_cast<const void*>(&(e.*f.i32))
                     : f.f64 ? static_cast<const void*>(&(e.*f.f64))
                             : static_cast<const void*>(&(e.*f.actions));
    EXPECT_TRUE(members.insert(at).second) << f.name << " names a member another field names";
  }
  names.clear();
  for (const record::CurveField& f : kCurveFields) EXPECT_TRUE(names.insert(f.name).second) << f.name;
}

// An episode whose every field holds a value of its own (and a two-epoch curve).
Episode Distinct(int salt) {
  Episode e;
  int k = salt;
  for (const record::EpisodeField& f : kEpisodeFields) {
    ++k;
    switch (f.type) {
      case record::Type::kInt64: e.*f.i64 = 1000 + k; break;
      case record::Type::kInt32: e.*f.i32 = 2000 + k; break;
      case record::Type::kFloat64: e.*f.f64 = 0.125 * k + 1e-9; break;
      case record::Type::kActions: e.*f.actions = {k % 5, 1, 2}; break;
    }
  }
  for (int epoch = 1; epoch <= 2; ++epoch) {
    CurvePoint c;
    for (const record::CurveField& f : kCurveFields) {
      ++k;
      if (f.type == record::Type::kFloat64)
        c.*f.f64 = 0.25 * k;
      else
        c.*f.i64 = k;
    }
    c.episode = e.index, c.epoch = epoch;
    e.curve.push_back(c);
  }
  return e;
}

TEST(EpisodeRecord, WriterAndReaderKeepEveryField) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/record_", getpid(), ".h5");
  std::remove(path.c_str());
  RunLog run;
  run.label = "m";
  run.method = "random";
  for (int i = 0; i < 3; ++i) {
    Episode e = Distinct(i * 100);
    e.index = i;
    for (CurvePoint& c : e.curve) c.episode = i;
    run.episodes.push_back(e);
  }
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, {}, 3, {run}, false).ok());
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->runs.size(), 1u);
  ASSERT_EQ(log->runs[0].episodes.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const Episode& want = run.episodes[i];
    const Episode& got = log->runs[0].episodes[i];
    for (const record::EpisodeField& f : kEpisodeFields)
      EXPECT_TRUE(record::Same(want, got, f)) << f.name << ": wrote " << record::Text(want, f) << ", read "
                                              << record::Text(got, f);
    ASSERT_EQ(got.curve.size(), want.curve.size());
    for (size_t k = 0; k < want.curve.size(); ++k)
      for (const record::CurveField& f : kCurveFields)
        EXPECT_TRUE(record::Same(want.curve[k], got.curve[k], f)) << "curve " << f.name;
  }
  std::remove(path.c_str());
}

TEST(EpisodeRecord, ALogOfNoRunsIsWrittenAndRead) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/no_runs_", getpid(), ".h5");
  std::remove(path.c_str());
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, {{"config", "x"}}, 3, {}, false).ok());
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(log->runs.empty());
  EXPECT_EQ(log->attributes.at("config"), "x");
  std::remove(path.c_str());
}

TEST(EpisodeRecord, ReplayNamesEveryComparedField) {
  RunLog a;
  a.label = "m";
  a.episodes.push_back(Distinct(0));
  for (const record::EpisodeField& f : kEpisodeFields) {
    RunLog b = a;
    Episode& e = b.episodes[0];
    switch (f.type) {
      case record::Type::kInt64: e.*f.i64 += 1; break;
      case record::Type::kInt32: e.*f.i32 += 1; break;
      case record::Type::kFloat64: e.*f.f64 = -(e.*f.f64); break;
      case record::Type::kActions: (e.*f.actions)[1] += 1; break;
    }
    const auto d = FirstDivergence(a, b);
    if (f.compare == record::Compare::kNotCompared) {
      EXPECT_FALSE(d.has_value()) << f.name << " is not compared, but: " << d->ToString();
    } else {
      ASSERT_TRUE(d.has_value()) << f.name;
      EXPECT_EQ(d->field, f.name);
    }
  }
  for (const record::CurveField& f : kCurveFields) {
    RunLog b = a;
    CurvePoint& c = b.episodes[0].curve[1];
    if (f.type == record::Type::kFloat64)
      c.*f.f64 += 1;
    else
      c.*f.i64 += 1;
    const auto d = FirstDivergence(a, b);
    if (f.compare == record::Compare::kNotCompared) {
      EXPECT_FALSE(d.has_value()) << f.name;
    } else {
      ASSERT_TRUE(d.has_value()) << f.name;
      EXPECT_EQ(d->field, absl::StrCat("curve[epoch 2].", f.name));
    }
  }
}

TEST(EpisodeRecord, ExportCsvHasAColumnPerField) {
  const std::vector<std::string> header =
      absl::StrSplit(absl::StripSuffix(record::EpisodeCsvHeader(), "\n"), ',');
  ASSERT_EQ(header.size(), 3 + record::kNumEpisodeFields);
  for (size_t i = 0; i < record::kNumEpisodeFields; ++i) EXPECT_EQ(header[3 + i], kEpisodeFields[i].name);
  const Episode e = Distinct(0);
  std::string row;
  record::AppendEpisodeCsv("m,random,0", e, &row);
  const std::vector<std::string> cells = absl::StrSplit(absl::StripSuffix(row, "\n"), ',');
  ASSERT_EQ(cells.size(), header.size()) << row;
  for (size_t i = 0; i < record::kNumEpisodeFields; ++i)
    EXPECT_EQ(cells[3 + i], record::Text(e, kEpisodeFields[i], " ")) << kEpisodeFields[i].name;

  const std::vector<std::string> curve_header =
      absl::StrSplit(absl::StripSuffix(record::CurveCsvHeader(), "\n"), ',');
  ASSERT_EQ(curve_header.size(), 3 + record::kNumCurveFields);
  std::string curve_row;
  record::AppendCurveCsv("m,random,0", e.curve[0], &curve_row);
  const std::vector<std::string> curve_cells = absl::StrSplit(absl::StripSuffix(curve_row, "\n"), ',');
  ASSERT_EQ(curve_cells.size(), curve_header.size());
  for (size_t i = 0; i < record::kNumCurveFields; ++i)
    EXPECT_EQ(curve_cells[3 + i], record::Text(e.curve[0], kCurveFields[i])) << kCurveFields[i].name;
}

}  // namespace
}  // namespace nas
