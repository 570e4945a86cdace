// Importer for the NAS-Bench-201 CSV of ../shared/data/nasbench201/ (columns: file id, arch str, cfg name, C,
// N, train accuracy, validation accuracy, test accuracy). The accuracies are 200-epoch means over seeds; no
// training times. The resulting table has one dataset named by the caller (e.g. "cifar10-valid"), fidelity 200,
// no seeds (only the mean slot), and source_index = the CSV's `file id` (the official NB201 index).
#ifndef NAS_TABLE_NB201_CSV_H_
#define NAS_TABLE_NB201_CSV_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/table/table.h"

namespace nas {

// Errors name the file and line: missing file, wrong header, bad number, NaN, unknown arch string, duplicate
// arch or id, missing architectures.
absl::StatusOr<std::unique_ptr<Table>> ImportNb201Csv(const std::string& csv_path, const std::string& dataset);

// The NB201 dataset names, as NAS-Bench-201 spells them: cifar10-valid, cifar10, cifar100, ImageNet16-120.
std::vector<std::string> Nb201DatasetNames();
// InvalidArgument listing the known names unless `dataset` is one of them.
absl::Status CheckNb201DatasetName(const std::string& dataset);
// The name check, then whether the file's values fit the named dataset: its best test accuracy over all cells
// must lie in the dataset's range (CIFAR-10 [85, 100], CIFAR-100 [60, 85], ImageNet16-120 [35, 60]), which
// tells the three NB201 CSVs apart. InvalidArgument naming the file, the figure and the range otherwise.
absl::Status CheckNb201Plausible(const Table& table, const std::string& dataset, const std::string& csv_path);

// "cifar10-valid" for a file name containing cifar10, "cifar100" for cifar100, "ImageNet16-120" for imagenet.
std::string GuessNb201Dataset(const std::string& csv_path);

}  // namespace nas

#endif  // NAS_TABLE_NB201_CSV_H_
