// glibc malloc tuned for child training (linked into nas/train:network, so every binary that trains: nas-torch,
// build-table, the training benchmarks). A training step allocates and frees the same few MB-sized activation
// and gradient buffers every step. By default glibc gives freed memory at the top of the heap back to the
// kernel once more than M_TRIM_THRESHOLD (128 KB, raised only to twice the dynamic mmap threshold) is free,
// and serves blocks above M_MMAP_THRESHOLD (128 KB to 32 MB, dynamic) with their own mmap: every step then maps
// its buffers again, ~4,000 page faults per step for NB201 C=16 N=5 at batch 64, and the memory-bound
// operators (relu, zero_, fill_, the convolutions' backward) run several times slower. Keeping the memory
// mapped changes only where buffers live, never a computed value: LibTorch allocates every tensor 64-byte
// aligned itself, so kernels see the same alignment (a training run's log and replay are bit-identical with and
// without it, checked). Malloc environment variables (MALLOC_TRIM_THRESHOLD_, ...) still override it;
// NAS_MALLOC_TUNING=0 turns it off.
#include <malloc.h>
#include <stdlib.h>

namespace nas {
namespace {

bool Tune() {
  // NAS_MALLOC_TUNING=0 keeps glibc's defaults (for measuring the difference: //benchmarks:side_by_side).
  if (const char* off = getenv("NAS_MALLOC_TUNING"); off != nullptr && off[0] == '0') return false;
  // Explicit values turn off glibc's dynamic thresholds; the environment wins when it sets them.
  if (!getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit
  if (!getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}

const bool kTuned = Tune();

}  // namespace
}  // namespace nas
