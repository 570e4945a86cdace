#include "nas/experiment/evaluator.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/util/status.h"

namespace nas {
namespace {
TrainEvaluatorFactory*& Slot() {
  static TrainEvaluatorFactory* f = nullptr;
  return f;
}
std::map<std::string, EvaluatorInfo>& EvaluatorMap() {
  static auto* m = new std::map<std::string, EvaluatorInfo>();
  return *m;
}
}  // namespace

bool RegisterEvaluator(EvaluatorInfo info) {
  const std::string name = info.name;
  NAS_CHECK(EvaluatorMap().emplace(name, std::move(info)).second);
  return true;
}

absl::StatusOr<const EvaluatorInfo*> FindEvaluator(const std::string& name) {
  auto it = EvaluatorMap().find(name);
  if (it == EvaluatorMap().end())
    return absl::NotFoundError(absl::StrCat("unknown evaluator '", name, "'; known evaluators: ",
                                            absl::StrJoin(RegisteredEvaluators(), ", ")));
  return &it->second;
}

std::vector<std::string> RegisteredEvaluators() {
  std::vector<std::string> names;
  for (const auto& [name, info] : EvaluatorMap()) names.push_back(name);
  return names;
}

bool RegisterTrainEvaluator(TrainEvaluatorFactory factory) {
  NAS_CHECK(Slot() == nullptr);
  Slot() = new TrainEvaluatorFactory(std::move(factory));
  return RegisterEvaluator(EvaluatorInfo{
      "train", "trains every child for real (LibTorch; benchmark.train)",
      [](const EvaluatorContext& c) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
        NAS_CHECK(c.benchmark != nullptr && c.space != nullptr);
        return (*Slot())(*c.benchmark, *c.space);
      }});
}

const TrainEvaluatorFactory* FindTrainEvaluator() { return Slot(); }

}  // namespace nas
