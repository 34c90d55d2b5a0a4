#include "cli/selector.h"

#include <gtest/gtest.h>

#include "cli_fixture.h"

namespace sluice::cli {
namespace {

TEST(ParseEndpointTest, AcceptsV4AndBracketedV6) {
  auto v4 = ParseEndpoint("198.19.0.10:80");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address.ToString(), "198.19.0.10");
  EXPECT_EQ(v4->port, 80);
  auto v6 = ParseEndpoint("[fd00::10]:443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address.ToString(), "fd00::10");
  EXPECT_EQ(v6->port, 443);
}

TEST(ParseEndpointTest, RefusesWhatIsNotAnEndpoint) {
  for (const char* bad : {"198.19.0.10", "198.19.0.10:", "198.19.0.10:0", "198.19.0.10:65536",
                          "198.19.0.10:8o", "fd00::10:80", "[fd00::10]80", "web:80", ""})
    EXPECT_FALSE(ParseEndpoint(bad)) << bad;
}

TEST(FrontendSelectorTest, ParsesBothForms) {
  auto fe = ParseFrontendSelector("198.19.0.10:80/tcp");
  ASSERT_TRUE(fe.endpoint);
  EXPECT_EQ(fe.protocol, model::Protocol::kTcp);
  EXPECT_EQ(fe.ToString(), "198.19.0.10:80/TCP");
  auto any_proto = ParseFrontendSelector("[fd00::10]:80");
  ASSERT_TRUE(any_proto.endpoint);
  EXPECT_FALSE(any_proto.protocol);
  auto svc = ParseFrontendSelector("default/web:http");
  EXPECT_EQ(svc.service, "default/web");
  EXPECT_EQ(svc.port_name, "http");
  EXPECT_EQ(ParseFrontendSelector("default/web").port_name, "");
  EXPECT_THROW(ParseFrontendSelector("web"), std::invalid_argument);
  EXPECT_THROW(ParseFrontendSelector("default/web:"), std::invalid_argument);
  EXPECT_THROW(ParseFrontendSelector("a/b/c"), std::invalid_argument);
}

class MatchTest : public CliFixture {};

TEST_F(MatchTest, MatchesByNamePortNameOrAddressInOneScope) {
  auto snap = Snap();
  auto by_name = MatchFrontends(snap, ParseFrontendSelector("default/web"), model::Scope::kExternal);
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0]->id, lb_.id);
  EXPECT_EQ(MatchFrontends(snap, ParseFrontendSelector("default/web:http"), model::Scope::kInternal)
                .size(),
            1u);
  EXPECT_TRUE(MatchFrontends(snap, ParseFrontendSelector("default/web:grpc"), model::Scope::kExternal)
                  .empty());
  EXPECT_EQ(MatchFrontends(snap, ParseFrontendSelector("198.19.0.10:80/TCP"), model::Scope::kExternal)
                .size(),
            1u);
  EXPECT_TRUE(MatchFrontends(snap, ParseFrontendSelector("198.19.0.10:80/UDP"), model::Scope::kExternal)
                  .empty());
  EXPECT_TRUE(MatchFrontends(snap, ParseFrontendSelector("198.19.0.9:80/TCP"), model::Scope::kExternal)
                  .empty());
}

}  // namespace
}  // namespace sluice::cli
