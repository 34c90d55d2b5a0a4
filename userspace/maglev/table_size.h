// How many slots a Service's Maglev table gets.
//
// Why primes: a backend walks the table in steps of `skip`, any value in [1, M-1]
// (§3.4); only when M is prime is every such step coprime with M, so that the walk
// visits every slot before repeating. A composite M would let some backends cycle
// over a fraction of the table, and the fill would never finish.
//
// Why ~100 slots per backend: with equal weights shares differ by at most one slot
// (§3.4), so a backend's share of the flows is within N/M of the mean: at M ≥ 100·N
// that is at most 1%. A larger table also moves fewer flows when a backend changes
// (§5.3 compares M = 65537 with 655373), but costs build time and map memory.
//
// Why per Service rather than one size for all: a Service with 3 backends needs 509
// slots (2 KB of u32 backend ids), not 65537 (256 KB); at tens of thousands of
// Services that is the difference between megabytes and gigabytes of map memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sluice::maglev {

inline constexpr uint32_t kSlotsPerBackend = 100;

// Ascending. 65521 is the largest prime below 2^16 (slot indices fit 16 bits), 65537
// the size the paper evaluates and other Maglev implementations default to.
inline constexpr std::array<uint32_t, 11> kTableSizes = {
    251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 65537, 131071};

// The agent's --maglev-table-size default.
inline constexpr uint32_t kDefaultMaxTableSize = 16381;

bool IsPrime(uint32_t n);

// The largest size in kTableSizes that is ≤ max_size: a --maglev-table-size that is
// not itself in the list is rounded down to one that is (a limit is never exceeded).
// Throws std::invalid_argument when max_size is below the smallest size, 251. The
// agent calls it once when it parses its flags, so a bad flag stops it at startup.
uint32_t LargestTableSizeAtMost(uint32_t max_size);

// The smallest size in kTableSizes that is ≥ kSlotsPerBackend × backends, but no
// larger than LargestTableSizeAtMost(max_size): past that cap a Service with many
// backends gets the cap and a coarser balance (N/M above 1%) rather than more memory.
// Zero backends get the smallest size (their table is empty anyway). Throws as
// LargestTableSizeAtMost does.
uint32_t ChooseTableSize(size_t backends, uint32_t max_size);

}  // namespace sluice::maglev
