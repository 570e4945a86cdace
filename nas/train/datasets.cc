#include "nas/train/datasets.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

absl::Status FileError(const std::string& path, absl::string_view what) {
  return absl::DataLossError(absl::StrCat(path, ": ", what));
}

// Reads the whole (possibly gzipped) file.
absl::StatusOr<std::vector<uint8_t>> ReadAll(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open (", std::strerror(errno), ")"));
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(1 << 20);
  while (true) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int err = 0;
      std::string msg = gzerror(f, &err);
      gzclose(f);
      return FileError(path, absl::StrCat("corrupt compressed data (", msg, ")"));
    }
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  // A gzip stream cut short reads as a clean end of file with Z_BUF_ERROR pending.
  int err = Z_OK;
  gzerror(f, &err);
  gzclose(f);
  if (err != Z_OK && err != Z_STREAM_END)
    return FileError(path, "truncated compressed data (the gzip stream ends early)");
  return out;
}

// Copies rows `rows` of `raw`, scaled to [0, 1] and down-sampled to `size`, into `split` (not normalised yet).
void FillSplit(const RawImages& raw, const std::vector<int64_t>& rows, int size, DataSplit* split) {
  const int64_t plane_in = static_cast<int64_t>(raw.height) * raw.width, plane_out = int64_t{size} * size;
  split->size = static_cast<int64_t>(rows.size());
  split->images.resize(split->size * raw.channels * plane_out);
  split->labels.resize(split->size);
  split->source_index = rows;
  std::vector<float> plane(plane_in);
  for (int64_t i = 0; i < split->size; ++i) {
    const int64_t r = rows[i];
    split->labels[i] = raw.labels[r];
    for (int c = 0; c < raw.channels; ++c) {
      const uint8_t* src = raw.pixels.data() + (r * raw.channels + c) * plane_in;
      float* dst = split->images.data() + (i * raw.channels + c) * plane_out;
      for (int64_t k = 0; k < plane_in; ++k) plane[k] = src[k] / 255.0f;
      if (size == raw.height && size == raw.width) {
        std::copy(plane.begin(), plane.end(), dst);
      } else {
        std::vector<float> small = AreaResize(plane.data(), raw.height, raw.width, size);
        std::copy(small.begin(), small.end(), dst);
      }
    }
  }
}

// The weights of out pixel o over in pixels: overlap of [o*s, (o+1)*s) with [i, i+1), divided by s.
std::vector<std::vector<std::pair<int, double>>> AreaWeights(int in, int out) {
  std::vector<std::vector<std::pair<int, double>>> w(out);
  const double s = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    const double lo = o * s, hi = (o + 1) * s;
    for (int i = static_cast<int>(std::floor(lo)); i < in && i < hi; ++i) {
      const double overlap = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
      if (overlap > 1e-12) w[o].push_back({i, overlap / s});
    }
  }
  return w;
}

}  // namespace

absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadAll(path));
  if (bytes.size() < 4) return FileError(path, absl::StrCat("not an IDX file (", bytes.size(), " bytes)"));
  if (bytes[0] != 0 || bytes[1] != 0)
    return FileError(path, "not an IDX file (the magic number does not start with two zero bytes)");
  if (bytes[2] != 0x08)
    return FileError(path, absl::StrCat("IDX data type 0x", absl::Hex(bytes[2]), " is not unsigned byte (0x08)"));
  const int ndims = bytes[3];
  if (ndims < 1 || ndims > 4) return FileError(path, absl::StrCat("IDX file with ", ndims, " dimensions"));
  if (bytes.size() < 4 + 4 * static_cast<size_t>(ndims)) return FileError(path, "truncated IDX header");
  IdxArray out;
  int64_t total = 1;
  for (int d = 0; d < ndims; ++d) {
    const uint8_t* p = bytes.data() + 4 + 4 * d;
    const uint32_t v = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    if (v == 0 || v > (1u << 28)) return FileError(path, absl::StrCat("IDX dimension ", d, " is ", v));
    out.dims.push_back(v);
    total *= v;
    if (total > (int64_t{1} << 34)) return FileError(path, "IDX dimensions too large");
  }
  const size_t header = 4 + 4 * ndims;
  if (bytes.size() - header < static_cast<size_t>(total))
    return FileError(path, absl::StrCat("truncated: ", bytes.size() - header, " data bytes, the header promises ",
                                        total));
  if (bytes.size() - header > static_cast<size_t>(total))
    return FileError(path, absl::StrCat(bytes.size() - header - total, " bytes after the data the header promises"));
  out.data.assign(bytes.begin() + header, bytes.end());
  return out;
}

absl::StatusOr<RawImages> ReadIdxImages(const std::string& images_path, const std::string& labels_path) {
  NAS_ASSIGN_OR_RETURN(IdxArray images, ReadIdxFile(images_path));
  NAS_ASSIGN_OR_RETURN(IdxArray labels, ReadIdxFile(labels_path));
  if (images.dims.size() != 3)
    return FileError(images_path, absl::StrCat("an images file needs 3 dimensions, not ", images.dims.size()));
  if (labels.dims.size() != 1)
    return FileError(labels_path, absl::StrCat("a labels file needs 1 dimension, not ", labels.dims.size()));
  if (labels.dims[0] != images.dims[0])
    return FileError(labels_path, absl::StrCat(labels.dims[0], " labels for ", images.dims[0], " images in ",
                                               images_path));
  RawImages raw;
  raw.count = images.dims[0];
  raw.channels = 1;
  raw.height = static_cast<int>(images.dims[1]);
  raw.width = static_cast<int>(images.dims[2]);
  raw.pixels = std::move(images.data);
  raw.labels.assign(labels.data.begin(), labels.data.end());
  for (int64_t i = 0; i < raw.count; ++i)
    if (raw.labels[i] > 9) return FileError(labels_path, absl::StrCat("label ", raw.labels[i], " at ", i, " > 9"));
  return raw;
}

absl::StatusOr<RawImages> ReadCifar10Batches(const std::vector<std::string>& paths) {
  constexpr int64_t kRecord = 3073, kPlane = 1024;
  RawImages raw;
  raw.channels = 3;
  raw.height = raw.width = 32;
  for (const std::string& path : paths) {
    NAS_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadAll(path));
    if (bytes.empty()) return FileError(path, "empty CIFAR-10 batch file");
    if (bytes.size() % kRecord != 0)
      return FileError(path, absl::StrCat("size ", bytes.size(), " is not a multiple of the 3073-byte CIFAR-10 "
                                          "record (truncated or not the binary version)"));
    const int64_t n = bytes.size() / kRecord;
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* rec = bytes.data() + i * kRecord;
      if (rec[0] > 9) return FileError(path, absl::StrCat("record ", i, " has label ", int{rec[0]}, " > 9"));
      raw.labels.push_back(rec[0]);
      raw.pixels.insert(raw.pixels.end(), rec + 1, rec + 1 + 3 * kPlane);
    }
    raw.count += n;
  }
  return raw;
}

std::vector<float> AreaResize(const float* in, int height, int width, int out) {
  NAS_CHECK(out > 0 && out <= height && out <= width);
  const auto wy = AreaWeights(height, out), wx = AreaWeights(width, out);
  std::vector<double> rows(static_cast<size_t>(out) * width, 0.0);  // vertical pass
  for (int o = 0; o < out; ++o)
    for (const auto& [i, w] : wy[o])
      for (int x = 0; x < width; ++x) rows[o * width + x] += w * in[i * width + x];
  std::vector<float> result(static_cast<size_t>(out) * out);
  for (int o = 0; o < out; ++o)
    for (int p = 0; p < out; ++p) {
      double s = 0;
      for (const auto& [j, w] : wx[p]) s += w * rows[o * width + j];
      result[o * out + p] = static_cast<float>(s);
    }
  return result;
}

std::vector<int64_t> EpochOrder(uint64_t seed, int epoch, int64_t n) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  Rng rng(DeriveSeed(seed, static_cast<uint64_t>(epoch), "data-order"));
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[rng.UniformInt(i + 1)]);
  return order;
}

absl::Status ResolveDatasetSpec(proto::DatasetSpec* spec) {
  const std::string& name = spec->name();
  int def_train, def_valid, def_test;
  if (name == "fashion-mnist") {
    def_train = 50000, def_valid = 10000, def_test = 10000;
    if (spec->path().empty()) spec->set_path(kDebianFashionMnistDir);
  } else if (name == "cifar10") {
    def_train = 25000, def_valid = 25000, def_test = 10000;
    if (spec->path().empty())
      return absl::InvalidArgumentError("data.path: required for cifar10 (the directory of data_batch_1.bin ...)");
  } else {
    return absl::InvalidArgumentError(absl::StrCat("data.name: unknown dataset \"", name,
                                                   "\" (known: fashion-mnist, cifar10)"));
  }
  const int official_train = 50000 + (name == "fashion-mnist" ? 10000 : 0), official_test = 10000;
  if (spec->train_size() < 0) return absl::InvalidArgumentError("data.train_size: must be >= 0");
  if (spec->valid_size() < 0) return absl::InvalidArgumentError("data.valid_size: must be >= 0");
  if (spec->test_size() < 0) return absl::InvalidArgumentError("data.test_size: must be >= 0");
  if (spec->train_size() == 0) spec->set_train_size(def_train);
  if (spec->valid_size() == 0) spec->set_valid_size(def_valid);
  if (spec->test_size() == 0) spec->set_test_size(def_test);
  if (int64_t{spec->train_size()} + spec->valid_size() > official_train)
    return absl::InvalidArgumentError(absl::StrCat("data.train_size + data.valid_size: ", spec->train_size(), " + ",
                                                   spec->valid_size(), " exceeds the ", official_train,
                                                   " images of the official ", name, " training set"));
  if (spec->test_size() > official_test)
    return absl::InvalidArgumentError(absl::StrCat("data.test_size: ", spec->test_size(), " exceeds the ",
                                                   official_test, " official test images"));
  const int native = name == "fashion-mnist" ? 28 : 32;
  if (spec->image_size() < 0 || spec->image_size() > native)
    return absl::InvalidArgumentError(absl::StrCat("data.image_size: ", spec->image_size(), " is not in 0..",
                                                   native, " (down-sampling only)"));
  if (spec->image_size() == 0) spec->set_image_size(native);
  if (spec->image_size() % 4 != 0)
    return absl::InvalidArgumentError(absl::StrCat("data.image_size: ", spec->image_size(), " is not a multiple of 4 "
                                                   "(the NB201 skeleton halves it twice; its residual shortcut needs "
                                                   "even sizes)"));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Dataset>> MakeDataset(const proto::DatasetSpec& spec, const RawImages& train,
                                                           const RawImages& test, int num_classes) {
  if (train.channels != test.channels || train.height != test.height || train.width != test.width)
    return absl::InvalidArgumentError(absl::StrCat(spec.path(), ": training and test images differ in shape"));
  if (spec.train_size() + spec.valid_size() > train.count)
    return absl::InvalidArgumentError(absl::StrCat(spec.path(), ": data.train_size + data.valid_size = ",
                                                   spec.train_size() + spec.valid_size(), " but the training set "
                                                   "has ", train.count, " images"));
  if (spec.test_size() > test.count)
    return absl::InvalidArgumentError(absl::StrCat(spec.path(), ": data.test_size = ", spec.test_size(),
                                                   " but the test set has ", test.count, " images"));
  const int size = spec.image_size() > 0 ? spec.image_size() : train.height;
  if (size > train.height || size > train.width)
    return absl::InvalidArgumentError(absl::StrCat("data.image_size: ", size, " exceeds the native ", train.height));

  auto ds = std::shared_ptr<Dataset>(new Dataset());
  ds->name_ = spec.name();
  ds->channels_ = train.channels;
  ds->image_size_ = size;
  ds->num_classes_ = num_classes;
  ds->spec_ = spec;

  // Train and valid: a seeded permutation of the official training set, cut in two. Rows are kept in ascending
  // order inside each split (the epoch order does the shuffling).
  std::vector<int64_t> perm(train.count);
  for (int64_t i = 0; i < train.count; ++i) perm[i] = i;
  Rng split_rng(DeriveSeed(spec.split_seed(), 0, "split/train-valid"));
  for (int64_t i = train.count - 1; i > 0; --i) std::swap(perm[i], perm[split_rng.UniformInt(i + 1)]);
  std::vector<int64_t> tr(perm.begin(), perm.begin() + spec.train_size());
  std::vector<int64_t> va(perm.begin() + spec.train_size(), perm.begin() + spec.train_size() + spec.valid_size());
  std::sort(tr.begin(), tr.end());
  std::sort(va.begin(), va.end());
  std::vector<int64_t> te(test.count);
  for (int64_t i = 0; i < test.count; ++i) te[i] = i;
  if (spec.test_size() < test.count) {
    Rng test_rng(DeriveSeed(spec.split_seed(), 0, "split/test"));
    for (int64_t i = test.count - 1; i > 0; --i) std::swap(te[i], te[test_rng.UniformInt(i + 1)]);
    te.resize(spec.test_size());
    std::sort(te.begin(), te.end());
  }
  FillSplit(train, tr, size, &ds->train_);
  FillSplit(train, va, size, &ds->valid_);
  FillSplit(test, te, size, &ds->test_);

  // Per-channel normalisation with the train split's statistics.
  const int64_t plane = int64_t{size} * size;
  ds->mean_.assign(ds->channels_, 0.0);
  ds->stddev_.assign(ds->channels_, 1.0);
  for (int c = 0; c < ds->channels_; ++c) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < ds->train_.size; ++i) {
      const float* p = ds->train_.images.data() + (i * ds->channels_ + c) * plane;
      for (int64_t k = 0; k < plane; ++k) s += p[k], s2 += double{p[k]} * p[k];
    }
    const double n = static_cast<double>(ds->train_.size * plane);
    if (n > 0) {
      const double m = s / n, var = std::max(0.0, s2 / n - m * m);
      ds->mean_[c] = m;
      ds->stddev_[c] = var > 1e-12 ? std::sqrt(var) : 1.0;
    }
  }
  for (DataSplit* split : {&ds->train_, &ds->valid_, &ds->test_})
    for (int64_t i = 0; i < split->size; ++i)
      for (int c = 0; c < ds->channels_; ++c) {
        float* p = split->images.data() + (i * ds->channels_ + c) * plane;
        const float m = static_cast<float>(ds->mean_[c]), inv = static_cast<float>(1.0 / ds->stddev_[c]);
        for (int64_t k = 0; k < plane; ++k) p[k] = (p[k] - m) * inv;
      }
  return std::shared_ptr<const Dataset>(std::move(ds));
}

absl::StatusOr<std::shared_ptr<const Dataset>> LoadDataset(const proto::DatasetSpec& spec) {
  const std::string dir = spec.path();
  RawImages train, test;
  if (spec.name() == "fashion-mnist") {
    auto pick = [&dir](const std::string& base) {
      const std::string plain = dir + "/" + base;
      gzFile f = gzopen(plain.c_str(), "rb");
      if (f != nullptr) {
        gzclose(f);
        return plain;
      }
      return plain + ".gz";
    };
    NAS_ASSIGN_OR_RETURN(train, ReadIdxImages(pick("train-images-idx3-ubyte"), pick("train-labels-idx1-ubyte")));
    NAS_ASSIGN_OR_RETURN(test, ReadIdxImages(pick("t10k-images-idx3-ubyte"), pick("t10k-labels-idx1-ubyte")));
  } else if (spec.name() == "cifar10") {
    std::vector<std::string> batches;
    for (int i = 1; i <= 5; ++i) batches.push_back(absl::StrCat(dir, "/data_batch_", i, ".bin"));
    NAS_ASSIGN_OR_RETURN(train, ReadCifar10Batches(batches));
    NAS_ASSIGN_OR_RETURN(test, ReadCifar10Batches({dir + "/test_batch.bin"}));
  } else {
    return absl::InvalidArgumentError(absl::StrCat("data.name: unknown dataset \"", spec.name(),
                                                   "\" (known: fashion-mnist, cifar10)"));
  }
  return MakeDataset(spec, train, test, 10);
}

}  // namespace nas
