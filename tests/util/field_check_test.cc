// Field range checks and the exception edge: one-line messages naming the field.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "nas/util/exception_status.h"
#include "nas/util/field_check.h"

namespace nas {
namespace {

TEST(FieldCheck, IntRange) {
  EXPECT_TRUE(CheckIntRange("seeds.runs", 5, 1, 10).ok());
  EXPECT_EQ(CheckIntRange("seeds.runs", 2147483647, 1, 100000).message(),
            "seeds.runs: 2147483647 is not in [1, 100000]");
}

TEST(FieldCheck, RealRangeRefusesNonFiniteAndOpenBounds) {
  EXPECT_TRUE(CheckRealRange("x", 1e-8, {0, 1, true}).ok());
  EXPECT_TRUE(CheckRealRange("x", 1, {0, 1, true}).ok());
  EXPECT_FALSE(CheckRealRange("x", 0, {0, 1, true}).ok());
  EXPECT_FALSE(CheckRealRange("x", 1, {0, 1, true, true}).ok());
  EXPECT_EQ(CheckRealRange("adam_eps", INFINITY, {0, 1, true}).message(),
            "adam_eps: inf is not a finite number in (0, 1]");
  EXPECT_FALSE(CheckRealRange("x", NAN, {-1e300, 1e300}).ok());
  EXPECT_FALSE(CheckRealRange("x", -INFINITY, {-INFINITY, 0}).ok());
}

TEST(FieldCheck, Utf8) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("na\xc3\xafve \xe2\x82\xac \xf0\x9f\x98\x80"));  // ï, €, emoji
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
}

TEST(FieldCheck, Text) {
  EXPECT_TRUE(CheckText("name", "nb201_5methods").ok());
  EXPECT_EQ(CheckText("name", std::string(257, 'a')).message(), "name: 257 bytes long; at most 256 are accepted");
  EXPECT_TRUE(CheckText("name", std::string(256, 'a')).ok());
  EXPECT_EQ(CheckText("name", "a\nb").message(), "name: holds a control character (byte 10)");
  EXPECT_EQ(CheckText("name", "a\xff").message(), "name: is not valid UTF-8");
}

TEST(ExceptionStatus, FirstLineOfWhat) {
  auto message = [](auto thrower) {
    try {
      thrower();
    } catch (...) {
      return ExceptionMessage(std::current_exception());
    }
    return std::string("no throw");
  };
  EXPECT_EQ(message([] { throw std::runtime_error("Storage size calculation overflowed\nException raised from"); }),
            "Storage size calculation overflowed");
  EXPECT_EQ(message([] { throw std::bad_alloc(); }), "out of memory (std::bad_alloc)");
  EXPECT_EQ(message([] { throw 7; }), "unknown exception");
  EXPECT_EQ(message([] { throw std::runtime_error("\n\n"); }), "exception without a message");
  try {
    throw std::length_error("vector::reserve");
  } catch (...) {
    EXPECT_EQ(CurrentExceptionToStatus("run a/1").message(), "run a/1: vector::reserve");
  }
}

}  // namespace
}  // namespace nas
