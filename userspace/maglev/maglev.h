// Maglev lookup tables (Eisenbud et al., "Maglev: A Fast and Reliable Software Network
// Load Balancer", NSDI 2016, §3.4).
//
// The packet path picks a backend for a new flow as table[flow_hash % M]. Because the
// table is a pure function of the backend set, every node picks the same backend for
// a flow. A change of the set moves few slots: when one of N backends goes, its 1/N
// of the slots must move, and the fill's knock-on effects move more: at 100 slots a
// backend about as many again for N = 10 and several times as many for N in the
// hundreds, at thousands of slots a backend only a few percent more (B6 and
// tests/unit/maglev/disruption_test.cc measure it). The paper makes that trade for a
// balance within one slot, and conntrack keeps established flows where they are.
//
// The table is a function of the set, not of the order the caller lists it in: the
// backends are sorted by key before anything else, and their permutations come from
// KeyHash (key_hash.h), which is the same on every node and in every version.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sluice::maglev {

struct Backend {
  // Stable identity, hashed into the backend's permutation, e.g.
  // "198.18.1.2:8080/TCP". Unique within one table.
  std::string key;
  // What the backend's slots hold: the datapath backend id (which reads 0 as "no
  // backend", so ids there start at 1; this code stores whatever it is given).
  uint32_t value = 0;
  // Share of the slots relative to the others; 0 keeps the backend out of the table.
  uint32_t weight = 1;
};

// Tables larger than this are refused: it keeps slot arithmetic in 32 bits and the
// weighted schedule's products in 64 (see turn_order.cc). The largest size sluice
// chooses (table_size.h) is far below.
inline constexpr uint32_t kMaxTableSize = 1u << 24;

// A table of `table_size` values, or an empty one when no backend has a positive
// weight (the caller then rejects the Service's traffic). Each backend holds
// ⌊M·w/W⌋ or ⌈M·w/W⌉ slots; with equal weights that is ⌊M/N⌋ or ⌈M/N⌉.
// Throws std::invalid_argument when table_size is not a prime ≤ kMaxTableSize or two
// backends share a key. Cost at M = 65537: under a millisecond with equal weights
// (B6), a few tenths more with unequal ones (the weighted turn order is sorted first).
std::vector<uint32_t> BuildTable(std::span<const Backend> backends, uint32_t table_size);

}  // namespace sluice::maglev
