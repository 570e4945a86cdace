// The analytic costs of a dense "nb201" table imported from a NAS-Bench-201 CSV (attribute `source` starting
// "NAS-Bench-201 CSV"), which records no parameter or FLOP counts: the CSV's networks are the NB201 skeleton
// at C = 16, N = 5 on 3-channel 32x32 images (16x16 for ImageNet16-120), with 10, 100 or 120 classes by dataset.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/space/analytic_cost.h"
#include "nas/space/nb201_cost.h"

namespace nas {
namespace {

const bool kRegistered = RegisterAnalyticCost(
    "nb201", [](const SearchSpace& space, int64_t num_archs, const std::map<std::string, std::string>& attributes,
                const std::string& dataset) -> std::optional<AnalyticCosts> {
      auto source = attributes.find("source");
      if (source == attributes.end() || !absl::StartsWith(source->second, "NAS-Bench-201 CSV")) return std::nullopt;
      Nb201Skeleton skeleton;  // the CSV's networks: C = 16, N = 5 on 3-channel images
      if (absl::StartsWith(dataset, "cifar100")) skeleton.num_classes = 100;
      if (absl::StartsWith(dataset, "ImageNet16")) skeleton.num_classes = 120, skeleton.image_size = 16;
      AnalyticCosts costs;
      costs.params_m.resize(num_archs);
      costs.flops_m.resize(num_archs);
      for (int64_t a = 0; a < num_archs; ++a) {
        const Actions ops = space.FromOrdinal(a);
        costs.params_m[a] = Nb201Params(ops, skeleton) / 1e6;
        costs.flops_m[a] = Nb201Flops(ops, skeleton) / 1e6;
      }
      costs.source = absl::StrCat("analytic (NB201 skeleton C=16 N=5, ", skeleton.num_classes, " classes)");
      return costs;
    });

}  // namespace
}  // namespace nas
