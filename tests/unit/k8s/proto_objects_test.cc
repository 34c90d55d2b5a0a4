// The protobuf decoder against the JSON decoder: the same object written in either
// format decodes to the same model object, or fails with the same message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "k8s/json_objects.h"
#include "k8s/proto_objects.h"
#include "object_text.h"

namespace sluice::k8s {
namespace {

using testing::ObjectText;

// What a decoder made of an object: its text, or "error: <message>".
template <typename Decode>
std::string Outcome(Decode decode) {
  try {
    return ObjectText(decode());
  } catch (const DecodeError& error) {
    return std::string("error: ") + error.what();
  }
}

corev1::Service WebService() {
  corev1::Service service;
  auto* meta = service.mutable_metadata();
  meta->set_name("web");
  meta->set_namespace_("shop");
  meta->set_resourceversion("12");
  meta->set_uid("u-1");
  (*meta->mutable_labels())["app"] = "web";
  auto* spec = service.mutable_spec();
  spec->set_type("ClusterIP");
  spec->set_clusterip("10.0.0.10");
  spec->add_clusterips("10.0.0.10");
  spec->add_clusterips("fd00::10");
  auto* http = spec->add_ports();
  http->set_name("http");
  http->set_protocol("TCP");
  http->set_port(80);
  http->mutable_targetport()->set_type(1);
  http->mutable_targetport()->set_strval("http");
  auto* dns = spec->add_ports();
  dns->set_name("dns");
  dns->set_protocol("UDP");
  dns->set_port(53);
  dns->mutable_targetport()->set_intval(5353);
  spec->set_sessionaffinity("ClientIP");
  spec->mutable_sessionaffinityconfig()->mutable_clientip()->set_timeoutseconds(600);
  spec->set_internaltrafficpolicy("Local");
  return service;
}

constexpr const char* kWebJson = R"({
  "kind": "Service", "apiVersion": "v1",
  "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "12", "uid": "u-1",
               "labels": {"app": "web"}},
  "spec": {
    "type": "ClusterIP", "clusterIP": "10.0.0.10", "clusterIPs": ["10.0.0.10", "fd00::10"],
    "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"},
              {"name": "dns", "protocol": "UDP", "port": 53, "targetPort": 5353}],
    "sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 600}},
    "internalTrafficPolicy": "Local"
  }
})";

// Applies the same change to both forms of the web Service and compares.
struct ServiceCase {
  std::string name;
  std::function<void(corev1::Service&)> proto_change;
  std::function<void(nlohmann::json&)> json_change;
  std::string expected_error;  // "" when both must decode
};

class ServiceCaseTest : public ::testing::TestWithParam<ServiceCase> {};

TEST_P(ServiceCaseTest, BothFormatsAgree) {
  corev1::Service proto = WebService();
  nlohmann::json json = nlohmann::json::parse(kWebJson);
  GetParam().proto_change(proto);
  GetParam().json_change(json);
  std::string from_proto = Outcome([&] { return Object(ServiceFromProto(proto)); });
  std::string from_json = Outcome([&] { return Object(ServiceFromJson(json)); });
  EXPECT_EQ(from_proto, from_json);
  if (GetParam().expected_error.empty())
    EXPECT_THAT(from_proto, ::testing::Not(::testing::StartsWith("error")));
  else
    EXPECT_EQ(from_proto, "error: " + GetParam().expected_error);
}

INSTANTIATE_TEST_SUITE_P(
    Services, ServiceCaseTest,
    ::testing::Values(
        ServiceCase{"Unchanged", [](auto&) {}, [](auto&) {}, ""},
        ServiceCase{"ProtocolDefaultsToTcp",
                    [](corev1::Service& s) { s.mutable_spec()->mutable_ports(1)->clear_protocol(); },
                    [](nlohmann::json& j) { j["spec"]["ports"][1].erase("protocol"); }, ""},
        ServiceCase{"EmptyProtocolStringIsAbsent",
                    [](corev1::Service& s) { s.mutable_spec()->mutable_ports(1)->set_protocol(""); },
                    [](nlohmann::json& j) { j["spec"]["ports"][1].erase("protocol"); }, ""},
        ServiceCase{"UnknownProtocol",
                    [](corev1::Service& s) { s.mutable_spec()->mutable_ports(1)->set_protocol("XTCP"); },
                    [](nlohmann::json& j) { j["spec"]["ports"][1]["protocol"] = "XTCP"; },
                    "spec.ports[1].protocol: unknown protocol \"XTCP\""},
        ServiceCase{"PortOutOfRange",
                    [](corev1::Service& s) { s.mutable_spec()->mutable_ports(0)->set_port(70000); },
                    [](nlohmann::json& j) { j["spec"]["ports"][0]["port"] = 70000; },
                    "spec.ports[0].port: 70000 is out of range 0..65535"},
        ServiceCase{"NegativeNodePort",
                    [](corev1::Service& s) { s.mutable_spec()->mutable_ports(0)->set_nodeport(-1); },
                    [](nlohmann::json& j) { j["spec"]["ports"][0]["nodePort"] = -1; },
                    "spec.ports[0].nodePort: -1 is out of range 0..65535"},
        ServiceCase{"AbsentTargetPortIsThePort",
                    [](corev1::Service& s) { s.mutable_spec()->mutable_ports(1)->clear_targetport(); },
                    [](nlohmann::json& j) { j["spec"]["ports"][1].erase("targetPort"); }, ""},
        ServiceCase{"AffinityTimeoutDefaults",
                    [](corev1::Service& s) { s.mutable_spec()->clear_sessionaffinityconfig(); },
                    [](nlohmann::json& j) { j["spec"].erase("sessionAffinityConfig"); }, ""},
        ServiceCase{"NegativeAffinityTimeout",
                    [](corev1::Service& s) {
                      s.mutable_spec()->mutable_sessionaffinityconfig()->mutable_clientip()->set_timeoutseconds(-5);
                    },
                    [](nlohmann::json& j) {
                      j["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"] = -5;
                    },
                    "spec.sessionAffinityConfig.clientIP.timeoutSeconds: -5 is out of range 0..4294967295"},
        ServiceCase{"UnknownAffinity",
                    [](corev1::Service& s) { s.mutable_spec()->set_sessionaffinity("Cookie"); },
                    [](nlohmann::json& j) { j["spec"]["sessionAffinity"] = "Cookie"; },
                    "spec.sessionAffinity: unknown session affinity \"Cookie\""},
        ServiceCase{"Headless",
                    [](corev1::Service& s) {
                      s.mutable_spec()->set_clusterip("None");
                      s.mutable_spec()->clear_clusterips();
                      s.mutable_spec()->add_clusterips("None");
                    },
                    [](nlohmann::json& j) {
                      j["spec"]["clusterIP"] = "None";
                      j["spec"]["clusterIPs"] = {"None"};
                    },
                    ""},
        ServiceCase{"ClusterIPOnly",
                    [](corev1::Service& s) { s.mutable_spec()->clear_clusterips(); },
                    [](nlohmann::json& j) { j["spec"].erase("clusterIPs"); }, ""},
        ServiceCase{"ClusterIPMismatch",
                    [](corev1::Service& s) { s.mutable_spec()->set_clusterip("10.0.0.11"); },
                    [](nlohmann::json& j) { j["spec"]["clusterIP"] = "10.0.0.11"; },
                    "spec.clusterIP: \"10.0.0.11\" differs from spec.clusterIPs[0] \"10.0.0.10\""},
        ServiceCase{"BadClusterIP",
                    [](corev1::Service& s) { s.mutable_spec()->set_clusterips(1, "fd00::zz"); },
                    [](nlohmann::json& j) { j["spec"]["clusterIPs"][1] = "fd00::zz"; },
                    "spec.clusterIPs[1]: invalid IP address \"fd00::zz\""},
        ServiceCase{"LoadBalancer",
                    [](corev1::Service& s) {
                      auto* spec = s.mutable_spec();
                      spec->set_type("LoadBalancer");
                      spec->set_externaltrafficpolicy("Local");
                      spec->set_healthchecknodeport(32000);
                      spec->add_loadbalancersourceranges(" 10.0.0.0/8 ");
                      spec->add_externalips("198.18.0.1");
                      auto* ingress = s.mutable_status()->mutable_loadbalancer();
                      ingress->add_ingress()->set_ip("198.18.9.9");
                      ingress->add_ingress()->set_hostname("lb.example");
                      auto* proxied = ingress->add_ingress();
                      proxied->set_ip("198.18.9.8");
                      proxied->set_ipmode("Proxy");
                      auto* vip = ingress->add_ingress();
                      vip->set_ip("198.18.9.7");
                      vip->set_ipmode("VIP");
                    },
                    [](nlohmann::json& j) {
                      j["spec"]["type"] = "LoadBalancer";
                      j["spec"]["externalTrafficPolicy"] = "Local";
                      j["spec"]["healthCheckNodePort"] = 32000;
                      j["spec"]["loadBalancerSourceRanges"] = {" 10.0.0.0/8 "};
                      j["spec"]["externalIPs"] = {"198.18.0.1"};
                      j["status"]["loadBalancer"]["ingress"] = nlohmann::json::parse(
                          R"([{"ip":"198.18.9.9"},{"hostname":"lb.example"},)"
                          R"({"ip":"198.18.9.8","ipMode":"Proxy"},{"ip":"198.18.9.7","ipMode":"VIP"}])");
                    },
                    ""},
        ServiceCase{"BadSourceRange",
                    [](corev1::Service& s) { s.mutable_spec()->add_loadbalancersourceranges("10.0.0.0/33"); },
                    [](nlohmann::json& j) { j["spec"]["loadBalancerSourceRanges"] = {"10.0.0.0/33"}; },
                    "spec.loadBalancerSourceRanges[0]: invalid CIDR \"10.0.0.0/33\""},
        ServiceCase{"UnknownType",
                    [](corev1::Service& s) { s.mutable_spec()->set_type("Magic"); },
                    [](nlohmann::json& j) { j["spec"]["type"] = "Magic"; },
                    "spec.type: unknown Service type \"Magic\""},
        ServiceCase{"UnknownTrafficPolicy",
                    [](corev1::Service& s) { s.mutable_spec()->set_externaltrafficpolicy("Nearby"); },
                    [](nlohmann::json& j) { j["spec"]["externalTrafficPolicy"] = "Nearby"; },
                    "spec.externalTrafficPolicy: unknown traffic policy \"Nearby\" (expected Cluster or "
                    "Local)"},
        ServiceCase{"NamespaceDefaults",
                    [](corev1::Service& s) { s.mutable_metadata()->clear_namespace_(); },
                    [](nlohmann::json& j) { j["metadata"].erase("namespace"); }, ""},
        ServiceCase{"NameRequired",
                    [](corev1::Service& s) { s.mutable_metadata()->clear_name(); },
                    [](nlohmann::json& j) { j["metadata"].erase("name"); }, "metadata.name: required"},
        ServiceCase{"SpecRequired",
                    [](corev1::Service& s) { s.clear_spec(); },
                    [](nlohmann::json& j) { j.erase("spec"); }, "spec: required"}),
    [](const auto& info) { return info.param.name; });

discoveryv1::EndpointSlice WebSlice() {
  discoveryv1::EndpointSlice slice;
  slice.mutable_metadata()->set_name("web-abc");
  slice.mutable_metadata()->set_namespace_("shop");
  (*slice.mutable_metadata()->mutable_labels())["kubernetes.io/service-name"] = "web";
  slice.set_addresstype("IPv4");
  auto* ready = slice.add_endpoints();
  ready->add_addresses("10.1.0.1");
  ready->mutable_conditions()->set_ready(true);
  ready->set_nodename("node1");
  ready->set_zone("a");
  ready->mutable_hints()->add_forzones()->set_name("a");
  auto* terminating = slice.add_endpoints();
  terminating->add_addresses("10.1.0.2");
  terminating->mutable_conditions()->set_ready(false);
  terminating->mutable_conditions()->set_serving(true);
  terminating->mutable_conditions()->set_terminating(true);
  slice.add_endpoints()->add_addresses("10.1.0.3");  // no conditions at all
  auto* http = slice.add_ports();
  http->set_name("http");
  http->set_port(8080);
  slice.add_ports()->set_name("all");  // no port number: all ports
  return slice;
}

constexpr const char* kWebSliceJson = R"({
  "metadata": {"name": "web-abc", "namespace": "shop", "labels": {"kubernetes.io/service-name": "web"}},
  "addressType": "IPv4",
  "endpoints": [
    {"addresses": ["10.1.0.1"], "conditions": {"ready": true}, "nodeName": "node1", "zone": "a",
     "hints": {"forZones": [{"name": "a"}]}},
    {"addresses": ["10.1.0.2"], "conditions": {"ready": false, "serving": true, "terminating": true}},
    {"addresses": ["10.1.0.3"]}
  ],
  "ports": [{"name": "http", "port": 8080}, {"name": "all"}]
})";

TEST(ProtoObjectsTest, EndpointSliceMatchesTheJsonDecoder) {
  EXPECT_EQ(ObjectText(EndpointSliceFromProto(WebSlice())),
            ObjectText(EndpointSliceFromJson(nlohmann::json::parse(kWebSliceJson))));
}

TEST(ProtoObjectsTest, EndpointSliceErrorsNameTheField) {
  discoveryv1::EndpointSlice slice = WebSlice();
  slice.mutable_endpoints(1)->set_addresses(0, "10.1.0.999");
  EXPECT_EQ(Outcome([&] { return Object(EndpointSliceFromProto(slice)); }),
            "error: endpoints[1].addresses[0]: invalid IP address \"10.1.0.999\"");
  slice = WebSlice();
  slice.mutable_ports(0)->set_protocol("ICMP");
  EXPECT_EQ(Outcome([&] { return Object(EndpointSliceFromProto(slice)); }),
            "error: ports[0].protocol: unknown protocol \"ICMP\"");
  slice = WebSlice();
  slice.set_addresstype("IPv5");
  EXPECT_EQ(Outcome([&] { return Object(EndpointSliceFromProto(slice)); }),
            "error: addressType: unknown address type \"IPv5\" (expected IPv4, IPv6 or FQDN)");
  slice.clear_addresstype();
  EXPECT_EQ(Outcome([&] { return Object(EndpointSliceFromProto(slice)); }), "error: addressType: required");
}

TEST(ProtoObjectsTest, FqdnSlicesKeepTheirEndpointsWithoutAddresses) {
  discoveryv1::EndpointSlice slice = WebSlice();
  slice.set_addresstype("FQDN");
  slice.mutable_endpoints(0)->set_addresses(0, "web.example");
  model::EndpointSlice decoded = EndpointSliceFromProto(slice);
  ASSERT_EQ(decoded.endpoints.size(), 3u);
  EXPECT_TRUE(decoded.endpoints[0].addresses.empty());
}

TEST(ProtoObjectsTest, NodeKeepsInternalAndExternalAddressesOnly) {
  corev1::Node node;
  node.mutable_metadata()->set_name("node1");
  node.mutable_metadata()->set_namespace_("ignored");
  auto* status = node.mutable_status();
  auto add = [&](const char* type, const char* address) {
    auto* entry = status->add_addresses();
    entry->set_type(type);
    entry->set_address(address);
  };
  add("InternalIP", "198.18.1.1");
  add("Hostname", "node1");
  add("ExternalIP", "203.0.113.1");
  add("InternalDNS", "node1.cluster");
  add("InternalIP", "fd00:1::1");
  model::Node decoded = NodeFromProto(node);
  EXPECT_EQ(decoded.meta.id, (model::ObjectName{"", "node1"}));
  EXPECT_EQ(ObjectText(decoded), ObjectText(NodeFromJson(nlohmann::json::parse(R"({
    "metadata": {"name": "node1"},
    "status": {"addresses": [{"type": "InternalIP", "address": "198.18.1.1"},
                             {"type": "Hostname", "address": "node1"},
                             {"type": "ExternalIP", "address": "203.0.113.1"},
                             {"type": "InternalDNS", "address": "node1.cluster"},
                             {"type": "InternalIP", "address": "fd00:1::1"}]}})"))));
  add("ExternalIP", "not-an-ip");
  EXPECT_EQ(Outcome([&] { return Object(NodeFromProto(node)); }),
            "error: status.addresses[5].address: invalid IP address \"not-an-ip\"");
}

}  // namespace
}  // namespace sluice::k8s
