// The hash is part of the contract between nodes (key_hash.h): these values must never
// change, or nodes on different versions pick different backends for one flow.
#include "maglev/key_hash.h"

#include <gtest/gtest.h>

namespace sluice::maglev {
namespace {

// The finalizer as key_hash.h documents it, written out again as the reference.
uint64_t ReferenceMix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

TEST(KeyHashTest, IsFnv1aThenTheFinalizerWithTheSeedInTheBasis) {
  // Published FNV-1a 64 test vectors (seed 0 leaves the standard offset basis).
  EXPECT_EQ(KeyHash("", 0), ReferenceMix(0xcbf29ce484222325ULL));
  EXPECT_EQ(KeyHash("a", 0), ReferenceMix(0xaf63dc4c8601ec8cULL));
  EXPECT_EQ(KeyHash("foobar", 0), ReferenceMix(0x85944171f73967e8ULL));
  EXPECT_EQ(Mix64(12345), ReferenceMix(12345));
}

TEST(KeyHashTest, PinnedValuesOfTheTwoSeeds) {
  EXPECT_EQ(KeyHash("198.18.1.2:8080/TCP", kOffsetSeed), 0x06d50deb821e2911ULL);
  EXPECT_EQ(KeyHash("198.18.1.2:8080/TCP", kSkipSeed), 0x68602927da613aeeULL);
  EXPECT_EQ(KeyHash("[fd00::1:2]:53/UDP", kOffsetSeed), 0x45212409899ce35fULL);
  EXPECT_EQ(KeyHash("[fd00::1:2]:53/UDP", kSkipSeed), 0xf946389f63fdf84fULL);
}

TEST(KeyHashTest, BytesAboveAsciiHashAsUnsigned) {
  // char is signed on x86 and unsigned on arm64: the hash must not care.
  EXPECT_EQ(KeyHash("\xff", 0), ReferenceMix((0xcbf29ce484222325ULL ^ 0xff) * 0x100000001b3ULL));
}

TEST(KeyHashTest, SimilarKeysDifferInAboutHalfTheBits) {
  const uint64_t a = KeyHash("198.18.1.2:8080/TCP", kOffsetSeed);
  const uint64_t b = KeyHash("198.18.1.3:8080/TCP", kOffsetSeed);
  const int differing = __builtin_popcountll(a ^ b);
  EXPECT_GT(differing, 16);
  EXPECT_LT(differing, 48);
}

}  // namespace
}  // namespace sluice::maglev
