#include "nas/util/cluster.h"

#include "nas/util/status.h"

namespace nas {
namespace {
ClusterFactory*& Factory() {
  static ClusterFactory* f = nullptr;
  return f;
}
std::unique_ptr<Cluster>& Instance() {
  static auto* c = new std::unique_ptr<Cluster>();
  return *c;
}
}  // namespace

bool RegisterClusterFactory(ClusterFactory factory) {
  NAS_CHECK(Factory() == nullptr);
  Factory() = new ClusterFactory(std::move(factory));
  return true;
}

Cluster* StartCluster() {
  NAS_CHECK(Instance() == nullptr);
  if (Factory() != nullptr) Instance() = (*Factory())();
  return Instance().get();
}

Cluster* GetCluster() {
  Cluster* c = Instance().get();
  return c != nullptr && c->size() > 1 ? c : nullptr;
}

int FinishCluster(int exit_code) {
  Instance().reset();  // the MPI layer's destructor releases the workers and finalizes
  return exit_code;
}

}  // namespace nas
