#include "nas/log/log_format.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nas::log_format {
namespace {

using record::EpisodeField;
using record::Type;

hid_t NativeType(Type type) {
  switch (type) {
    case Type::kInt64: return H5T_NATIVE_INT64;
    case Type::kFloat64: return H5T_NATIVE_DOUBLE;
    case Type::kInt32:
    case Type::kActions: return H5T_NATIVE_INT32;
  }
  return H5T_NATIVE_INT64;
}

// The one trailing optional field's name (logs written before it lack it).
const char* OptionalField() {
  for (const EpisodeField& f : record::kEpisodeFields)
    if (f.trailing_optional) return f.name;
  return "";
}

// Whether the rows of a layout hold `f` (a trailing optional field only when `with_optional`).
bool Stored(const EpisodeField& f, bool with_optional) { return !f.trailing_optional || with_optional; }

constexpr int CountFixed() {
  int n = 0;
  for (const EpisodeField& f : record::kEpisodeFields) n += f.type != Type::kActions && !f.trailing_optional;
  return n;
}
constexpr bool OnlyTheLastIsOptional() {
  for (size_t i = 0; i + 1 < record::kNumEpisodeFields; ++i)
    if (record::kEpisodeFields[i].trailing_optional) return false;
  const EpisodeField& last = record::kEpisodeFields[record::kNumEpisodeFields - 1];
  return !last.trailing_optional || last.type == Type::kInt32;
}
static_assert(OnlyTheLastIsOptional(), "only the last episode field (an int32) can be missing from older layouts");
static_assert(CountFixed() == kFixedFields, "kFixedFields (log_format.h) counts the always-stored scalar fields");

herr_t CollectErrors(unsigned, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (err != nullptr && err->desc != nullptr) absl::StrAppend(out, err->desc, " | ");
  return 0;
}

}  // namespace

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

RowCodec::RowCodec(int num_decisions, bool with_fidelity, bool with_run)
    : d_(num_decisions), with_fidelity_(with_fidelity), with_run_(with_run) {
  size_ = with_run_ ? 4 : 0;
  for (const EpisodeField& f : record::kEpisodeFields)
    if (Stored(f, with_fidelity_)) size_ += record::StoredSize(f.type) * (f.type == Type::kActions ? d_ : 1);
  type_ = h5::Handle(H5Tcreate(H5T_COMPOUND, size_));
  size_t off = 0;
  if (with_run_) H5Tinsert(type_.get(), "run", 0, H5T_NATIVE_INT32), off = 4;
  for (const EpisodeField& f : record::kEpisodeFields) {
    if (!Stored(f, with_fidelity_)) continue;
    if (f.type == Type::kActions) {
      for (int a = 0; a < d_; ++a) H5Tinsert(type_.get(), absl::StrCat("a", a).c_str(), off, H5T_NATIVE_INT32), off += 4;
    } else {
      H5Tinsert(type_.get(), f.name, off, NativeType(f.type)), off += record::StoredSize(f.type);
    }
  }
  // The same walk for Encode's plan.
  const Episode probe;
  const char* base = reinterpret_cast<const char*>(&probe);
  off = with_run_ ? 4 : 0;
  for (const EpisodeField& f : record::kEpisodeFields) {
    if (!Stored(f, with_fidelity_)) continue;
    if (f.type == Type::kActions) {
      actions_at_ = off, off += 4 * d_;
      continue;
    }
    const char* at = f.type == Type::kInt64     ? reinterpret_cast<const char*>(&(probe.*f.i64))
                     : f.type == Type::kFloat64 ? reinterpret_cast<const char*>(&(probe.*f.f64))
                                                : reinterpret_cast<const char*>(&(probe.*f.i32));
    const size_t from = static_cast<size_t>(at - base), len = record::StoredSize(f.type);
    if (!copies_.empty() && copies_.back().from + copies_.back().len == from && copies_.back().to + copies_.back().len == off)
      copies_.back().len += len;
    else
      copies_.push_back({from, off, len});
    off += len;
  }
}

int32_t RowCodec::Run(const char* row) {
  int32_t run;
  std::memcpy(&run, row, 4);
  return run;
}

void RowCodec::Encode(const Episode& e, char* row, int32_t run) const {
  if (with_run_) std::memcpy(row, &run, 4);
  const char* base = reinterpret_cast<const char*>(&e);
  for (const Copy& c : copies_) std::memcpy(row + c.to, base + c.from, c.len);
  std::memcpy(row + actions_at_, e.actions.data(), 4 * d_);
}

void RowCodec::Decode(const char* row, Episode* e) const {
  size_t off = with_run_ ? 4 : 0;
  for (const EpisodeField& f : record::kEpisodeFields) {
    if (!Stored(f, with_fidelity_)) {
      e->*f.i32 = f.missing;
      continue;
    }
    switch (f.type) {
      case Type::kInt64: std::memcpy(&(e->*f.i64), row + off, 8), off += 8; break;
      case Type::kFloat64: std::memcpy(&(e->*f.f64), row + off, 8), off += 8; break;
      case Type::kInt32: std::memcpy(&(e->*f.i32), row + off, 4), off += 4; break;
      case Type::kActions:
        (e->*f.actions).resize(d_);
        std::memcpy((e->*f.actions).data(), row + off, 4 * d_), off += 4 * d_;
        break;
    }
  }
}

h5::Handle CurveType() {
  h5::Handle t(H5Tcreate(H5T_COMPOUND, sizeof(CurvePoint)));
  const CurvePoint c;
  const char* base = reinterpret_cast<const char*>(&c);
  for (const record::CurveField& f : record::kCurveFields) {
    const char* at = f.type == Type::kFloat64 ? reinterpret_cast<const char*>(&(c.*f.f64))
                                              : reinterpret_cast<const char*>(&(c.*f.i64));
    H5Tinsert(t.get(), f.name, static_cast<size_t>(at - base), NativeType(f.type));
  }
  return t;
}

h5::Handle RunCurveType() {
  const h5::Handle curve = CurveType();
  h5::Handle t(H5Tcreate(H5T_COMPOUND, kRunCurveSize));
  H5Tinsert(t.get(), "run", 0, H5T_NATIVE_INT32);
  const int n = H5Tget_nmembers(curve.get());
  for (int m = 0; m < n; ++m) {
    char* name = H5Tget_member_name(curve.get(), m);
    H5Tinsert(t.get(), name, 4 + H5Tget_member_offset(curve.get(), m), NativeType(record::kCurveFields[m].type));
    H5free_memory(name);
  }
  return t;
}

void EncodeRunCurve(int32_t run, const CurvePoint& c, char* row) {
  std::memcpy(row, &run, 4);
  std::memcpy(row + 4, &c, sizeof c);
}

void DecodeRunCurve(const char* row, int32_t* run, CurvePoint* c) {
  std::memcpy(run, row, 4);
  std::memcpy(c, row + 4, sizeof *c);
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
                         bool* has_fidelity, bool with_run) {
  h5::Handle type(H5Dget_type(dataset));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_COMPOUND)
    return Invalid(path, absl::StrCat(name, " is not a compound dataset of episodes"));
  for (const EpisodeField& f : record::kEpisodeFields)  // a layout of an older nas is named as such
    if (f.type != Type::kActions && !f.trailing_optional && H5Tget_member_index(type.get(), f.name) < 0)
      return Invalid(path, absl::StrCat(name, " has no field '", f.name,
                                        "' (written by an older nas with another episode layout; re-run it)"));
  const int n = H5Tget_nmembers(type.get());
  const bool fidelity = H5Tget_member_index(type.get(), OptionalField()) >= 0;
  const int d = n - kFixedFields - fidelity - (with_run ? 1 : 0);
  if (d < 1) return Invalid(path, absl::StrCat(name, " has ", n, " fields; expected ", kFixedFields, " + actions"));
  RowCodec expected(d, fidelity, with_run);
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
