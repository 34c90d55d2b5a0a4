#include "maglev/permutation.h"

#include <utility>

#include "maglev/key_hash.h"

namespace sluice::maglev {

Permutation MakePermutation(std::string_view key, uint32_t table_size) {
  // The modulo of a 64-bit hash by a table size below 2^24 is biased by under 2^-40:
  // nothing a table can show.
  return Permutation{
      .offset = static_cast<uint32_t>(KeyHash(key, kOffsetSeed) % table_size),
      .skip = static_cast<uint32_t>(KeyHash(key, kSkipSeed) % (table_size - 1)) + 1,
  };
}

uint32_t InverseSkip(uint32_t skip, uint32_t table_size) {
  // Invariant: r ≡ t·skip (mod M) for both (r, t) pairs; the remainders fall to
  // gcd(skip, M) = 1, where t is the inverse.
  int64_t r = table_size, t = 0;
  int64_t next_r = skip, next_t = 1;
  while (next_r != 0) {
    const int64_t q = r / next_r;
    r = std::exchange(next_r, r - q * next_r);
    t = std::exchange(next_t, t - q * next_t);
  }
  return static_cast<uint32_t>(t < 0 ? t + table_size : t);
}

}  // namespace sluice::maglev
