// The child network of the "zoph_le_cnn" space: Zoph & Le's macro CNN of the decoded layers (macro_network.h);
// the NetworkSpec skeleton fields do not apply. Before any data is read, a space whose largest child would not
// fit in this machine's memory at the configured batch is refused.
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/space/zoph_le_space.h"
#include "nas/train/child_network.h"
#include "nas/train/macro_network.h"

namespace nas {
namespace {

const ZophLeSpace* AsZophLe(const SearchSpace& space) { return dynamic_cast<const ZophLeSpace*>(&space); }

absl::Status NotZophLe(const SearchSpace& space) {
  return absl::InvalidArgumentError(
      absl::StrCat("space: \"", space.name(), "\" is registered as zoph_le_cnn but is not a ZophLeSpace"));
}

// The memory estimate of macro_network.h for the largest child (the image size and class count are the
// dataset's, known from the resolved spec without reading it).
absl::Status CheckMacroMemory(const SearchSpace& space, const proto::TrainSpec& spec) {
  const ZophLeSpace* macro = AsZophLe(space);
  if (macro == nullptr) return NotZophLe(space);
  const proto::DatasetSpec& d = spec.data();
  if (spec.network().cell_kernels() == proto::NetworkSpec::SHARED_RELU)
    return absl::InvalidArgumentError(
        "network.cell_kernels: SHARED_RELU is for nb201 cells; zoph_le_cnn has none (leave it unset or ATEN)");
  const bool cifar = d.name() == "cifar10";
  const int64_t size = d.image_size() > 0 ? d.image_size() : (cifar ? 32 : 28);
  const int64_t channels = cifar ? 3 : 1;
  // Training batches keep activations and their gradients; evaluation batches (at least 512, no gradients)
  // about half as much per image.
  const int64_t batch = spec.batch_size();
  MacroMemoryEstimate m = EstimateMacroTrainingMemory(macro->layers(), batch, channels, size, 10);
  MacroMemoryEstimate eval =
      EstimateMacroTrainingMemory(macro->layers(), std::max<int64_t>(batch, 512), channels, size, 10);
  eval.activation_bytes /= 2;
  if (eval.total() > m.total()) m = eval;
  const double physical = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  // Two workers may train at once and the dataset, LibTorch and the log need room too: allow a quarter.
  if (m.total() > physical / 4)
    return absl::ResourceExhaustedError(absl::StrFormat(
        "space_params.layers: the largest child of a %d-layer zoph_le_cnn at batch %d on %dx%dx%d "
        "images needs about %.1f GiB (activations %.1f, weights %.2f), more than a quarter of this machine's "
        "%.1f GiB; lower train.batch_size, train.data.image_size or space_params.layers",
        macro->layers(), batch, channels, size, size, m.total() / (1 << 30), m.activation_bytes / (1 << 30),
        m.weight_bytes / (1 << 30), physical / (1 << 30)));
  return absl::OkStatus();
}

const bool kRegistered = RegisterChildNetwork(
    "zoph_le_cnn", {[](const SearchSpace& space, const Actions& arch, const proto::NetworkSpec&,
                       const ChildInput& input) -> absl::StatusOr<std::unique_ptr<ChildNetwork>> {
                      const ZophLeSpace* macro = AsZophLe(space);
                      if (macro == nullptr) return NotZophLe(space);
                      MacroNetworkConfig config;
                      config.layers = macro->Decode(arch);
                      config.in_channels = input.channels;
                      config.image_size = input.image_size;
                      config.num_classes = input.num_classes;
                      return std::unique_ptr<ChildNetwork>(
                          std::make_unique<ChildNetworkOf<ZophLeNetwork>>(ZophLeNetwork(config)));
                    },
                    CheckMacroMemory, "Zoph & Le's macro CNN of the decoded layers (no skeleton fields)"});

}  // namespace
}  // namespace nas
