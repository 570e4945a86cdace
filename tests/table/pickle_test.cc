// nas/util/pickle.h on byte strings made by CPython 3.11's pickle (protocols 2 and 4) and crafted by hand.
#include "nas/util/pickle.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"

namespace nas {
namespace {

// pickle.dumps({'a': [1, 2.5, None, True], 'b': (1, 'x'), 'c': b'\x00\xff', -3: 2**40, 'big': -2**63,
//               'neg': -1e-300}, protocol=2): BINPUT memo, LONG1, BINUNICODE, _codecs.encode for bytes.
const std::string kProtocol2(
    "\x80\x02\x7d\x71\x00\x28\x58\x01\x00\x00\x00\x61\x71\x01\x5d\x71\x02\x28\x4b\x01\x47\x40\x04\x00\x00\x00\x00"
    "\x00\x00\x4e\x88\x65\x58\x01\x00\x00\x00\x62\x71\x03\x4b\x01\x58\x01\x00\x00\x00\x78\x71\x04\x86\x71\x05\x58"
    "\x01\x00\x00\x00\x63\x71\x06\x63\x5f\x63\x6f\x64\x65\x63\x73\x0a\x65\x6e\x63\x6f\x64\x65\x0a\x71\x07\x58\x03"
    "\x00\x00\x00\x00\xc3\xbf\x71\x08\x58\x06\x00\x00\x00\x6c\x61\x74\x69\x6e\x31\x71\x09\x86\x71\x0a\x52\x71\x0b"
    "\x4a\xfd\xff\xff\xff\x8a\x06\x00\x00\x00\x00\x00\x01\x58\x03\x00\x00\x00\x62\x69\x67\x71\x0c\x8a\x08\x00\x00"
    "\x00\x00\x00\x00\x00\x80\x58\x03\x00\x00\x00\x6e\x65\x67\x71\x0d\x47\x81\xa5\x6e\x1f\xc2\xf8\xf3\x59\x75\x2e",
    162);

// x = [1, 2]; pickle.dumps({'p': x, 'q': x, 'o': OrderedDict([('k', 1), ('j', [x])]), 's': {3},
//                           'fs': frozenset(), 't': ((), [{}]), 'u': 'é☃'}, protocol=4): FRAME, MEMOIZE, BINGET,
// STACK_GLOBAL + REDUCE, EMPTY_SET + ADDITEMS, FROZENSET, TUPLE2, nested containers.
const std::string kProtocol4(
    "\x80\x04\x95\x77\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x28\x8c\x01\x70\x94\x5d\x94\x28\x4b\x01\x4b\x02\x65\x8c"
    "\x01\x71\x94\x68\x02\x8c\x01\x6f\x94\x8c\x0b\x63\x6f\x6c\x6c\x65\x63\x74\x69\x6f\x6e\x73\x94\x8c\x0b\x4f\x72"
    "\x64\x65\x72\x65\x64\x44\x69\x63\x74\x94\x93\x94\x29\x52\x94\x28\x8c\x01\x6b\x94\x4b\x01\x8c\x01\x6a\x94\x5d"
    "\x94\x68\x02\x61\x75\x8c\x01\x73\x94\x8f\x94\x28\x4b\x03\x90\x8c\x02\x66\x73\x94\x28\x91\x94\x8c\x01\x74\x94"
    "\x29\x5d\x94\x7d\x94\x61\x86\x94\x8c\x01\x75\x94\x8c\x05\xc3\xa9\xe2\x98\x83\x94\x75\x2e",
    130);

// (numpy.float64(0.129306), numpy.int64(-5) with a big-endian dtype), as numpy pickles scalars:
// numpy.core.multiarray.scalar(numpy.dtype('f8', 0, 1) + BUILD state (3, '<', ...), raw bytes).
const std::string kNumpy(
    "\x80\x02\x63\x6e\x75\x6d\x70\x79\x2e\x63\x6f\x72\x65\x2e\x6d\x75\x6c\x74\x69\x61\x72\x72\x61\x79\x0a\x73\x63"
    "\x61\x6c\x61\x72\x0a\x71\x00\x63\x6e\x75\x6d\x70\x79\x0a\x64\x74\x79\x70\x65\x0a\x71\x01\x58\x02\x00\x00\x00"
    "\x66\x38\x71\x02\x4b\x00\x4b\x01\x87\x52\x71\x03\x28\x4b\x03\x58\x01\x00\x00\x00\x3c\x4e\x4e\x4e\x4a\xff\xff"
    "\xff\xff\x4a\xff\xff\xff\xff\x4b\x00\x74\x62\x43\x08\x0b\x9a\x96\x58\x19\x8d\xc0\x3f\x86\x52\x71\x04\x68\x00"
    "\x68\x01\x58\x02\x00\x00\x00\x69\x38\x4b\x00\x4b\x01\x87\x52\x28\x4b\x03\x58\x01\x00\x00\x00\x3e\x4e\x4e\x4e"
    "\x4a\xff\xff\xff\xff\x4a\xff\xff\xff\xff\x4b\x00\x74\x62\x43\x08\xff\xff\xff\xff\xff\xff\xff\xfb\x86\x52\x86"
    "\x2e",
    163);

// A byte string from a literal that may contain NULs.
template <size_t N>
std::string Bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::string ErrorOf(const std::string& bytes) {
  auto doc = PickleDocument::Parse(bytes);
  return doc.ok() ? "OK" : std::string(doc.status().message());
}

TEST(Pickle, Protocol2MatchesPythonRepr) {
  auto doc = PickleDocument::Parse(kProtocol2);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(PickleDebugString((*doc)->root()),
            "{'a': [1, 2.5, None, True], 'b': (1, 'x'), 'c': b'\\x00\\xff', -3: 1099511627776, "
            "'big': -9223372036854775808, 'neg': -1e-300}");
  const PickleValue& root = (*doc)->root();
  ASSERT_NE(root.Find(-3), nullptr);
  EXPECT_EQ(root.Find(-3)->int_value, int64_t{1} << 40);
  EXPECT_EQ(root.Find("big")->int_value, INT64_MIN);
  EXPECT_EQ(root.Find("c")->kind, PickleKind::kBytes);
  EXPECT_EQ(root.Find("c")->text, std::string("\x00\xff", 2));
  EXPECT_EQ(root.Find("missing"), nullptr);
}

TEST(Pickle, Protocol4MemoSharingAndNesting) {
  auto doc = PickleDocument::Parse(kProtocol4);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const PickleValue& root = (*doc)->root();
  ASSERT_TRUE(root.is_dict());
  EXPECT_EQ(root.entries.size(), 7u);
  const PickleValue* p = root.Find("p");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p, root.Find("q"));  // the memo shares the list, as in Python
  EXPECT_EQ(PickleDebugString(*p), "[1, 2]");
  const PickleValue* o = root.Find("o");
  ASSERT_TRUE(o != nullptr && o->is_dict());
  EXPECT_EQ(o->text, "collections.OrderedDict");
  EXPECT_EQ(o->Find("k")->int_value, 1);
  ASSERT_EQ(o->Find("j")->items.size(), 1u);
  EXPECT_EQ(o->Find("j")->items[0], p);
  EXPECT_EQ(PickleDebugString(*root.Find("s")), "{3}");
  EXPECT_EQ(root.Find("fs")->kind, PickleKind::kSet);
  EXPECT_EQ(PickleDebugString(*root.Find("t")), "((), [{}])");
  EXPECT_EQ(root.Find("u")->text, "\xc3\xa9\xe2\x98\x83");
}

TEST(Pickle, NumpyScalarsDecodeByDtype) {
  auto doc = PickleDocument::Parse(kNumpy);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const PickleValue& root = (*doc)->root();
  ASSERT_EQ(root.kind, PickleKind::kTuple);
  ASSERT_EQ(root.items.size(), 2u);
  ASSERT_EQ(root.items[0]->kind, PickleKind::kFloat);
  EXPECT_EQ(root.items[0]->float_value, 0.129306);
  ASSERT_EQ(root.items[1]->kind, PickleKind::kInt);
  EXPECT_EQ(root.items[1]->int_value, -5);  // '>i8'
}

TEST(Pickle, UnknownCallablesBecomeObjects) {
  // GLOBAL mod.Cls, NEWOBJ with args (1,), BUILD {'x': None}; then REDUCE of mod.f(2).
  const std::string bytes =
      Bytes("\x80\x02(cmod\nCls\nK\x01\x85\x81}X\x01\x00\x00\x00xNsbcmod\nf\nK\x02\x85Rt.");
  auto doc = PickleDocument::Parse(bytes);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(PickleDebugString((*doc)->root()), "(mod.Cls(1).__setstate__({'x': None}), mod.f(2))");
}

TEST(Pickle, TruncatedInputIsAnErrorAtEveryLength) {
  for (const std::string* full : {&kProtocol2, &kProtocol4, &kNumpy}) {
    for (size_t n = 0; n < full->size(); ++n) {
      auto doc = PickleDocument::Parse(full->substr(0, n));
      EXPECT_FALSE(doc.ok()) << n;
    }
  }
  EXPECT_EQ(ErrorOf(""), "pickle: truncated input: no STOP opcode at offset 0");
  EXPECT_TRUE(absl::StrContains(ErrorOf(kProtocol4.substr(0, 16)), "truncated input in SHORT_BINUNICODE"))
      << ErrorOf(kProtocol4.substr(0, 16));
}

TEST(Pickle, UnknownAndUnsupportedOpcodesAreNamedWithTheirOffset) {
  EXPECT_EQ(ErrorOf(std::string("\x80\x04\xff.", 4)), "pickle: unknown opcode 0xff at offset 2");
  EXPECT_EQ(ErrorOf("I1\n."), "pickle: unsupported opcode 0x49 ('I') INT at offset 0");
  EXPECT_EQ(ErrorOf("\x80\x02K\x01P0\n."), "pickle: unsupported opcode 0x50 ('P') PERSID at offset 4");
  EXPECT_EQ(ErrorOf(std::string("\x80\x06N.", 4)), "pickle: unsupported pickle protocol 6 at offset 0");
}

TEST(Pickle, MalformedStreamsAreErrors) {
  EXPECT_EQ(ErrorOf("a."), "pickle: stack underflow in APPEND at offset 0");
  EXPECT_EQ(ErrorOf("K\x01t."), "pickle: TUPLE without a MARK at offset 2");
  EXPECT_EQ(ErrorOf("h\x05."), "pickle: BINGET: memo entry 5 was never stored at offset 0");
  EXPECT_EQ(ErrorOf("."), "pickle: STOP with an empty stack at offset 0");
  EXPECT_EQ(ErrorOf(")K\x01\x61."), "pickle: APPEND on a tuple at offset 3");
  EXPECT_EQ(ErrorOf("}(K\x01u."), "pickle: SETITEMS with an odd number of items at offset 4");
  EXPECT_EQ(ErrorOf("K\x01)R."), "pickle: REDUCE callable is a int, not a global at offset 3");
  EXPECT_EQ(ErrorOf(std::string("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.", 12)),
            "pickle: LONG1: integer of 9 bytes does not fit in int64 at offset 0");
  // A length that runs past the end, and one near 2^64.
  EXPECT_TRUE(absl::StrContains(ErrorOf("X\xff\xff\xff\x7f" "abc."), "truncated input in BINUNICODE"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("\x8d\xff\xff\xff\xff\xff\xff\xff\xff" "abc."), "truncated input"));
  // A MARK hides the items below it.
  EXPECT_EQ(ErrorOf("](a."), "pickle: stack underflow in APPEND at offset 2");
}

TEST(Pickle, LongAndNegativeIntegers) {
  auto doc = PickleDocument::Parse(Bytes("(\x8a\x00\x8a\x01\xff\x8a\x02\x00\x80J\xfe\xff\xff\xffM\xff\xfft."));
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(PickleDebugString((*doc)->root()), "(0, -1, -32768, -2, 65535)");
}

TEST(Pickle, SelfReferenceDoesNotHang) {
  // l = []; l.append(l)
  auto doc = PickleDocument::Parse(Bytes("\x80\x02]q\x00h\x00\x61."));
  ASSERT_TRUE(doc.ok()) << doc.status();
  const PickleValue& root = (*doc)->root();
  EXPECT_EQ(root.items[0], &root);
  EXPECT_TRUE(absl::StrContains(PickleDebugString(root, 4), "[[[[[...]]]]]"));
}

TEST(Pickle, RandomCorruptionNeverCrashes) {
  uint64_t state = 12345;
  auto next = [&state]() {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
  };
  int parsed = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = trial % 2 ? kProtocol4 : kProtocol2;
    const int flips = 1 + static_cast<int>(next() % 4);
    for (int f = 0; f < flips; ++f) bytes[next() % bytes.size()] = static_cast<char>(next() & 0xff);
    auto doc = PickleDocument::Parse(bytes);
    if (doc.ok()) {
      ++parsed;
      PickleDebugString((*doc)->root(), 16);
    }
  }
  EXPECT_GT(parsed, 0);  // some flips only change values
}

}  // namespace
}  // namespace nas
