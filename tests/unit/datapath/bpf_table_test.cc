// BpfTable over real kernel maps (root): ForEach sees every entry exactly once whether
// the map does batch lookups (hash, LRU) or not (LPM trie), across many batches.
#include "datapath/bpf_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

namespace sluice::datapath {
namespace {

UniqueFd Create(bpf_map_type type, uint32_t key_size, uint32_t value_size, uint32_t max, uint32_t flags = 0) {
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
  return UniqueFd(bpf_map_create(type, "sluice_test", key_size, value_size, max, &opts));
}

TEST(BpfTableTest, ForEachVisitsEveryEntryOfALargeHashMapOnce) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create BPF maps";
  for (bpf_map_type type : {BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH}) {
    constexpr uint32_t kEntries = 10000;  // several batches
    BpfTable<uint32_t, uint64_t> table(Create(type, 4, 8, kEntries * 2), kEntries * 2);
    ASSERT_GE(table.fd(), 0);
    for (uint32_t i = 0; i < kEntries; ++i) ASSERT_EQ(table.Update(i, uint64_t{i} * 3), 0);
    std::set<uint32_t> seen;
    table.ForEach([&](const uint32_t& k, const uint64_t& v) {
      EXPECT_EQ(v, uint64_t{k} * 3);
      EXPECT_TRUE(seen.insert(k).second) << "visited twice: " << k;
      return true;
    });
    EXPECT_EQ(seen.size(), kEntries) << "map type " << type;
    EXPECT_EQ(table.Count(), kEntries);
    int visited = 0;
    table.ForEach([&](const uint32_t&, const uint64_t&) { return ++visited < 10; });
    EXPECT_EQ(visited, 10) << "a visitor returning false stops the walk";
  }
}

TEST(BpfTableTest, ForEachWalksMapsWithoutBatchSupport) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create BPF maps";
  struct Key {
    uint32_t prefixlen;
    uint32_t data;
  };
  BpfTable<Key, uint8_t> table(Create(BPF_MAP_TYPE_LPM_TRIE, sizeof(Key), 1, 100, BPF_F_NO_PREALLOC), 100);
  ASSERT_GE(table.fd(), 0);
  for (uint32_t i = 0; i < 50; ++i) ASSERT_EQ(table.Update(Key{32, i}, 1), 0);
  EXPECT_EQ(table.Count(), 50u);
}

}  // namespace
}  // namespace sluice::datapath
