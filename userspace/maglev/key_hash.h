// The hash that turns a backend's stable key into its Maglev permutation.
//
// Every node must build the same table from the same backend set, across agent
// versions during a rolling upgrade, so this hash is part of sluice's contract and is
// defined here, byte for byte, rather than borrowed from std::hash (which differs
// between standard libraries and may change between releases):
//
//   KeyHash(key, seed) = Mix64(FNV-1a-64 over the key bytes, starting from
//                              the FNV-64 offset basis XOR seed)
//   Mix64(x)           = MurmurHash3's 64-bit finalizer ("fmix64"):
//                        x ^= x >> 33; x *= 0xff51afd7ed558ccd;
//                        x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53; x ^= x >> 33
//
// FNV-1a alone disperses short, similar keys ("198.18.1.2:8080/TCP" and
// "198.18.1.3:8080/TCP") poorly; the finalizer makes every output bit depend on every
// input bit. Keys are a few dozen bytes and hashed twice per backend per build, so
// byte-at-a-time costs microseconds, not the build's milliseconds.
//
// Changing anything here (algorithm, constants, seeds) changes every table: nodes on
// different versions would pick different backends for the same flow. The unit tests
// pin known values so such a change cannot go unnoticed.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::maglev {

// Seeds of the two hashes of §3.4 (h1 gives the offset, h2 the skip). Arbitrary odd
// constants (the 64-bit golden ratio and a MurmurHash3 multiplier); they only need to
// differ so that offset and skip are independent.
inline constexpr uint64_t kOffsetSeed = 0x9e3779b97f4a7c15ULL;
inline constexpr uint64_t kSkipSeed = 0xc2b2ae3d27d4eb4fULL;

uint64_t Mix64(uint64_t x);
uint64_t KeyHash(std::string_view key, uint64_t seed);

}  // namespace sluice::maglev
