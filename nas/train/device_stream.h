// Worker streams: each thread that trains a child on a GPU issues its kernels on a stream of its own, so children
// trained by concurrent worker threads overlap on one device instead of serialising on the default stream.
// Device-generic (c10's stream guard and the device's guard implementation): it compiles against a CPU-only
// LibTorch and does nothing for a CPU device.
#ifndef NAS_TRAIN_DEVICE_STREAM_H_
#define NAS_TRAIN_DEVICE_STREAM_H_

#include <c10/core/Device.h>
#include <c10/core/StreamGuard.h>
#include <c10/util/Optional.h>

namespace nas {

// While alive, makes a stream from the device's stream pool the calling thread's current stream (a GPU device);
// restores the previous one on destruction. For a CPU device it does nothing.
class WorkerStream {
 public:
  explicit WorkerStream(const c10::Device& device);
  WorkerStream(const WorkerStream&) = delete;
  WorkerStream& operator=(const WorkerStream&) = delete;

  // Blocks until every kernel issued on this worker's stream has finished (no-op on a CPU device).
  void Synchronize() const;
  bool active() const { return guard_.has_value(); }

 private:
  c10::optional<c10::StreamGuard> guard_;
};

}  // namespace nas

#endif  // NAS_TRAIN_DEVICE_STREAM_H_
