// The pickle parser (PickleDocument::Parse); PickleValue helpers are in pickle_value.cc.
#include "nas/util/pickle.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/util/status.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "nas/util/pickle.cc assumes a little-endian host"
#endif

namespace nas {
namespace {

constexpr int kMaxProtocol = 5;

// Names of the opcodes we do not support, for error messages.
const char* UnsupportedOpcodeName(uint8_t op) {
  switch (op) {
    case 'I': return "INT";
    case 'L': return "LONG";
    case 'F': return "FLOAT";
    case 'S': return "STRING";
    case 'V': return "UNICODE";
    case 'p': return "PUT";
    case 'g': return "GET";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return nullptr;
  }
}

uint64_t LoadLe(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Appends the code point `cp` to `out` as Latin-1; false when it is above 255.
bool Utf8ToLatin1(absl::string_view in, std::string* out) {
  for (size_t i = 0; i < in.size();) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < in.size()) {
      const uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(in[i + 1]) & 0x3Fu);
      if (cp > 0xFF) return false;
      out->push_back(static_cast<char>(cp));
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

class PickleParser {
 public:
  explicit PickleParser(absl::string_view data)
      : data_(reinterpret_cast<const unsigned char*>(data.data())), size_(data.size()) {}

  absl::StatusOr<std::unique_ptr<PickleDocument>> Run() {
    doc_.reset(new PickleDocument());
    while (true) {
      if (pos_ >= size_) return Error("truncated input: no STOP opcode");
      op_offset_ = pos_;
      const uint8_t op = data_[pos_++];
      if (op == '.') {
        if (stack_.empty()) return Error("STOP with an empty stack");
        doc_->root_ = stack_.back();
        return std::move(doc_);
      }
      absl::Status s = Step(op);
      if (!s.ok()) return s;
    }
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("pickle: ", what, " at offset ", op_offset_));
  }
  absl::Status Truncated(absl::string_view opname) const {
    return Error(absl::StrCat("truncated input in ", opname));
  }

  bool Read(size_t n, const unsigned char** p) {
    if (n > size_ - pos_) return false;
    *p = data_ + pos_;
    pos_ += n;
    return true;
  }
  bool ReadUint(int n, uint64_t* v) {
    const unsigned char* p;
    if (!Read(static_cast<size_t>(n), &p)) return false;
    *v = LoadLe(p, n);
    return true;
  }
  bool ReadLine(std::string* line) {
    const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
    if (nl == nullptr) return false;
    const size_t end = static_cast<const unsigned char*>(nl) - data_;
    line->assign(reinterpret_cast<const char*>(data_ + pos_), end - pos_);
    pos_ = end + 1;
    return true;
  }

  PickleValue* New(PickleKind kind) {
    doc_->nodes_.emplace_back();
    PickleValue* v = &doc_->nodes_.back();
    v->kind = kind;
    return v;
  }
  void Push(PickleValue* v) { stack_.push_back(v); }
  absl::Status Pop(PickleValue** v, const char* opname) {
    const size_t floor = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() <= floor) return Error(absl::StrCat("stack underflow in ", opname));
    *v = stack_.back();
    stack_.pop_back();
    return absl::OkStatus();
  }
  // Pops everything above the last MARK (and the mark).
  absl::Status PopMark(std::vector<PickleValue*>* items, const char* opname) {
    if (marks_.empty()) return Error(absl::StrCat(opname, " without a MARK"));
    const size_t mark = marks_.back();
    marks_.pop_back();
    items->assign(stack_.begin() + mark, stack_.end());
    stack_.resize(mark);
    return absl::OkStatus();
  }
  absl::Status Top(PickleValue** v, const char* opname) {
    const size_t floor = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() <= floor) return Error(absl::StrCat("stack underflow in ", opname));
    *v = stack_.back();
    return absl::OkStatus();
  }

  absl::Status PushString(PickleKind kind, int len_bytes, const char* opname) {
    uint64_t n;
    const unsigned char* p;
    if (!ReadUint(len_bytes, &n) || n > size_ - pos_ || !Read(static_cast<size_t>(n), &p)) return Truncated(opname);
    PickleValue* v = New(kind);
    v->text.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    Push(v);
    return absl::OkStatus();
  }

  absl::Status PushInt(int64_t value) {
    PickleValue* v = New(PickleKind::kInt);
    v->int_value = value;
    Push(v);
    return absl::OkStatus();
  }

  absl::Status PushLong(int len_bytes, const char* opname) {
    uint64_t n;
    const unsigned char* p;
    if (!ReadUint(len_bytes, &n) || n > size_ - pos_ || !Read(static_cast<size_t>(n), &p)) return Truncated(opname);
    if (n > 8) return Error(absl::StrCat(opname, ": integer of ", n, " bytes does not fit in int64"));
    uint64_t u = LoadLe(p, static_cast<int>(n));
    if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t{0} << (8 * n);  // sign-extend
    return PushInt(static_cast<int64_t>(u));
  }

  absl::Status Store(uint64_t index, const char* opname) {
    PickleValue* v = nullptr;
    NAS_RETURN_IF_ERROR(Top(&v, opname));
    memo_[index] = v;
    return absl::OkStatus();
  }
  absl::Status Fetch(uint64_t index, const char* opname) {
    auto it = memo_.find(index);
    if (it == memo_.end()) return Error(absl::StrCat(opname, ": memo entry ", index, " was never stored"));
    Push(it->second);
    return absl::OkStatus();
  }

  // Adds `items` to a list (or object / set) `target`.
  absl::Status Extend(PickleValue* target, const std::vector<PickleValue*>& items, const char* opname) {
    if (target->kind != PickleKind::kList && target->kind != PickleKind::kObject &&
        !(target->kind == PickleKind::kSet && std::strcmp(opname, "ADDITEMS") == 0))
      return Error(absl::StrCat(opname, " on a ", PickleKindName(target->kind)));
    target->items.insert(target->items.end(), items.begin(), items.end());
    return absl::OkStatus();
  }
  absl::Status SetItems(PickleValue* target, const std::vector<PickleValue*>& items, const char* opname) {
    if (target->kind != PickleKind::kDict && target->kind != PickleKind::kObject)
      return Error(absl::StrCat(opname, " on a ", PickleKindName(target->kind)));
    if (items.size() % 2 != 0) return Error(absl::StrCat(opname, " with an odd number of items"));
    for (size_t i = 0; i < items.size(); i += 2) target->entries.emplace_back(items[i], items[i + 1]);
    return absl::OkStatus();
  }

  PickleValue* MakeSequence(PickleKind kind, const std::vector<PickleValue*>& items) {
    PickleValue* v = New(kind);
    v->items.assign(items.begin(), items.end());
    return v;
  }

  // numpy.core.multiarray.scalar(dtype, bytes) -> a number node, or nullptr when not a known scalar.
  PickleValue* NumpyScalar(const PickleValue& args) {
    if (args.items.size() != 2) return nullptr;
    const PickleValue& dtype = *args.items[0];
    const PickleValue& raw = *args.items[1];
    if (dtype.kind != PickleKind::kObject || dtype.text != "numpy.dtype" || dtype.items.empty() ||
        dtype.items[0]->kind != PickleKind::kStr || raw.kind != PickleKind::kBytes)
      return nullptr;
    const std::string& code = dtype.items[0]->text;
    char order = '|';
    if (dtype.state != nullptr && dtype.state->kind == PickleKind::kTuple && dtype.state->items.size() > 1 &&
        dtype.state->items[1]->kind == PickleKind::kStr && dtype.state->items[1]->text.size() == 1)
      order = dtype.state->items[1]->text[0];
    if (code.size() != 2 || code[1] < '1' || code[1] > '8') return nullptr;
    const char type = code[0];
    const size_t size = static_cast<size_t>(code[1] - '0');
    if (raw.text.size() != size) return nullptr;
    unsigned char b[8];
    std::memcpy(b, raw.text.data(), size);
    if (order == '>')
      for (size_t i = 0; i < size / 2; ++i) std::swap(b[i], b[size - 1 - i]);
    const uint64_t u = LoadLe(b, static_cast<int>(size));
    PickleValue* v = nullptr;
    if (type == 'f' && (size == 8 || size == 4)) {
      v = New(PickleKind::kFloat);
      if (size == 8) {
        std::memcpy(&v->float_value, b, 8);
      } else {
        float f;
        std::memcpy(&f, b, 4);
        v->float_value = f;
      }
    } else if (type == 'i' && (size == 1 || size == 2 || size == 4 || size == 8)) {
      uint64_t s = u;
      if (size < 8 && (b[size - 1] & 0x80)) s |= ~uint64_t{0} << (8 * size);
      v = New(PickleKind::kInt);
      v->int_value = static_cast<int64_t>(s);
    } else if (type == 'u' && (size == 1 || size == 2 || size == 4 || (size == 8 && !(b[7] & 0x80)))) {
      v = New(PickleKind::kInt);
      v->int_value = static_cast<int64_t>(u);
    } else if (type == 'b' && size == 1) {
      v = New(PickleKind::kBool);
      v->bool_value = b[0] != 0;
    }
    return v;
  }

  absl::Status Reduce() {
    PickleValue *args = nullptr, *callable = nullptr;
    NAS_RETURN_IF_ERROR(Pop(&args, "REDUCE"));
    NAS_RETURN_IF_ERROR(Pop(&callable, "REDUCE"));
    if (args->kind != PickleKind::kTuple)
      return Error(absl::StrCat("REDUCE arguments are a ", PickleKindName(args->kind), ", not a tuple"));
    if (callable->kind != PickleKind::kGlobal)
      return Error(absl::StrCat("REDUCE callable is a ", PickleKindName(callable->kind), ", not a global"));
    const std::string& name = callable->text;
    if (name == "collections.OrderedDict" && args->items.size() <= 1) {
      PickleValue* d = New(PickleKind::kDict);
      d->text = name;
      if (args->items.size() == 1) {
        const PickleValue& pairs = *args->items[0];
        if (!pairs.is_sequence()) return Error("OrderedDict argument is not a list of pairs");
        for (const PickleValue* p : pairs.items) {
          if (!p->is_sequence() || p->items.size() != 2) return Error("OrderedDict argument is not a list of pairs");
          d->entries.emplace_back(p->items[0], p->items[1]);
        }
      }
      Push(d);
      return absl::OkStatus();
    }
    if ((name == "builtins.set" || name == "builtins.frozenset" || name == "__builtin__.set" ||
         name == "__builtin__.frozenset") &&
        args->items.size() <= 1) {
      PickleValue* s = New(PickleKind::kSet);
      if (args->items.size() == 1) {
        if (!args->items[0]->is_sequence()) return Error("set argument is not a list");
        s->items = args->items[0]->items;
      }
      Push(s);
      return absl::OkStatus();
    }
    if (name == "_codecs.encode" && args->items.size() == 2 && args->items[0]->is_str() &&
        args->items[1]->is_str() && (args->items[1]->text == "latin1" || args->items[1]->text == "latin-1")) {
      PickleValue* b = New(PickleKind::kBytes);
      if (!Utf8ToLatin1(args->items[0]->text, &b->text)) return Error("_codecs.encode: text is not Latin-1");
      Push(b);
      return absl::OkStatus();
    }
    if (name == "numpy.core.multiarray.scalar" || name == "numpy._core.multiarray.scalar") {
      if (PickleValue* v = NumpyScalar(*args)) {
        Push(v);
        return absl::OkStatus();
      }
    }
    PickleValue* obj = New(PickleKind::kObject);
    obj->text = name;
    obj->items = args->items;
    Push(obj);
    return absl::OkStatus();
  }

  absl::Status Step(uint8_t op);

  const unsigned char* data_;
  size_t size_;
  size_t pos_ = 0;
  size_t op_offset_ = 0;
  std::unique_ptr<PickleDocument> doc_;
  std::vector<PickleValue*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleValue*> memo_;
};

absl::Status PickleParser::Step(uint8_t op) {
  uint64_t n = 0;
  const unsigned char* p = nullptr;
  PickleValue *a = nullptr, *b = nullptr, *c = nullptr;
  std::vector<PickleValue*> items;
  switch (op) {
    case 0x80: {  // PROTO
      if (!Read(1, &p)) return Truncated("PROTO");
      if (p[0] > kMaxProtocol) return Error(absl::StrCat("unsupported pickle protocol ", p[0]));
      return absl::OkStatus();
    }
    case 0x95:  // FRAME: the frame length is only a hint for buffering.
      if (!ReadUint(8, &n)) return Truncated("FRAME");
      return absl::OkStatus();
    case '(':  // MARK
      marks_.push_back(stack_.size());
      return absl::OkStatus();
    case '0':  // POP
      return Pop(&a, "POP");
    case '1':  // POP_MARK
      return PopMark(&items, "POP_MARK");
    case '2':  // DUP
      NAS_RETURN_IF_ERROR(Top(&a, "DUP"));
      Push(a);
      return absl::OkStatus();
    case 'N':
      Push(New(PickleKind::kNone));
      return absl::OkStatus();
    case 0x88:  // NEWTRUE
    case 0x89:  // NEWFALSE
      a = New(PickleKind::kBool);
      a->bool_value = op == 0x88;
      Push(a);
      return absl::OkStatus();
    case 'J':  // BININT
      if (!ReadUint(4, &n)) return Truncated("BININT");
      return PushInt(static_cast<int32_t>(static_cast<uint32_t>(n)));
    case 'K':  // BININT1
      if (!ReadUint(1, &n)) return Truncated("BININT1");
      return PushInt(static_cast<int64_t>(n));
    case 'M':  // BININT2
      if (!ReadUint(2, &n)) return Truncated("BININT2");
      return PushInt(static_cast<int64_t>(n));
    case 0x8a:
      return PushLong(1, "LONG1");
    case 0x8b:
      return PushLong(4, "LONG4");
    case 'G': {  // BINFLOAT, big-endian
      if (!Read(8, &p)) return Truncated("BINFLOAT");
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
      a = New(PickleKind::kFloat);
      std::memcpy(&a->float_value, &bits, 8);
      Push(a);
      return absl::OkStatus();
    }
    case 'X': return PushString(PickleKind::kStr, 4, "BINUNICODE");
    case 0x8c: return PushString(PickleKind::kStr, 1, "SHORT_BINUNICODE");
    case 0x8d: return PushString(PickleKind::kStr, 8, "BINUNICODE8");
    case 'T': return PushString(PickleKind::kStr, 4, "BINSTRING");
    case 'U': return PushString(PickleKind::kStr, 1, "SHORT_BINSTRING");
    case 'B': return PushString(PickleKind::kBytes, 4, "BINBYTES");
    case 'C': return PushString(PickleKind::kBytes, 1, "SHORT_BINBYTES");
    case 0x8e: return PushString(PickleKind::kBytes, 8, "BINBYTES8");
    case ']':
      Push(New(PickleKind::kList));
      return absl::OkStatus();
    case ')':
      Push(New(PickleKind::kTuple));
      return absl::OkStatus();
    case '}':
      Push(New(PickleKind::kDict));
      return absl::OkStatus();
    case 0x8f:  // EMPTY_SET
      Push(New(PickleKind::kSet));
      return absl::OkStatus();
    case 'l':  // LIST
      NAS_RETURN_IF_ERROR(PopMark(&items, "LIST"));
      Push(MakeSequence(PickleKind::kList, items));
      return absl::OkStatus();
    case 't':  // TUPLE
      NAS_RETURN_IF_ERROR(PopMark(&items, "TUPLE"));
      Push(MakeSequence(PickleKind::kTuple, items));
      return absl::OkStatus();
    case 0x91:  // FROZENSET
      NAS_RETURN_IF_ERROR(PopMark(&items, "FROZENSET"));
      Push(MakeSequence(PickleKind::kSet, items));
      return absl::OkStatus();
    case 0x85:  // TUPLE1
    case 0x86:  // TUPLE2
    case 0x87: {  // TUPLE3
      const int k = op - 0x84;
      const char* name = k == 1 ? "TUPLE1" : k == 2 ? "TUPLE2" : "TUPLE3";
      items.resize(k);
      for (int i = k - 1; i >= 0; --i) NAS_RETURN_IF_ERROR(Pop(&items[i], name));
      Push(MakeSequence(PickleKind::kTuple, items));
      return absl::OkStatus();
    }
    case 'd':  // DICT
      NAS_RETURN_IF_ERROR(PopMark(&items, "DICT"));
      a = New(PickleKind::kDict);
      NAS_RETURN_IF_ERROR(SetItems(a, items, "DICT"));
      Push(a);
      return absl::OkStatus();
    case 'a':  // APPEND
      NAS_RETURN_IF_ERROR(Pop(&b, "APPEND"));
      NAS_RETURN_IF_ERROR(Top(&a, "APPEND"));
      return Extend(a, {b}, "APPEND");
    case 'e':  // APPENDS
      NAS_RETURN_IF_ERROR(PopMark(&items, "APPENDS"));
      NAS_RETURN_IF_ERROR(Top(&a, "APPENDS"));
      return Extend(a, items, "APPENDS");
    case 0x90:  // ADDITEMS
      NAS_RETURN_IF_ERROR(PopMark(&items, "ADDITEMS"));
      NAS_RETURN_IF_ERROR(Top(&a, "ADDITEMS"));
      return Extend(a, items, "ADDITEMS");
    case 's':  // SETITEM
      NAS_RETURN_IF_ERROR(Pop(&c, "SETITEM"));
      NAS_RETURN_IF_ERROR(Pop(&b, "SETITEM"));
      NAS_RETURN_IF_ERROR(Top(&a, "SETITEM"));
      return SetItems(a, {b, c}, "SETITEM");
    case 'u':  // SETITEMS
      NAS_RETURN_IF_ERROR(PopMark(&items, "SETITEMS"));
      NAS_RETURN_IF_ERROR(Top(&a, "SETITEMS"));
      return SetItems(a, items, "SETITEMS");
    case 'c': {  // GLOBAL
      std::string module, name;
      if (!ReadLine(&module) || !ReadLine(&name)) return Truncated("GLOBAL");
      a = New(PickleKind::kGlobal);
      a->text = absl::StrCat(module, ".", name);
      Push(a);
      return absl::OkStatus();
    }
    case 0x93:  // STACK_GLOBAL
      NAS_RETURN_IF_ERROR(Pop(&b, "STACK_GLOBAL"));
      NAS_RETURN_IF_ERROR(Pop(&a, "STACK_GLOBAL"));
      if (!a->is_str() || !b->is_str()) return Error("STACK_GLOBAL module and name are not strings");
      c = New(PickleKind::kGlobal);
      c->text = absl::StrCat(a->text, ".", b->text);
      Push(c);
      return absl::OkStatus();
    case 'R':
      return Reduce();
    case 0x81:    // NEWOBJ
    case 0x92: {  // NEWOBJ_EX
      const char* name = op == 0x81 ? "NEWOBJ" : "NEWOBJ_EX";
      if (op == 0x92) {
        NAS_RETURN_IF_ERROR(Pop(&c, name));
        if (!c->is_dict()) return Error("NEWOBJ_EX keyword arguments are not a dict");
      }
      NAS_RETURN_IF_ERROR(Pop(&b, name));
      NAS_RETURN_IF_ERROR(Pop(&a, name));
      if (b->kind != PickleKind::kTuple) return Error(absl::StrCat(name, " arguments are not a tuple"));
      if (a->kind != PickleKind::kGlobal) return Error(absl::StrCat(name, " class is not a global"));
      PickleValue* obj = New(PickleKind::kObject);
      obj->text = a->text;
      obj->items = b->items;
      if (c != nullptr) obj->entries = c->entries;
      Push(obj);
      return absl::OkStatus();
    }
    case 'b':  // BUILD
      NAS_RETURN_IF_ERROR(Pop(&b, "BUILD"));
      NAS_RETURN_IF_ERROR(Top(&a, "BUILD"));
      if (a->kind != PickleKind::kObject && a->kind != PickleKind::kDict)
        return Error(absl::StrCat("BUILD on a ", PickleKindName(a->kind)));
      a->state = b;
      return absl::OkStatus();
    case 'q':  // BINPUT
      if (!ReadUint(1, &n)) return Truncated("BINPUT");
      return Store(n, "BINPUT");
    case 'r':  // LONG_BINPUT
      if (!ReadUint(4, &n)) return Truncated("LONG_BINPUT");
      return Store(n, "LONG_BINPUT");
    case 0x94:  // MEMOIZE
      return Store(memo_.size(), "MEMOIZE");
    case 'h':  // BINGET
      if (!ReadUint(1, &n)) return Truncated("BINGET");
      return Fetch(n, "BINGET");
    case 'j':  // LONG_BINGET
      if (!ReadUint(4, &n)) return Truncated("LONG_BINGET");
      return Fetch(n, "LONG_BINGET");
    default: {
      const char* name = UnsupportedOpcodeName(op);
      const std::string shown =
          (op >= 0x20 && op < 0x7f) ? absl::StrFormat("0x%02x ('%c')", op, op) : absl::StrFormat("0x%02x", op);
      return Error(name != nullptr ? absl::StrCat("unsupported opcode ", shown, " ", name)
                                   : absl::StrCat("unknown opcode ", shown));
    }
  }
}

absl::StatusOr<std::unique_ptr<PickleDocument>> PickleDocument::Parse(absl::string_view data) {
  return PickleParser(data).Run();
}

}  // namespace nas
