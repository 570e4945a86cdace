// Format 4's run tables: /slots, and reading a method's shared episodes and curves datasets back into runs.
#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nas/h5/h5.h"
#include "nas/log/log_chunks.h"
#include "nas/log/log_format.h"
#include "nas/util/status.h"

namespace nas::log_format {
namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string Unescape(absl::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      out += v[i + 1] == 'n' ? '\n' : v[i + 1];
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

std::string AttributeLines(const std::map<std::string, std::string>& attributes) {
  std::string out;
  for (const auto& [key, value] : attributes) absl::StrAppend(&out, key, "=", Escape(value), "\n");
  return out;
}

h5::Handle FixedString(size_t size) {
  h5::Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), std::max<size_t>(size, 1));
  H5Tset_strpad(t.get(), H5T_STR_NULLPAD);
  return t;
}

struct SlotLayout {
  size_t label = 1, method = 1, attributes = 1;
  size_t size() const { return label + method + 4 + attributes; }
};

}  // namespace

absl::Status WriteSlots(hid_t file, const std::string& path, const SlotSource& slots, bool checksum) {
  SlotLayout l;
  for (int64_t i = 0; i < slots.count; ++i) {
    const RunSlot s = slots.at(i);
    l.label = std::max(l.label, s.label.size());
    l.method = std::max(l.method, s.method.size());
    l.attributes = std::max(l.attributes, AttributeLines(s.attributes).size());
  }
  h5::Handle type(H5Tcreate(H5T_COMPOUND, l.size()));
  H5Tinsert(type.get(), "label", 0, FixedString(l.label).get());
  H5Tinsert(type.get(), "method", l.label, FixedString(l.method).get());
  H5Tinsert(type.get(), "run", l.label + l.method, H5T_NATIVE_INT32);
  H5Tinsert(type.get(), "attributes", l.label + l.method + 4, FixedString(l.attributes).get());
  // Extendible in shape only (a log of no runs still has a chunked /slots); written once, before any episode.
  const hsize_t n = static_cast<hsize_t>(slots.count), max = H5S_UNLIMITED,
                chunk = std::max<hsize_t>(1, std::min<hsize_t>(n, 1024));
  h5::Handle space(H5Screate_simple(1, &n, &max));
  h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_obj_track_times(dcpl.get(), false);
  H5Pset_chunk(dcpl.get(), 1, &chunk);
  log_chunks::SetFilters(dcpl.get(), checksum);
  h5::Handle ds(H5Dcreate2(file, "/slots", type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!ds.valid())
    return absl::DataLossError(absl::StrCat(path, ": cannot create /slots (HDF5: ", h5::LastErrorDetail(), ")"));
  // A chunk's rows at a time: the memory does not grow with the number of runs.
  std::vector<char> bytes;
  for (hsize_t first = 0; first < n; first += chunk) {
    const hsize_t count = std::min(chunk, n - first);
    bytes.assign(count * l.size(), 0);
    for (hsize_t k = 0; k < count; ++k) {
      const RunSlot s = slots.at(static_cast<int64_t>(first + k));
      const std::string attrs = AttributeLines(s.attributes);
      char* row = &bytes[k * l.size()];
      std::memcpy(row, s.label.data(), s.label.size());
      std::memcpy(row + l.label, s.method.data(), s.method.size());
      std::memcpy(row + l.label + l.method, &s.run, 4);
      std::memcpy(row + l.label + l.method + 4, attrs.data(), attrs.size());
    }
    h5::Handle file_space(H5Dget_space(ds.get()));
    h5::Handle mem_space(H5Screate_simple(1, &count, nullptr));
    if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr) < 0 ||
        H5Dwrite(ds.get(), type.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, bytes.data()) < 0)
      return absl::DataLossError(absl::StrCat(path, ": cannot write /slots (HDF5: ", h5::LastErrorDetail(), ")"));
  }
  return absl::OkStatus();
}

absl::Status ReadSlots(hid_t file, const std::string& path, std::vector<RunLog>* runs) {
  h5::Handle ds(H5Dopen2(file, "/slots", H5P_DEFAULT));
  if (!ds.valid()) return absl::DataLossError(absl::StrCat(path, ": cannot open /slots"));
  h5::Handle type(H5Dget_type(ds.get()));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_COMPOUND)
    return Invalid(path, "/slots is not a compound dataset");
  struct Member {
    const char* name;
    size_t offset = 0, size = 0;
  } members[] = {{"label"}, {"method"}, {"run"}, {"attributes"}};
  for (Member& m : members) {
    const int i = H5Tget_member_index(type.get(), m.name);
    if (i < 0) return Invalid(path, absl::StrCat("/slots has no field '", m.name, "'"));
    h5::Handle mt(H5Tget_member_type(type.get(), static_cast<unsigned>(i)));
    m.offset = H5Tget_member_offset(type.get(), static_cast<unsigned>(i));
    m.size = H5Tget_size(mt.get());
    const bool is_run = std::strcmp(m.name, "run") == 0;
    if ((is_run && (H5Tget_class(mt.get()) != H5T_INTEGER || m.size != 4)) ||
        (!is_run && H5Tget_class(mt.get()) != H5T_STRING))
      return Invalid(path, absl::StrCat("/slots: field '", m.name, "' has another type"));
  }
  const size_t row = H5Tget_size(type.get());
  std::vector<char> bytes;
  int64_t n = 0;
  NAS_RETURN_IF_ERROR(ReadRows(file, path, "/slots", type.get(), row, -1, &bytes, &n));
  auto text = [&](int64_t i, const Member& m) {
    const char* p = &bytes[i * row + m.offset];
    return std::string(p, strnlen(p, m.size));
  };
  runs->resize(n);
  for (int64_t i = 0; i < n; ++i) {
    RunLog& r = (*runs)[i];
    r.label = text(i, members[0]);
    r.method = text(i, members[1]);
    std::memcpy(&r.run, &bytes[i * row + members[2].offset], 4);
    if (r.label.empty() || r.run < 0)
      return Invalid(path, absl::StrCat("/slots row ", i, " is not valid (label '", r.label, "', run ", r.run, ")"));
    for (absl::string_view line : absl::StrSplit(text(i, members[3]), '\n', absl::SkipEmpty())) {
      const size_t eq = line.find('=');
      if (eq == absl::string_view::npos)
        return Invalid(path, absl::StrCat("/slots row ", i, ": attribute line '", line, "' has no '='"));
      r.attributes[std::string(line.substr(0, eq))] = Unescape(line.substr(eq + 1));
    }
  }
  return absl::OkStatus();
}

absl::Status OpenRows(hid_t file, const std::string& path, const std::string& name, int64_t* count, h5::Handle* ds,
                      h5::Handle* space) {
  *ds = h5::Handle(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
  if (!ds->valid()) return absl::DataLossError(absl::StrCat(path, ": cannot open ", name));
  *space = h5::Handle(H5Dget_space(ds->get()));
  hsize_t n = 0;
  if (H5Sget_simple_extent_ndims(space->get()) != 1 || H5Sget_simple_extent_dims(space->get(), &n, nullptr) < 0)
    return Invalid(path, absl::StrCat(name, " is not 1-D"));
  if (*count < 0) *count = static_cast<int64_t>(n);
  if (static_cast<hsize_t>(*count) > n)
    return absl::DataLossError(absl::StrCat(path, ": ", name, " holds ", n, " rows but ", *count,
                                            " are recorded as acknowledged in /progress (corrupt or truncated log)"));
  return absl::OkStatus();
}

absl::Status ReadRows(hid_t file, const std::string& path, const std::string& name, hid_t mem_type, size_t row_size,
                      int64_t count, std::vector<char>* out, int64_t* rows,
                      std::vector<std::pair<int64_t, int64_t>>* bad_rows, std::string* damage) {
  h5::Handle ds, space;
  NAS_RETURN_IF_ERROR(OpenRows(file, path, name, &count, &ds, &space));
  if (static_cast<uint64_t>(count) * row_size > (uint64_t{16} << 30))
    return absl::DataLossError(absl::StrCat(path, ": ", name, ": implausible length ", count, " (corrupt file?)"));
  out->assign(static_cast<size_t>(count) * row_size, 0);
  *rows = count;
  if (count == 0) return absl::OkStatus();
  // Chunk by chunk where chunks can be skipped; else in one read.
  hsize_t step = static_cast<hsize_t>(count);
  if (bad_rows != nullptr) {
    h5::Handle dcpl(H5Dget_create_plist(ds.get()));
    hsize_t chunk = 0;
    if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED && H5Pget_chunk(dcpl.get(), 1, &chunk) == 1 && chunk > 0)
      step = chunk;
  }
  for (hsize_t start = 0; start < static_cast<hsize_t>(count); start += step) {
    const hsize_t c = std::min<hsize_t>(step, static_cast<hsize_t>(count) - start);
    h5::Handle mem(H5Screate_simple(1, &c, nullptr));
    if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &c, nullptr) < 0 ||
        H5Dread(ds.get(), mem_type, mem.get(), space.get(), H5P_DEFAULT, out->data() + start * row_size) < 0) {
      absl::Status error = ReadError(path, name);
      if (bad_rows == nullptr) return error;
      std::memset(out->data() + start * row_size, 0, c * row_size);
      bad_rows->push_back({static_cast<int64_t>(start), static_cast<int64_t>(start + c)});
      if (damage->empty()) *damage = std::string(error.message());
    }
  }
  return absl::OkStatus();
}

absl::Status ReadRunTables(hid_t file, const std::string& path, const std::vector<Progress>* progress,
                           bool keep_intact, LogFile* log) {
  std::vector<RunLog>& runs = log->runs;
  // The slots of each label, and each (label, run)'s slot.
  std::map<std::string, std::map<int32_t, int>> slot_of;
  for (int s = 0; s < static_cast<int>(runs.size()); ++s)
    if (!slot_of[runs[s].label].insert({runs[s].run, s}).second)
      return Invalid(path, absl::StrCat("/slots lists run ", runs[s].label, "/", runs[s].run, " twice"));
  std::vector<int64_t> got(runs.size(), 0), got_curves(runs.size(), 0);
  for (const auto& [label, slots] : slot_of) {
    const std::string group = absl::StrCat("/runs/", label);
    const std::string name = group + "/episodes", curves = group + "/curves";
    int64_t acked = 0, acked_curves = 0;
    for (const auto& [run, s] : slots)
      if (progress) acked += (*progress)[s].episodes, acked_curves += (*progress)[s].curve_rows;
    std::string damage;
    std::vector<std::pair<int64_t, int64_t>> bad;
    {
      h5::Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
      if (!ds.valid()) return absl::DataLossError(absl::StrCat(path, ": cannot open ", name));
      int d = 0;
      bool has_fidelity = true;
      NAS_RETURN_IF_ERROR(DecisionsOf(ds.get(), path, name, &d, &has_fidelity, /*with_run=*/true));
      if (log->num_decisions == 0) log->num_decisions = d;
      const RowCodec codec(d, has_fidelity, /*with_run=*/true);
      std::vector<char> rows;
      int64_t n = 0;
      NAS_RETURN_IF_ERROR(ReadRows(file, path, name, codec.type(), codec.size(), progress ? acked : -1, &rows, &n,
                                   keep_intact ? &bad : nullptr, &damage));
      size_t b = 0;
      for (int64_t i = 0; i < n; ++i) {
        while (b < bad.size() && bad[b].second <= i) ++b;
        if (b < bad.size() && bad[b].first <= i) continue;  // in a chunk that cannot be read
        const char* row = rows.data() + i * codec.size();
        auto it = slots.find(RowCodec::Run(row));
        if (it == slots.end())
          return absl::DataLossError(absl::StrCat(path, ": ", name, ": row ", i, " belongs to run ",
                                                  RowCodec::Run(row), ", which /slots does not list (corrupt log)"));
        RunLog& r = runs[it->second];
        r.episodes.emplace_back();
        codec.Decode(row, &r.episodes.back());
        r.has_fidelity = has_fidelity;
        ++got[it->second];
      }
    }
    const h5::Handle ctype = RunCurveType();
    std::vector<char> bytes;
    int64_t m = 0;
    std::vector<std::pair<int64_t, int64_t>> bad_curves;
    NAS_RETURN_IF_ERROR(ReadRows(file, path, curves, ctype.get(), kRunCurveSize, progress ? acked_curves : -1, &bytes,
                                 &m, keep_intact ? &bad_curves : nullptr, &damage));
    size_t b = 0;
    for (int64_t k = 0; k < m; ++k) {
      while (b < bad_curves.size() && bad_curves[b].second <= k) ++b;
      if (b < bad_curves.size() && bad_curves[b].first <= k) continue;
      int32_t run = 0;
      CurvePoint c;
      DecodeRunCurve(bytes.data() + k * kRunCurveSize, &run, &c);
      auto it = slots.find(run);
      if (it == slots.end())
        return absl::DataLossError(absl::StrCat(path, ": ", curves, ": row ", k, " belongs to run ", run,
                                                ", which /slots does not list (corrupt log)"));
      RunLog& r = runs[it->second];
      ++got_curves[it->second];
      if (c.episode < 0) return Invalid(path, absl::StrCat(curves, ": negative episode"));
      if (c.episode < static_cast<int64_t>(r.episodes.size())) {
        r.episodes[c.episode].curve.push_back(c);
      } else if (progress && bad.empty()) {
        return absl::DataLossError(absl::StrCat(path, ": ", curves, ": acknowledged row ", k, " belongs to episode ",
                                                c.episode, " of run ", label, "/", run, ", beyond its ",
                                                r.episodes.size(), " acknowledged episodes"));
      }
    }
    // A run short of its acknowledged rows had rows in a chunk that could not be read.
    for (const auto& [run, s] : slots) {
      if (!progress) {  // no counts to check against: every run of the label may miss rows
        if (!damage.empty()) runs[s].damage = damage, runs[s].episodes.clear();
        continue;
      }
      const Progress& p = (*progress)[s];
      if (got[s] == p.episodes && got_curves[s] == p.curve_rows) continue;
      if (damage.empty())
        return absl::DataLossError(absl::StrCat(path, ": ", name, ": run ", label, "/", run, " has ", got[s],
                                                " rows, /progress acknowledges ", p.episodes, " (corrupt log)"));
      runs[s].damage = damage;
      runs[s].episodes.clear();
    }
  }
  return absl::OkStatus();
}

}  // namespace nas::log_format
