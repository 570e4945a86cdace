#include "nas/log/log_format.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nas::log_format {
namespace {

struct Field {
  const char* name;
  bool is_double;
  int64_t Episode::*i;
  double Episode::*d;
};
const Field kHeadFields[] = {{"index", false, &Episode::index, nullptr}, {"arch", false, &Episode::arch, nullptr}};
const Field kTailFields[] = {
    {"log_prob", true, nullptr, &Episode::log_prob},         {"entropy", true, nullptr, &Episode::entropy},
    {"reward", true, nullptr, &Episode::reward},             {"valid_acc", true, nullptr, &Episode::valid_acc},
    {"test_acc", true, nullptr, &Episode::test_acc},         {"sim_time", true, nullptr, &Episode::sim_time},
    {"wall_time", true, nullptr, &Episode::wall_time},       {"incumbent", false, &Episode::incumbent, nullptr},
    {"incumbent_valid", true, nullptr, &Episode::incumbent_valid},
    {"incumbent_test", true, nullptr, &Episode::incumbent_test},
    {"table_slot", false, &Episode::table_slot, nullptr},
    {"worker", false, &Episode::worker, nullptr},            {"proposal", false, &Episode::proposal, nullptr},
    // Reward design: the architecture's costs and the reward's cost (NaN where unknown).
    {"params_m", true, nullptr, &Episode::params_m},         {"flops_m", true, nullptr, &Episode::flops_m},
    {"cost", true, nullptr, &Episode::cost}};
constexpr int kTail = static_cast<int>(sizeof(kTailFields) / sizeof(kTailFields[0]));
static_assert(2 + kTail == kFixedFields, "kFixedFields (log_format.h) counts index, arch and the tail fields");

herr_t CollectErrors(unsigned, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (err != nullptr && err->desc != nullptr) absl::StrAppend(out, err->desc, " | ");
  return 0;
}

}  // namespace

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

RowCodec::RowCodec(int num_decisions, bool with_fidelity)
    : d_(num_decisions), with_fidelity_(with_fidelity), size_(16 + 4 * num_decisions + 8 * kTail + 4 * with_fidelity) {
  type_ = h5::Handle(H5Tcreate(H5T_COMPOUND, size_));
  size_t off = 0;
  for (const Field& f : kHeadFields) H5Tinsert(type_.get(), f.name, off, H5T_NATIVE_INT64), off += 8;
  for (int a = 0; a < d_; ++a) H5Tinsert(type_.get(), absl::StrCat("a", a).c_str(), off, H5T_NATIVE_INT32), off += 4;
  for (const Field& f : kTailFields)
    H5Tinsert(type_.get(), f.name, off, f.is_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64), off += 8;
  if (with_fidelity_) H5Tinsert(type_.get(), kFidelityField, off, H5T_NATIVE_INT32);
}

void RowCodec::Encode(const Episode& e, char* row) const {
  size_t off = 0;
  for (const Field& f : kHeadFields) std::memcpy(row + off, &(e.*f.i), 8), off += 8;
  for (int a = 0; a < d_; ++a) std::memcpy(row + off, &e.actions[a], 4), off += 4;
  for (const Field& f : kTailFields) {
    if (f.is_double)
      std::memcpy(row + off, &(e.*f.d), 8);
    else
      std::memcpy(row + off, &(e.*f.i), 8);
    off += 8;
  }
  if (with_fidelity_) std::memcpy(row + off, &e.fidelity, 4);
}

void RowCodec::Decode(const char* row, Episode* e) const {
  size_t off = 0;
  for (const Field& f : kHeadFields) std::memcpy(&(e->*f.i), row + off, 8), off += 8;
  e->actions.resize(d_);
  for (int a = 0; a < d_; ++a) std::memcpy(&e->actions[a], row + off, 4), off += 4;
  for (const Field& f : kTailFields) {
    if (f.is_double)
      std::memcpy(&(e->*f.d), row + off, 8);
    else
      std::memcpy(&(e->*f.i), row + off, 8);
    off += 8;
  }
  if (with_fidelity_)
    std::memcpy(&e->fidelity, row + off, 4);
  else
    e->fidelity = kFidelityUnrecorded;
}

h5::Handle CurveType() {
  h5::Handle t(H5Tcreate(H5T_COMPOUND, sizeof(CurvePoint)));
  H5Tinsert(t.get(), "episode", HOFFSET(CurvePoint, episode), H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "epoch", HOFFSET(CurvePoint, epoch), H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "train_loss", HOFFSET(CurvePoint, train_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "train_acc", HOFFSET(CurvePoint, train_acc), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "valid_loss", HOFFSET(CurvePoint, valid_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "valid_acc", HOFFSET(CurvePoint, valid_acc), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "test_loss", HOFFSET(CurvePoint, test_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "test_acc", HOFFSET(CurvePoint, test_acc), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "train_time", HOFFSET(CurvePoint, train_time), H5T_NATIVE_DOUBLE);
  return t;
}

h5::Handle ProgressType() {
  h5::Handle t(H5Tcreate(H5T_COMPOUND, sizeof(Progress)));
  H5Tinsert(t.get(), "episodes", HOFFSET(Progress, episodes), H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "curve_rows", HOFFSET(Progress, curve_rows), H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "complete", HOFFSET(Progress, complete), H5T_NATIVE_INT8);
  return t;
}

h5::Handle PackedProgressType() {
  h5::Handle t(H5Tcreate(H5T_COMPOUND, kPackedProgressSize));
  H5Tinsert(t.get(), "episodes", 0, H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "curve_rows", 8, H5T_NATIVE_INT64);
  H5Tinsert(t.get(), "complete", 16, H5T_NATIVE_INT8);
  return t;
}

void PackProgress(const Progress& p, char* row) {
  std::memcpy(row, &p.episodes, 8);
  std::memcpy(row + 8, &p.curve_rows, 8);
  std::memcpy(row + 16, &p.complete, 1);
}

absl::Status DecisionsOf(hid_t dataset, const std::string& path, const std::string& name, int* decisions,
                         bool* has_fidelity) {
  h5::Handle type(H5Dget_type(dataset));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_COMPOUND)
    return Invalid(path, absl::StrCat(name, " is not a compound dataset of episodes"));
  for (const Field& f : kTailFields)  // a layout of an older nas (e.g. before worker / proposal) is named as such
    if (H5Tget_member_index(type.get(), f.name) < 0)
      return Invalid(path, absl::StrCat(name, " has no field '", f.name,
                                        "' (written by an older nas with another episode layout; re-run it)"));
  const int n = H5Tget_nmembers(type.get());
  const bool fidelity = H5Tget_member_index(type.get(), kFidelityField) >= 0;
  const int d = n - kFixedFields - fidelity;
  if (d < 1) return Invalid(path, absl::StrCat(name, " has ", n, " fields; expected ", kFixedFields, " + actions"));
  RowCodec expected(d, fidelity);
  for (int m = 0; m < n; ++m) {
    char* got = H5Tget_member_name(type.get(), m);
    char* want = H5Tget_member_name(expected.type(), m);
    const std::string got_s = got ? got : "", want_s = want ? want : "";
    H5free_memory(got);
    H5free_memory(want);
    if (got_s != want_s)
      return Invalid(path, absl::StrCat(name, ": field ", m, " is '", got_s, "', expected '", want_s, "'"));
  }
  *decisions = d;
  *has_fidelity = fidelity;
  return absl::OkStatus();
}

absl::Status ReadError(const std::string& path, const std::string& dataset) {
  std::string stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, CollectErrors, &stack);
  const std::string lower = absl::AsciiStrToLower(stack);
  if (absl::StrContains(lower, "fletcher32") || absl::StrContains(lower, "checksum"))
    return absl::DataLossError(absl::StrCat(path, ": ", dataset,
                                            ": corrupt data (its Fletcher32 checksum does not match: the file was "
                                            "changed on disk)"));
  return absl::DataLossError(absl::StrCat(path, ": ", dataset, ": cannot read (HDF5: ", h5::LastErrorDetail(), ")"));
}

}  // namespace nas::log_format
