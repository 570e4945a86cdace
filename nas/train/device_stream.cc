#include "nas/train/device_stream.h"

#include <c10/core/impl/DeviceGuardImplInterface.h>

namespace nas {

WorkerStream::WorkerStream(const c10::Device& device) {
  if (device.is_cpu()) return;
  // The CUDA guard implementation is registered by LibTorch's CUDA library; a LibTorch without it never
  // reaches here (TrainChild refuses device "cuda" when torch::cuda::is_available() is false).
  const c10::impl::DeviceGuardImplInterface* impl = c10::impl::getDeviceGuardImpl(device.type());
  guard_.emplace(impl->getStreamFromGlobalPool(device, /*isHighPriority=*/false));
}

void WorkerStream::Synchronize() const {
  if (guard_) guard_->current_stream().synchronize();
}

}  // namespace nas
