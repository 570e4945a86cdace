#include "nas/search/torch/lstm_policy.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "nas/search/torch/lstm_kernels.h"
#include "nas/util/status.h"

namespace nas {
namespace {

inline float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// LstmControllerImpl

LstmControllerImpl::LstmControllerImpl(std::vector<int> num_choices, int hidden, int layers)
    : num_choices_(std::move(num_choices)), hidden_(hidden), layers_(layers) {
  const int T = num_decisions();
  NAS_CHECK(T > 0 && hidden > 0 && layers > 0);
  int emb_rows = 0;
  for (int t = 0; t < T; ++t) {
    NAS_CHECK(num_choices_[t] > 0);
    head_offset_.push_back(total_choices_);
    total_choices_ += num_choices_[t];
    if (t + 1 < T) {
      emb_offset_.push_back(emb_rows);
      emb_rows += num_choices_[t];
    }
  }
  emb_rows += 1;  // the start row
  const int64_t H = hidden, G = 4 * H, N = total_choices_;
  const int64_t total = layers * (2 * G * H + 2 * G) + emb_rows * H + N * H + N;

  flat_ = torch::zeros({total}, torch::kFloat);
  flat_grad_ = torch::zeros({total}, torch::kFloat);
  flat_.mutable_grad() = flat_grad_;

  int64_t offset = 0;
  for (int l = 0; l < layers; ++l) {
    const std::string p = "l" + std::to_string(l) + "_";
    lstm_params_.push_back(AddAliasedParameter(p + "w_ih", offset, {G, H}));
    lstm_params_.push_back(AddAliasedParameter(p + "w_hh", offset, {G, H}));
    lstm_params_.push_back(AddAliasedParameter(p + "b_ih", offset, {G}));
    lstm_params_.push_back(AddAliasedParameter(p + "b_hh", offset, {G}));
  }
  embedding_ = AddAliasedParameter("embedding", offset, {emb_rows, H});
  head_w_ = AddAliasedParameter("head_w", offset, {N, H});
  head_b_ = AddAliasedParameter("head_b", offset, {N});
  NAS_CHECK(offset == total);

  // Additive mask: step t sees only its own head's logits (the others get exp(-1e9) = 0 exactly, and therefore
  // an exactly zero gradient, so the shared linear layer is the same as one head per decision).
  mask_ = torch::full({T, 1, N}, -1e9, torch::kFloat);
  float* m = mask_.data_ptr<float>();
  for (int t = 0; t < T; ++t)
    for (int k = 0; k < num_choices_[t]; ++k) m[t * N + head_offset_[t] + k] = 0.0f;
}

torch::Tensor LstmControllerImpl::AddAliasedParameter(const std::string& name, int64_t& offset,
                                                      std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  torch::NoGradGuard no_grad;
  // set_ makes a plain tensor on the same storage (not an autograd view), so it is a leaf of its own.
  torch::Tensor param = torch::empty({0}, torch::kFloat);
  param.set_(flat_.storage(), offset, shape);
  torch::Tensor grad = torch::empty({0}, torch::kFloat);
  grad.set_(flat_grad_.storage(), offset, shape);
  offset += n;
  torch::Tensor& registered = register_parameter(name, param, /*requires_grad=*/true);
  // A defined gradient is accumulated in place by autograd, i.e. straight into flat_grad_.
  registered.mutable_grad() = grad;
  return registered;
}

bool LstmControllerImpl::GradientsAliasFlat() const {
  const float* base = flat_grad_.data_ptr<float>();
  const float* pbase = flat_.data_ptr<float>();
  for (const auto& p : parameters()) {
    if (!p.grad().defined()) return false;
    if (p.grad().data_ptr<float>() - base != p.data_ptr<float>() - pbase) return false;
  }
  return flat_.grad().defined() && flat_.grad().data_ptr<float>() == base;
}

void LstmControllerImpl::Initialize(double init_range, Rng& rng) {
  torch::NoGradGuard no_grad;
  float* p = flat_.data_ptr<float>();
  const int64_t n = flat_.numel();
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(init_range * (2.0 * rng.Uniform01() - 1.0));
}

LstmControllerImpl::Output LstmControllerImpl::forward(const std::vector<Actions>& batch, bool with_entropy) {
  const int64_t T = num_decisions(), B = static_cast<int64_t>(batch.size()), H = hidden_;
  NAS_CHECK(B > 0);
  torch::Tensor rows = torch::empty({T * B}, torch::kLong);
  torch::Tensor targets = torch::empty({T, B, 1}, torch::kLong);
  int64_t* r = rows.data_ptr<int64_t>();
  int64_t* g = targets.data_ptr<int64_t>();
  for (int64_t b = 0; b < B; ++b) {
    const Actions& a = batch[b];
    NAS_CHECK(static_cast<int64_t>(a.size()) == T);
    for (int64_t t = 0; t < T; ++t) {
      NAS_CHECK(a[t] >= 0 && a[t] < num_choices_[t]);
      r[t * B + b] = embedding_row(static_cast<int>(t), t == 0 ? 0 : a[t - 1]);
      g[t * B + b] = head_offset_[t] + a[t];
    }
  }
  const torch::Tensor x = embedding_.index_select(0, rows).view({T, B, H});
  const torch::Tensor h0 = torch::zeros({layers_, B, H}, torch::kFloat);
  const torch::Tensor out = std::get<0>(at::lstm(x, {h0, h0}, lstm_params_, /*has_biases=*/true, layers_,
                                                 /*dropout=*/0.0, is_training(), /*bidirectional=*/false,
                                                 /*batch_first=*/false));
  const torch::Tensor logp_all = at::log_softmax(at::linear(out, head_w_, head_b_) + mask_, 2);  // [T, B, N]
  Output o;
  o.log_prob = logp_all.gather(2, targets).sum(at::IntArrayRef{0, 2});
  if (with_entropy) o.entropy = (logp_all.exp() * logp_all).sum(at::IntArrayRef{0, 2}).neg();
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// LstmPolicy

LstmPolicy::LstmPolicy(const SearchSpace& space, const proto::ReinforceParams& params, uint64_t init_seed)
    : params_(params), controller_(nullptr), hidden_(params.lstm_hidden()), layers_(params.lstm_layers()) {
  NAS_CHECK(hidden_ > 0 && layers_ > 0 && params.learning_rate() > 0);
  std::vector<int> choices;
  for (int t = 0; t < space.num_decisions(); ++t) {
    choices.push_back(space.num_choices(t));
    max_choices_ = std::max(max_choices_, choices.back());
  }
  const int T = static_cast<int>(choices.size());
  controller_ = LstmController(choices, hidden_, layers_);
  Rng rng(init_seed);
  controller_->Initialize(params.init_range(), rng);
  optimizer_ = std::make_unique<torch::optim::Adam>(
      std::vector<torch::Tensor>{controller_->flat_parameters()},
      torch::optim::AdamOptions(params.learning_rate())
          .betas(std::make_tuple(params.adam_beta1(), params.adam_beta2()))
          .eps(params.adam_eps()));

  const size_t H = hidden_, G = 4 * H, L = layers_;
  stride_ = G + 3 * H;
  wt_.resize(L * 2 * H * G);
  bias_.resize(L * G);
  trace_.resize(T * L * stride_);
  logp_.resize(static_cast<size_t>(T) * max_choices_);
  entropy_.resize(T);
  zeros_.assign(H, 0.0f);
  gates_.resize(G);
  probs_.resize(max_choices_);
  dh_next_.resize(L * H);
  dc_next_.resize(L * H);
  dh_.resize(H);
  dz_.resize(T * L * G);
  outer_d_.resize(T * L);
  outer_x_.resize(T * L);
  outer_h_.resize(T * L);
  dx_.resize(H);
  dhead_.resize(max_choices_);
  NAS_CHECK(controller_->GradientsAliasFlat());
  if (lstm_kernels::TorchAdamStepMatchesLibTorch()) {
    const size_t n = controller_->flat_parameters().numel();
    adam_m_.assign(n, 0.0f);
    adam_v_.assign(n, 0.0f);
  }
}

void LstmPolicy::RefreshCache() {
  const LstmControllerImpl& m = *controller_;
  const int H = hidden_, G = 4 * H;
  for (int l = 0; l < layers_; ++l) {
    const float* wih = m.w_ih(l).data_ptr<float>();
    const float* whh = m.w_hh(l).data_ptr<float>();
    const float* bih = m.b_ih(l).data_ptr<float>();
    const float* bhh = m.b_hh(l).data_ptr<float>();
    float* wt = &wt_[static_cast<size_t>(l) * 2 * H * G];
    lstm_kernels::Transpose(wt, G, wih, G, H);
    lstm_kernels::Transpose(wt + static_cast<size_t>(H) * G, G, whh, G, H);
    for (int r = 0; r < G; ++r) bias_[l * G + r] = bih[r] + bhh[r];
  }
  cache_valid_ = true;
}

void LstmPolicy::ForwardStep(int t, const float* input) {
  if (!cache_valid_) RefreshCache();
  const LstmControllerImpl& m = *controller_;
  const int H = hidden_, G = 4 * H;
  const float* x = input;
  for (int l = 0; l < layers_; ++l) {
    float* z = gates_.data();
    std::memcpy(z, &bias_[l * G], G * sizeof(float));
    const float* wt = &wt_[static_cast<size_t>(l) * 2 * H * G];
    lstm_kernels::AccumulateColumns(z, G, wt, G, x, H);
    const float* h_prev = t > 0 ? hid(t - 1, l) : zeros_.data();
    const float* c_prev = t > 0 ? cell(t - 1, l) : zeros_.data();
    if (t > 0) lstm_kernels::AccumulateColumns(z, G, wt + static_cast<size_t>(H) * G, G, h_prev, H);
    float* a = act(t, l);
    float* c = cell(t, l);
    float* tc = tanh_cell(t, l);
    float* h = hid(t, l);
    // Gates i, f, o = sigmoid, g = tanh (lstm_kernels::Tanh is std::tanh bit for bit); c = f c_prev + i g,
    // h = o tanh(c).
    for (int j = 0; j < H; ++j) {
      a[j] = Sigmoid(z[j]);
      a[H + j] = Sigmoid(z[H + j]);
      a[3 * H + j] = Sigmoid(z[3 * H + j]);
    }
    lstm_kernels::Tanh(a + 2 * H, z + 2 * H, H);
    for (int j = 0; j < H; ++j) c[j] = a[H + j] * c_prev[j] + a[j] * a[2 * H + j];
    lstm_kernels::Tanh(tc, c, H);
    for (int j = 0; j < H; ++j) h[j] = a[3 * H + j] * tc[j];
    x = h;
  }
  const int n = m.num_choices(t), off = m.head_offset(t);
  const float* w = m.head_w().data_ptr<float>() + static_cast<size_t>(off) * H;
  const float* b = m.head_b().data_ptr<float>() + off;
  double* lp = logp(t);
  double mx = -std::numeric_limits<double>::infinity();
  for (int k = 0; k < n; ++k) {
    double z = b[k];
    for (int j = 0; j < H; ++j) z += static_cast<double>(w[k * H + j]) * x[j];
    lp[k] = z;
    mx = std::max(mx, z);
  }
  double s = 0.0;
  for (int k = 0; k < n; ++k) s += std::exp(lp[k] - mx);
  const double lse = mx + std::log(s);
  double entropy = 0.0;
  for (int k = 0; k < n; ++k) {
    lp[k] -= lse;
    entropy -= std::exp(lp[k]) * lp[k];
  }
  entropy_[t] = entropy;
}

PolicySample LstmPolicy::Sample(Rng& rng) {
  const LstmControllerImpl& m = *controller_;
  const float* emb = m.embedding().data_ptr<float>();
  const int T = m.num_decisions();
  PolicySample sample;
  sample.actions.resize(T);
  int prev = 0;
  for (int t = 0; t < T; ++t) {
    ForwardStep(t, emb + static_cast<size_t>(m.embedding_row(t, prev)) * hidden_);
    const int n = m.num_choices(t);
    const double* lp = logp(t);
    for (int k = 0; k < n; ++k) probs_[k] = static_cast<float>(std::exp(lp[k]));
    const int a = rng.Categorical(probs_.data(), n);
    sample.actions[t] = a;
    sample.log_prob += lp[a];
    sample.entropy += entropy_[t];
    prev = a;
  }
  // The trace now holds ForwardSequence(sample.actions) under the current weights.
  traced_actions_ = sample.actions;
  trace_is_sample_ = true;
  return sample;
}

std::vector<std::vector<double>> LstmPolicy::GreedyProbabilities() {
  const LstmControllerImpl& m = *controller_;
  const float* emb = m.embedding().data_ptr<float>();
  const int T = m.num_decisions();
  std::vector<std::vector<double>> result(T);
  trace_is_sample_ = false;
  int prev = 0;
  for (int t = 0; t < T; ++t) {
    ForwardStep(t, emb + static_cast<size_t>(m.embedding_row(t, prev)) * hidden_);
    const double* lp = logp(t);
    for (int k = 0; k < m.num_choices(t); ++k) result[t].push_back(std::exp(lp[k]));
    prev = static_cast<int>(std::max_element(result[t].begin(), result[t].end()) - result[t].begin());
  }
  return result;
}

double LstmPolicy::ForwardSequence(const Actions& actions) {
  const LstmControllerImpl& m = *controller_;
  const int T = m.num_decisions();
  NAS_CHECK(static_cast<int>(actions.size()) == T);
  const float* emb = m.embedding().data_ptr<float>();
  trace_is_sample_ = false;
  double log_prob = 0.0;
  for (int t = 0; t < T; ++t) {
    NAS_CHECK(actions[t] >= 0 && actions[t] < m.num_choices(t));
    ForwardStep(t, emb + static_cast<size_t>(m.embedding_row(t, t == 0 ? 0 : actions[t - 1])) * hidden_);
    log_prob += logp(t)[actions[t]];
  }
  return log_prob;
}

void LstmPolicy::BackwardSequence(const Actions& actions, double coef, double entropy_coef) {
  const LstmControllerImpl& m = *controller_;
  const int T = m.num_decisions(), H = hidden_, G = 4 * H, L = layers_;
  // Gradients alias the flat gradient (see the header), so these pointers write straight into it.
  float* g_emb = m.embedding().grad().data_ptr<float>();
  float* g_head_w = m.head_w().grad().data_ptr<float>();
  float* g_head_b = m.head_b().grad().data_ptr<float>();
  const float* emb = m.embedding().data_ptr<float>();
  const float* head_w = m.head_w().data_ptr<float>();
  std::fill(dh_next_.begin(), dh_next_.end(), 0.0f);
  std::fill(dc_next_.begin(), dc_next_.end(), 0.0f);
  float* dh = dh_.data();
  float* dx = dx_.data();
  for (int t = T - 1; t >= 0; --t) {
    // Softmax head: d/dz_k of coef * log p_a + entropy_coef * H  =  coef (1[k = a] - p_k) - entropy_coef p_k
    // (log p_k + H).
    const int n = m.num_choices(t), off = m.head_offset(t);
    const double* lp = logp(t);
    const float* h_top = hid(t, L - 1);
    std::fill(dx, dx + H, 0.0f);  // dx: gradient into the top layer's h at step t
    float* dhead = dhead_.data();
    for (int k = 0; k < n; ++k) {
      const double p = std::exp(lp[k]);
      dhead[k] =
          static_cast<float>(coef * ((k == actions[t] ? 1.0 : 0.0) - p) - entropy_coef * p * (lp[k] + entropy_[t]));
      g_head_b[off + k] += dhead[k];
    }
    lstm_kernels::AccumulateOuter(g_head_w + static_cast<size_t>(off) * H, dhead, n, h_top, H);
    lstm_kernels::AccumulateRows(dx, H, head_w + static_cast<size_t>(off) * H, dhead, n);
    for (int l = L - 1; l >= 0; --l) {
      const float* a = act(t, l);
      const float* tc = tanh_cell(t, l);
      const float* c_prev = t > 0 ? cell(t - 1, l) : zeros_.data();
      const float* h_prev = t > 0 ? hid(t - 1, l) : zeros_.data();
      const float* x = l > 0 ? hid(t, l - 1)
                             : emb + static_cast<size_t>(m.embedding_row(t, t == 0 ? 0 : actions[t - 1])) * H;
      float* dh_next = &dh_next_[l * H];
      float* dc_next = &dc_next_[l * H];
      float* dz = &dz_[(static_cast<size_t>(t) * L + l) * G];
      for (int j = 0; j < H; ++j) {
        dh[j] = dx[j] + dh_next[j];
        const float i_gate = a[j], f_gate = a[H + j], g_gate = a[2 * H + j], o_gate = a[3 * H + j];
        const float dc = dc_next[j] + dh[j] * o_gate * (1.0f - tc[j] * tc[j]);
        dz[j] = dc * g_gate * i_gate * (1.0f - i_gate);
        dz[H + j] = dc * c_prev[j] * f_gate * (1.0f - f_gate);
        dz[2 * H + j] = dc * i_gate * (1.0f - g_gate * g_gate);
        dz[3 * H + j] = dh[j] * tc[j] * o_gate * (1.0f - o_gate);
        dc_next[j] = dc * f_gate;
      }
      const float* w_ih = m.w_ih(l).data_ptr<float>();
      const float* w_hh = m.w_hh(l).data_ptr<float>();
      float* g_b_ih = m.b_ih(l).grad().data_ptr<float>();
      float* g_b_hh = m.b_hh(l).grad().data_ptr<float>();
      std::fill(dx, dx + H, 0.0f);
      std::fill(dh_next, dh_next + H, 0.0f);
      for (int r = 0; r < G; ++r) {
        g_b_ih[r] += dz[r];
        g_b_hh[r] += dz[r];
      }
      // The weight gradients' terms dz (x)^T and dz (h_prev)^T are added after the loop over steps, in the order
      // of the steps (T-1 down to 0), each element receiving them in turn as if added here.
      outer_d_[l * T + (T - 1 - t)] = dz;
      outer_x_[l * T + (T - 1 - t)] = x;
      if (t > 0) outer_h_[l * T + (T - 1 - t)] = h_prev;
      lstm_kernels::AccumulateRows(dx, H, w_ih, dz, G);
      if (t > 0) lstm_kernels::AccumulateRows(dh_next, H, w_hh, dz, G);
      // dx now feeds layer l-1's h at step t, or (layer 0) the embedding row that was the input.
    }
    const int row = m.embedding_row(t, t == 0 ? 0 : actions[t - 1]);
    for (int j = 0; j < H; ++j) g_emb[static_cast<size_t>(row) * H + j] += dx[j];
  }
  for (int l = 0; l < L; ++l) {
    const float* const* d = &outer_d_[l * T];
    lstm_kernels::AccumulateOuterSequence(m.w_ih(l).grad().data_ptr<float>(), d, G, &outer_x_[l * T], H, T);
    lstm_kernels::AccumulateOuterSequence(m.w_hh(l).grad().data_ptr<float>(), d, G, &outer_h_[l * T], H, T - 1);
  }
}

void LstmPolicy::ComputeGradient(const std::vector<Actions>& batch, const std::vector<double>& advantages,
                                 bool use_autograd) {
  NAS_CHECK(!batch.empty() && batch.size() == advantages.size());
  const int64_t B = static_cast<int64_t>(batch.size());
  const double entropy_weight = params_.entropy_weight();
  // Zeroes every gradient in place (they alias the flat gradient, checked at construction and after autograd).
  const torch::Tensor& flat_grad = controller_->flat_parameters().grad();
  std::fill_n(flat_grad.data_ptr<float>(), flat_grad.numel(), 0.0f);
  if (!use_autograd) {
    // loss = sum_b (-adv_b / B) log pi(a_b) + sum_b (-entropy_weight / B) H_b. A batch of the one sequence
    // sampled last, under the same weights, reuses Sample's forward pass (ForwardSequence would recompute the
    // same trace).
    for (int64_t b = 0; b < B; ++b) {
      if (!(B == 1 && trace_is_sample_ && batch[b] == traced_actions_)) ForwardSequence(batch[b]);
      BackwardSequence(batch[b], -advantages[b] / B, -entropy_weight / B);
    }
    return;
  }
  trace_is_sample_ = false;
  const LstmControllerImpl::Output out = controller_->forward(batch, entropy_weight != 0.0);
  torch::Tensor coeff = torch::empty({B}, torch::kFloat);
  float* cp = coeff.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b) cp[b] = static_cast<float>(-advantages[b] / B);
  torch::Tensor loss = at::dot(out.log_prob, coeff);
  if (entropy_weight != 0.0) loss = loss + out.entropy.sum() * (-entropy_weight / B);
  loss.backward();
  NAS_CHECK(controller_->GradientsAliasFlat());
}

void LstmPolicy::Update(const std::vector<Actions>& batch, const std::vector<double>& advantages) {
  ComputeGradient(batch, advantages, /*use_autograd=*/false);
  if (adam_m_.empty()) {
    optimizer_->step();
  } else {
    const torch::Tensor& flat = controller_->flat_parameters();
    lstm_kernels::TorchAdamStep(flat.data_ptr<float>(), flat.grad().data_ptr<float>(), adam_m_.data(),
                                adam_v_.data(), flat.numel(), params_.learning_rate(), params_.adam_beta1(),
                                params_.adam_beta2(), params_.adam_eps(), ++adam_step_);
  }
  cache_valid_ = false;
  trace_is_sample_ = false;
}

std::vector<float> LstmPolicy::Gradient(const std::vector<Actions>& batch, const std::vector<double>& advantages,
                                        bool use_autograd) {
  ComputeGradient(batch, advantages, use_autograd);
  const torch::Tensor& grad = controller_->flat_parameters().grad();
  const float* g = grad.data_ptr<float>();
  return std::vector<float>(g, g + grad.numel());
}

std::vector<std::pair<double, double>> LstmPolicy::Evaluate(const std::vector<Actions>& batch) {
  torch::NoGradGuard no_grad;
  const LstmControllerImpl::Output out = controller_->forward(batch, /*with_entropy=*/true);
  const torch::Tensor lp = out.log_prob.to(torch::kDouble), en = out.entropy.to(torch::kDouble);
  std::vector<std::pair<double, double>> result(batch.size());
  for (size_t b = 0; b < batch.size(); ++b)
    result[b] = {lp[b].item<double>(), en[b].item<double>()};
  return result;
}

std::vector<float> LstmPolicy::Weights() const {
  const torch::Tensor& flat = controller_->flat_parameters();
  const float* p = flat.data_ptr<float>();
  return std::vector<float>(p, p + flat.numel());
}

namespace {
const bool kRegistered = RegisterPolicy(
    proto::ReinforceParams::LSTM,
    [](const SearchSpace& space, const proto::ReinforceParams& params, uint64_t init_seed) -> std::unique_ptr<Policy> {
      return std::make_unique<LstmPolicy>(space, params, init_seed);
    });
}  // namespace

}  // namespace nas
