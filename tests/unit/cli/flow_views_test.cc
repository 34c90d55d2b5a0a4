#include "cli/flow_views.h"

#include <gtest/gtest.h>

#include <cstring>

#include "cli_fixture.h"

namespace sluice::cli {
namespace {

class FlowViewsTest : public CliFixture {};

TEST_F(FlowViewsTest, ConntrackRowsSayWhoGoesWhereAndForHowLong) {
  TrackFlow("203.0.113.7", 40000, a_, 61001, 125, 3);
  TrackFlow("203.0.113.8", 40001, c_, 0, 7200, 0);
  std::ostringstream out;
  PrintConntrack(Snap(), Packet(), out);
  const std::string text = out.str();
  EXPECT_TRUE(HasRow(text, {"PROTO", "CLIENT", "FRONTEND", "BACKEND", "SNAT", "AGE", "IDLE", "SERVICE"}))
      << text;
  EXPECT_TRUE(HasRow(text, {"TCP", "203.0.113.7:40000", "198.19.0.10:80", "198.18.1.2:8080", "61001",
                            "2m05s", "3s", "default/web:http"}))
      << text;
  EXPECT_TRUE(HasRow(text, {"TCP", "203.0.113.8:40001", "198.19.0.10:80", "198.18.3.2:8080", "-",
                            "2h00m", "0s", "default/web:http"}))
      << text;
}

TEST_F(FlowViewsTest, ConntrackJsonHasNumbersForScripts) {
  TrackFlow("203.0.113.7", 40000, a_, 61001, 125, 3);
  auto j = ConntrackJson(Snap(), Packet());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["client"], "203.0.113.7:40000");
  EXPECT_EQ(j[0]["backend"], "198.18.1.2:8080");
  EXPECT_EQ(j[0]["snat_port"], 61001);
  EXPECT_DOUBLE_EQ(j[0]["age_seconds"].get<double>(), 125.0);
  EXPECT_EQ(j[0]["service"], "default/web:http");
}

TEST_F(FlowViewsTest, ConntrackToAGoneBackendSaysSo) {
  TrackFlow("203.0.113.7", 40000, 99, 0, 1, 1);
  std::ostringstream out;
  PrintConntrack(Snap(), Packet(), out);
  EXPECT_NE(out.str().find("id 99 (gone)"), std::string::npos) << out.str();
  EXPECT_EQ(ConntrackJson(Snap(), Packet())[0]["backend_gone"], true);
}

TEST_F(FlowViewsTest, EmptyTablesSayWhy) {
  std::ostringstream ct, aff;
  PrintConntrack(Snap(), Packet(), ct);
  PrintAffinity(Snap(), Packet(), aff);
  EXPECT_EQ(ct.str().rfind("no tracked flows", 0), 0u) << ct.str();
  EXPECT_EQ(aff.str().rfind("no session affinities", 0), 0u) << aff.str();
}

TEST_F(FlowViewsTest, AffinityRowsShowClientOrNamespaceAndValidity) {
  affinity_key client{};
  client.client = datapath::testing::Ip("203.0.113.7").ToDatapath();
  client.svc_id = lb_.id;
  client.family = SLUICE_AF_INET;
  ASSERT_EQ(m_.maps.affinity().Update(client, affinity_entry{kNow - 30 * kSec, b_, 0}), 0);
  affinity_key old = client;
  old.client = datapath::testing::Ip("203.0.113.9").ToDatapath();
  ASSERT_EQ(m_.maps.affinity().Update(old, affinity_entry{kNow - 700 * kSec, a_, 0}), 0);
  affinity_key netns{};
  const uint64_t cookie = 4026532001ull;
  std::memcpy(netns.client.bytes, &cookie, sizeof(cookie));
  netns.svc_id = lb_.id;
  ASSERT_EQ(m_.maps.affinity().Update(netns, affinity_entry{kNow - 5 * kSec, c_, 0}), 0);

  std::ostringstream out;
  PrintAffinity(Snap(), Packet(), out);
  const std::string text = out.str();
  EXPECT_TRUE(HasRow(text, {"SERVICE", "FRONTEND", "CLIENT", "BACKEND", "LAST", "USED", "TIMEOUT",
                            "VALID"}))
      << text;
  EXPECT_TRUE(HasRow(text, {"default/web:http", "198.19.0.10:80/TCP", "203.0.113.7", "198.18.2.2:8080",
                            "30s", "ago", "10m00s", "yes"}))
      << text;
  EXPECT_TRUE(HasRow(text, {"default/web:http", "198.19.0.10:80/TCP", "203.0.113.9", "198.18.1.2:8080",
                            "11m40s", "ago", "10m00s", "no", "(expired)"}))
      << text;
  EXPECT_NE(text.find("netns 4026532001"), std::string::npos) << text;

  auto j = AffinityJson(Snap(), Packet());
  ASSERT_EQ(j.size(), 3u);
  int valid = 0, socket = 0;
  for (const auto& row : j) {
    valid += row["valid"].get<bool>();
    socket += row["path"] == "socket";
    if (row["path"] == "socket") {
      EXPECT_EQ(row["netns_cookie"], cookie);
    }
    if (!row["valid"].get<bool>()) {
      EXPECT_EQ(row["invalid_reason"], "expired");
    }
  }
  EXPECT_EQ(valid, 2);
  EXPECT_EQ(socket, 1);
}

}  // namespace
}  // namespace sluice::cli
