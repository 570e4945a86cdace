#include "nas/space/nb201_space.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_split.h"
#include "nas/testing/shared_data.h"

namespace nas {
namespace {

TEST(Nb201Space, RoundTripsEveryArchString) {
  Nb201Space space;
  EXPECT_EQ(space.size(), 15625);
  for (int64_t i = 0; i < space.size(); ++i) {
    Actions a = space.FromOrdinal(i);
    ASSERT_EQ(space.Ordinal(a), i);
    auto parsed = space.Parse(space.ToString(a));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ASSERT_EQ(*parsed, a);
  }
}

TEST(Nb201Space, PrintsOfficialNotation) {
  Nb201Space space;
  const std::string s =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
  auto a = space.Parse(s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (Actions{3, 3, 4, 1, 3, 1}));
  EXPECT_EQ(space.ToString(*a), s);
}

TEST(Nb201Space, RejectsMalformedStrings) {
  Nb201Space space;
  for (const char* bad : {"", "|none~0|", "|none~0|+|none~0|none~1|+|none~0|none~1|",
                          "|none~0|+|none~0|none~1|+|none~0|none~1|conv~2|",
                          "|none~0|+|none~1|none~0|+|none~0|none~1|none~2|",
                          "none~0|+|none~0|none~1|+|none~0|none~1|none~2|"}) {
    auto r = space.Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  auto r = space.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|conv~2|");
  EXPECT_NE(std::string(r.status().message()).find("known: none, skip_connect"), std::string::npos);
}

TEST(Nb201Space, CanonicalFormMergesIsomorphicCells) {
  Nb201Space space;
  std::set<std::string> functional, authors;
  for (int64_t i = 0; i < space.size(); ++i) {
    Actions a = space.FromOrdinal(i);
    functional.insert(space.CanonicalKey(a));
    authors.insert(Nb201Space::AuthorsUniqueString(a));
  }
  // The NB201 paper reports 6,466 unique cells with the authors' rule.
  EXPECT_EQ(authors.size(), 6466u);
  // Our functional form also merges cells whose output is zero however the dead branches look.
  EXPECT_EQ(functional.size(), 5773u);
  // All-`none` and a cell whose only path runs through a zero edge are both the zero cell.
  EXPECT_EQ(space.CanonicalKey({0, 0, 0, 0, 0, 0}), "0");
  EXPECT_EQ(space.CanonicalKey({3, 0, 0, 0, 0, 2}), "0");
  // Swapping the two parallel branches of node 3 does not change the cell.
  EXPECT_EQ(space.CanonicalKey({3, 2, 0, 4, 1, 1}), space.CanonicalKey({2, 3, 0, 4, 1, 1}));
  EXPECT_NE(space.CanonicalKey({3, 2, 0, 4, 1, 1}), space.CanonicalKey({3, 2, 0, 4, 2, 1}));
}

TEST(Nb201Space, NeighboursDifferInOneEdge) {
  Nb201Space space;
  auto n = space.Neighbours({0, 1, 2, 3, 4, 0});
  EXPECT_EQ(n.size(), 24u);
}

// The official arch strings of ../shared/data parse and print back unchanged.
TEST(Nb201Space, ParsesEveryOfficialArchString) {
  NAS_REQUIRE_SHARED_FILE(path, "nasbench201/nasbench201_cifar10.csv");
  std::ifstream in(path);
  Nb201Space space;
  std::string line;
  std::getline(in, line);
  std::set<int64_t> ordinals;
  int rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    ASSERT_GE(cols.size(), 2u);
    ASSERT_EQ(cols[0], std::to_string(rows));
    auto a = space.Parse(cols[1]);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(space.ToString(*a), cols[1]);
    ordinals.insert(space.Ordinal(*a));
    ++rows;
  }
  EXPECT_EQ(rows, 15625);
  EXPECT_EQ(ordinals.size(), 15625u);
}

}  // namespace
}  // namespace nas
