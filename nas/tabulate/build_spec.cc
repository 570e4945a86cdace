#include "nas/tabulate/build_spec.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "nas/train/trainer.h"
#include "nas/util/field_check.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"
#include "nas/util/text_proto.h"

namespace nas {
namespace {


// One line: newlines of nested messages become "; ".
std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

absl::StatusOr<proto::TableBuildSpec> ParseBuildSpec(const std::string& text, const std::string& origin) {
  proto::TableBuildSpec spec;
  NAS_RETURN_IF_ERROR(ParseTextProto(text, origin, &spec));
  return spec;
}

absl::Status ResolveBuildSpec(proto::TableBuildSpec* spec, const std::string& origin) {
  auto bad = [&](const std::string& field, const std::string& why) {
    return absl::InvalidArgumentError(OneLine(absl::StrCat(origin, ": ", field, ": ", why)));
  };
  // Text first, so that no later message quotes a huge or binary string.
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"space", &spec->space()},
                                     {"dataset_name", &spec->dataset_name()},
                                     {"train.data.name", &spec->train().data().name()},
                                     {"train.device", &spec->train().device()}})
    if (absl::Status s = CheckText(field, *value); !s.ok())
      return absl::InvalidArgumentError(absl::StrCat(origin, ": ", s.message()));
  if (spec->space().empty()) spec->set_space("nb201");
  {
    auto space = CreateSpace(spec->space());
    if (!space.ok()) return bad("space", std::string(space.status().message()));
    // A space with a child network to train (nas/train/child_network.h) whose every architecture the plan can
    // list (its isomorphism classes): enumerable, at most kMaxBuildArchitectures.
    if (absl::Status s = CheckHasChildNetwork(spec->space()); !s.ok())
      return absl::InvalidArgumentError(OneLine(absl::StrCat(origin, ": ", s.message())));
    if (!(*space)->enumerable() || (*space)->size() > kMaxBuildArchitectures)
      return bad("space", absl::StrCat("'", spec->space(), "' has ",
                                       (*space)->enumerable() ? absl::StrCat((*space)->size()) : "too many",
                                       " architectures; build-table enumerates every one (at most ",
                                       kMaxBuildArchitectures, ")"));
  }
  if (spec->fidelities().empty())
    return bad("fidelities", "required (epochs, e.g. fidelities: [1, 4]; each is its own full training)");
  for (int i = 0; i < spec->fidelities_size(); ++i) {
    if (spec->fidelities(i) <= 0) return bad("fidelities", absl::StrCat(spec->fidelities(i), " (must be > 0)"));
    if (i > 0 && spec->fidelities(i) <= spec->fidelities(i - 1))
      return bad("fidelities", "must be strictly increasing");
  }
  if (spec->seeds().empty()) return bad("seeds", "required (training seeds, e.g. seeds: [0, 1])");
  std::set<uint64_t> seen;
  for (uint64_t s : spec->seeds()) {
    if (s > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return bad("seeds", absl::StrCat(s, " (must be < 2^63)"));
    if (!seen.insert(s).second) return bad("seeds", absl::StrCat(s, " appears twice"));
  }
  if (spec->sample() < 0) return bad("sample", absl::StrCat(spec->sample(), " (must be >= 0; 0 = every class)"));
  if (spec->fidelities_size() > 64) return bad("fidelities", absl::StrCat(spec->fidelities_size(), " given; at most 64"));
  if (spec->fidelities(spec->fidelities_size() - 1) > 10000)
    return bad("fidelities", absl::StrCat(spec->fidelities(spec->fidelities_size() - 1), " epochs (at most 10000)"));
  if (spec->seeds_size() > 100) return bad("seeds", absl::StrCat(spec->seeds_size(), " given; at most 100"));
  if (spec->sample() > 1000000) return bad("sample", absl::StrCat(spec->sample(), " (at most 1000000)"));
  if (!spec->has_train() || spec->train().data().name().empty())
    return bad("train.data.name", "required (\"fashion-mnist\" or \"cifar10\")");
  proto::TrainSpec train = spec->train();
  if (train.epochs() != 0)
    return bad("train.epochs", "must be unset: each of `fidelities` is its own training of that many epochs");
  if (train.threads() > 1)
    return bad("train.threads", "must be 1 (build-table trains --threads items in parallel, one thread each)");
  train.set_epochs(spec->fidelities(0));
  if (absl::Status s = ResolveTrainSpec(&train); !s.ok())
    return absl::InvalidArgumentError(OneLine(absl::StrCat(origin, ": train.", s.message())));
  // The space's check of the training spec (e.g. memory).
  if (absl::Status s = CheckTrainable(**CreateSpace(spec->space()), train); !s.ok())
    return absl::InvalidArgumentError(OneLine(absl::StrCat(origin, ": ", s.message())));
  train.clear_epochs();
  *spec->mutable_train() = train;
  if (spec->dataset_name().empty()) {
    std::string name = train.data().name();
    if (train.data().image_size() > 0) absl::StrAppend(&name, "-", train.data().image_size(), "px");
    spec->set_dataset_name(name);
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::TableBuildSpec> ReadBuildSpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the build spec"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  NAS_ASSIGN_OR_RETURN(proto::TableBuildSpec spec, ParseBuildSpec(buffer.str(), path));
  NAS_RETURN_IF_ERROR(ResolveBuildSpec(&spec, path));
  return spec;
}

std::string BuildSpecText(const proto::TableBuildSpec& resolved) {
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.PrintToString(resolved, &text);
  return text;
}

absl::StatusOr<Shard> ParseShard(const std::string& text) {
  Shard shard;
  const size_t slash = text.find('/');
  if (slash == std::string::npos || !absl::SimpleAtoi(text.substr(0, slash), &shard.index) ||
      !absl::SimpleAtoi(text.substr(slash + 1), &shard.count) || shard.count < 1 || shard.index < 0 ||
      shard.index >= shard.count)
    return absl::InvalidArgumentError(
        absl::StrCat("--shard: '", text, "' is not i/n with 0 <= i < n (e.g. --shard 0/4)"));
  return shard;
}

uint64_t ItemTrainSeed(uint64_t seed, int64_t representative, int fidelity) {
  return DeriveSeed(seed, static_cast<uint64_t>(representative), absl::StrCat("table-build/", fidelity));
}

absl::StatusOr<BuildPlan> MakeBuildPlan(const proto::TableBuildSpec& resolved, Shard shard) {
  BuildPlan plan;
  NAS_ASSIGN_OR_RETURN(plan.space, CreateSpace(resolved.space()));
  const SearchSpace& space = *plan.space;
  std::vector<BuildClass> all;
  std::unordered_map<std::string, size_t> class_of_key;
  for (int64_t ordinal = 0; ordinal < space.size(); ++ordinal) {
    const Actions arch = space.FromOrdinal(ordinal);
    if (!space.IsValid(arch)) continue;
    if (resolved.all_architectures()) {
      all.push_back({ordinal, {ordinal}});
      continue;
    }
    auto [it, inserted] = class_of_key.emplace(space.CanonicalKey(arch), all.size());
    if (inserted) all.push_back({ordinal, {}});
    all[it->second].members.push_back(ordinal);
  }
  plan.num_classes_in_space = static_cast<int64_t>(all.size());
  if (resolved.sample() > 0) {
    if (resolved.sample() > static_cast<int64_t>(all.size()))
      return absl::InvalidArgumentError(absl::StrCat("sample: ", resolved.sample(), " exceeds the ", all.size(),
                                                     resolved.all_architectures() ? " architectures" : " classes",
                                                     " of ", resolved.space()));
    std::vector<int64_t> positions(all.size());
    for (size_t i = 0; i < all.size(); ++i) positions[i] = static_cast<int64_t>(i);
    Rng rng(DeriveSeed(resolved.sample_seed(), 0, "table-build/sample"));
    for (int64_t i = 0; i < resolved.sample(); ++i) {
      const int64_t j = i + static_cast<int64_t>(rng.UniformInt(positions.size() - i));
      std::swap(positions[i], positions[j]);
    }
    positions.resize(resolved.sample());
    std::sort(positions.begin(), positions.end());
    for (int64_t p : positions) plan.classes.push_back(std::move(all[p]));
  } else {
    plan.classes = std::move(all);
  }
  for (int64_t p = 0; p < static_cast<int64_t>(plan.classes.size()); ++p) {
    if (p % shard.count != shard.index) continue;
    plan.shard_positions.push_back(p);
    for (int s = 0; s < resolved.seeds_size(); ++s) {
      for (int f = 0; f < resolved.fidelities_size(); ++f) {
        WorkItem item;
        item.class_position = p;
        item.representative = plan.classes[p].representative;
        item.seed_slot = s;
        item.seed = resolved.seeds(s);
        item.fidelity_index = f;
        item.fidelity = resolved.fidelities(f);
        item.train_seed = ItemTrainSeed(item.seed, item.representative, item.fidelity);
        plan.items.push_back(item);
      }
    }
  }
  return plan;
}

}  // namespace nas
