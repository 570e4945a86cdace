// The child network of the "nb201" space: NB201's TinyNetwork skeleton (network.h) with the architecture's six
// edge operations in every cell, NetworkSpec.channels (C) and cells_per_stage (N).
#include "nas/train/child_network.h"
#include "nas/train/network.h"

namespace nas {
namespace {

const bool kRegistered = RegisterChildNetwork(
    "nb201", {[](const SearchSpace&, const Actions& arch, const proto::NetworkSpec& network,
                 const ChildInput& input) -> absl::StatusOr<std::unique_ptr<ChildNetwork>> {
                NetworkConfig config;
                config.ops = arch;
                config.channels = network.channels();
                config.cells_per_stage = network.cells_per_stage();
                config.in_channels = input.channels;
                config.image_size = input.image_size;
                config.num_classes = input.num_classes;
                config.shared_relu = network.cell_kernels() == proto::NetworkSpec::SHARED_RELU;
                return std::unique_ptr<ChildNetwork>(
                    std::make_unique<ChildNetworkOf<Nb201Network>>(Nb201Network(config)));
              },
              /*check=*/nullptr, "NB201 cells in the TinyNetwork skeleton (network.channels, cells_per_stage)"});

}  // namespace
}  // namespace nas
