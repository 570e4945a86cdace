#include "nas/space/nb201_cost.h"

#include "nas/util/status.h"

namespace nas {
namespace {

constexpr int kConv1 = 2, kConv3 = 3;  // Nb201Space op indices of nor_conv_1x1 / nor_conv_3x3

int64_t Out(int64_t size, int64_t kernel, int64_t stride, int64_t padding) {
  return (size + 2 * padding - kernel) / stride + 1;
}

}  // namespace

int64_t Nb201Params(const Actions& ops, const Nb201Skeleton& s) {
  NAS_CHECK(ops.size() == 6);
  const int64_t C = s.channels;
  int64_t total = s.in_channels * C * 9 + 2 * C;  // stem conv (no bias) + BN
  for (int stage = 0; stage < 3; ++stage) {
    const int64_t c = C << stage;
    if (stage > 0) {
      const int64_t ci = c / 2;
      total += 9 * ci * c + 2 * c + 9 * c * c + 2 * c + ci * c;  // conv_a, conv_b (+ BN), 1x1 shortcut
    }
    for (int op : ops) {
      if (op == kConv1) total += s.cells_per_stage * (c * c + 2 * c);
      if (op == kConv3) total += s.cells_per_stage * (9 * c * c + 2 * c);
    }
  }
  const int64_t c_last = C << 2;
  return total + 2 * c_last + c_last * s.num_classes + s.num_classes;
}

int64_t Nb201Flops(const Actions& ops, const Nb201Skeleton& s) {
  NAS_CHECK(ops.size() == 6);
  const int64_t C = s.channels;
  int64_t h = s.image_size;
  int64_t total = s.in_channels * C * 9 * h * h;
  for (int stage = 0; stage < 3; ++stage) {
    const int64_t c = C << stage;
    if (stage > 0) {
      const int64_t ci = c / 2;
      const int64_t ha = Out(h, 3, 2, 1);
      total += ci * c * 9 * ha * ha + c * c * 9 * ha * ha + ci * c * (h / 2) * (h / 2);
      h = ha;
    }
    for (int op : ops) {
      if (op == kConv1) total += s.cells_per_stage * c * c * h * h;
      if (op == kConv3) total += s.cells_per_stage * c * c * 9 * h * h;
    }
  }
  return total + (C << 2) * s.num_classes;
}

}  // namespace nas
