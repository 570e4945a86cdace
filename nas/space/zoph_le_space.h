// Zoph & Le's (2017, "Neural Architecture Search with Reinforcement Learning", section 3.3) macro CNN space,
// registered as "zoph_le_cnn": L convolutional layers (strides 1, 'same' padding), each with a filter height
// and width in {1, 3, 5, 7} and a number of filters in {24, 36, 48, 64}, and skip connections from any earlier
// layer (the paper's anchor points: one sigmoid, here one binary decision, per earlier layer).
//
// Decisions, layer by layer (the controller's emission order, as in the paper's Figure 4):
//   layer i: filter_height (4), filter_width (4), filters (4), then input_from_<j> (2: no/yes) for j = 0..i-1
// so a space of L layers has 3L + L(L-1)/2 decisions (L = 6: 33; L = 15: 150). Layer i reads the
// channel-wise concatenation of the layers j with input_from_j = 1; a layer with no input reads the image
// (layer 0 always does). Every layer no other layer reads (the last one included) is concatenated into the
// classifier (global average pooling, linear), as in the paper. Every decision vector is valid.
//
// Notation (ToString/Parse): the layers separated by '|', each "HxW-N" (filter height, width, filters) and,
// when it has inputs, "<" and the input layers' 0-based indices separated by ',', e.g. for L = 4:
//   3x3-36|5x1-24<0|7x7-64<0,1|1x3-48<1
// CanonicalKey: a Merkle hash of the layer DAG (each layer's key is the MD5 of its filter shape and count and
// the sorted keys of its inputs; the image is "img"); the arch key is the MD5 of the sorted multiset of all
// layer keys and the sorted keys of the classifier's inputs. Relabelling the layers in another topological
// order (what concatenation order cannot tell apart) gives the same key; like nasbench's hash_module it is
// an invariant, so distinct DAGs could collide in principle. Ordinal: mixed radix while the space is enumerable (L <= 6); beyond that (2^51 architectures at L = 6,
// 2^195 at L = 15) a stable 63-bit FNV-1a hash of the arch string, an identifier only.
#ifndef NAS_SPACE_ZOPH_LE_SPACE_H_
#define NAS_SPACE_ZOPH_LE_SPACE_H_

#include <array>
#include <string>
#include <vector>

#include "nas/space/space.h"

namespace nas {

// One layer of a decoded macro architecture.
struct MacroLayer {
  int filter_height = 1, filter_width = 1, filters = 24;
  std::vector<int> inputs;  // earlier layers read (concatenated), ascending; empty: the image
};

class ZophLeSpace : public SearchSpace {
 public:
  static constexpr int kDefaultLayers = 6;
  static constexpr int kMaxLayers = 32;
  static constexpr std::array<int, 4> kFilterSizes = {1, 3, 5, 7};
  static constexpr std::array<int, 4> kFilterCounts = {24, 36, 48, 64};

  explicit ZophLeSpace(int layers = kDefaultLayers);

  int layers() const { return layers_; }
  std::string name() const override { return "zoph_le_cnn"; }
  SpaceOptions options() const override { return SpaceOptions{layers_}; }
  int num_decisions() const override { return num_decisions_; }
  int num_choices(int decision) const override;
  std::string decision_name(int decision) const override;
  std::string choice_name(int decision, int choice) const override;
  std::string ToString(const Actions& actions) const override;
  absl::StatusOr<Actions> Parse(absl::string_view text) const override;
  std::string CanonicalKey(const Actions& actions) const override;
  int64_t Ordinal(const Actions& actions) const override;
  Actions Sample(Rng& rng) const override;

  // First decision of layer i (its filter_height).
  int LayerOffset(int layer) const { return offsets_[layer]; }
  std::vector<MacroLayer> Decode(const Actions& actions) const;
  // Layers no other layer reads: the classifier's inputs, ascending.
  static std::vector<int> OutputLayers(const std::vector<MacroLayer>& layers);

 private:
  int layers_;
  int num_decisions_;
  std::vector<int> offsets_;
  std::vector<int> layer_of_, slot_of_;  // per decision: its layer and slot (0 height, 1 width, 2 filters, 3+j input j)
};

}  // namespace nas

#endif  // NAS_SPACE_ZOPH_LE_SPACE_H_
