#include "maglev/key_hash.h"

namespace sluice::maglev {
namespace {

// FNV-1a, 64-bit parameters (Fowler, Noll, Vo; IETF draft-eastlake-fnv).
constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

}  // namespace

uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t KeyHash(std::string_view key, uint64_t seed) {
  uint64_t h = kFnvOffsetBasis ^ seed;
  for (const char c : key) {
    h ^= static_cast<uint8_t>(c);  // bytes, whatever the signedness of char
    h *= kFnvPrime;
  }
  return Mix64(h);
}

}  // namespace sluice::maglev
