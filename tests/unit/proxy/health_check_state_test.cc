// Which Services get a healthCheckNodePort and how many local endpoints each reports,
// against kube-proxy's rules (NeedsHealthCheck, EndpointsMap.LocalReadyEndpoints).
#include "proxy/health_check_state.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "unit/model/model_builders.h"

namespace sluice::proxy {
namespace {

using model::AddressType;
using model::Protocol;
using model::Service;
using model::ServiceType;
using model::TrafficPolicy;
using namespace model::testing;

constexpr const char* kNode = "node-a";

Service LocalLb(std::string name, uint16_t health_port = 30256) {
  Service service =
      MakeService(std::move(name), {"198.19.0.10"}, {Port("http", Protocol::kTcp, 80, 30080)});
  service.type = ServiceType::kLoadBalancer;
  service.external_traffic_policy = TrafficPolicy::kLocal;
  service.health_check_node_port = health_port;
  return service;
}

model::EndpointSlice HttpSlice(std::string slice, std::string service,
                               std::vector<model::Endpoint> endpoints,
                               AddressType type = AddressType::kIPv4) {
  return MakeSlice(std::move(slice), std::move(service), type,
                   {SlicePort("http", Protocol::kTcp, 8080)}, std::move(endpoints));
}

int Count(const Service& service, const std::vector<model::EndpointSlice>& slices,
          const std::string& node = kNode) {
  std::vector<const model::EndpointSlice*> pointers = Pointers(slices);
  return LocalReadyEndpoints(service, pointers, node);
}

TEST(HealthCheckNodePortTest, OnlyLoadBalancersWithLocalExternalPolicy) {
  EXPECT_EQ(HealthCheckNodePort(LocalLb("web"), ""), 30256);

  Service cluster = LocalLb("web");
  cluster.external_traffic_policy = TrafficPolicy::kCluster;
  EXPECT_EQ(HealthCheckNodePort(cluster, ""), 0) << "externalTrafficPolicy Cluster";

  // A NodePort Service with Local policy gets no health check in kube-proxy either,
  // even when a manifest carries a port.
  Service node_port = LocalLb("web");
  node_port.type = ServiceType::kNodePort;
  EXPECT_EQ(HealthCheckNodePort(node_port, ""), 0);

  EXPECT_EQ(HealthCheckNodePort(LocalLb("web", 0), ""), 0) << "no port allocated";
}

TEST(HealthCheckNodePortTest, SkipsWhatKubeProxySkips) {
  Service labelled = LocalLb("web");
  labelled.meta.labels[model::kServiceProxyNameLabel] = "other-proxy";
  EXPECT_EQ(HealthCheckNodePort(labelled, ""), 0);
  EXPECT_EQ(HealthCheckNodePort(labelled, "other-proxy"), 30256);

  Service no_ports = LocalLb("web");
  no_ports.ports.clear();
  EXPECT_EQ(HealthCheckNodePort(no_ports, ""), 0);

  Service headless = LocalLb("web");
  headless.headless = true;
  headless.cluster_ips.clear();
  EXPECT_EQ(HealthCheckNodePort(headless, ""), 0);
}

TEST(LocalReadyEndpointsTest, CountsReadyEndpointsOnThisNodeOnly) {
  std::vector<model::EndpointSlice> slices = {HttpSlice(
      "web-1", "web",
      {MakeEndpoint("198.18.1.1", kNode, kReady), MakeEndpoint("198.18.1.2", kNode, kReady),
       MakeEndpoint("198.18.1.3", "node-b", kReady)})};
  EXPECT_EQ(Count(LocalLb("web"), slices), 2);
  EXPECT_EQ(Count(LocalLb("web"), slices, "node-b"), 1);
  EXPECT_EQ(Count(LocalLb("web"), slices, "node-c"), 0);
  EXPECT_EQ(Count(LocalLb("web"), slices, ""), 0) << "no node name: nothing is local";
}

TEST(LocalReadyEndpointsTest, TerminatingAndUnreadyEndpointsDoNotCount) {
  // Serving-terminating endpoints still take traffic as a fallback, but the node must
  // fail its check so the load balancer drains it.
  std::vector<model::EndpointSlice> slices = {
      HttpSlice("web-1", "web",
                {MakeEndpoint("198.18.1.1", kNode, kTerminating),
                 MakeEndpoint("198.18.1.2", kNode, kNotServing),
                 MakeEndpoint("198.18.1.3", kNode, kStarting)})};
  EXPECT_EQ(Count(LocalLb("web"), slices), 0);

  // Absent conditions mean ready.
  slices.push_back(HttpSlice("web-2", "web", {MakeEndpoint("198.18.1.4", kNode)}));
  EXPECT_EQ(Count(LocalLb("web"), slices), 1);
}

TEST(LocalReadyEndpointsTest, CountsDistinctIpsAcrossPortsAndSlices) {
  // One Pod behind two ports, listed in two slices (by port), counts once.
  model::EndpointSlice http = HttpSlice("web-http", "web", {MakeEndpoint("198.18.1.1", kNode)});
  model::EndpointSlice https =
      MakeSlice("web-https", "web", AddressType::kIPv4, {SlicePort("https", Protocol::kTcp, 8443)},
                {MakeEndpoint("198.18.1.1", kNode), MakeEndpoint("198.18.1.2", kNode)});
  EXPECT_EQ(Count(LocalLb("web"), {http, https}), 2);
}

TEST(LocalReadyEndpointsTest, EndpointListedTwiceIsReadyIfAnySliceSaysSo) {
  std::vector<model::EndpointSlice> slices = {
      HttpSlice("web-old", "web", {MakeEndpoint("198.18.1.1", kNode, kTerminating)}),
      HttpSlice("web-new", "web", {MakeEndpoint("198.18.1.1", kNode, kReady)})};
  EXPECT_EQ(Count(LocalLb("web"), slices), 1);
}

TEST(LocalReadyEndpointsTest, IgnoresSlicesOfOtherServicesAndSlicesWithoutPorts) {
  model::EndpointSlice other = HttpSlice("api-1", "api", {MakeEndpoint("198.18.1.1", kNode)});
  model::EndpointSlice no_port_number = MakeSlice("web-1", "web", AddressType::kIPv4,
                                                  {SlicePort("http", Protocol::kTcp, std::nullopt)},
                                                  {MakeEndpoint("198.18.1.2", kNode)});
  model::EndpointSlice no_ports =
      MakeSlice("web-2", "web", AddressType::kIPv4, {}, {MakeEndpoint("198.18.1.3", kNode)});
  model::EndpointSlice other_namespace =
      HttpSlice("web-3", "web", {MakeEndpoint("198.18.1.4", kNode)});
  other_namespace.meta.id.ns = "elsewhere";
  EXPECT_EQ(Count(LocalLb("web"), {other, no_port_number, no_ports, other_namespace}), 0);
}

TEST(LocalReadyEndpointsTest, OnlyFamiliesTheServiceHas) {
  model::EndpointSlice v6 =
      HttpSlice("web-v6", "web", {MakeEndpoint("fd00::1:1", kNode)}, AddressType::kIPv6);
  EXPECT_EQ(Count(LocalLb("web"), {v6}), 0) << "IPv4-only Service, IPv6 slice";

  Service dual = LocalLb("web");
  dual.cluster_ips.push_back(Ip("fd00::10"));
  model::EndpointSlice v4 = HttpSlice(
      "web-v4", "web", {MakeEndpoint("198.18.1.1", kNode), MakeEndpoint("198.18.1.2", kNode)});
  // Two dual-stack Pods: two, not four; while one family has none, the other's count.
  model::EndpointSlice v6_two = HttpSlice(
      "web-v6", "web", {MakeEndpoint("fd00::1:1", kNode), MakeEndpoint("fd00::1:2", kNode)},
      AddressType::kIPv6);
  EXPECT_EQ(Count(dual, {v4, v6_two}), 2);
  EXPECT_EQ(Count(dual, {v6}), 1);

  // An address of the other family in a slice is skipped, as ComputeFrontends does.
  model::EndpointSlice mislabelled =
      HttpSlice("web-x", "web", {MakeEndpoint("fd00::1:9", kNode)}, AddressType::kIPv4);
  EXPECT_EQ(Count(LocalLb("web"), {mislabelled}), 0);
}

TEST(ComputeHealthCheckStateTest, BothMapsForServicesThatNeedChecks) {
  Service web = LocalLb("web", 30256);
  Service api = LocalLb("api", 30257);
  Service plain = MakeService("plain", {"198.19.0.11"}, {Port("http", Protocol::kTcp, 80)});
  plain.health_check_node_port = 30258;  // ignored: not a LoadBalancer

  std::vector<ServicePtr> services = {std::make_shared<const Service>(web),
                                      std::make_shared<const Service>(api),
                                      std::make_shared<const Service>(plain), nullptr};
  std::vector<SlicePtr> slices = {
      std::make_shared<const model::EndpointSlice>(
          HttpSlice("web-1", "web",
                    {MakeEndpoint("198.18.1.1", kNode), MakeEndpoint("198.18.1.2", "node-b")})),
      std::make_shared<const model::EndpointSlice>(
          HttpSlice("plain-1", "plain", {MakeEndpoint("198.18.2.1", kNode)})),
      nullptr};

  HealthCheckState state = ComputeHealthCheckState(services, slices, kNode, "");
  EXPECT_EQ(state.ports, (std::map<model::ObjectName, uint16_t>{{{"shop", "api"}, 30257},
                                                                {{"shop", "web"}, 30256}}));
  // api has no slices at all: it is listed with 0, so the server answers 503.
  EXPECT_EQ(state.local_endpoints,
            (std::map<model::ObjectName, int>{{{"shop", "api"}, 0}, {{"shop", "web"}, 1}}));

  HealthCheckState on_b = ComputeHealthCheckState(services, slices, "node-b", "");
  EXPECT_EQ(on_b.local_endpoints.at({"shop", "web"}), 1);
  EXPECT_EQ(ComputeHealthCheckState({}, slices, kNode, ""), HealthCheckState{});
}

}  // namespace
}  // namespace sluice::proxy
