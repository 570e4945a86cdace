#include "nas/space/zoph_le_space.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nas/util/md5.h"
#include "nas/util/status.h"

namespace nas {

ZophLeSpace::ZophLeSpace(int layers) : layers_(layers) {
  NAS_CHECK(layers >= 1 && layers <= kMaxLayers);
  int d = 0;
  for (int i = 0; i < layers; ++i) {
    offsets_.push_back(d);
    for (int slot = 0; slot < 3 + i; ++slot, ++d) {
      layer_of_.push_back(i);
      slot_of_.push_back(slot);
    }
  }
  num_decisions_ = d;
}

int ZophLeSpace::num_choices(int decision) const { return slot_of_[decision] < 3 ? 4 : 2; }

std::string ZophLeSpace::decision_name(int decision) const {
  const int layer = layer_of_[decision], slot = slot_of_[decision];
  static const char* kNames[3] = {"filter_height", "filter_width", "filters"};
  if (slot < 3) return absl::StrCat("layer", layer, ".", kNames[slot]);
  return absl::StrCat("layer", layer, ".input_from_", slot - 3);
}

std::string ZophLeSpace::choice_name(int decision, int choice) const {
  const int slot = slot_of_[decision];
  if (slot < 2) return std::to_string(kFilterSizes[choice]);
  if (slot == 2) return std::to_string(kFilterCounts[choice]);
  return choice ? "yes" : "no";
}

std::vector<MacroLayer> ZophLeSpace::Decode(const Actions& actions) const {
  NAS_CHECK(static_cast<int>(actions.size()) == num_decisions_);
  std::vector<MacroLayer> out(layers_);
  for (int i = 0; i < layers_; ++i) {
    const int o = offsets_[i];
    out[i].filter_height = kFilterSizes[actions[o]];
    out[i].filter_width = kFilterSizes[actions[o + 1]];
    out[i].filters = kFilterCounts[actions[o + 2]];
    for (int j = 0; j < i; ++j)
      if (actions[o + 3 + j]) out[i].inputs.push_back(j);
  }
  return out;
}

std::vector<int> ZophLeSpace::OutputLayers(const std::vector<MacroLayer>& layers) {
  std::vector<bool> read(layers.size(), false);
  for (const MacroLayer& l : layers)
    for (int j : l.inputs) read[j] = true;
  std::vector<int> out;
  for (size_t i = 0; i < layers.size(); ++i)
    if (!read[i]) out.push_back(static_cast<int>(i));
  return out;
}

std::string ZophLeSpace::ToString(const Actions& actions) const {
  std::vector<std::string> parts;
  for (const MacroLayer& l : Decode(actions)) {
    std::string p = absl::StrCat(l.filter_height, "x", l.filter_width, "-", l.filters);
    if (!l.inputs.empty()) absl::StrAppend(&p, "<", absl::StrJoin(l.inputs, ","));
    parts.push_back(std::move(p));
  }
  return absl::StrJoin(parts, "|");
}

namespace {

int IndexOf(const std::array<int, 4>& values, int v) {
  for (int i = 0; i < 4; ++i)
    if (values[i] == v) return i;
  return -1;
}

}  // namespace

absl::StatusOr<Actions> ZophLeSpace::Parse(absl::string_view text) const {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("not a zoph_le_cnn architecture of ", layers_, " layers ('",
                                                   text, "'): ", why));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(text, '|');
  if (static_cast<int>(parts.size()) != layers_)
    return bad(absl::StrCat("it has ", parts.size(), " '|'-separated layers (expected \"HxW-N|HxW-N<0|...\")"));
  Actions actions(num_decisions_, 0);
  for (int i = 0; i < layers_; ++i) {
    absl::string_view layer = parts[i], inputs;
    const size_t lt = layer.find('<');
    if (lt != absl::string_view::npos) {
      inputs = layer.substr(lt + 1);
      layer = layer.substr(0, lt);
      if (inputs.empty()) return bad(absl::StrCat("layer ", i, ": empty input list after '<'"));
    }
    const size_t x = layer.find('x'), dash = layer.find('-');
    int h = 0, w = 0, n = 0;
    if (x == absl::string_view::npos || dash == absl::string_view::npos || dash < x ||
        !absl::SimpleAtoi(layer.substr(0, x), &h) || !absl::SimpleAtoi(layer.substr(x + 1, dash - x - 1), &w) ||
        !absl::SimpleAtoi(layer.substr(dash + 1), &n))
      return bad(absl::StrCat("layer ", i, ": '", layer, "' is not HxW-N"));
    const int hi = IndexOf(kFilterSizes, h), wi = IndexOf(kFilterSizes, w), ni = IndexOf(kFilterCounts, n);
    if (hi < 0 || wi < 0) return bad(absl::StrCat("layer ", i, ": filter size ", h, "x", w, " (allowed: 1, 3, 5, 7)"));
    if (ni < 0) return bad(absl::StrCat("layer ", i, ": ", n, " filters (allowed: 24, 36, 48, 64)"));
    const int o = offsets_[i];
    actions[o] = hi;
    actions[o + 1] = wi;
    actions[o + 2] = ni;
    if (!inputs.empty()) {
      int prev = -1;
      for (absl::string_view t : absl::StrSplit(inputs, ',')) {
        int j;
        if (!absl::SimpleAtoi(t, &j) || j < 0 || j >= i)
          return bad(absl::StrCat("layer ", i, ": input '", t, "' is not an earlier layer (0..", i - 1, ")"));
        if (j <= prev) return bad(absl::StrCat("layer ", i, ": inputs must be ascending and distinct"));
        prev = j;
        actions[o + 3 + j] = 1;
      }
    }
  }
  return actions;
}

std::string ZophLeSpace::CanonicalKey(const Actions& actions) const {
  // Each layer's key is the MD5 of its shape and its inputs' sorted keys, so keys stay 32 characters however
  // deep the DAG is.
  const std::vector<MacroLayer> layers = Decode(actions);
  std::vector<std::string> key(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    std::vector<std::string> in;
    for (int j : layers[i].inputs) in.push_back(key[j]);
    if (in.empty()) in.push_back("img");
    std::sort(in.begin(), in.end());
    key[i] = Md5Hex(absl::StrCat(layers[i].filter_height, "x", layers[i].filter_width, "-", layers[i].filters, "<",
                                 absl::StrJoin(in, ",")));
  }
  std::vector<std::string> outputs;
  for (int i : OutputLayers(layers)) outputs.push_back(key[i]);
  std::sort(outputs.begin(), outputs.end());
  std::vector<std::string> all = key;
  std::sort(all.begin(), all.end());
  return Md5Hex(absl::StrCat("out:", absl::StrJoin(outputs, ","), ";all:", absl::StrJoin(all, ",")));
}

int64_t ZophLeSpace::Ordinal(const Actions& actions) const {
  if (enumerable()) return SearchSpace::Ordinal(actions);
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : ToString(actions)) h = (h ^ c) * 1099511628211ull;
  return static_cast<int64_t>(h & static_cast<uint64_t>(INT64_MAX));
}

Actions ZophLeSpace::Sample(Rng& rng) const {
  Actions a(num_decisions_);
  for (int d = 0; d < num_decisions_; ++d) a[d] = static_cast<int>(rng.UniformInt(num_choices(d)));
  return a;
}

namespace {
const bool kRegistered = RegisterParametrisedSpace(
    "zoph_le_cnn", [](const SpaceOptions& options) -> absl::StatusOr<std::unique_ptr<SearchSpace>> {
      const int layers = options.layers == 0 ? ZophLeSpace::kDefaultLayers : options.layers;
      if (layers < 1 || layers > ZophLeSpace::kMaxLayers)
        return absl::InvalidArgumentError(absl::StrCat("space_params.layers: ", options.layers,
                                                       " (must be in 1..", ZophLeSpace::kMaxLayers, ")"));
      return std::unique_ptr<SearchSpace>(std::make_unique<ZophLeSpace>(layers));
    });
}  // namespace

}  // namespace nas
