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
  // gcd(skip, M) = 1, where t is the inverse. |t| and q·|next_t| stay below 2·M, so
  // 32-bit arithmetic (and its faster division) is enough for M < 2^30.
  uint32_t r = table_size, next_r = skip;
  int32_t t = 0, next_t = 1;
  while (next_r != 0) {
    const uint32_t q = r / next_r;
    r = std::exchange(next_r, r - q * next_r);
    t = std::exchange(next_t, t - static_cast<int32_t>(q) * next_t);
  }
  return static_cast<uint32_t>(t < 0 ? t + static_cast<int32_t>(table_size) : t);
}

}  // namespace sluice::maglev
