// The printable names users see in logs and sluicectl output.
#include <gtest/gtest.h>

#include "model/lb_state.h"
#include "model/objects.h"
#include "model_builders.h"

namespace sluice::model {
namespace {

using testing::Ip;

TEST(ProtocolNameTest, RoundTripsThroughParseProtocol) {
  for (Protocol protocol : {Protocol::kTcp, Protocol::kUdp, Protocol::kSctp})
    EXPECT_EQ(ParseProtocol(ProtocolName(protocol)), protocol);
  EXPECT_STREQ(ProtocolName(Protocol::kUdp), "UDP");
}

TEST(ProtocolNameTest, RejectsWhatTheAPIServerRejects) {
  EXPECT_EQ(ParseProtocol("tcp"), std::nullopt);
  EXPECT_EQ(ParseProtocol("XTCP"), std::nullopt);
  EXPECT_EQ(ParseProtocol(""), std::nullopt);
}

TEST(ServiceTypeNameTest, UsesTheAPISpelling) {
  EXPECT_STREQ(ServiceTypeName(ServiceType::kClusterIP), "ClusterIP");
  EXPECT_STREQ(ServiceTypeName(ServiceType::kNodePort), "NodePort");
  EXPECT_STREQ(ServiceTypeName(ServiceType::kLoadBalancer), "LoadBalancer");
  EXPECT_STREQ(ServiceTypeName(ServiceType::kExternalName), "ExternalName");
}

TEST(FrontendNamesTest, TypeAndScopeNames) {
  EXPECT_STREQ(FrontendTypeName(FrontendType::kClusterIP), "ClusterIP");
  EXPECT_STREQ(FrontendTypeName(FrontendType::kNodePort), "NodePort");
  EXPECT_STREQ(FrontendTypeName(FrontendType::kExternalIP), "ExternalIP");
  EXPECT_STREQ(FrontendTypeName(FrontendType::kLoadBalancer), "LoadBalancer");
  EXPECT_STREQ(ScopeName(Scope::kInternal), "internal");
  EXPECT_STREQ(ScopeName(Scope::kExternal), "external");
}

TEST(FrontendKeyTest, PrintsLikeAnAddressUsersType) {
  FrontendKey v4{.address = Ip("198.19.0.10"), .port = 80, .protocol = Protocol::kTcp};
  EXPECT_EQ(v4.ToString(), "198.19.0.10:80/TCP");
  FrontendKey v6{.address = Ip("fd00:19::a"),
                 .port = 53,
                 .protocol = Protocol::kUdp,
                 .scope = Scope::kExternal};
  EXPECT_EQ(v6.ToString(), "[fd00:19::a]:53/UDP (external)");
}

TEST(FrontendKeyTest, ScopeIsPartOfTheIdentity) {
  FrontendKey internal{.address = Ip("198.18.1.1"), .port = 30080};
  FrontendKey external = internal;
  external.scope = Scope::kExternal;
  EXPECT_NE(internal, external);
  EXPECT_LT(internal, external);
}

}  // namespace
}  // namespace sluice::model
