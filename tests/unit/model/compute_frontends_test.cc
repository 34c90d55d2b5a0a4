#include "model/compute_frontends.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "model_builders.h"

namespace sluice::model {
namespace {

using namespace sluice::model::testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Protocol kTcp = Protocol::kTcp;
constexpr Protocol kUdp = Protocol::kUdp;

class ComputeFrontendsTest : public ::testing::Test {
 protected:
  std::vector<Frontend> Compute(const Service& service,
                                const std::vector<EndpointSlice>& slices) const {
    std::vector<const EndpointSlice*> pointers = Pointers(slices);
    return ComputeFrontends(service, pointers, node_);
  }

  // The frontend for `key` ("198.19.0.10:80/TCP", "... (external)"), or a test failure.
  static const Frontend& Get(const std::vector<Frontend>& frontends, std::string_view key) {
    const Frontend* frontend = FindFrontend(frontends, key);
    if (frontend == nullptr) {
      ADD_FAILURE() << "no frontend " << key
                    << "; have: " << ::testing::PrintToString(FrontendNames(frontends));
      static const Frontend kNone;
      return kNone;
    }
    return *frontend;
  }

  NodeContext node_{.node_name = "node1", .node_ips = Ips({"198.18.1.1", "fd00:1::1"})};
};

// --- ShouldProxy ---------------------------------------------------------------

TEST(ShouldProxyTest, ProxiesAnOrdinaryService) {
  EXPECT_TRUE(ShouldProxy(MakeService("web", {"198.19.0.10"}, {}), ""));
  EXPECT_TRUE(ShouldProxy(MakeService("web", {"198.19.0.10"}, {}), "sluice"));
}

TEST(ShouldProxyTest, SkipsHeadlessAndExternalName) {
  Service headless = MakeService("db", {}, {});
  headless.headless = true;
  EXPECT_FALSE(ShouldProxy(headless, ""));
  Service external_name = MakeService("legacy", {}, {});
  external_name.type = ServiceType::kExternalName;
  EXPECT_FALSE(ShouldProxy(external_name, ""));
}

TEST(ShouldProxyTest, ServiceProxyNameLabelMustNameUs) {
  Service other = MakeService("other", {"198.19.0.10"}, {});
  other.meta.labels[kServiceProxyNameLabel] = "someone-else";
  EXPECT_FALSE(ShouldProxy(other, ""));
  EXPECT_FALSE(ShouldProxy(other, "sluice"));
  EXPECT_TRUE(ShouldProxy(other, "someone-else"));
}

TEST(ShouldProxyTest, AnyProxyNameLabelSkipsWhenWeHaveNoName) {
  Service labelled = MakeService("other", {"198.19.0.10"}, {});
  labelled.meta.labels[kServiceProxyNameLabel] = "";
  EXPECT_FALSE(ShouldProxy(labelled, ""));
}

TEST(ShouldProxyTest, SkipsServicesLabelledHeadless) {
  Service labelled = MakeService("web", {"198.19.0.10"}, {});
  labelled.meta.labels[kHeadlessLabel] = "";
  EXPECT_FALSE(ShouldProxy(labelled, ""));
}

// --- ClusterIP, ports and endpoint ports ------------------------------------------

TEST_F(ComputeFrontendsTest, OneClusterIPFrontendPerPortResolvedThroughSlicePortNames) {
  Service web =
      MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80), Port("dns", kUdp, 53)});
  web.ports[0].target_port_name = "http";  // ignored: the slice's port decides
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-a", "web", AddressType::kIPv4,
                {SlicePort("http", kTcp, 8080), SlicePort("dns", kUdp, 5353)},
                {MakeEndpoint("198.18.0.11", "node1"), MakeEndpoint("198.18.4.11", "node2")})};

  std::vector<Frontend> frontends = Compute(web, slices);

  EXPECT_THAT(FrontendNames(frontends),
              ElementsAre("ClusterIP 198.19.0.10:53/UDP", "ClusterIP 198.19.0.10:80/TCP"));
  const Frontend& http = Get(frontends, "198.19.0.10:80/TCP");
  EXPECT_THAT(BackendNames(http), ElementsAre("198.18.0.11:8080", "198.18.4.11:8080"));
  EXPECT_EQ(http.service, "shop/web");
  EXPECT_EQ(http.port_name, "http");
  EXPECT_EQ(http.key.scope, Scope::kInternal);
  EXPECT_EQ(http.flags, 0);
  EXPECT_EQ(http.backends[0].protocol, kTcp);
  EXPECT_TRUE(http.backends[0].local);
  EXPECT_FALSE(http.backends[1].local);
  EXPECT_THAT(BackendNames(Get(frontends, "198.19.0.10:53/UDP")),
              ElementsAre("198.18.0.11:5353", "198.18.4.11:5353"));
}

TEST_F(ComputeFrontendsTest, SctpPortYieldsNoFrontend) {
  Service np =
      MakeService("np", {"198.19.0.20"},
                  {Port("http", kTcp, 8080, 30080), Port("sctp", Protocol::kSctp, 9000, 31946)});
  np.type = ServiceType::kNodePort;
  std::vector<Frontend> frontends = Compute(np, {});
  for (const Frontend& frontend : frontends) EXPECT_EQ(frontend.key.protocol, kTcp);
  EXPECT_EQ(frontends.size(), 3u);  // ClusterIP + NodePort external and internal
}

TEST_F(ComputeFrontendsTest, NamedPortWithoutMatchingSlicePortHasAFrontendWithNoBackends) {
  // The frontend must exist so that connect() is refused rather than leaking to the
  // network: a Service without usable endpoints rejects.
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  std::vector<EndpointSlice> slices = {MakeSlice("web-a", "web", AddressType::kIPv4,
                                                 {SlicePort("metrics", kTcp, 9090)},
                                                 {MakeEndpoint("198.18.0.11", "node1")})};
  std::vector<Frontend> frontends = Compute(web, slices);
  ASSERT_EQ(frontends.size(), 1u);
  EXPECT_THAT(frontends[0].backends, IsEmpty());
}

TEST_F(ComputeFrontendsTest, SlicePortMustMatchProtocolAndHaveANumber) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("dns", kTcp, 53)});
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-udp", "web", AddressType::kIPv4, {SlicePort("dns", kUdp, 5353)},
                {MakeEndpoint("198.18.0.11", "node1")}),
      MakeSlice("web-nonum", "web", AddressType::kIPv4, {SlicePort("dns", kTcp, std::nullopt)},
                {MakeEndpoint("198.18.0.12", "node1")})};
  std::vector<Frontend> frontends = Compute(web, slices);
  ASSERT_EQ(frontends.size(), 1u);
  EXPECT_THAT(frontends[0].backends, IsEmpty());
}

TEST_F(ComputeFrontendsTest, UnnamedPortMatchesUnnamedSlicePort) {
  Service db = MakeService("db", {"198.19.0.30"}, {Port("", kTcp, 5432)});
  std::vector<EndpointSlice> slices = {MakeSlice("db-a", "db", AddressType::kIPv4,
                                                 {SlicePort("", kTcp, 5432)},
                                                 {MakeEndpoint("198.18.0.40", "node2")})};
  EXPECT_THAT(BackendNames(Compute(db, slices).at(0)), ElementsAre("198.18.0.40:5432"));
}

TEST_F(ComputeFrontendsTest, SlicesOfOtherServicesAreIgnored) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  EndpointSlice other_service =
      MakeSlice("api-a", "api", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.50", "node1")});
  EndpointSlice other_namespace =
      MakeSlice("web-a", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.51", "node1")});
  other_namespace.meta.id.ns = "staging";
  EXPECT_THAT(Compute(web, {other_service, other_namespace}).at(0).backends, IsEmpty());
}

TEST_F(ComputeFrontendsTest, HeadlessAndExternalNameYieldNothing) {
  Service headless = MakeService("db", {}, {Port("", kTcp, 5432)});
  headless.headless = true;
  EXPECT_THAT(Compute(headless, {}), IsEmpty());
  Service external_name = MakeService("legacy", {}, {Port("", kTcp, 80)});
  external_name.type = ServiceType::kExternalName;
  external_name.external_ips = Ips({"198.18.9.1"});
  EXPECT_THAT(Compute(external_name, {}), IsEmpty());
}

TEST_F(ComputeFrontendsTest, FqdnSlicesAreIgnored) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  EndpointSlice fqdn =
      MakeSlice("web-dns", "web", AddressType::kFQDN, {SlicePort("http", kTcp, 8080)}, {});
  fqdn.endpoints.push_back(Endpoint{});  // FQDN endpoints carry no parsed address
  EXPECT_THAT(Compute(web, {fqdn}).at(0).backends, IsEmpty());
}

// --- Merging slices -----------------------------------------------------------

TEST_F(ComputeFrontendsTest, EndpointListedInTwoSlicesIsOneBackend) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-a", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.11", "node1"), MakeEndpoint("198.18.0.12", "node1")}),
      MakeSlice("web-b", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.12", "node1"), MakeEndpoint("198.18.0.13", "node2")})};
  EXPECT_THAT(BackendNames(Compute(web, slices).at(0)),
              ElementsAre("198.18.0.11:8080", "198.18.0.12:8080", "198.18.0.13:8080"));
}

TEST_F(ComputeFrontendsTest, EndpointMovingBetweenSlicesKeepsOneBackendThroughout) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  auto slice = [](std::string name, std::vector<Endpoint> endpoints) {
    return MakeSlice(std::move(name), "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                     std::move(endpoints));
  };
  Endpoint stays = MakeEndpoint("198.18.0.11", "node1", kReady);
  Endpoint moving = MakeEndpoint("198.18.0.12", "node2", kReady);
  // Before, during (listed by both; the old slice lags with stale conditions), after.
  Endpoint stale = MakeEndpoint("198.18.0.12", "node2", kTerminating);
  std::vector<Frontend> before = Compute(web, {slice("a", {stays, moving}), slice("b", {})});
  std::vector<Frontend> during = Compute(web, {slice("a", {stays, stale}), slice("b", {moving})});
  std::vector<Frontend> during_reversed =
      Compute(web, {slice("b", {moving}), slice("a", {stays, stale})});
  std::vector<Frontend> after = Compute(web, {slice("a", {stays}), slice("b", {moving})});

  EXPECT_THAT(BackendNames(before.at(0)), ElementsAre("198.18.0.11:8080", "198.18.0.12:8080"));
  EXPECT_EQ(before, during);
  EXPECT_EQ(during, during_reversed);
  EXPECT_EQ(during, after);
}

TEST_F(ComputeFrontendsTest, SlicesMayDisagreeOnThePortNumberDuringARollout) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-old", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.11", "node1")}),
      MakeSlice("web-new", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 9090)},
                {MakeEndpoint("198.18.0.21", "node1")})};
  EXPECT_THAT(BackendNames(Compute(web, slices).at(0)),
              ElementsAre("198.18.0.11:8080", "198.18.0.21:9090"));
}

// --- ready / serving / terminating ----------------------------------------------

TEST_F(ComputeFrontendsTest, ReadyEndpointsOnlyWhileAnyIsReady) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-a", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.11", "node1", kReady),
                 MakeEndpoint("198.18.0.12", "node1", kTerminating),
                 MakeEndpoint("198.18.0.13", "node1", kNotServing),
                 MakeEndpoint("198.18.0.14", "node1", kStarting),
                 MakeEndpoint("198.18.0.15", "node1", {})})};  // no conditions: ready
  EXPECT_THAT(BackendNames(Compute(web, slices).at(0)),
              ElementsAre("198.18.0.11:8080", "198.18.0.15:8080"));
}

TEST_F(ComputeFrontendsTest, ServingTerminatingEndpointsAreTheFallbackWhenNoneIsReady) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-a", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.12", "node1", kTerminating),
                 MakeEndpoint("198.18.0.13", "node2", kNotServing),
                 MakeEndpoint("198.18.0.14", "node2", kStarting),
                 MakeEndpoint("198.18.0.16", "node2", kTerminating)})};
  std::vector<Frontend> frontends = Compute(web, slices);
  const Frontend& http = frontends.at(0);
  EXPECT_THAT(BackendNames(http), ElementsAre("198.18.0.12:8080~", "198.18.0.16:8080~"));
  EXPECT_TRUE(http.backends[0].terminating);
}

TEST_F(ComputeFrontendsTest, NoServingEndpointMeansNoBackends) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-a", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.13", "node2", kNotServing),
                 MakeEndpoint("198.18.0.14", "node2", kStarting)})};
  EXPECT_THAT(Compute(web, slices).at(0).backends, IsEmpty());
}

// --- Traffic policies -------------------------------------------------------------

class TrafficPolicyTest : public ComputeFrontendsTest {
 protected:
  // One ready endpoint on each of node1 and node2, plus a terminating one on node1.
  std::vector<EndpointSlice> slices_ = {
      MakeSlice("edge-a", "edge", AddressType::kIPv4, {SlicePort("https", kTcp, 8443)},
                {MakeEndpoint("198.18.0.11", "node1", kReady),
                 MakeEndpoint("198.18.0.12", "node1", kTerminating),
                 MakeEndpoint("198.18.4.11", "node2", kReady)})};

  Service Edge() const {
    Service edge = MakeService("edge", {"198.19.0.40"}, {Port("https", kTcp, 443, 30443)});
    edge.type = ServiceType::kLoadBalancer;
    edge.external_ips = Ips({"198.18.9.10"});
    edge.load_balancer_ips = Ips({"198.18.9.9"});
    return edge;
  }
};

TEST_F(TrafficPolicyTest, InternalTrafficPolicyLocalUsesOnlyThisNodesEndpoints) {
  Service edge = Edge();
  edge.internal_traffic_policy = TrafficPolicy::kLocal;
  std::vector<Frontend> frontends = Compute(edge, slices_);
  const Frontend& cluster_ip = Get(frontends, "198.19.0.40:443/TCP");
  EXPECT_THAT(BackendNames(cluster_ip), ElementsAre("198.18.0.11:8443"));
  EXPECT_EQ(cluster_ip.flags, LB_SVC_F_LOCAL_ONLY);
  // iTP concerns the ClusterIP only: the NodePort seen from the node keeps all.
  EXPECT_THAT(BackendNames(Get(frontends, "198.18.1.1:30443/TCP")),
              ElementsAre("198.18.0.11:8443", "198.18.4.11:8443"));
}

TEST_F(TrafficPolicyTest, LocalPolicyWithNoLocalEndpointHasNoBackendsEvenIfOthersAreReady) {
  Service edge = Edge();
  edge.internal_traffic_policy = TrafficPolicy::kLocal;
  node_.node_name = "node3";
  EXPECT_THAT(Get(Compute(edge, slices_), "198.19.0.40:443/TCP").backends, IsEmpty());
}

TEST_F(TrafficPolicyTest, LocalPolicyFallsBackToLocalTerminatingEndpoints) {
  Service edge = Edge();
  edge.internal_traffic_policy = TrafficPolicy::kLocal;
  slices_[0].endpoints[0].conditions = {false, false, true};  // 198.18.0.11 gone
  std::vector<Frontend> frontends = Compute(edge, slices_);
  // node2's ready endpoint does not count for node1's local set.
  EXPECT_THAT(BackendNames(Get(frontends, "198.19.0.40:443/TCP")),
              ElementsAre("198.18.0.12:8443~"));
}

TEST_F(TrafficPolicyTest, ExternalTrafficPolicyLocalSplitsExternalAndInternalScopes) {
  Service edge = Edge();
  edge.external_traffic_policy = TrafficPolicy::kLocal;
  std::vector<Frontend> frontends = Compute(edge, slices_);

  EXPECT_THAT(
      FrontendNames(frontends),
      ElementsAre("ClusterIP 198.19.0.40:443/TCP", "NodePort 198.18.1.1:30443/TCP",
                  "NodePort 198.18.1.1:30443/TCP (external)", "ExternalIP 198.18.9.10:443/TCP",
                  "ExternalIP 198.18.9.10:443/TCP (external)", "LoadBalancer 198.18.9.9:443/TCP",
                  "LoadBalancer 198.18.9.9:443/TCP (external)"));
  for (std::string_view external :
       {"198.18.1.1:30443/TCP (external)", "198.18.9.10:443/TCP (external)",
        "198.18.9.9:443/TCP (external)"}) {
    const Frontend& frontend = Get(frontends, external);
    EXPECT_THAT(BackendNames(frontend), ElementsAre("198.18.0.11:8443")) << external;
    EXPECT_EQ(frontend.flags, LB_SVC_F_LOCAL_ONLY) << external;
    EXPECT_EQ(frontend.key.scope, Scope::kExternal) << external;
  }
  for (std::string_view internal : {"198.19.0.40:443/TCP", "198.18.1.1:30443/TCP",
                                    "198.18.9.10:443/TCP", "198.18.9.9:443/TCP"}) {
    const Frontend& frontend = Get(frontends, internal);
    EXPECT_THAT(BackendNames(frontend), ElementsAre("198.18.0.11:8443", "198.18.4.11:8443"))
        << internal;
    EXPECT_EQ(frontend.flags, 0) << internal;
  }
}

TEST_F(TrafficPolicyTest, ClusterPolicyUsesEveryReadyEndpointEverywhere) {
  std::vector<Frontend> frontends = Compute(Edge(), slices_);
  ASSERT_EQ(frontends.size(), 7u);
  for (const Frontend& frontend : frontends) {
    EXPECT_THAT(BackendNames(frontend), ElementsAre("198.18.0.11:8443", "198.18.4.11:8443"))
        << frontend.key.ToString();
    EXPECT_EQ(frontend.flags, 0);
  }
}

// --- NodePort, externalIPs, LoadBalancer ------------------------------------------

TEST_F(ComputeFrontendsTest, NodePortIsServedOnEveryNodeIPOfTheFamily) {
  Service np = MakeService("np", {"198.19.0.20"}, {Port("http", kTcp, 8080, 30080)});
  np.type = ServiceType::kNodePort;
  node_.node_ips = Ips({"198.18.1.1", "198.18.2.1", "fd00:1::1"});
  EXPECT_THAT(
      FrontendNames(Compute(np, {})),
      ElementsAre("ClusterIP 198.19.0.20:8080/TCP", "NodePort 198.18.1.1:30080/TCP",
                  "NodePort 198.18.1.1:30080/TCP (external)", "NodePort 198.18.2.1:30080/TCP",
                  "NodePort 198.18.2.1:30080/TCP (external)"));
}

TEST_F(ComputeFrontendsTest, NoNodePortFrontendsWithoutAnAllocatedNodePort) {
  // A LoadBalancer with allocateLoadBalancerNodePorts: false has nodePort 0; a
  // ClusterIP Service keeps no nodePort even if a stale one is left in the object.
  Service lb = MakeService("lb", {"198.19.0.50"}, {Port("http", kTcp, 80, 0)});
  lb.type = ServiceType::kLoadBalancer;
  Service cluster_ip = MakeService("cip", {"198.19.0.51"}, {Port("http", kTcp, 80, 30099)});
  EXPECT_THAT(FrontendNames(Compute(lb, {})), ElementsAre("ClusterIP 198.19.0.50:80/TCP"));
  EXPECT_THAT(FrontendNames(Compute(cluster_ip, {})), ElementsAre("ClusterIP 198.19.0.51:80/TCP"));
}

TEST_F(ComputeFrontendsTest, ExternalIPsApplyToAnyServiceType) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80)});
  web.external_ips = Ips({"198.18.9.20"});
  EXPECT_THAT(FrontendNames(Compute(web, {})),
              ElementsAre("ClusterIP 198.19.0.10:80/TCP", "ExternalIP 198.18.9.20:80/TCP",
                          "ExternalIP 198.18.9.20:80/TCP (external)"));
}

TEST_F(ComputeFrontendsTest, OneFrontendPerKeyWhenAddressesCoincide) {
  // An externalIP that is also the node's address, on the nodePort's number.
  Service np = MakeService("np", {"198.19.0.20"}, {Port("http", kTcp, 30080, 30080)});
  np.type = ServiceType::kNodePort;
  np.external_ips = Ips({"198.18.1.1"});
  node_.node_ips = Ips({"198.18.1.1"});
  std::vector<Frontend> frontends = Compute(np, {});
  EXPECT_THAT(FrontendNames(frontends),
              ElementsAre("ClusterIP 198.19.0.20:30080/TCP", "NodePort 198.18.1.1:30080/TCP",
                          "NodePort 198.18.1.1:30080/TCP (external)"));
}

// --- Dual stack ---------------------------------------------------------------------

TEST_F(ComputeFrontendsTest, DualStackFrontendsTakeBackendsFromTheirOwnFamilyOnly) {
  Service web = MakeService("web", {"198.19.0.10", "fd00:19::10"}, {Port("http", kTcp, 80, 30080)});
  web.type = ServiceType::kNodePort;
  std::vector<EndpointSlice> slices = {
      MakeSlice("web-v4", "web", AddressType::kIPv4, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.11", "node1")}),
      MakeSlice("web-v6", "web", AddressType::kIPv6, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("fd00:18::11", "node1"), MakeEndpoint("fd00:18::12", "node2")})};
  std::vector<Frontend> frontends = Compute(web, slices);

  EXPECT_THAT(
      FrontendNames(frontends),
      ElementsAre("ClusterIP 198.19.0.10:80/TCP", "ClusterIP [fd00:19::10]:80/TCP",
                  "NodePort 198.18.1.1:30080/TCP", "NodePort 198.18.1.1:30080/TCP (external)",
                  "NodePort [fd00:1::1]:30080/TCP", "NodePort [fd00:1::1]:30080/TCP (external)"));
  for (const Frontend& frontend : frontends) {
    std::vector<std::string> expected = {"198.18.0.11:8080"};
    if (!frontend.key.address.is_v4()) expected = {"[fd00:18::11]:8080", "[fd00:18::12]:8080"};
    EXPECT_EQ(BackendNames(frontend), expected) << frontend.key.ToString();
  }
}

TEST_F(ComputeFrontendsTest, SingleStackServiceIgnoresAddressesOfTheOtherFamily) {
  Service lb = MakeService("lb", {"198.19.0.50"}, {Port("http", kTcp, 80, 30050)});
  lb.type = ServiceType::kLoadBalancer;
  lb.external_ips = Ips({"fd00:9::10"});
  lb.load_balancer_ips = Ips({"fd00:9::9"});
  for (const Frontend& frontend : Compute(lb, {}))
    EXPECT_TRUE(frontend.key.address.is_v4()) << frontend.key.ToString();
}

TEST_F(ComputeFrontendsTest, ServiceWithoutClusterIPYieldsNothing) {
  // Not allocated yet (a hand-written manifest): kube-proxy waits for the allocation.
  Service pending = MakeService("pending", {}, {Port("http", kTcp, 80, 30080)});
  pending.type = ServiceType::kNodePort;
  EXPECT_THAT(Compute(pending, {}), IsEmpty());
}

// --- Session affinity, order ----------------------------------------------------------

TEST_F(ComputeFrontendsTest, ClientIPAffinityFlagsEveryFrontendWithItsTimeout) {
  Service web = MakeService("web", {"198.19.0.10"}, {Port("http", kTcp, 80, 30080)});
  web.type = ServiceType::kNodePort;
  web.session_affinity_client_ip = true;
  web.session_affinity_timeout = 600;
  web.external_traffic_policy = TrafficPolicy::kLocal;
  std::vector<Frontend> frontends = Compute(web, {});
  ASSERT_EQ(frontends.size(), 3u);
  for (const Frontend& frontend : frontends) {
    EXPECT_TRUE(frontend.flags & LB_SVC_F_AFFINITY) << frontend.key.ToString();
    EXPECT_EQ(frontend.affinity_timeout, 600u);
  }
  EXPECT_EQ(Get(frontends, "198.18.1.1:30080/TCP (external)").flags,
            LB_SVC_F_AFFINITY | LB_SVC_F_LOCAL_ONLY);
}

TEST_F(ComputeFrontendsTest, OutputDoesNotDependOnInputOrder) {
  Service web = MakeService("web", {"198.19.0.10", "fd00:19::10"},
                            {Port("http", kTcp, 80, 30080), Port("dns", kUdp, 53, 30053)});
  web.type = ServiceType::kNodePort;
  web.external_ips = Ips({"198.18.9.2", "198.18.9.1"});
  std::vector<EndpointSlice> slices = {
      MakeSlice("a", "web", AddressType::kIPv4,
                {SlicePort("http", kTcp, 8080), SlicePort("dns", kUdp, 5353)},
                {MakeEndpoint("198.18.0.12", "node1"), MakeEndpoint("198.18.0.11", "node2")}),
      MakeSlice("b", "web", AddressType::kIPv4,
                {SlicePort("dns", kUdp, 5353), SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("198.18.0.10", "node2")}),
      MakeSlice("c", "web", AddressType::kIPv6, {SlicePort("http", kTcp, 8080)},
                {MakeEndpoint("fd00:18::11", "node1")})};
  std::vector<Frontend> forward = Compute(web, slices);

  Service shuffled = web;
  std::reverse(shuffled.ports.begin(), shuffled.ports.end());
  std::reverse(shuffled.cluster_ips.begin(), shuffled.cluster_ips.end());
  std::reverse(shuffled.external_ips.begin(), shuffled.external_ips.end());
  std::vector<EndpointSlice> reversed(slices.rbegin(), slices.rend());
  std::reverse(node_.node_ips.begin(), node_.node_ips.end());

  EXPECT_EQ(forward, Compute(shuffled, reversed));
  for (const Frontend& frontend : forward)
    EXPECT_TRUE(std::is_sorted(frontend.backends.begin(), frontend.backends.end()));
  EXPECT_THAT(BackendNames(Get(forward, "198.19.0.10:80/TCP")),
              ElementsAre("198.18.0.10:8080", "198.18.0.11:8080", "198.18.0.12:8080"));
}

}  // namespace
}  // namespace sluice::model
