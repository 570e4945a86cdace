#include "nas/util/sha256.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace nas {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FileMatchesBytes) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/sha_input.bin";
  std::string data;
  for (int i = 0; i < 200000; ++i) data.push_back(static_cast<char>(i * 31 % 251));
  std::ofstream(path, std::ios::binary) << data;
  auto digest = Sha256File(path);
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, Sha256Hex(data));
}

TEST(Sha256, MissingFileNamesIt) {
  auto digest = Sha256File("/nonexistent/dir/file.csv");
  ASSERT_FALSE(digest.ok());
  EXPECT_EQ(digest.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(digest.status().message().find("/nonexistent/dir/file.csv"), absl::string_view::npos);
}

}  // namespace
}  // namespace nas
