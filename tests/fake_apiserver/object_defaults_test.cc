#include <gtest/gtest.h>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/object_defaults.h"

namespace sluice::fake_apiserver {
namespace {

nlohmann::json Terse(const std::string& name, nlohmann::json spec) {
  return {{"apiVersion", "v1"}, {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", "shop"}}}, {"spec", spec}};
}

TEST(ObjectDefaults, ATerseServiceGetsWhatTheApiServerFillsIn) {
  ObjectDefaulter d;
  auto s = d.Apply(Terse("web", {{"ports", {{{"port", 80}}}}}));
  EXPECT_EQ(s["spec"]["type"], "ClusterIP");
  EXPECT_EQ(s["spec"]["sessionAffinity"], "None");
  EXPECT_EQ(s["spec"]["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(s["spec"]["ports"][0]["targetPort"], 80);
  EXPECT_EQ(s["spec"]["clusterIP"], "198.19.240.1");
  EXPECT_EQ(s["spec"]["clusterIPs"], nlohmann::json({"198.19.240.1"}));
  EXPECT_EQ(s["spec"]["ipFamilies"], nlohmann::json({"IPv4"}));
  EXPECT_EQ(s["spec"]["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(s["spec"]["internalTrafficPolicy"], "Cluster");
  EXPECT_EQ(s["status"], nlohmann::json({{"loadBalancer", nlohmann::json::object()}}));
}

TEST(ObjectDefaults, DualStackNodePortsAndHealthChecks) {
  ObjectDefaulter d;
  nlohmann::json ports = nlohmann::json::array();
  ports.push_back({{"port", 443}, {"nodePort", 30000}});
  ports.push_back({{"port", 80}});
  auto s = d.Apply(Terse("lb", {{"type", "LoadBalancer"},
                                {"ipFamilyPolicy", "RequireDualStack"},
                                {"externalTrafficPolicy", "Local"},
                                {"sessionAffinity", "ClientIP"},
                                {"ports", ports}}));
  EXPECT_EQ(s["spec"]["clusterIPs"], nlohmann::json({"198.19.240.1", "fd00:19::1001"}));
  EXPECT_EQ(s["spec"]["ipFamilies"], nlohmann::json({"IPv4", "IPv6"}));
  EXPECT_EQ(s["spec"]["ports"][0]["nodePort"], 30000);
  EXPECT_EQ(s["spec"]["ports"][1]["nodePort"], 30001) << "30000 is taken";
  EXPECT_EQ(s["spec"]["healthCheckNodePort"], 30002);
  EXPECT_EQ(s["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"], 10800);
  EXPECT_EQ(s["spec"]["allocateLoadBalancerNodePorts"], true);
}

TEST(ObjectDefaults, GivenValuesAreKeptAndOddOnesStayOdd) {
  ObjectDefaulter d;
  auto headless = d.Apply(Terse("db", {{"clusterIP", "None"}}));
  EXPECT_EQ(headless["spec"]["clusterIPs"], nlohmann::json({"None"}));
  auto v6 = d.Apply(Terse("v6", {{"clusterIP", "fd00:19::5"}}));
  EXPECT_EQ(v6["spec"]["ipFamilies"], nlohmann::json({"IPv6"}));
  auto external = d.Apply(Terse("ext", {{"type", "ExternalName"}, {"externalName", "a.test"}}));
  EXPECT_FALSE(external["spec"].contains("clusterIP"));
  auto odd = d.Apply(Terse("odd", {{"ports", {{{"port", 80}, {"protocol", "XTCP"}}}}, {"clusterIP", "1.2.3"}}));
  EXPECT_EQ(odd["spec"]["ports"][0]["protocol"], "XTCP");
  EXPECT_EQ(odd["spec"]["clusterIP"], "1.2.3");
}

TEST(ObjectDefaults, EndpointSlicePortsAndConditions) {
  ObjectDefaulter d;
  auto slice = d.Apply({{"kind", "EndpointSlice"},
                        {"endpoints", {{{"addresses", {"198.18.0.1"}}}}},
                        {"ports", {{{"port", 8080}}}}});
  EXPECT_EQ(slice["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(slice["endpoints"][0]["conditions"], nlohmann::json::object());
}

TEST(ObjectDefaults, ATerseUpdateKeepsTheAllocatedVipAndNodePorts) {
  FakeApiServer server;
  auto first = server.Upsert(Terse("web", {{"type", "NodePort"}, {"ports", {{{"port", 80}}}}}));
  auto second = server.Upsert(Terse("web", {{"type", "NodePort"}, {"ports", {{{"port", 80}}, {{"port", 81}}}}}));
  EXPECT_EQ(second["spec"]["clusterIP"], first["spec"]["clusterIP"]);
  EXPECT_EQ(second["spec"]["ports"][0]["nodePort"], first["spec"]["ports"][0]["nodePort"]);
  EXPECT_NE(second["spec"]["ports"][1]["nodePort"], first["spec"]["ports"][0]["nodePort"]);
  uint64_t rv = server.resource_version();
  server.Upsert(Terse("web", {{"type", "NodePort"}, {"ports", {{{"port", 80}}, {{"port", 81}}}}}));
  EXPECT_EQ(server.resource_version(), rv) << "the same terse object again is a no-op";
}

}  // namespace
}  // namespace sluice::fake_apiserver
