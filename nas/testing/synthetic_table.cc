#include "nas/testing/synthetic_table.h"

#include <cmath>
#include <fstream>
#include <vector>

#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/util/status.h"

namespace nas::testing {

std::string WriteSyntheticNb201Table(const std::string& path) {
  if (std::ifstream(path).good()) return path;
  Nb201Space space;
  Table t("nb201", space.size());
  TableDataset& d = t.AddDataset("toy", {12, 200}, {777, 888});
  for (int64_t a = 0; a < space.size(); ++a) {
    const Actions act = space.FromOrdinal(a);
    double q = 0;
    for (int e = 0; e < 6; ++e) q += (act[e] == 3) * 4.0 + (act[e] == 2) * 2.0 - (act[e] == 0) * 3.0;
    for (int f = 0; f < 2; ++f)
      for (int s = 0; s < 2; ++s) {
        TableEntry& x = d.mutable_at(a, f, s);
        const double noise = std::sin(a * 12.9898 + s * 78.233 + f) * 0.7;
        x.valid_acc = 60 + q + noise + 5 * f;
        x.test_acc = 59 + q + 0.8 * noise + 5 * f;
        x.train_acc = x.valid_acc + 5;
        x.train_time = (f ? 200 : 12) * (1 + 0.05 * q);
      }
    t.source_index()[a] = a;
  }
  d.ComputeMeans();
  t.attributes()["source"] = "synthetic (nas/testing/synthetic_table.cc)";
  NAS_CHECK(WriteTable(t, path, true).ok());
  return path;
}

std::string WriteSyntheticMultiFidelityTable(const std::string& path) {
  if (std::ifstream(path).good()) return path;
  Nb201Space space;
  Table t("nb201", space.size());
  const std::vector<int> epochs = {4, 12, 36, 108};
  TableDataset& d = t.AddDataset("toy", epochs, {777, 888});
  for (int64_t a = 0; a < space.size(); ++a) {
    const Actions act = space.FromOrdinal(a);
    double q = 0;
    for (int e = 0; e < 6; ++e) q += (act[e] == 3) * 4.0 + (act[e] == 2) * 2.0 - (act[e] == 0) * 3.0;
    for (int f = 0; f < 4; ++f)
      for (int s = 0; s < 2; ++s) {
        TableEntry& x = d.mutable_at(a, f, s);
        const double noise = std::sin(a * 12.9898 + s * 78.233 + f) * 0.7;
        const double late = std::sin(a * 4.1414) * 0.5 * f;  // cells that gain more from longer training
        x.valid_acc = 55 + q + noise + 3 * f + late;
        x.test_acc = 54 + q + 0.8 * noise + 3 * f + late;
        x.train_acc = x.valid_acc + 5;
        x.train_time = epochs[f] * (1 + 0.05 * q);
      }
    t.source_index()[a] = a;
  }
  d.ComputeMeans();
  t.attributes()["source"] = "synthetic (nas/testing/synthetic_table.cc)";
  NAS_CHECK(WriteTable(t, path, true).ok());
  return path;
}

}  // namespace nas::testing
