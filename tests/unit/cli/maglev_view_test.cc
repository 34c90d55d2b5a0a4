#include "cli/maglev_view.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "cli/selector.h"
#include "cli_fixture.h"

namespace sluice::cli {
namespace {

class MaglevViewTest : public CliFixture {
 protected:
  std::vector<MaglevShow> Shows(const datapath::Snapshot& snap) {
    auto fes = MatchFrontends(snap, ParseFrontendSelector("default/web"), model::Scope::kExternal);
    std::vector<MaglevShow> shows;
    for (const auto* fe : fes) shows.push_back({fe, ReadMaglevTable(m_.maps, fe->id, lb_)});
    return shows;
  }
};

TEST_F(MaglevViewTest, TableShowsSizeRangeAndEachBackendsSlots) {
  auto snap = Snap();
  auto shows = Shows(snap);
  std::map<uint32_t, int> counts;
  for (uint32_t id : m_.Table(lb_)) ++counts[id];
  std::ostringstream out;
  PrintMaglev(snap, shows, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("default/web:http  198.19.0.10:80/TCP  LoadBalancer"), std::string::npos) << text;
  EXPECT_NE(text.find("M=31, live range sluice_maglev[" + std::to_string(lb_.maglev_offset) + ", " +
                      std::to_string(lb_.maglev_offset + 31) + ")"),
            std::string::npos)
      << text;
  // 31 slots over 3 backends: 10 or 11 each.
  EXPECT_TRUE(HasRow(text, {"BACKEND", "ID", "SLOTS", "SHARE", "NOTE"})) << text;
  for (uint32_t id : {a_, b_, c_}) {
    EXPECT_TRUE(counts[id] == 10 || counts[id] == 11) << "backend " << id << ": " << counts[id];
    char share[16];
    std::snprintf(share, sizeof(share), "%.1f%%", 100.0 * counts[id] / 31);
    const auto& be = snap.backends.at(id).backend;
    EXPECT_TRUE(HasRow(text, {be.address.WithPort(be.port), std::to_string(id),
                              std::to_string(counts[id]), share}))
        << text;
  }
  // The local backend is marked as such: its flows keep the client's address.
  std::string note_line = text.substr(text.find("198.18.3.2:8080"));
  note_line = note_line.substr(0, note_line.find('\n'));
  EXPECT_TRUE(note_line.ends_with("local")) << note_line;
}

TEST_F(MaglevViewTest, JsonHasTheFullSlotList) {
  auto snap = Snap();
  auto j = MaglevJson(snap, Shows(snap));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["table_size"], 31);
  EXPECT_EQ(j[0]["offset"], lb_.maglev_offset);
  EXPECT_EQ(j[0]["slots"].get<std::vector<uint32_t>>(), m_.Table(lb_));
  uint32_t total = 0;
  for (const auto& b : j[0]["backends"]) total += b["slots"].get<uint32_t>();
  EXPECT_EQ(total, 31u);
  EXPECT_EQ(j[0]["backends"][0]["backend"], "198.18.1.2:8080");
}

TEST_F(MaglevViewTest, SlotsOfAnIdThatIsNotALiveBackendAreCalledOut) {
  std::vector<uint32_t> stale = {a_, 77, 0};
  ASSERT_EQ(m_.maps.SetMaglev(lb_.maglev_offset, stale), 0);
  auto snap = Snap();
  std::ostringstream out;
  PrintMaglev(snap, Shows(snap), out);
  EXPECT_NE(out.str().find("id 77 (gone)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("not a live backend of this frontend"), std::string::npos);
  EXPECT_NE(out.str().find("1 empty slots"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace sluice::cli
