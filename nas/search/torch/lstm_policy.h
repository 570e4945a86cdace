// Zoph & Le (2017) controller: a multi-layer LSTM that emits one softmax per decision of the search space, fed at
// step t with an embedding of the choice made at step t-1 (a learned "start" vector at t = 0). Registered as
// proto::ReinforceParams::LSTM.
//
// Parameters. Every weight lives in one contiguous float32 tensor (flat_parameters()), in this fixed order, and
// is initialised U(-init_range, init_range) from a nas::Rng(init_seed) filling that tensor front to back:
//   for each layer l:  w_ih [4H, H], w_hh [4H, H], b_ih [4H], b_hh [4H]   (PyTorch gate order i, f, g, o)
//   embedding [1 + sum_{t < T-1} n_t, H]   (row 0 = start input; then the choices of decision 0, 1, ..., T-2)
//   head_w [sum_t n_t, H], head_b [sum_t n_t]   (rows of decision t's softmax head start at head_offset(t))
// The module's named parameters share that tensor's storage (set_, not autograd views) and their gradients share
// one flat gradient tensor's, so Adam steps a single tensor (numerically the same as stepping each parameter: Adam is
// element-wise). Do not move the module to another dtype or device: that would break the aliasing.
//
// Speed: LibTorch costs 1-5 us per operator, and an autograd LSTM step is dozens of them (an at::lstm forward and
// backward over NB201's 6 decisions took ~1.4 ms here), so Sample, GreedyProbabilities and Update run the LSTM
// in plain C++ float32: Update's forward pass saves the activations and a hand-written backward pass (BPTT)
// fills the flat gradient, then Adam steps the flat tensor: lstm_kernels::TorchAdamStep, torch::optim::Adam's
// arithmetic in one pass (bit-identical to it; tests/search/torch check), or torch::optim::Adam itself where
// ATen's kernels do not fuse the same multiply-adds. Update with the batch of the one sequence Sample drew last
// reuses Sample's forward pass. The float loops and tanh (lstm_kernels.h) have AVX2 versions with the same
// results bit for bit; the weight gradients are summed over the steps per element, in BPTT's order.
// The controller's LibTorch forward()
// (at::lstm, autograd) is the reference: Evaluate() and Gradient(..., use_autograd = true) use it, and the tests
// check that both paths agree. Everything is deterministic given the LibTorch thread count (the C++ paths do
// not depend on it at all; Adam's element-wise ops do not either).
#ifndef NAS_SEARCH_TORCH_LSTM_POLICY_H_
#define NAS_SEARCH_TORCH_LSTM_POLICY_H_

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/optim/adam.h>

#include "nas/search/policy.h"
#include "nas/space/space.h"
#include "nas/util/rng.h"

namespace nas {

class LstmControllerImpl : public torch::nn::Module {
 public:
  // num_choices[t] = number of choices of decision t; hidden = embedding and LSTM width.
  LstmControllerImpl(std::vector<int> num_choices, int hidden, int layers);

  // Fills every weight with U(-init_range, init_range) from `rng`, in the layout order above.
  void Initialize(double init_range, Rng& rng);

  struct Output {
    torch::Tensor log_prob;  // [B]: sum over decisions of log pi(a_t | a_<t)
    torch::Tensor entropy;   // [B]: sum over decisions of the entropy at that step (undefined unless asked)
  };
  // Teacher-forced evaluation of `batch` (B action sequences, each of length T), differentiable.
  Output forward(const std::vector<Actions>& batch, bool with_entropy);

  int num_decisions() const { return static_cast<int>(num_choices_.size()); }
  int num_choices(int t) const { return num_choices_[t]; }
  int hidden() const { return hidden_; }
  int layers() const { return layers_; }
  // Row of the embedding table fed at step t (t > 0) after choice `prev` at decision t-1; row 0 is the start.
  int embedding_row(int t, int prev) const { return t == 0 ? 0 : 1 + emb_offset_[t - 1] + prev; }
  int head_offset(int t) const { return head_offset_[t]; }

  // The single tensor that holds every weight (its .grad() holds every gradient): the optimiser's parameter.
  const torch::Tensor& flat_parameters() const { return flat_; }
  // Views into flat_parameters().
  const torch::Tensor& w_ih(int l) const { return lstm_params_[4 * l]; }
  const torch::Tensor& w_hh(int l) const { return lstm_params_[4 * l + 1]; }
  const torch::Tensor& b_ih(int l) const { return lstm_params_[4 * l + 2]; }
  const torch::Tensor& b_hh(int l) const { return lstm_params_[4 * l + 3]; }
  const torch::Tensor& embedding() const { return embedding_; }
  const torch::Tensor& head_w() const { return head_w_; }
  const torch::Tensor& head_b() const { return head_b_; }

  // True while every parameter's gradient still aliases the flat gradient (checked after each backward).
  bool GradientsAliasFlat() const;

 private:
  torch::Tensor AddAliasedParameter(const std::string& name, int64_t& offset, std::vector<int64_t> shape);

  std::vector<int> num_choices_;
  int hidden_;
  int layers_;
  std::vector<int> emb_offset_;   // emb_offset_[t]: first row (minus 1) of decision t's choice embeddings
  std::vector<int> head_offset_;  // head_offset_[t]: first row of decision t's head
  int total_choices_ = 0;

  torch::Tensor flat_;       // every weight; does not require grad itself (its views are the leaves)
  torch::Tensor flat_grad_;  // every gradient
  std::vector<torch::Tensor> lstm_params_;  // per layer: w_ih, w_hh, b_ih, b_hh
  torch::Tensor embedding_, head_w_, head_b_;
  torch::Tensor mask_;  // [T, 1, N]: 0 on decision t's own head columns, -1e9 elsewhere
};
TORCH_MODULE(LstmController);

class LstmPolicy : public Policy {
 public:
  LstmPolicy(const SearchSpace& space, const proto::ReinforceParams& params, uint64_t init_seed);

  PolicySample Sample(Rng& rng) override;
  void Update(const std::vector<Actions>& batch, const std::vector<double>& advantages) override;
  std::vector<std::vector<double>> GreedyProbabilities() override;

  // Log-probability and entropy of each sequence recomputed by the LibTorch graph (no grad), for checks.
  std::vector<std::pair<double, double>> Evaluate(const std::vector<Actions>& batch);
  // The gradient of Update's loss, in the layout order, without an optimiser step: by the C++ backward pass
  // that Update uses, or by LibTorch autograd through the controller's forward (the reference).
  std::vector<float> Gradient(const std::vector<Actions>& batch, const std::vector<double>& advantages,
                              bool use_autograd);
  // A copy of every weight, in the layout order.
  std::vector<float> Weights() const;
  LstmController& controller() { return controller_; }

 private:
  // Fills the flat gradient (zeroed first) with d loss / d weights.
  void ComputeGradient(const std::vector<Actions>& batch, const std::vector<double>& advantages, bool use_autograd);
  // Rebuilds the transposed float copy of the LSTM weights used by the forward steps (after each update).
  void RefreshCache();
  // Runs decision t's LSTM step on `input` (H floats) from the state saved at step t-1, saving the activations
  // of step t and decision t's log-probabilities (logp(t)[0, n_t)) and entropy (entropy_[t]).
  void ForwardStep(int t, const float* input);
  // Teacher-forced forward pass of `actions` through ForwardStep; returns the summed log-probability.
  double ForwardSequence(const Actions& actions);
  // Back-propagates coef * log pi(actions) + entropy_coef * H(actions) from the saved activations of
  // ForwardSequence(actions) into the flat gradient.
  void BackwardSequence(const Actions& actions, double coef, double entropy_coef);

  float* act(int t, int l) { return &trace_[(static_cast<size_t>(t) * layers_ + l) * stride_]; }  // i, f, g, o
  float* cell(int t, int l) { return act(t, l) + 4 * hidden_; }
  float* tanh_cell(int t, int l) { return act(t, l) + 5 * hidden_; }
  float* hid(int t, int l) { return act(t, l) + 6 * hidden_; }
  double* logp(int t) { return &logp_[static_cast<size_t>(t) * max_choices_]; }

  proto::ReinforceParams params_;
  LstmController controller_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  int hidden_, layers_, max_choices_ = 0;
  size_t stride_;

  bool cache_valid_ = false;
  std::vector<float> wt_;      // per layer: [2H][4H], row j < H = column j of w_ih, row H + j = column j of w_hh
  std::vector<float> bias_;    // per layer: b_ih + b_hh
  std::vector<float> trace_;   // per step and layer: activated gates (4H), c, tanh(c), h
  std::vector<double> logp_;   // per step: log-probabilities of that decision's choices
  std::vector<double> entropy_;
  std::vector<float> zeros_, gates_, probs_;
  // Backward scratch.
  std::vector<float> dh_next_, dc_next_, dh_, dx_, dhead_;
  std::vector<float> dz_;  // per step and layer: the gradient of the gates' pre-activations (4H)
  // Per layer, steps T-1 down to 0: dz and the inputs x and h_prev whose outer products are the weight gradients.
  std::vector<const float*> outer_d_, outer_x_, outer_h_;
  // The trace holds Sample's forward pass of traced_actions_ under the current weights.
  bool trace_is_sample_ = false;
  Actions traced_actions_;
  // Adam's moments and step count when lstm_kernels::TorchAdamStep replaces optimizer_ (else empty).
  std::vector<float> adam_m_, adam_v_;
  int64_t adam_step_ = 0;
};

}  // namespace nas

#endif  // NAS_SEARCH_TORCH_LSTM_POLICY_H_
