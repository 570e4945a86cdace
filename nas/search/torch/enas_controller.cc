#include "nas/search/torch/enas_controller.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nas/util/exception_status.h"
#include "nas/util/status.h"

namespace nas {

EnasController::EnasController(std::vector<int> num_choices, const proto::WeightSharingParams& p,
                               uint64_t init_seed)
    : num_choices_(std::move(num_choices)), params_(p) {
  net_ = LstmController(num_choices_, p.lstm_hidden(), p.lstm_layers());
  Rng rng(init_seed);
  net_->Initialize(p.init_range(), rng);
  adam_ = std::make_unique<torch::optim::Adam>(
      std::vector<torch::Tensor>{net_->flat_parameters()},
      torch::optim::AdamOptions(p.learning_rate()).betas({p.adam_beta1(), p.adam_beta2()}).eps(p.adam_eps()));
  net_->flat_parameters().grad().zero_();
}

EnasController::~EnasController() = default;

torch::Tensor EnasController::Logits(int t, const torch::Tensor& input, std::vector<torch::Tensor>& h,
                                     std::vector<torch::Tensor>& c) {
  const int64_t H = net_->hidden();
  torch::Tensor x = input;
  for (int l = 0; l < net_->layers(); ++l) {
    torch::Tensor gates = torch::matmul(net_->w_ih(l), x) + net_->b_ih(l) + torch::matmul(net_->w_hh(l), h[l]) +
                          net_->b_hh(l);
    torch::Tensor i = torch::sigmoid(gates.narrow(0, 0, H)), f = torch::sigmoid(gates.narrow(0, H, H));
    torch::Tensor g = torch::tanh(gates.narrow(0, 2 * H, H)), o = torch::sigmoid(gates.narrow(0, 3 * H, H));
    c[l] = f * c[l] + i * g;
    h[l] = o * torch::tanh(c[l]);
    x = h[l];
  }
  const int off = net_->head_offset(t), n = num_choices_[t];
  torch::Tensor logits = torch::matmul(net_->head_w().narrow(0, off, n), x) + net_->head_b().narrow(0, off, n);
  return params_.tanh_constant() * torch::tanh(logits / params_.temperature());
}

EnasController::Sample EnasController::Draw(Rng& rng) {
  torch::NoGradGuard no_grad;
  const int T = static_cast<int>(num_choices_.size());
  const int64_t H = net_->hidden();
  std::vector<torch::Tensor> h(net_->layers(), torch::zeros({H})), c(net_->layers(), torch::zeros({H}));
  Sample s;
  int prev = 0;
  for (int t = 0; t < T; ++t) {
    torch::Tensor logp = torch::log_softmax(Logits(t, net_->embedding()[net_->embedding_row(t, prev)], h, c), 0)
                             .to(torch::kDouble);
    const double* lp = logp.data_ptr<double>();
    const int n = num_choices_[t];
    const double u = rng.Uniform01();
    double cum = 0;
    int choice = n - 1;
    for (int k = 0; k < n; ++k) {
      cum += std::exp(lp[k]);
      if (u < cum) {
        choice = k;
        break;
      }
    }
    for (int k = 0; k < n; ++k) s.entropy -= std::exp(lp[k]) * lp[k];
    s.log_prob += lp[choice];
    s.arch.push_back(choice);
    prev = choice;
  }
  return s;
}

void EnasController::Accumulate(const std::vector<int>& arch, double advantage, double scale) {
  const int T = static_cast<int>(num_choices_.size());
  NAS_CHECK(static_cast<int>(arch.size()) == T);
  const int64_t H = net_->hidden();
  std::vector<torch::Tensor> h(net_->layers(), torch::zeros({H})), c(net_->layers(), torch::zeros({H}));
  torch::Tensor log_prob = torch::zeros({});
  for (int t = 0; t < T; ++t) {
    torch::Tensor logp =
        torch::log_softmax(Logits(t, net_->embedding()[net_->embedding_row(t, t == 0 ? 0 : arch[t - 1])], h, c), 0);
    log_prob = log_prob + logp[arch[t]];
  }
  torch::Tensor loss = log_prob * static_cast<float>(-advantage * scale);
  loss.backward();
}

void EnasController::Step() {
  torch::Tensor grad = net_->flat_parameters().grad();
  {
    torch::NoGradGuard no_grad;
    const double norm = grad.norm().item<double>();
    if (norm > params_.grad_clip()) grad.mul_(static_cast<float>(params_.grad_clip() / (norm + 1e-6)));
  }
  adam_->step();
  grad.zero_();
}

std::vector<float> EnasController::Weights() const {
  const torch::Tensor& w = net_->flat_parameters();
  return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
}

void EnasController::Save(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive adam;
  adam_->save(adam);
  archive.write("weights", net_->flat_parameters().detach());
  archive.write("adam", adam);
}

absl::Status EnasController::Load(torch::serialize::InputArchive& archive) {
  try {
    torch::Tensor weights;
    torch::serialize::InputArchive adam;
    archive.read("weights", weights);
    archive.read("adam", adam);
    torch::Tensor flat = net_->flat_parameters();
    if (!weights.sizes().equals(flat.sizes()) || weights.scalar_type() != flat.scalar_type())
      return absl::DataLossError(absl::StrCat("controller weights of shape ", c10::str(weights.sizes()),
                                              ", expected ", c10::str(flat.sizes())));
    {
      torch::NoGradGuard no_grad;
      flat.copy_(weights);
    }
    adam_->load(adam);
    flat.grad().zero_();
  } catch (...) {
    return CurrentExceptionToStatus("controller state");
  }
  return absl::OkStatus();
}

}  // namespace nas
