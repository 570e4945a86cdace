// NB101 tfrecord import: framing and CRCs, record parsing, the sparse table it builds (and its HDF5 round trip),
// and one clear error naming the record for every kind of corruption.
#include "nas/table/nb101_tfrecord.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/space/nb101_space.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_index.h"
#include "nas/table/table_io.h"
#include "nas/table/tfrecord.h"

namespace nas {
namespace {

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

Nb101Graph Graph(const std::vector<std::vector<int>>& m, const std::vector<int>& labels) {
  Nb101Graph g;
  g.n = static_cast<int>(m.size());
  for (const auto& row : m)
    for (int x : row) g.adj.push_back(static_cast<uint8_t>(x));
  g.labels = labels;
  return g;
}

// The representative the real dataset stores for nasbench's README spec (module hash 28cfc7...), with its real
// trainable_parameters and final 108-epoch evaluations (repeats 0..2) as published in
// google-research/unified_functional_hashing's NB101 test data and nasbench.query output.
const std::vector<std::vector<int>> kStoredReadme = {{0, 1, 1, 1, 1, 0, 0}, {0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 1},
                                                     {0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 0, 1},
                                                     {0, 0, 0, 0, 0, 0, 0}};
const std::vector<int> kStoredReadmeLabels = {-1, 0, 1, 2, 0, 0, -2};
constexpr char kReadmeHash[] = "28cfc7874f6d200472e1a9dcd8650aa0";
const double kTest108[3] = {0.9311898946762085, 0.932692289352417, 0.9286859035491943};
const double kValid108[3] = {0.9376001358032227, 0.9378004670143127, 0.9336938858032227};
const double kTime108[3] = {1155.85302734375, 1157.675048828125, 1154.361083984375};
const double kHalfTest108[3] = {0.8106971383094788, 0.796875, 0.8215144276618958};

nasbench::ModelMetrics Metrics(int params, double train, double valid, double test, double time, double half_test) {
  nasbench::ModelMetrics m;
  m.set_trainable_parameters(params);
  m.set_total_time(time * 1.3);
  auto* init = m.add_evaluation_data();  // [0] initialisation, [1] halfway, [2] final, as nasbench
  init->set_current_epoch(0);
  init->set_training_time(0);
  init->set_train_accuracy(0.1), init->set_validation_accuracy(0.1), init->set_test_accuracy(0.1);
  auto* half = m.add_evaluation_data();
  half->set_current_epoch(54);
  half->set_training_time(time / 2);
  half->set_train_accuracy(0.5), half->set_validation_accuracy(0.5), half->set_test_accuracy(half_test);
  auto* fin = m.add_evaluation_data();
  fin->set_current_epoch(108);
  fin->set_training_time(time);
  fin->set_train_accuracy(train), fin->set_validation_accuracy(valid), fin->set_test_accuracy(test);
  fin->set_checkpoint_path("/path/model.ckpt-1234");
  return m;
}

// Records: README spec x 3 repeats at 108 and 1 at 4 epochs; a 3-vertex chain x 3 repeats at 108; the direct
// 2-vertex graph x 2 repeats at 108 (the third missing). Epochs interleaved so the importer widens late.
std::vector<std::string> Records() {
  const Nb101Graph readme = Graph(kStoredReadme, kStoredReadmeLabels);
  const Nb101Graph chain = Graph({{0, 1, 0}, {0, 0, 1}, {0, 0, 0}}, {-1, 2, -2});
  const Nb101Graph direct = Graph({{0, 1}, {0, 0}}, {-1, -2});
  const std::string chain_hash = Nb101Space::HashModule(chain);
  const std::string direct_hash = Nb101Space::HashModule(direct);
  std::vector<std::string> r;
  for (int i = 0; i < 3; ++i)
    r.push_back(MakeNb101RecordJson(kReadmeHash, 108, readme,
                                    Metrics(2694282, 1.0, kValid108[i], kTest108[i], kTime108[i], kHalfTest108[i])));
  r.push_back(MakeNb101RecordJson(chain_hash, 108, chain, Metrics(100000, 0.5, 0.4, 0.3, 100, 0.2)));
  r.push_back(MakeNb101RecordJson(direct_hash, 108, direct, Metrics(5000, 0.25, 0.2, 0.1, 10, 0.1)));
  r.push_back(MakeNb101RecordJson(chain_hash, 108, chain, Metrics(100000, 0.5, 0.5, 0.5, 110, 0.2)));
  r.push_back(MakeNb101RecordJson(kReadmeHash, 4, readme,
                                  Metrics(2694282, 0.5406650900840759, 0.5259414911270142, 0.518629789352417,
                                          71.65800476074219, 0.15)));
  r.push_back(MakeNb101RecordJson(chain_hash, 108, chain, Metrics(100000, 0.5, 0.6, 0.7, 120, 0.2)));
  r.push_back(MakeNb101RecordJson(direct_hash, 108, direct, Metrics(5000, 0.25, 0.3, 0.2, 12, 0.1)));
  return r;
}

std::string Framed(const std::vector<std::string>& records) {
  std::string bytes;
  for (const auto& r : records) bytes += FrameTfRecord(r);
  return bytes;
}

TEST(Crc32c, StandardVectors) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c("", 0), 0u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720 B.4
  const std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones.data(), ones.size()), 0x62A8AB43u);
  // Continuation equals one pass.
  EXPECT_EQ(Crc32c("6789", 4, Crc32c("12345", 5)), 0xE3069283u);
}

TEST(TfRecord, WriterAndReaderRoundTrip) {
  const std::string path = TmpPath("roundtrip.tfrecord");
  auto w = TfRecordWriter::Create(path);
  ASSERT_TRUE(w.ok());
  const std::vector<std::string> recs = {"", "a", std::string(3 << 20, 'x'), "last"};
  for (const auto& r : recs) ASSERT_TRUE((*w)->Write(r).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto r = TfRecordReader::Open(path);
  ASSERT_TRUE(r.ok());
  std::string data;
  for (const auto& want : recs) {
    auto more = (*r)->Next(&data);
    ASSERT_TRUE(more.ok()) << more.status();
    ASSERT_TRUE(*more);
    ASSERT_EQ(data, want);
  }
  auto end = (*r)->Next(&data);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(Nb101Tfrecord, ParsesARecord) {
  Nb101Record rec;
  const std::string json = Records()[0];
  EXPECT_TRUE(absl::StartsWith(json, "[\"28cfc7874f6d200472e1a9dcd8650aa0\", 108, \"0111100000000100000010000001"))
      << json;
  ASSERT_TRUE(ParseNb101Record(json, &rec).ok());
  EXPECT_EQ(rec.module_hash, kReadmeHash);
  EXPECT_EQ(rec.epochs, 108);
  EXPECT_EQ(rec.graph.n, 7);
  EXPECT_EQ(rec.graph.labels, kStoredReadmeLabels);
  EXPECT_EQ(rec.metrics.trainable_parameters(), 2694282);
  EXPECT_EQ(Nb101Space::SpecHash(rec.graph), kReadmeHash);
  // Whitespace and escapes JSON allows are accepted.
  Nb101Record r2;
  const std::string spaced = "[ \"043721b9c7fe8c5fad811d47d83132ec\" ,4,\"0100\",\"in\\u0070ut,output\",\"\" ]\n";
  EXPECT_FALSE(ParseNb101Record(spaced, &r2).ok());  // empty metrics: no evaluation_data
}

TEST(Nb101Tfrecord, ImportsValues) {
  const std::string path = TmpPath("nb101.tfrecord");
  WriteBytes(path, Framed(Records()));
  auto table_or = ImportNb101Tfrecord(path);
  ASSERT_TRUE(table_or.ok()) << table_or.status();
  const Table& t = **table_or;
  EXPECT_EQ(t.space(), "nb101");
  EXPECT_TRUE(t.sparse());
  ASSERT_EQ(t.num_archs(), 3);
  EXPECT_EQ(t.row_keys()[0], kReadmeHash);
  EXPECT_EQ(t.attributes().at("source_records"), "9");
  auto d_or = t.dataset("cifar10");
  ASSERT_TRUE(d_or.ok());
  const TableDataset& d = **d_or;
  EXPECT_EQ(d.fidelities(), (std::vector<int>{4, 108}));
  EXPECT_EQ(d.seeds(), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(t.params_m()[0], 2.694282);

  // The README spec as the user writes it (another labelling of the stored graph) finds row 0.
  Nb101Space space;
  auto readme = space.Parse(
      "0111010|0000001|0000001|0000100|0000001|0000001|0000000|"
      "ops:conv1x1-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,maxpool3x3");
  ASSERT_TRUE(readme.ok());
  ASSERT_EQ(RowOf(t, space, *readme), 0);
  auto f108 = d.FidelityIndex(108);
  ASSERT_TRUE(f108.ok());
  for (int s = 0; s < 3; ++s) {
    EXPECT_DOUBLE_EQ(d.at(0, *f108, s).test_acc, 100 * kTest108[s]);
    EXPECT_DOUBLE_EQ(d.at(0, *f108, s).valid_acc, 100 * kValid108[s]);
    EXPECT_DOUBLE_EQ(d.at(0, *f108, s).train_acc, 100.0);
    EXPECT_DOUBLE_EQ(d.at(0, *f108, s).train_time, kTime108[s]);
  }
  EXPECT_NEAR(d.at(0, *f108, d.mean_slot()).valid_acc, 100 * (kValid108[0] + kValid108[1] + kValid108[2]) / 3,
              1e-12);
  // 4 epochs: one repeat; the others and the mean of one value.
  EXPECT_DOUBLE_EQ(d.at(0, 0, 0).test_acc, 51.8629789352417);
  EXPECT_DOUBLE_EQ(d.at(0, 0, 0).train_time, 71.65800476074219);
  EXPECT_TRUE(std::isnan(d.at(0, 0, 1).test_acc));
  EXPECT_DOUBLE_EQ(d.at(0, 0, d.mean_slot()).test_acc, 51.8629789352417);
  // The chain: repeats in file order; no 4-epoch data at all.
  EXPECT_DOUBLE_EQ(d.at(1, *f108, 0).valid_acc, 40.0);
  EXPECT_DOUBLE_EQ(d.at(1, *f108, 1).valid_acc, 50.0);
  EXPECT_DOUBLE_EQ(d.at(1, *f108, 2).valid_acc, 60.0);
  EXPECT_DOUBLE_EQ(d.at(1, *f108, d.mean_slot()).valid_acc, 50.0);
  EXPECT_TRUE(std::isnan(d.at(1, 0, d.mean_slot()).valid_acc));
  // The direct graph: 2 repeats, the third NaN.
  EXPECT_DOUBLE_EQ(d.at(2, *f108, 1).test_acc, 20.0);
  EXPECT_TRUE(std::isnan(d.at(2, *f108, 2).test_acc));
  EXPECT_NEAR(d.at(2, *f108, d.mean_slot()).test_acc, 15.0, 1e-12);
  // Any 7-vertex spelling of the chain (dead vertices included) finds row 1; a graph not in the file: -1.
  Actions chain(26, 0);
  chain[Nb101Space::EdgeDecision(0, 3)] = chain[Nb101Space::EdgeDecision(3, 6)] = 1;
  chain[21 + 2] = 2;
  chain[Nb101Space::EdgeDecision(1, 4)] = 1;  // isolated from input: pruned
  EXPECT_EQ(RowOf(t, space, chain), 1);
  chain[21 + 2] = 1;
  EXPECT_EQ(RowOf(t, space, chain), -1);
  EXPECT_EQ(RowOf(t, space, Actions(26, 0)), -1);  // invalid

  // HDF5 round trip keeps the keys, the architectures and the values.
  const std::string h5 = TmpPath("nb101.h5");
  ASSERT_TRUE(WriteTable(t, h5, /*overwrite=*/true).ok());
  auto back = ReadTable(h5);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE((*back)->sparse());
  EXPECT_EQ((*back)->num_archs(), 3);
  EXPECT_EQ((*back)->row_keys(), t.row_keys());
  EXPECT_EQ((*back)->row_archs(), t.row_archs());
  EXPECT_EQ(RowOf(**back, space, *readme), 0);
  auto bd = (*back)->dataset("cifar10");
  ASSERT_TRUE(bd.ok());
  EXPECT_EQ((*bd)->fidelities(), d.fidelities());
  EXPECT_DOUBLE_EQ((*bd)->at(0, *f108, 2).test_acc, 100 * kTest108[2]);
  EXPECT_TRUE(CheckTableSpace(**back, space).ok());
}

TEST(TableIndex, DenseRowIsOrdinal) {
  Nb201Space space;
  Table t("nb201", space.size());
  EXPECT_FALSE(t.sparse());
  const Actions a = {1, 2, 3, 4, 0, 1};
  EXPECT_EQ(RowOf(t, space, a), space.Ordinal(a));
  EXPECT_EQ(t.RowOfKey("x"), -1);
  EXPECT_TRUE(CheckTableSpace(t, space).ok());
  EXPECT_FALSE(CheckTableSpace(t, Nb101Space()).ok());
  Table s("nb201", 2);
  EXPECT_FALSE(s.SetRowKeys({"a", "a"}, {"x", "y"}).ok());  // duplicate key
  EXPECT_FALSE(s.SetRowKeys({"a"}, {"x"}).ok());            // wrong count
  EXPECT_TRUE(s.SetRowKeys({"a", "b"}, {"x", "y"}).ok());
  EXPECT_EQ(s.RowOfKey("b"), 1);
}

// Expects ImportNb101Tfrecord(bytes) to fail with one line naming the file, `record N` and `what`.
void ExpectImportError(const std::string& name, const std::string& bytes, const std::string& record,
                       const std::string& what) {
  const std::string path = TmpPath(name);
  WriteBytes(path, bytes);
  auto t = ImportNb101Tfrecord(path);
  ASSERT_FALSE(t.ok()) << name;
  const std::string msg(t.status().message());
  EXPECT_TRUE(absl::StrContains(msg, path)) << msg;
  EXPECT_TRUE(absl::StrContains(msg, record)) << msg;
  EXPECT_TRUE(absl::StrContains(msg, what)) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(Nb101Tfrecord, CorruptFilesNameTheRecord) {
  const std::vector<std::string> recs = Records();
  const std::string good = Framed(recs);
  const size_t r1 = FrameTfRecord(recs[0]).size();  // record 1 starts here
  const size_t r2 = r1 + FrameTfRecord(recs[1]).size();

  std::string flip_data = good;
  flip_data[r1 + 12 + 40] ^= 0x01;
  ExpectImportError("flip_data", flip_data, "record 1 ", "data CRC mismatch");
  std::string flip_len = good;
  flip_len[r1 + 1] ^= 0x10;
  ExpectImportError("flip_len", flip_len, "record 1 ", "length CRC mismatch");
  std::string flip_crc = good;
  flip_crc[r2 - 1] ^= 0x80;  // the data CRC of record 1 itself
  ExpectImportError("flip_crc", flip_crc, "record 1 ", "data CRC mismatch");
  ExpectImportError("trunc_body", good.substr(0, r2 + 100), "record 2 ", "truncated");
  ExpectImportError("trunc_header", good.substr(0, r2 + 5), "record 2 ", "truncated");
  ExpectImportError("trunc_crc", good.substr(0, good.size() - 2), "record 8 ", "truncated");
  ExpectImportError("empty", "", "", "no records");

  // Content errors with correct CRCs.
  auto with = [&](int i, const std::string& data) {
    std::vector<std::string> r = recs;
    r[i] = data;
    return Framed(r);
  };
  ExpectImportError("json", with(3, "[\"abc\", 108"), "record 3:", "bad JSON");
  ExpectImportError("json_trailing", with(3, recs[3] + "x"), "record 3:", "bad JSON");
  ExpectImportError("json_float", with(2, "[\"28cfc7874f6d200472e1a9dcd8650aa0\", 1.5, \"00\", \"a\", \"\"]"),
                    "record 2:", "integer");
  std::string bad64 = recs[4];
  bad64.insert(bad64.size() - 3, "!!");
  ExpectImportError("base64", with(4, bad64), "record 4:", "base64");
  const std::string direct = "[\"043721b9c7fe8c5fad811d47d83132ec\", 108, \"0100\", \"input,output\", \"";
  ExpectImportError("proto", with(4, direct + absl::Base64Escape("\xff\xff\xff") + "\"]"), "record 4:", "proto");
  ExpectImportError("adjacency", with(1, "[\"043721b9c7fe8c5fad811d47d83132ec\", 108, \"010\", \"input,output\", \"\"]"),
                    "record 1:", "raw_adjacency");
  ExpectImportError("lower", with(1, "[\"043721b9c7fe8c5fad811d47d83132ec\", 108, \"0110\", \"input,output\", \"\"]"),
                    "record 1:", "upper-triangular");
  ExpectImportError("ops", with(1, "[\"043721b9c7fe8c5fad811d47d83132ec\", 108, \"0100\", \"input,conv\", \"\"]"),
                    "record 1:", "raw_operations");
  // A module hash that is not the graph's.
  std::string wrong_hash = recs[3];
  wrong_hash.replace(2, 32, "0123456789abcdef0123456789abcdef");
  ExpectImportError("hash", with(3, wrong_hash), "record 3:", "is not the graph's hash");
  // A fourth repeat of (hash, 108).
  std::vector<std::string> four = recs;
  four.push_back(recs[0]);
  ExpectImportError("repeats", Framed(four), "record 9:", "more than 3 repeats");
  // A graph outside the space (input not connected to output).
  const Nb101Graph cut = Graph({{0, 0, 0}, {0, 0, 1}, {0, 0, 0}}, {-1, 0, -2});
  ExpectImportError("outside",
                    with(0, MakeNb101RecordJson("043721b9c7fe8c5fad811d47d83132ec", 108, cut,
                                                Metrics(1, 0, 0, 0, 0, 0))),
                    "record 0:", "outside the NB101 space");
  auto missing = ImportNb101Tfrecord(TmpPath("does_not_exist.tfrecord"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

// Random single-byte changes inside records (CRCs recomputed, so the parser sees them) never crash: each
// import either succeeds or names a record.
TEST(Nb101Tfrecord, MutatedRecordsNeverCrash) {
  const std::vector<std::string> recs = Records();
  uint64_t state = 12345;
  auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL, state >> 33; };
  const std::string path = TmpPath("mutated.tfrecord");
  for (int t = 0; t < 300; ++t) {
    std::vector<std::string> r = recs;
    std::string& victim = r[next() % r.size()];
    victim[next() % victim.size()] = static_cast<char>(next() & 0xff);
    WriteBytes(path, Framed(r));
    auto table = ImportNb101Tfrecord(path);
    if (!table.ok()) {
      EXPECT_TRUE(absl::StrContains(table.status().message(), "record ")) << table.status();
    }
  }
}

}  // namespace
}  // namespace nas
