// Image datasets for child training, held in memory as normalised float32 NCHW arrays (no torch here):
// Fashion-MNIST (IDX files, gzipped or not) and CIFAR-10 (binary version). Splits are drawn with the spec's
// split_seed: train and valid are disjoint subsets of the official training set, test a subset of the
// official test set. Images are down-sampled by area averaging, then normalised per channel with the mean
// and standard deviation of the train split. Loaded datasets are immutable and shared between trainings.
#ifndef NAS_TRAIN_DATASETS_H_
#define NAS_TRAIN_DATASETS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/proto/train.pb.h"

namespace nas {

// Raw images as read from the files: uint8 pixels, NCHW, labels 0..num_classes-1.
struct RawImages {
  int64_t count = 0;
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;   // count * channels * height * width
  std::vector<int64_t> labels;   // count
};

// One IDX file (LeCun's format: magic 0x00 0x00 type ndims, big-endian int32 dims, then the data). Only
// unsigned-byte data (type 0x08) is accepted. `.gz` files (and plain ones) are read through zlib.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};
absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path);

// An images file (3 dims) and its labels file (1 dim, same count); errors name the file.
absl::StatusOr<RawImages> ReadIdxImages(const std::string& images_path, const std::string& labels_path);

// CIFAR-10 binary batches: 3073-byte records (label, 1024 R, 1024 G, 1024 B), appended in the order given.
absl::StatusOr<RawImages> ReadCifar10Batches(const std::vector<std::string>& paths);

// One split: `size` images of channels x image_size x image_size, normalised.
struct DataSplit {
  int64_t size = 0;
  std::vector<float> images;
  std::vector<int64_t> labels;
  std::vector<int64_t> source_index;  // row in the official train (train/valid) or test (test) set
};

class Dataset {
 public:
  const std::string& name() const { return name_; }
  int channels() const { return channels_; }
  int image_size() const { return image_size_; }
  int num_classes() const { return num_classes_; }
  const DataSplit& train() const { return train_; }
  const DataSplit& valid() const { return valid_; }
  const DataSplit& test() const { return test_; }
  const std::vector<double>& mean() const { return mean_; }  // per channel, of the train split in [0, 1]
  const std::vector<double>& stddev() const { return stddev_; }
  const proto::DatasetSpec& spec() const { return spec_; }

 private:
  friend absl::StatusOr<std::shared_ptr<const Dataset>> MakeDataset(const proto::DatasetSpec&, const RawImages&,
                                                                    const RawImages&, int);
  std::string name_;
  int channels_ = 0, image_size_ = 0, num_classes_ = 0;
  DataSplit train_, valid_, test_;
  std::vector<double> mean_, stddev_;
  proto::DatasetSpec spec_;
};

// Reads the files of a resolved spec and splits them (declared in trainer.h too).
absl::StatusOr<std::shared_ptr<const Dataset>> LoadDataset(const proto::DatasetSpec& spec);

// Fills the dataset defaults of `spec` (sizes, fashion-mnist's Debian path) and validates it without I/O;
// errors name the field ("data.train_size: ...").
absl::Status ResolveDatasetSpec(proto::DatasetSpec* spec);

// Splits, down-samples and normalises official train/test images per a resolved `spec` (sizes must fit).
absl::StatusOr<std::shared_ptr<const Dataset>> MakeDataset(const proto::DatasetSpec& spec, const RawImages& train,
                                                           const RawImages& test, int num_classes);

// Area-averaging down-sampling of one H x W plane to out x out (out <= H, W).
std::vector<float> AreaResize(const float* in, int height, int width, int out);

// The order of an epoch's samples: a Fisher-Yates shuffle of 0..n-1 from
// Rng(DeriveSeed(seed, epoch, "data-order")).
std::vector<int64_t> EpochOrder(uint64_t seed, int epoch, int64_t n);

// Where Debian's dataset-fashion-mnist installs its files.
inline constexpr const char* kDebianFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace nas

#endif  // NAS_TRAIN_DATASETS_H_
