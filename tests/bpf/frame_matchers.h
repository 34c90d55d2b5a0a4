// GoogleTest assertions over frames that say what they saw: both frames decoded in
// words and the first byte that differs, named by the header field it falls in.
#pragma once

#include <gtest/gtest.h>

#include <span>

namespace sluice::bpftest {

// Byte for byte, checksums included.
::testing::AssertionResult SameFrame(std::span<const uint8_t> actual,
                                     std::span<const uint8_t> expected);

// Every checksum of the frame is right, computed in full (packet_parser.h).
::testing::AssertionResult ChecksumsValid(std::span<const uint8_t> frame);

}  // namespace sluice::bpftest
