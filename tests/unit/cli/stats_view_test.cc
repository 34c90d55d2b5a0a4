#include <gtest/gtest.h>

#include "cli/views.h"
#include "cli_fixture.h"

namespace sluice::cli {
namespace {

class StatsViewTest : public CliFixture {};

// sluicectl stats appends the packet path's usage to the snapshot's (as main() does).
TEST_F(StatsViewTest, ReportsThePacketPathMapsUsage) {
  TrackFlow("203.0.113.7", 40000, a_, 0, 1, 1);
  TrackFlow("203.0.113.8", 40000, a_, 0, 1, 1);
  auto snap = Snap();
  auto packet = Packet();
  snap.usage.insert(snap.usage.end(), packet.usage.begin(), packet.usage.end());
  std::vector<uint64_t> counters(SLUICE_CTR_MAX, 0);

  std::ostringstream out;
  PrintStats(counters, snap, out);
  EXPECT_TRUE(HasRow(out.str(), {"sluice_ct", "2", std::to_string(SLUICE_MAX_CT)})) << out.str();
  EXPECT_TRUE(HasRow(out.str(), {"sluice_nat", "0", std::to_string(SLUICE_MAX_NAT)})) << out.str();
  EXPECT_TRUE(HasRow(out.str(), {"sluice_maglev", "31", std::to_string(SLUICE_MAX_MAGLEV_ENTRIES)}))
      << out.str();

  auto j = StatsJson(counters, snap);
  std::map<std::string, uint32_t> entries;
  for (const auto& m : j["maps"]) entries[m["map"]] = m["entries"];
  EXPECT_EQ(entries[SLUICE_MAP_CT], 2u);
  EXPECT_EQ(entries[SLUICE_MAP_NAT], 0u);
  EXPECT_EQ(entries[SLUICE_MAP_AFFINITY], 0u);
  EXPECT_EQ(entries[SLUICE_MAP_SRC_RANGES], 0u);
  EXPECT_EQ(entries[SLUICE_MAP_MAGLEV], 31u);
}

}  // namespace
}  // namespace sluice::cli
