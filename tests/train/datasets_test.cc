#include "nas/train/datasets.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nas {
namespace {

using ::testing::HasSubstr;

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

void WriteGz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, bytes.data(), bytes.size());
  gzclose(f);
}

std::vector<uint8_t> Idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(d >> s));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// 3 images of 2 x 3 pixels, value = 10 * image + pixel; labels 7, 0, 9.
std::vector<uint8_t> TinyImages() {
  std::vector<uint8_t> px;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 6; ++k) px.push_back(static_cast<uint8_t>(10 * i + k));
  return Idx({3, 2, 3}, px);
}

TEST(IdxTest, ReadsPlainAndGzippedFiles) {
  const std::string images = TmpPath("img-idx3-ubyte"), labels = TmpPath("lbl-idx1-ubyte");
  WriteFile(images, TinyImages());
  WriteFile(labels, Idx({3}, {7, 0, 9}));
  WriteGz(images + ".gz", TinyImages());
  for (const std::string& suffix : {std::string(""), std::string(".gz")}) {
    auto raw = ReadIdxImages(images + suffix, labels);
    ASSERT_TRUE(raw.ok()) << raw.status();
    EXPECT_EQ(raw->count, 3);
    EXPECT_EQ(raw->channels, 1);
    EXPECT_EQ(raw->height, 2);
    EXPECT_EQ(raw->width, 3);
    EXPECT_EQ(raw->pixels[6 * 2 + 5], 25);
    EXPECT_EQ(raw->labels, (std::vector<int64_t>{7, 0, 9}));
  }
}

TEST(IdxTest, TruncatedOrMalformedFilesNameTheFile) {
  std::vector<uint8_t> bytes = TinyImages();
  bytes.resize(bytes.size() - 4);
  const std::string cut = TmpPath("cut-idx3-ubyte");
  WriteFile(cut, bytes);
  auto r = ReadIdxFile(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(cut));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("truncated"));

  std::vector<uint8_t> magic = TinyImages();
  magic[0] = 1;
  WriteFile(TmpPath("magic"), magic);
  r = ReadIdxFile(TmpPath("magic"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("magic"));

  // A gzip stream cut in the middle.
  const std::string gz = TmpPath("full.gz");
  std::vector<uint8_t> big = Idx({200, 28, 28}, std::vector<uint8_t>(200 * 28 * 28, 0));
  for (size_t i = 0; i < big.size(); ++i) big[i] ^= static_cast<uint8_t>(i * 2654435761u >> 24);
  big[0] = big[1] = 0, big[2] = 8, big[3] = 3;
  WriteGz(gz, big);
  FILE* f = std::fopen(gz.c_str(), "rb");
  std::vector<uint8_t> compressed(1 << 20);
  compressed.resize(std::fread(compressed.data(), 1, compressed.size(), f));
  std::fclose(f);
  compressed.resize(compressed.size() / 2);
  const std::string gz_cut = TmpPath("cut.gz");
  WriteFile(gz_cut, compressed);
  r = ReadIdxFile(gz_cut);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(gz_cut));

  // Labels that do not match the image count, and a missing file.
  WriteFile(TmpPath("img2"), TinyImages());
  WriteFile(TmpPath("lbl2"), Idx({2}, {1, 2}));
  auto raw = ReadIdxImages(TmpPath("img2"), TmpPath("lbl2"));
  ASSERT_FALSE(raw.ok());
  EXPECT_THAT(std::string(raw.status().message()), HasSubstr("2 labels for 3 images"));
  raw = ReadIdxImages(TmpPath("nope"), TmpPath("lbl2"));
  EXPECT_EQ(raw.status().code(), absl::StatusCode::kNotFound);
}

TEST(CifarTest, ReadsRecordsAndRejectsTruncatedFiles) {
  std::vector<uint8_t> bytes;
  for (int r = 0; r < 3; ++r) {
    bytes.push_back(static_cast<uint8_t>(r + 3));
    for (int k = 0; k < 3072; ++k) bytes.push_back(static_cast<uint8_t>((k / 1024) * 50 + r));
  }
  const std::string path = TmpPath("data_batch_1.bin");
  WriteFile(path, bytes);
  auto raw = ReadCifar10Batches({path});
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->count, 3);
  EXPECT_EQ(raw->channels, 3);
  EXPECT_EQ(raw->labels, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(raw->pixels[3072 * 2 + 1024 * 2 + 7], 102);  // image 2, blue plane

  bytes.pop_back();
  const std::string cut = TmpPath("cut_batch.bin");
  WriteFile(cut, bytes);
  raw = ReadCifar10Batches({cut});
  ASSERT_FALSE(raw.ok());
  EXPECT_THAT(std::string(raw.status().message()), HasSubstr(cut));
  EXPECT_THAT(std::string(raw.status().message()), HasSubstr("3073"));
}

RawImages Synthetic(int64_t n, int size, int channels) {
  RawImages raw;
  raw.count = n;
  raw.channels = channels;
  raw.height = raw.width = size;
  for (int64_t i = 0; i < n; ++i) {
    raw.labels.push_back(i % 10);
    for (int k = 0; k < channels * size * size; ++k) raw.pixels.push_back(static_cast<uint8_t>((i * 7 + k * 3) % 256));
  }
  return raw;
}

proto::DatasetSpec SmallSpec(uint64_t seed) {
  proto::DatasetSpec spec;
  spec.set_name("cifar10");
  spec.set_path("/synthetic");
  spec.set_train_size(50);
  spec.set_valid_size(30);
  spec.set_test_size(10);
  spec.set_image_size(4);
  spec.set_split_seed(seed);
  return spec;
}

TEST(SplitTest, DeterministicDisjointAndNormalised) {
  const RawImages train = Synthetic(100, 8, 3), test = Synthetic(20, 8, 3);
  auto a = MakeDataset(SmallSpec(1), train, test, 10);
  auto b = MakeDataset(SmallSpec(1), train, test, 10);
  auto c = MakeDataset(SmallSpec(2), train, test, 10);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  const Dataset& d = **a;
  EXPECT_EQ(d.train().size, 50);
  EXPECT_EQ(d.valid().size, 30);
  EXPECT_EQ(d.test().size, 10);
  EXPECT_EQ(d.train().images.size(), 50u * 3 * 4 * 4);
  EXPECT_EQ(d.train().source_index, (*b)->train().source_index);
  EXPECT_EQ(d.train().images, (*b)->train().images);
  EXPECT_NE(d.train().source_index, (*c)->train().source_index);
  std::set<int64_t> tr(d.train().source_index.begin(), d.train().source_index.end());
  for (int64_t v : d.valid().source_index) EXPECT_EQ(tr.count(v), 0u) << v;
  EXPECT_EQ(tr.size(), 50u);
  for (int64_t i = 0; i < d.train().size; ++i) EXPECT_EQ(d.train().labels[i], d.train().source_index[i] % 10);
  // Channel means of the normalised train split are 0, standard deviations 1.
  for (int ch = 0; ch < 3; ++ch) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < 50; ++i)
      for (int k = 0; k < 16; ++k) {
        const double v = d.train().images[(i * 3 + ch) * 16 + k];
        s += v, s2 += v * v;
      }
    EXPECT_NEAR(s / 800, 0.0, 1e-5);
    EXPECT_NEAR(s2 / 800, 1.0, 1e-4);
  }
}

TEST(SplitTest, AreaResizeAverages) {
  const std::vector<float> in = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  EXPECT_EQ(AreaResize(in.data(), 4, 4, 2), (std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f}));
  const std::vector<float> ones(9, 1.0f);
  for (float v : AreaResize(ones.data(), 3, 3, 2)) EXPECT_FLOAT_EQ(v, 1.0f);
  EXPECT_EQ(AreaResize(in.data(), 4, 4, 4), in);
}

TEST(SplitTest, EpochOrderIsASeededPermutation) {
  auto a = EpochOrder(5, 0, 100), b = EpochOrder(5, 0, 100), c = EpochOrder(5, 1, 100), d = EpochOrder(6, 0, 100);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  std::sort(c.begin(), c.end());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(c[i], i);
}

TEST(SplitTest, ResolveNamesTheField) {
  proto::DatasetSpec spec;
  spec.set_name("fashion-mnist");
  ASSERT_TRUE(ResolveDatasetSpec(&spec).ok());
  EXPECT_EQ(spec.train_size(), 50000);
  EXPECT_EQ(spec.valid_size(), 10000);
  EXPECT_EQ(spec.image_size(), 28);
  EXPECT_EQ(spec.path(), kDebianFashionMnistDir);
  spec.set_image_size(14);
  EXPECT_THAT(std::string(ResolveDatasetSpec(&spec).message()), HasSubstr("data.image_size"));
  spec.set_image_size(12);
  spec.set_valid_size(20000);
  EXPECT_THAT(std::string(ResolveDatasetSpec(&spec).message()), HasSubstr("data.train_size + data.valid_size"));
  spec.set_name("mnist");
  EXPECT_THAT(std::string(ResolveDatasetSpec(&spec).message()), HasSubstr("data.name"));
  proto::DatasetSpec cifar;
  cifar.set_name("cifar10");
  EXPECT_THAT(std::string(ResolveDatasetSpec(&cifar).message()), HasSubstr("data.path"));
}

}  // namespace
}  // namespace nas
