// Dirname and Basename agree with POSIX dirname(1) and basename(1) on the cases the tools meet.
#include "nas/util/path.h"

#include "gtest/gtest.h"

namespace nas {
namespace {

TEST(PathTest, Dirname) {
  EXPECT_EQ(Dirname("a/b/c.h5"), "a/b");
  EXPECT_EQ(Dirname("c.h5"), ".");
  EXPECT_EQ(Dirname(""), ".");
  EXPECT_EQ(Dirname("/c.h5"), "/");
  EXPECT_EQ(Dirname("/"), "/");
  EXPECT_EQ(Dirname("a/b/"), "a");
  EXPECT_EQ(Dirname("a//b"), "a");
  EXPECT_EQ(Dirname("/usr/bin/nas"), "/usr/bin");
}

TEST(PathTest, Basename) {
  EXPECT_EQ(Basename("a/b/c.h5"), "c.h5");
  EXPECT_EQ(Basename("c.h5"), "c.h5");
  EXPECT_EQ(Basename(""), "");
  EXPECT_EQ(Basename("/"), "/");
  EXPECT_EQ(Basename("data/NATS-tss-v1_0-3ffb9-simple/"), "NATS-tss-v1_0-3ffb9-simple");
  EXPECT_EQ(Basename("/x"), "x");
}

}  // namespace
}  // namespace nas
