// The ENAS controller of the NB201 authors (xautodl search_model_enas_utils.py Controller) on the weights of
// Zoph & Le's LSTM controller (lstm_policy.h: LstmController, its layout and initialisation): a multi-layer
// LSTM fed its previous choice's embedding (a start row first), whose logits at each decision are
//   logits = tanh_constant * tanh((h W_t + b_t) / temperature)
// (the NB201 authors: temperature 5, tanh constant 2.5). Sampling is inverse-CDF from the Rng handed in, so a
// run is deterministic; Accumulate recomputes the sequence teacher-forced with autograd and adds
// scale * d(-advantage * log pi(arch)) to the gradient; Step clips the gradient norm and takes one Adam step.
#ifndef NAS_SEARCH_TORCH_ENAS_CONTROLLER_H_
#define NAS_SEARCH_TORCH_ENAS_CONTROLLER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nas/proto/supernet.pb.h"
#include "nas/search/torch/lstm_policy.h"
#include "nas/util/rng.h"

namespace nas {

class EnasController {
 public:
  // `num_choices`: per decision; `p` resolved.
  EnasController(std::vector<int> num_choices, const proto::WeightSharingParams& p, uint64_t init_seed);
  ~EnasController();

  struct Sample {
    std::vector<int> arch;
    double log_prob = 0;  // sum over decisions
    double entropy = 0;   // sum over decisions
  };
  Sample Draw(Rng& rng);
  void Accumulate(const std::vector<int>& arch, double advantage, double scale);
  void Step();
  // Every weight, in the LstmController layout (for checks).
  std::vector<float> Weights() const;
  // The weights and the Adam state, for a checkpoint taken between steps (no gradient accumulated). Load
  // restores what Save wrote for the same params; torch errors are converted.
  void Save(torch::serialize::OutputArchive& archive) const;
  absl::Status Load(torch::serialize::InputArchive& archive);

 private:
  // Per-decision logits given the prefix (teacher-forced when `arch` is complete, else sampled into it).
  torch::Tensor Logits(int t, const torch::Tensor& input, std::vector<torch::Tensor>& h, std::vector<torch::Tensor>& c);

  std::vector<int> num_choices_;
  proto::WeightSharingParams params_;
  LstmController net_{nullptr};
  std::unique_ptr<torch::optim::Adam> adam_;
};

}  // namespace nas

#endif  // NAS_SEARCH_TORCH_ENAS_CONTROLLER_H_
