// Importer for the NAS-Bench-101 tfrecords of google-research/nasbench (nasbench_only108.tfrecord,
// nasbench_full.tfrecord). Each record's data is the JSON array
//   [module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]
// (raw_adjacency: the n*n matrix as 0/1 digits, row-major; raw_operations: comma-separated op names, input
// first and output last; raw_metrics: base64 of a serialized nasbench.ModelMetrics, nas/proto/model_metrics).
//
// The table: space "nb101", sparse rows (table.h) keyed by the module hash, which is checked against our
// Nb101Space::CanonicalKey of the record's graph; dataset "cifar10" with fidelities = the epoch budgets present
// (4, 12, 36, 108 in the full file; 108 in only108), seed slots 0, 1, 2 = the repeats of (hash, epochs) in
// file order (nasbench trains every graph 3 times per budget), and the mean slot. Values are those of the final
// evaluation_data (the end of training): train/valid/test accuracy in percent (nasbench stores fractions: x 100),
// train_time = its training_time (seconds). params_m = trainable_parameters / 1e6; source_index = -1.
// The halfway evaluations are not imported (a run stopped halfway is not an epochs/2 run: its learning rate
// schedule was set for the full budget).
//
// Streaming: records are read with a fixed buffer; memory grows with the number of distinct graphs only.
#ifndef NAS_TABLE_NB101_TFRECORD_H_
#define NAS_TABLE_NB101_TFRECORD_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nas/proto/model_metrics.pb.h"
#include "nas/space/nb101_space.h"
#include "nas/table/table.h"

namespace nas {

// One parsed record.
struct Nb101Record {
  std::string module_hash;
  int epochs = 0;
  Nb101Graph graph;  // labels: -1 input, op index (Nb101Space::kOps), -2 output
  nasbench::ModelMetrics metrics;
};

// Parses one record's data. InvalidArgument saying what is wrong (JSON, adjacency, operations, base64, proto),
// without file or record number (the importer adds them).
absl::Status ParseNb101Record(absl::string_view data, Nb101Record* record);

// The JSON data of a record as nasbench's files hold it (tests, benchmarks, synthetic files).
std::string MakeNb101RecordJson(const std::string& module_hash, int epochs, const Nb101Graph& graph,
                                const nasbench::ModelMetrics& metrics);

// Every failure is one message naming the file, and for bad records the record number (0-based) and what
// failed: length CRC, data CRC, truncation, JSON, adjacency, operations, base64, proto, a module hash that is
// not the graph's, a graph outside the space, more than 3 repeats of (hash, epochs).
absl::StatusOr<std::unique_ptr<Table>> ImportNb101Tfrecord(const std::string& path);

}  // namespace nas

#endif  // NAS_TABLE_NB101_TFRECORD_H_
