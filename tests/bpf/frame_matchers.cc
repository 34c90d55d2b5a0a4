#include "bpf/frame_matchers.h"

#include <cstdio>
#include <string>

#include "bpf/packet_parser.h"

namespace sluice::bpftest {
namespace {

std::string Hex(std::span<const uint8_t> bytes, size_t from, size_t count) {
  std::string s;
  char b[4];
  for (size_t i = from; i < bytes.size() && i < from + count; ++i) {
    std::snprintf(b, sizeof(b), "%02x", bytes[i]);
    s += b;
    if ((i + 1) % 4 == 0) s += ' ';
  }
  return s;
}

}  // namespace

::testing::AssertionResult SameFrame(std::span<const uint8_t> actual,
                                     std::span<const uint8_t> expected) {
  if (actual.size() == expected.size() &&
      std::equal(actual.begin(), actual.end(), expected.begin()))
    return ::testing::AssertionSuccess();
  size_t first = 0;
  while (first < actual.size() && first < expected.size() && actual[first] == expected[first])
    ++first;
  const DecodedFrame exp = Decode(expected);
  auto failure = ::testing::AssertionFailure();
  failure << "frames differ\n  got      (" << actual.size() << " bytes): " << Decode(actual).Describe()
          << "\n  expected (" << expected.size() << " bytes): " << exp.Describe();
  if (first < actual.size() && first < expected.size()) {
    const size_t from = first & ~size_t{3};
    failure << "\n  first difference at byte " << first << " (" << exp.RegionOf(first)
            << "): got " << Hex(actual, from, 16) << "| expected " << Hex(expected, from, 16);
  } else {
    failure << "\n  one is a prefix of the other; lengths differ";
  }
  return failure;
}

::testing::AssertionResult ChecksumsValid(std::span<const uint8_t> frame) {
  const auto problems = ChecksumProblems(frame);
  if (problems.empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << Decode(frame).Describe() << ":";
  for (const auto& p : problems) failure << "\n  " << p;
  return failure;
}

}  // namespace sluice::bpftest
