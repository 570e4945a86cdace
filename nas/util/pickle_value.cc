// PickleValue accessors, key equality and the debug repr (the parser is in pickle.cc).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/util/pickle.h"

namespace nas {

const char* PickleKindName(PickleKind kind) {
  switch (kind) {
    case PickleKind::kNone: return "None";
    case PickleKind::kBool: return "bool";
    case PickleKind::kInt: return "int";
    case PickleKind::kFloat: return "float";
    case PickleKind::kStr: return "str";
    case PickleKind::kBytes: return "bytes";
    case PickleKind::kList: return "list";
    case PickleKind::kTuple: return "tuple";
    case PickleKind::kDict: return "dict";
    case PickleKind::kSet: return "set";
    case PickleKind::kGlobal: return "global";
    case PickleKind::kObject: return "object";
  }
  return "?";
}

const PickleValue* PickleValue::Find(absl::string_view key) const {
  if (kind != PickleKind::kDict) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->first->kind == PickleKind::kStr && it->first->text == key) return it->second;
  return nullptr;
}

const PickleValue* PickleValue::Find(int64_t key) const {
  if (kind != PickleKind::kDict) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->first->kind == PickleKind::kInt && it->first->int_value == key) return it->second;
  return nullptr;
}

const PickleValue* PickleValue::Find(absl::string_view first, int64_t second) const {
  if (kind != PickleKind::kDict) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const PickleValue& k = *it->first;
    if (k.kind == PickleKind::kTuple && k.items.size() == 2 && k.items[0]->kind == PickleKind::kStr &&
        k.items[0]->text == first && k.items[1]->kind == PickleKind::kInt && k.items[1]->int_value == second)
      return it->second;
  }
  return nullptr;
}

bool PickleValue::AsDouble(double* out) const {
  switch (kind) {
    case PickleKind::kFloat: *out = float_value; return true;
    case PickleKind::kInt: *out = static_cast<double>(int_value); return true;
    case PickleKind::kBool: *out = bool_value ? 1.0 : 0.0; return true;
    default: return false;
  }
}

namespace {

// A pickle's memo lets one value appear many times (a tuple of the same tuple twice, 32 levels deep, is 2^32
// nodes in a 100-byte file; a dict can even hold itself): walks are bounded by nodes visited, not only depth.
constexpr int64_t kMaxKeyNodes = int64_t{1} << 16;
constexpr size_t kMaxReprChars = size_t{1} << 16;

bool KeyEquals(const PickleValue& a, const PickleValue& b, int depth, int64_t* budget) {
  if (depth <= 0 || --*budget < 0) return false;
  double x, y;
  if (a.AsDouble(&x) && b.AsDouble(&y)) {
    if (a.kind != PickleKind::kFloat && b.kind != PickleKind::kFloat) {
      const int64_t ia = a.kind == PickleKind::kBool ? a.bool_value : a.int_value;
      const int64_t ib = b.kind == PickleKind::kBool ? b.bool_value : b.int_value;
      return ia == ib;
    }
    return x == y;
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case PickleKind::kNone: return true;
    case PickleKind::kStr:
    case PickleKind::kBytes:
    case PickleKind::kGlobal: return a.text == b.text;
    case PickleKind::kTuple:
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i)
        if (!KeyEquals(*a.items[i], *b.items[i], depth - 1, budget)) return false;
      return true;
    default: return &a == &b;
  }
}

void AppendRepr(const PickleValue& v, int depth, std::string* out) {
  if (depth < 0 || out->size() > kMaxReprChars) {
    out->append("...");
    return;
  }
  auto quoted = [out](const std::string& s, bool bytes) {
    if (bytes) out->push_back('b');
    out->push_back('\'');
    for (unsigned char c : s) {
      if (c == '\'' || c == '\\') {
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
      } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
        absl::StrAppend(out, absl::StrFormat("\\x%02x", c));
      } else {
        out->push_back(static_cast<char>(c));
      }
    }
    out->push_back('\'');
  };
  auto seq = [&](const std::vector<const PickleValue*>& items, const char* open, const char* close) {
    out->append(open);
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out->append(", ");
      AppendRepr(*items[i], depth - 1, out);
    }
    out->append(close);
  };
  auto dict = [&](const PickleValue& d) {
    out->push_back('{');
    for (size_t i = 0; i < d.entries.size(); ++i) {
      if (i) out->append(", ");
      AppendRepr(*d.entries[i].first, depth - 1, out);
      out->append(": ");
      AppendRepr(*d.entries[i].second, depth - 1, out);
    }
    out->push_back('}');
  };
  switch (v.kind) {
    case PickleKind::kNone: out->append("None"); break;
    case PickleKind::kBool: out->append(v.bool_value ? "True" : "False"); break;
    case PickleKind::kInt: absl::StrAppend(out, v.int_value); break;
    case PickleKind::kFloat: {
      char buf[40];
      for (int precision = 15; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof(buf), "%.*g", precision, v.float_value);
        if (std::strtod(buf, nullptr) == v.float_value) break;
      }
      out->append(buf);
      if (std::strpbrk(buf, ".eni") == nullptr) out->append(".0");
      break;
    }
    case PickleKind::kStr: quoted(v.text, false); break;
    case PickleKind::kBytes: quoted(v.text, true); break;
    case PickleKind::kList: seq(v.items, "[", "]"); break;
    case PickleKind::kTuple: seq(v.items, "(", v.items.size() == 1 ? ",)" : ")"); break;
    case PickleKind::kSet: seq(v.items, "{", "}"); break;
    case PickleKind::kDict:
      if (!v.text.empty()) absl::StrAppend(out, v.text, "(");
      dict(v);
      if (!v.text.empty()) out->push_back(')');
      break;
    case PickleKind::kGlobal: absl::StrAppend(out, "<", v.text, ">"); break;
    case PickleKind::kObject:
      absl::StrAppend(out, v.text);
      seq(v.items, "(", ")");
      if (!v.entries.empty()) dict(v);
      if (v.state != nullptr) {
        out->append(".__setstate__(");
        AppendRepr(*v.state, depth - 1, out);
        out->push_back(')');
      }
      break;
  }
}

}  // namespace

bool PickleKeyEquals(const PickleValue& a, const PickleValue& b) {
  int64_t budget = kMaxKeyNodes;
  return KeyEquals(a, b, 32, &budget);
}

std::string PickleDebugString(const PickleValue& value, int max_depth) {
  std::string out;
  AppendRepr(value, max_depth, &out);
  return out;
}

}  // namespace nas
