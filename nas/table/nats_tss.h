// Importer for the NATS-Bench topology search space (TSS, the NAS-Bench-201 cell), "simple" directory format
// (e.g. NATS-tss-v1_0-3ffb9-simple/): `meta.pickle.pbz2` (its `meta_archs` lists the 15,625 arch strings in
// the official index order) plus one `{index:06d}.pickle.pbz2` per architecture: a bz2-compressed pickle of
// {'12': ..., '200': ...}, the 12-epoch and 200-epoch training schedules, each with `arch_index`, `arch_str` and
// `all_results[(dataset, seed)]` (train_acc1es / train_times per epoch, eval_acc1es keyed '<split>@<epoch>',
// params, flop, epochs, ...). Files are read one at a time (memory is bounded by one file plus a compact
// record per (architecture, dataset, schedule, seed)); a directory may hold only some architecture files:
// architectures without a file keep NaN everywhere (but get their source_index from the meta file).
//
// The table (nas/table/table.h, one format):
//   - rows: Nb201Space ordinals of the arch strings; source_index = the NATS index; params_m / flops_m from the
//     200-epoch cifar10-valid result (else the first 200-epoch result, else a 12-epoch one).
//   - one dataset per dataset found in the files, named as NATS-Bench names it ("cifar10-valid", "cifar10",
//     "cifar100", "ImageNet16-120", in that order, then any other in name order), fidelities {12, 200}:
//     fidelity 12 is the FINAL result of the separate 12-epoch schedule (its epoch 11, trained with a 12-epoch
//     learning-rate schedule), NOT epoch 12 of the 200-epoch run; fidelity 200 is the 200-epoch run's final
//     epoch. Seeds: the union over both schedules and all imported files of that dataset (sorted), one slot each
//     (NaN where a seed was not run for that architecture or schedule), plus the mean slot (ComputeMeans).
//   - per (arch, fidelity, seed), with E = the schedule's last epoch (epochs - 1):
//       train_acc  = train_acc1es[E]
//       valid_acc  = eval_acc1es['x-valid@E'] (cifar10-valid: the held-out half of the CIFAR-10 train set;
//                    cifar100 / ImageNet16-120: half of the original test set); NaN for cifar10, which has no
//                    validation split (only used if an 'x-valid@E' key exists)
//       test_acc   = eval_acc1es['x-test@E'] for cifar100 and ImageNet16-120 (the other half of the test set,
//                    as NAS-Bench-201 / NATS-Bench report "test accuracy" for them), else
//                    eval_acc1es['ori-test@E'] (cifar10-valid, cifar10: the original test set)
//       train_time = sum of train_times[0..E] (cumulative training seconds of that schedule; Python's
//                    left-to-right sum, so bit-equal to sum(train_times.values()))
//     A missing eval key gives NaN; a missing train_acc1es / train_times epoch is an error.
//   - NOT kept, because the table format has no per-epoch axis or such columns: the per-epoch curves
//     (train/eval accuracies, losses and times at intermediate epochs), top-5 accuracies, losses, eval times,
//     latency, 'ori-test' for cifar100 / ImageNet16-120, and per-dataset params / FLOPs (they differ by the
//     classifier head; only the cifar10-valid ones are kept).
//   - attributes: source "NATS-Bench TSS simple (<directory name>)", license "MIT (NATS-Bench)", importer
//     "nas import nats-tss", imported_archs (the count), and source_sha256 = SHA-256 of the `sha256sum`
//     listing of the files read in byte order of their names ("<hex>  <name>\n" per file), i.e.
//     `cd DIR && LC_ALL=C sha256sum $(LC_ALL=C ls | grep -E '^([0-9]{6}|meta)\.pickle\.pbz2$') | sha256sum`.
#ifndef NAS_TABLE_NATS_TSS_H_
#define NAS_TABLE_NATS_TSS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nas/table/table.h"

namespace nas {

struct NatsTssImportStats {
  int64_t archs_imported = 0;      // architecture files imported
  int64_t files_read = 0;          // including meta.pickle.pbz2
  int64_t compressed_bytes = 0;    // bytes read from disk
  int64_t decompressed_bytes = 0;  // pickle bytes parsed
};

// Imports the directory `dir`. Other files in it (LICENSE, ...) are ignored. Errors are one line naming the
// file: missing directory or meta file, no architecture file, a file that is not bzip2 / is corrupt or
// truncated, an unreadable or unexpected pickle (naming the missing or mistyped key), an arch file whose
// index or arch string disagrees with its name or with the meta file.
absl::StatusOr<std::unique_ptr<Table>> ImportNatsTss(const std::string& dir, NatsTssImportStats* stats = nullptr);

}  // namespace nas

#endif  // NAS_TABLE_NATS_TSS_H_
