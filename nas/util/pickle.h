// A small, safe reader for Python pickles (protocols 2 to 4, the binary opcodes) that produces a generic value
// tree. It never executes anything: a GLOBAL / STACK_GLOBAL is just a name, and REDUCE / NEWOBJ / BUILD make an
// "object" node holding the class name, the arguments and the state. Two callables are understood, because
// NATS-Bench and NAS-Bench-201 files use them:
//   - collections.OrderedDict() becomes a plain dict (class_name "collections.OrderedDict"), so SETITEMS fill it;
//   - numpy.core.multiarray.scalar(dtype, bytes) (also numpy._core...) with a numpy.dtype of descr '<f8', '<f4',
//     '<i8', '<i4', '<i2', '|i1', '|u1', '<u2', '<u4', '<u8' or '|b1' (either byte order) becomes a float, int or
//     bool node. Other numpy scalars stay objects.
// Every read is bounds-checked; truncated input, an unknown opcode (named with its byte offset), a stack
// underflow, a missing MARK or memo entry, or a value of the wrong kind for an opcode is an error, never a crash.
// Memory is linear in the input size (each opcode creates at most one node).
//
// Values are owned by the PickleDocument; the tree may share nodes (memo) and, for a hostile input, contain
// cycles: code walking it must bound its depth (DebugString does).
#ifndef NAS_UTIL_PICKLE_H_
#define NAS_UTIL_PICKLE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nas {

enum class PickleKind { kNone, kBool, kInt, kFloat, kStr, kBytes, kList, kTuple, kDict, kSet, kGlobal, kObject };

// "None", "bool", "int", "float", "str", "bytes", "list", "tuple", "dict", "set", "global", "object".
const char* PickleKindName(PickleKind kind);

struct PickleValue {
  PickleKind kind = PickleKind::kNone;
  bool bool_value = false;
  int64_t int_value = 0;
  double float_value = 0;
  // kStr: UTF-8 text; kBytes: the bytes; kGlobal: "module.name"; kObject: the class (callable) name;
  // kDict: "" or "collections.OrderedDict".
  std::string text;
  // kList, kTuple, kSet (and frozenset): the elements; kObject: the arguments of REDUCE / NEWOBJ, plus
  // anything APPENDed to it.
  std::vector<const PickleValue*> items;
  // kDict: the entries in insertion order (a repeated key keeps both; Find returns the last); kObject: items
  // set with SETITEM(S).
  std::vector<std::pair<const PickleValue*, const PickleValue*>> entries;
  // kObject: the BUILD state (nullptr when none). kObject from NEWOBJ_EX: kwargs are in `entries`.
  const PickleValue* state = nullptr;

  bool is_none() const { return kind == PickleKind::kNone; }
  bool is_str() const { return kind == PickleKind::kStr; }
  bool is_int() const { return kind == PickleKind::kInt; }
  bool is_dict() const { return kind == PickleKind::kDict; }
  bool is_sequence() const { return kind == PickleKind::kList || kind == PickleKind::kTuple; }

  // Dict lookups (the last entry with an equal key), nullptr when absent or not a dict.
  const PickleValue* Find(absl::string_view key) const;
  const PickleValue* Find(int64_t key) const;
  // Dict lookup of a 2-tuple key (str, int), e.g. NATS-Bench's ('cifar10-valid', 777).
  const PickleValue* Find(absl::string_view first, int64_t second) const;

  // The number as a double (float, int or bool); false for any other kind.
  bool AsDouble(double* out) const;
};

// Equality of keys as Python would see it for the kinds used as dict keys (None, bool, int, float, str, bytes,
// tuple of those; int 1 == float 1.0 == True). Depth-limited, and keys of more than 65,536 nodes (possible
// through the memo: shared sub-tuples) compare unequal.
bool PickleKeyEquals(const PickleValue& a, const PickleValue& b);

// A Python-like repr, e.g. {'a': [1, 2.5, None], ('x', 7): b'\x00'}; numbers in shortest round-trip form
// where possible (%.17g). Nesting deeper than `max_depth` prints "...", and so does everything after the
// first 64 KiB of output (a value that holds itself, or shares sub-values, would otherwise print forever).
std::string PickleDebugString(const PickleValue& value, int max_depth = 32);

class PickleDocument {
 public:
  // Parses one pickle (up to and including its STOP opcode; trailing bytes are ignored, as Python's
  // pickle.loads does). Errors are "pickle: <what> at offset N" without a file name: callers add it.
  static absl::StatusOr<std::unique_ptr<PickleDocument>> Parse(absl::string_view data);

  const PickleValue& root() const { return *root_; }
  size_t num_nodes() const { return nodes_.size(); }

 private:
  friend class PickleParser;
  PickleDocument() = default;
  std::deque<PickleValue> nodes_;
  const PickleValue* root_ = nullptr;
};

}  // namespace nas

#endif  // NAS_UTIL_PICKLE_H_
