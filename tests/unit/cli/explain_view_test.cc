#include "cli/explain_view.h"

#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "datapath/explain.h"

namespace sluice::cli {
namespace {

class ExplainViewTest : public CliFixture {
 protected:
  datapath::Explanation Explain(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                                model::Scope scope = model::Scope::kExternal) {
    datapath::FlowQuery q;
    q.src = datapath::testing::Ip(src);
    q.src_port = sport;
    q.dst = datapath::testing::Ip(dst);
    q.dst_port = dport;
    q.scope = scope;
    return datapath::ExplainFlow(m_.maps, q, kNow);
  }
  std::string Text(const datapath::Explanation& ex) {
    std::ostringstream out;
    PrintExplain(ex, kNow, out);
    return out.str();
  }
};

TEST_F(ExplainViewTest, NewFlowSaysMaglevSlotAndSnat) {
  m_.SetSnat("198.18.0.1");
  auto ex = Explain("203.0.113.7", 40000, "198.19.0.10", 80);
  const std::string text = Text(ex);
  EXPECT_NE(text.find("frontend:   198.19.0.10:80/TCP LoadBalancer of default/web:http"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("conntrack:  no entry: a new flow"), std::string::npos) << text;
  EXPECT_NE(text.find("why:        Maglev: flow hash 0x"), std::string::npos) << text;
  EXPECT_NE(text.find("of M=31 (sluice_maglev["), std::string::npos) << text;
  EXPECT_NE(text.find("verdict:    forwarded to "), std::string::npos) << text;
  if (ex.backend.id == c_) {
    EXPECT_NE(text.find("DNAT only: the backend sees the client's address"), std::string::npos) << text;
  } else {
    EXPECT_NE(text.find("DNAT + SNAT to 198.18.0.1:<61000-65535>"), std::string::npos) << text;
  }

  auto j = ExplainJson(ex, kNow);
  EXPECT_EQ(j["verdict"], "forward");
  EXPECT_EQ(j["reason"], "maglev");
  EXPECT_EQ(j["hash"]["flow_hash"], ex.flow_hash);
  EXPECT_EQ(j["hash"]["slot"], ex.flow_hash % 31);
  EXPECT_EQ(j["backend"]["id"], m_.Table(lb_)[ex.flow_hash % 31]);
}

TEST_F(ExplainViewTest, TrackedFlowSaysConntrackAndAge) {
  TrackFlow("203.0.113.7", 40000, b_, 61005, 300, 1);
  m_.SetSnat("198.18.0.1");
  const std::string text = Text(Explain("203.0.113.7", 40000, "198.19.0.10", 80));
  EXPECT_NE(text.find("entry to backend id " + std::to_string(b_) + ", age 5m00s, idle 1s"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("why:        conntrack"), std::string::npos) << text;
  EXPECT_NE(text.find("DNAT + SNAT to 198.18.0.1:61005"), std::string::npos) << text;
}

TEST_F(ExplainViewTest, NotAFrontendAndRefusalsAreOneLineVerdicts) {
  EXPECT_NE(Text(Explain("203.0.113.7", 1, "198.19.0.9", 80)).find("verdict:   not a frontend: passed untouched"),
            std::string::npos);
  datapath::testing::FrontendSpec empty;
  empty.vip = "198.19.0.11";
  empty.maglev_size = 13;
  m_.AddFrontend(empty);
  EXPECT_NE(Text(Explain("203.0.113.7", 1, "198.19.0.11", 80))
                .find("no usable backend: the client gets a TCP RST"),
            std::string::npos);
  datapath::testing::FrontendSpec local;
  local.vip = "198.19.0.12";
  local.flags = LB_SVC_F_LOCAL_ONLY;
  local.maglev_size = 13;
  m_.AddFrontend(local);
  EXPECT_NE(Text(Explain("203.0.113.7", 1, "198.19.0.12", 80))
                .find("dropped: Local policy, no endpoint on this node"),
            std::string::npos);
}

TEST_F(ExplainViewTest, InternalScopeListsTheSetAndSaysRandom) {
  auto ex = Explain("10.0.0.5", 33333, "10.96.0.10", 80, model::Scope::kInternal);
  const std::string text = Text(ex);
  EXPECT_NE(text.find("backends:  198.18.1.2:8080, 198.18.2.2:8080, 198.18.3.2:8080"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("picked at random for each connect()"), std::string::npos) << text;
  auto j = ExplainJson(ex, kNow);
  EXPECT_EQ(j["verdict"], "socket-random");
  EXPECT_EQ(j["candidates"].size(), 3u);
}

}  // namespace
}  // namespace sluice::cli
