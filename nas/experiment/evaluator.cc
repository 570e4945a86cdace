#include "nas/experiment/evaluator.h"

#include "nas/util/status.h"

namespace nas {
namespace {
TrainEvaluatorFactory*& Slot() {
  static TrainEvaluatorFactory* f = nullptr;
  return f;
}
}  // namespace

bool RegisterTrainEvaluator(TrainEvaluatorFactory factory) {
  NAS_CHECK(Slot() == nullptr);
  Slot() = new TrainEvaluatorFactory(std::move(factory));
  return true;
}

const TrainEvaluatorFactory* FindTrainEvaluator() { return Slot(); }

}  // namespace nas
