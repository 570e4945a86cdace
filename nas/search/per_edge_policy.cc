// The NB201 authors' REINFORCE policy (exps/NAS-Bench-201-algos/reinforce.py): one learned logit vector per
// decision, softmax, independent categorical draws; Adam. Plain C++ (double precision): the gradient of the
// log-softmax is onehot - p, so no autograd is needed, and the non-neural build keeps this policy.
#include <cmath>
#include <vector>

#include "nas/search/policy.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class PerEdgePolicy : public Policy {
 public:
  PerEdgePolicy(const SearchSpace& space, const proto::ReinforceParams& params, uint64_t init_seed)
      : params_(params) {
    Rng init(init_seed);
    offsets_.push_back(0);
    for (int d = 0; d < space.num_decisions(); ++d) {
      choices_.push_back(space.num_choices(d));
      offsets_.push_back(offsets_.back() + space.num_choices(d));
    }
    theta_.resize(offsets_.back());
    for (double& t : theta_) t = params.per_edge_init_std() * init.Normal();
    m_.assign(theta_.size(), 0.0);
    v_.assign(theta_.size(), 0.0);
    probs_.resize(theta_.size());
  }

  PolicySample Sample(Rng& rng) override {
    Softmax();
    PolicySample s;
    s.actions.resize(choices_.size());
    for (size_t d = 0; d < choices_.size(); ++d) {
      const double* p = &probs_[offsets_[d]];
      std::vector<double> w(p, p + choices_[d]);
      const int a = rng.Categorical(w);
      s.actions[d] = a;
      s.log_prob += std::log(p[a]);
      s.entropy += Entropy(p, choices_[d]);
    }
    return s;
  }

  void Update(const std::vector<Actions>& batch, const std::vector<double>& advantages) override {
    NAS_CHECK(batch.size() == advantages.size() && !batch.empty());
    Softmax();
    std::vector<double> grad(theta_.size(), 0.0);
    const double inv_b = 1.0 / batch.size();
    for (size_t b = 0; b < batch.size(); ++b) {
      for (size_t d = 0; d < choices_.size(); ++d) {
        const double* p = &probs_[offsets_[d]];
        double* g = &grad[offsets_[d]];
        // d(-adv * log p_a)/d theta_j = -adv * (1[j == a] - p_j)
        for (int j = 0; j < choices_[d]; ++j)
          g[j] -= inv_b * advantages[b] * ((j == batch[b][d] ? 1.0 : 0.0) - p[j]);
      }
    }
    if (params_.entropy_weight() != 0.0) {
      // d(-w * H)/d theta_j = w * p_j * (log p_j + H); the entropy does not depend on the batch.
      for (size_t d = 0; d < choices_.size(); ++d) {
        const double* p = &probs_[offsets_[d]];
        const double h = Entropy(p, choices_[d]);
        for (int j = 0; j < choices_[d]; ++j)
          grad[offsets_[d] + j] += params_.entropy_weight() * p[j] * (std::log(p[j]) + h);
      }
    }
    AdamStep(grad);
  }

  std::vector<std::vector<double>> GreedyProbabilities() override {
    Softmax();
    std::vector<std::vector<double>> out;
    for (size_t d = 0; d < choices_.size(); ++d)
      out.emplace_back(probs_.begin() + offsets_[d], probs_.begin() + offsets_[d + 1]);
    return out;
  }

 private:
  static double Entropy(const double* p, int n) {
    double h = 0;
    for (int j = 0; j < n; ++j)
      if (p[j] > 0) h -= p[j] * std::log(p[j]);
    return h;
  }

  void Softmax() {
    for (size_t d = 0; d < choices_.size(); ++d) {
      const double* t = &theta_[offsets_[d]];
      double* p = &probs_[offsets_[d]];
      double mx = t[0];
      for (int j = 1; j < choices_[d]; ++j) mx = std::max(mx, t[j]);
      double sum = 0;
      for (int j = 0; j < choices_[d]; ++j) sum += (p[j] = std::exp(t[j] - mx));
      for (int j = 0; j < choices_[d]; ++j) p[j] /= sum;
    }
  }

  // torch.optim.Adam (no weight decay, no amsgrad), step for step.
  void AdamStep(const std::vector<double>& grad) {
    ++step_;
    const double b1 = params_.adam_beta1(), b2 = params_.adam_beta2();
    const double bc1 = 1.0 - std::pow(b1, step_);
    const double bc2 = 1.0 - std::pow(b2, step_);
    const double step_size = params_.learning_rate() / bc1;
    const double sqrt_bc2 = std::sqrt(bc2);
    for (size_t i = 0; i < theta_.size(); ++i) {
      m_[i] = b1 * m_[i] + (1 - b1) * grad[i];
      v_[i] = b2 * v_[i] + (1 - b2) * grad[i] * grad[i];
      const double denom = std::sqrt(v_[i]) / sqrt_bc2 + params_.adam_eps();
      theta_[i] -= step_size * m_[i] / denom;
    }
  }

  proto::ReinforceParams params_;
  std::vector<int> choices_;
  std::vector<int> offsets_;
  std::vector<double> theta_, m_, v_, probs_;
  int64_t step_ = 0;
};

const bool kRegistered = RegisterPolicy(
    proto::ReinforceParams::PER_EDGE,
    [](const SearchSpace& space, const proto::ReinforceParams& params, uint64_t init_seed) -> std::unique_ptr<Policy> {
      return std::make_unique<PerEdgePolicy>(space, params, init_seed);
    });

}  // namespace
}  // namespace nas
