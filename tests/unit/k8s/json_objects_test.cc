#include "k8s/json_objects.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::k8s {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

IpAddress Ip(std::string_view text) { return *IpAddress::Parse(text); }

// A minimal valid Service with `spec_patch` merged into its spec.
json ServiceJson(const json& spec_patch = json::object()) {
  json service = json::parse(R"({
    "kind": "Service", "apiVersion": "v1",
    "metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "42",
                 "labels": {"app": "web"}},
    "spec": {"clusterIP": "198.19.0.10", "clusterIPs": ["198.19.0.10"],
             "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}]}
  })");
  service["spec"].merge_patch(spec_patch);
  return service;
}

template <typename Decode>
std::string ErrorOf(Decode decode, const json& object) {
  try {
    decode(object);
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string ServiceError(const json& object) { return ErrorOf(ServiceFromJson, object); }

TEST(ServiceFromJsonTest, DecodesIdentityAndPorts) {
  model::Service service = ServiceFromJson(ServiceJson());
  EXPECT_EQ(service.meta.id.ToString(), "shop/web");
  EXPECT_EQ(service.meta.uid, "u-1");
  EXPECT_EQ(service.meta.resource_version, "42");
  EXPECT_EQ(service.meta.labels.at("app"), "web");
  EXPECT_EQ(service.type, model::ServiceType::kClusterIP);
  EXPECT_THAT(service.cluster_ips, ElementsAre(Ip("198.19.0.10")));
  ASSERT_EQ(service.ports.size(), 1u);
  EXPECT_EQ(service.ports[0].name, "http");
  EXPECT_EQ(service.ports[0].port, 80);
  EXPECT_EQ(service.ports[0].target_port_number, 8080);
  EXPECT_FALSE(service.session_affinity_client_ip);
  EXPECT_EQ(service.external_traffic_policy, model::TrafficPolicy::kCluster);
}

TEST(ServiceFromJsonTest, AppliesTheAPIDefaults) {
  json object =
      ServiceJson({{"ports", json::parse(R"([{"port": 53}])")}, {"sessionAffinity", "ClientIP"}});
  object["metadata"].erase("namespace");
  model::Service service = ServiceFromJson(object);
  EXPECT_EQ(service.meta.id.ns, "default");
  EXPECT_EQ(service.ports[0].protocol, model::Protocol::kTcp);
  EXPECT_EQ(service.ports[0].name, "");
  EXPECT_EQ(service.ports[0].target_port_number, 53);  // targetPort defaults to port
  EXPECT_EQ(service.session_affinity_timeout, 10800u);
}

TEST(ServiceFromJsonTest, DecodesEveryFieldSluiceReads) {
  model::Service service = ServiceFromJson(ServiceJson(json::parse(R"({
    "type": "LoadBalancer",
    "clusterIPs": ["198.19.0.10", "fd00:19::10"],
    "ports": [{"name": "https", "protocol": "TCP", "port": 443, "targetPort": "https",
               "nodePort": 30443},
              {"name": "q", "protocol": "UDP", "port": 443, "targetPort": 8443, "nodePort": 30444}],
    "externalIPs": ["198.18.9.10"],
    "sessionAffinity": "ClientIP",
    "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 600}},
    "externalTrafficPolicy": "Local",
    "internalTrafficPolicy": "Local",
    "healthCheckNodePort": 32486,
    "loadBalancerSourceRanges": ["198.18.1.0/24", " 203.0.113.0/24 "]
  })")));
  EXPECT_EQ(service.type, model::ServiceType::kLoadBalancer);
  EXPECT_THAT(service.cluster_ips, ElementsAre(Ip("198.19.0.10"), Ip("fd00:19::10")));
  EXPECT_EQ(service.ports[0].target_port_name, "https");
  EXPECT_EQ(service.ports[0].node_port, 30443);
  EXPECT_EQ(service.ports[1].protocol, model::Protocol::kUdp);
  EXPECT_THAT(service.external_ips, ElementsAre(Ip("198.18.9.10")));
  EXPECT_TRUE(service.session_affinity_client_ip);
  EXPECT_EQ(service.session_affinity_timeout, 600u);
  EXPECT_EQ(service.external_traffic_policy, model::TrafficPolicy::kLocal);
  EXPECT_EQ(service.internal_traffic_policy, model::TrafficPolicy::kLocal);
  EXPECT_EQ(service.health_check_node_port, 32486);
  ASSERT_EQ(service.load_balancer_source_ranges.size(), 2u);
  EXPECT_EQ(service.load_balancer_source_ranges[1].ToString(), "203.0.113.0/24");
}

TEST(ServiceFromJsonTest, ClusterIPAloneIsEnoughAndNoneMeansHeadless) {
  json single = ServiceJson();
  single["spec"].erase("clusterIPs");
  EXPECT_THAT(ServiceFromJson(single).cluster_ips, ElementsAre(Ip("198.19.0.10")));

  model::Service headless =
      ServiceFromJson(ServiceJson({{"clusterIP", "None"}, {"clusterIPs", {"None"}}}));
  EXPECT_TRUE(headless.headless);
  EXPECT_THAT(headless.cluster_ips, IsEmpty());

  json unallocated = ServiceJson();
  unallocated["spec"].erase("clusterIP");
  unallocated["spec"].erase("clusterIPs");
  model::Service pending = ServiceFromJson(unallocated);
  EXPECT_FALSE(pending.headless);
  EXPECT_THAT(pending.cluster_ips, IsEmpty());
}

TEST(ServiceFromJsonTest, ExternalNameType) {
  json object =
      json::parse(R"({"kind": "Service", "metadata": {"name": "legacy", "namespace": "shop"},
    "spec": {"type": "ExternalName", "externalName": "legacy.example.test"}})");
  model::Service service = ServiceFromJson(object);
  EXPECT_EQ(service.type, model::ServiceType::kExternalName);
  EXPECT_THAT(service.cluster_ips, IsEmpty());
}

TEST(ServiceFromJsonTest, LoadBalancerIngressTakesVipAddressesOnly) {
  json object = ServiceJson({{"type", "LoadBalancer"}});
  object["status"] = json::parse(R"({"loadBalancer": {"ingress": [
    {"ip": "198.18.9.9", "ipMode": "VIP"},
    {"hostname": "lb.example.test"},
    {"ip": "198.18.9.8"},
    {"ip": "198.18.9.7", "ipMode": "Proxy"}]}})");
  EXPECT_THAT(ServiceFromJson(object).load_balancer_ips,
              ElementsAre(Ip("198.18.9.9"), Ip("198.18.9.8")));
}

TEST(ServiceFromJsonTest, ErrorsNameTheField) {
  EXPECT_EQ(ServiceError(ServiceJson({{"ports", json::parse(R"([
              {"name": "a", "port": 80}, {"name": "b", "protocol": "XTCP", "port": 81}])")}})),
            "spec.ports[1].protocol: unknown protocol \"XTCP\"");
  EXPECT_EQ(ServiceError(ServiceJson({{"clusterIPs", {"198.19.0.10", "fd00::zz"}}})),
            "spec.clusterIPs[1]: invalid IP address \"fd00::zz\"");
  EXPECT_EQ(ServiceError(ServiceJson({{"clusterIP", "198.19.0.11"}})),
            "spec.clusterIP: \"198.19.0.11\" differs from spec.clusterIPs[0] \"198.19.0.10\"");
  EXPECT_EQ(ServiceError(ServiceJson({{"ports", json::parse(R"([{"port": 70000}])")}})),
            "spec.ports[0].port: 70000 is out of range 0..65535");
  EXPECT_EQ(ServiceError(ServiceJson({{"ports", json::parse(R"([{"port": "80"}])")}})),
            "spec.ports[0].port: expected an integer, got string");
  EXPECT_EQ(ServiceError(ServiceJson({{"ports", json::parse(R"([{"port": 80.5}])")}})),
            "spec.ports[0].port: expected an integer, got number");
  EXPECT_EQ(ServiceError(ServiceJson({{"ports", json::parse(R"([{"name": "x"}])")}})),
            "spec.ports[0].port: required");
  EXPECT_EQ(
      ServiceError(ServiceJson({{"ports", json::parse(R"([{"port": 80, "targetPort": true}])")}})),
      "spec.ports[0].targetPort: expected an integer or a string, got boolean");
  EXPECT_EQ(ServiceError(ServiceJson({{"externalIPs", {"198.18.9.300"}}})),
            "spec.externalIPs[0]: invalid IP address \"198.18.9.300\"");
  EXPECT_EQ(ServiceError(ServiceJson({{"type", "Magic"}})),
            "spec.type: unknown Service type \"Magic\"");
  EXPECT_EQ(ServiceError(ServiceJson({{"externalTrafficPolicy", "Global"}})),
            "spec.externalTrafficPolicy: unknown traffic policy \"Global\" (expected Cluster or "
            "Local)");
  EXPECT_EQ(ServiceError(ServiceJson({{"loadBalancerSourceRanges", {"10.0.0.0/33"}}})),
            "spec.loadBalancerSourceRanges[0]: invalid CIDR \"10.0.0.0/33\"");
  EXPECT_EQ(ServiceError(ServiceJson({{"ports", "80"}})),
            "spec.ports: expected an array, got string");
}

TEST(ServiceFromJsonTest, ErrorsInMetadataAndKind) {
  json unnamed = ServiceJson();
  unnamed["metadata"].erase("name");
  EXPECT_EQ(ServiceError(unnamed), "metadata.name: required");
  json bad_label = ServiceJson();
  bad_label["metadata"]["labels"]["tier"] = 3;
  EXPECT_EQ(ServiceError(bad_label), "metadata.labels[tier]: expected a string, got number");
  json pod = ServiceJson();
  pod["kind"] = "Pod";
  EXPECT_EQ(ServiceError(pod), "kind: expected \"Service\", got \"Pod\"");
  EXPECT_EQ(ServiceError(json::array()), "expected an object, got array");
  json no_spec = ServiceJson();
  no_spec.erase("spec");
  EXPECT_EQ(ServiceError(no_spec), "spec: required");
}

TEST(ServiceFromJsonTest, NullMeansAbsent) {
  // Go clients send null for empty slices and nil pointers.
  model::Service service = ServiceFromJson(ServiceJson(
      {{"externalIPs", nullptr}, {"sessionAffinityConfig", nullptr}, {"type", nullptr}}));
  EXPECT_THAT(service.external_ips, IsEmpty());
  EXPECT_EQ(service.type, model::ServiceType::kClusterIP);
}

json SliceJson() {
  return json::parse(R"({
    "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
    "metadata": {"name": "web-abc12", "namespace": "shop",
                 "labels": {"kubernetes.io/service-name": "web"}},
    "addressType": "IPv4",
    "endpoints": [
      {"addresses": ["198.18.0.11"],
       "conditions": {"ready": true, "serving": true, "terminating": false},
       "nodeName": "node1", "zone": "zone-a", "hints": {"forZones": [{"name": "zone-a"}]},
       "targetRef": {"kind": "Pod", "name": "web-1"}},
      {"addresses": ["198.18.0.12"], "conditions": {}},
      {"addresses": ["198.18.0.13"],
       "conditions": {"ready": false, "serving": true, "terminating": true}}
    ],
    "ports": [{"name": "http", "protocol": "TCP", "port": 8080}, {"name": "dns", "protocol": "UDP"}]
  })");
}

TEST(EndpointSliceFromJsonTest, DecodesEndpointsConditionsAndPorts) {
  model::EndpointSlice slice = EndpointSliceFromJson(SliceJson());
  EXPECT_EQ(slice.meta.id.ToString(), "shop/web-abc12");
  EXPECT_EQ(slice.service_name, "web");
  EXPECT_EQ(slice.ServiceId().ToString(), "shop/web");
  EXPECT_EQ(slice.address_type, model::AddressType::kIPv4);
  ASSERT_EQ(slice.endpoints.size(), 3u);
  const model::Endpoint& first = slice.endpoints[0];
  EXPECT_THAT(first.addresses, ElementsAre(Ip("198.18.0.11")));
  EXPECT_EQ(first.conditions.ready, true);
  EXPECT_EQ(first.conditions.terminating, false);
  EXPECT_EQ(first.node_name, "node1");
  EXPECT_EQ(first.zone, "zone-a");
  EXPECT_THAT(first.hint_zones, ElementsAre("zone-a"));
  // Unset conditions stay unset, so nil keeps its API meaning (ready).
  EXPECT_EQ(slice.endpoints[1].conditions.ready, std::nullopt);
  EXPECT_TRUE(slice.endpoints[1].conditions.EffectiveReady());
  EXPECT_EQ(slice.endpoints[2].conditions.terminating, true);
  ASSERT_EQ(slice.ports.size(), 2u);
  EXPECT_EQ(slice.ports[0].port, uint16_t{8080});
  EXPECT_EQ(slice.ports[1].protocol, model::Protocol::kUdp);
  EXPECT_EQ(slice.ports[1].port, std::nullopt);
}

TEST(EndpointSliceFromJsonTest, FqdnAddressesAreNotParsed) {
  json object = SliceJson();
  object["addressType"] = "FQDN";
  object["endpoints"] = json::parse(R"([{"addresses": ["web.example.test"]}])");
  model::EndpointSlice slice = EndpointSliceFromJson(object);
  EXPECT_EQ(slice.address_type, model::AddressType::kFQDN);
  ASSERT_EQ(slice.endpoints.size(), 1u);
  EXPECT_THAT(slice.endpoints[0].addresses, IsEmpty());
}

TEST(EndpointSliceFromJsonTest, EmptySliceAndMissingLabel) {
  json object = SliceJson();
  object["endpoints"] = nullptr;
  object["ports"] = nullptr;
  object["metadata"].erase("labels");
  model::EndpointSlice slice = EndpointSliceFromJson(object);
  EXPECT_THAT(slice.endpoints, IsEmpty());
  EXPECT_THAT(slice.ports, IsEmpty());
  EXPECT_EQ(slice.service_name, "");
}

TEST(EndpointSliceFromJsonTest, ErrorsNameTheField) {
  auto error = [](auto mutate) {
    json object = SliceJson();
    mutate(object);
    return ErrorOf(EndpointSliceFromJson, object);
  };
  EXPECT_EQ(error([](json& o) { o["endpoints"][1]["addresses"][0] = "198.18.0.999"; }),
            "endpoints[1].addresses[0]: invalid IP address \"198.18.0.999\"");
  EXPECT_EQ(error([](json& o) { o["endpoints"][0]["conditions"]["ready"] = "yes"; }),
            "endpoints[0].conditions.ready: expected a boolean, got string");
  EXPECT_EQ(error([](json& o) { o["ports"][0]["protocol"] = "ICMP"; }),
            "ports[0].protocol: unknown protocol \"ICMP\"");
  EXPECT_EQ(error([](json& o) { o["addressType"] = "IPv5"; }),
            "addressType: unknown address type \"IPv5\" (expected IPv4, IPv6 or FQDN)");
  EXPECT_EQ(error([](json& o) { o.erase("addressType"); }), "addressType: required");
  EXPECT_EQ(error([](json& o) { o["endpoints"][0].erase("addresses"); }),
            "endpoints[0].addresses: required");
}

TEST(NodeFromJsonTest, TakesInternalAndExternalAddresses) {
  model::Node node = NodeFromJson(json::parse(R"({
    "kind": "Node", "apiVersion": "v1",
    "metadata": {"name": "node1", "labels": {"topology.kubernetes.io/zone": "zone-a"}},
    "status": {"addresses": [
      {"type": "InternalIP", "address": "198.18.1.1"},
      {"type": "InternalIP", "address": "fd00:1::1"},
      {"type": "ExternalIP", "address": "203.0.113.7"},
      {"type": "Hostname", "address": "node1"},
      {"type": "InternalDNS", "address": "node1.internal"}]}
  })"));
  EXPECT_EQ(node.meta.id.name, "node1");
  EXPECT_EQ(node.meta.id.ns, "");
  EXPECT_THAT(node.internal_ips, ElementsAre(Ip("198.18.1.1"), Ip("fd00:1::1")));
  EXPECT_THAT(node.external_ips, ElementsAre(Ip("203.0.113.7")));
}

TEST(NodeFromJsonTest, InvalidAddressIsAnError) {
  json object = json::parse(R"({"kind": "Node", "metadata": {"name": "n"},
    "status": {"addresses": [{"type": "InternalIP", "address": "not-an-ip"}]}})");
  EXPECT_EQ(ErrorOf(NodeFromJson, object),
            "status.addresses[0].address: invalid IP address \"not-an-ip\"");
}

}  // namespace
}  // namespace sluice::k8s
