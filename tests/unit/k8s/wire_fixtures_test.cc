// The decoder and kube-proxy's semantics against real kube-apiserver captures
// (tests/fixtures/k8s-wire/README.md): what an operator would check after pointing
// sluice at that cluster from node1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "k8s/json_objects.h"
#include "k8s/manifest_decoder.h"
#include "model/compute_frontends.h"

namespace sluice::k8s {
namespace {

using model::Frontend;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

DecodedManifest DecodeFixture(const std::string& name) {
  DecodedManifest decoded = DecodeManifest(ReadFixture(name), name);
  for (const DecodeFailure& failure : decoded.failures)
    ADD_FAILURE() << failure.object << ": " << failure.reason;
  return decoded;
}

std::vector<std::string> Backends(const Frontend& frontend) {
  std::vector<std::string> names;
  for (const model::Backend& backend : frontend.backends)
    names.push_back(backend.ToString() + (backend.terminating ? " (terminating)" : ""));
  return names;
}

class WireFixturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DecodedManifest services = DecodeFixture("services-list.json");
    DecodedManifest slices = DecodeFixture("endpointslices-list.json");
    DecodedManifest node = DecodeFixture("node.json");
    for (model::Service& service : services.services)
      services_[service.meta.id.ToString()] = std::move(service);
    slices_ = std::move(slices.endpoint_slices);
    ASSERT_EQ(node.nodes.size(), 1u);
    node_ = std::move(node.nodes[0]);
  }

  std::vector<Frontend> FrontendsOf(const std::string& service, const std::string& node_name) {
    std::vector<const model::EndpointSlice*> slices;
    for (const model::EndpointSlice& slice : slices_) slices.push_back(&slice);
    model::NodeContext context{.node_name = node_name, .node_ips = node_.internal_ips};
    return model::ComputeFrontends(services_.at(service), slices, context);
  }

  // The frontends of `service` from node1, by key.
  std::map<std::string, Frontend> ByKey(const std::string& service) {
    std::map<std::string, Frontend> frontends;
    for (Frontend& frontend : FrontendsOf(service, "node1"))
      frontends[frontend.key.ToString()] = std::move(frontend);
    return frontends;
  }

  std::map<std::string, model::Service> services_;
  std::vector<model::EndpointSlice> slices_;
  model::Node node_;
};

TEST_F(WireFixturesTest, DecodesEveryServiceOfTheList) {
  std::vector<std::string> names;
  for (const auto& [name, service] : services_) names.push_back(name);
  EXPECT_THAT(names, ElementsAre("default/kubernetes", "shop/db", "shop/edge", "shop/legacy",
                                 "shop/np", "shop/other", "shop/web"));
  EXPECT_EQ(slices_.size(), 3u);
  EXPECT_EQ(node_.meta.id.name, "node1");
  EXPECT_THAT(node_.internal_ips,
              ElementsAre(*IpAddress::Parse("198.18.1.1"), *IpAddress::Parse("fd00:1::1")));
}

TEST_F(WireFixturesTest, WebIsDualStackWithAffinityAndLocalInternalPolicy) {
  const model::Service& web = services_.at("shop/web");
  ASSERT_EQ(web.cluster_ips.size(), 2u);
  EXPECT_EQ(web.cluster_ips[0].ToString(), "198.19.146.54");
  EXPECT_EQ(web.cluster_ips[1].ToString(), "fd00:19::2a8a");
  EXPECT_EQ(web.ports[0].target_port_name, "http");
  EXPECT_EQ(web.ports[1].target_port_number, 5353);
  EXPECT_TRUE(web.session_affinity_client_ip);
  EXPECT_EQ(web.session_affinity_timeout, 600u);
  EXPECT_EQ(web.internal_traffic_policy, model::TrafficPolicy::kLocal);
}

TEST_F(WireFixturesTest, WebNamedTargetPortResolvesThroughTheSlicesPerFamily) {
  std::map<std::string, Frontend> web = ByKey("shop/web");
  ASSERT_EQ(web.size(), 4u);
  // internalTrafficPolicy: Local keeps node2's 198.18.4.11 out.
  EXPECT_THAT(Backends(web.at("198.19.146.54:80/TCP")),
              ElementsAre("198.18.0.11:8080", "198.18.0.12:8080"));
  EXPECT_THAT(Backends(web.at("198.19.146.54:53/UDP")),
              ElementsAre("198.18.0.11:5353", "198.18.0.12:5353"));
  EXPECT_THAT(Backends(web.at("[fd00:19::2a8a]:80/TCP")), ElementsAre("[fd00:18::11]:8080"));
  EXPECT_THAT(Backends(web.at("[fd00:19::2a8a]:53/UDP")), ElementsAre("[fd00:18::11]:5353"));
  for (const auto& [key, frontend] : web) {
    EXPECT_EQ(frontend.flags, LB_SVC_F_AFFINITY | LB_SVC_F_LOCAL_ONLY) << key;
    EXPECT_EQ(frontend.affinity_timeout, 600u) << key;
  }
}

TEST_F(WireFixturesTest, EdgeTerminatingEndpointIsOnlyTheLocalFallback) {
  const model::Service& edge = services_.at("shop/edge");
  EXPECT_EQ(edge.health_check_node_port, 32486);
  EXPECT_EQ(edge.load_balancer_source_ranges.size(), 2u);
  ASSERT_EQ(edge.load_balancer_ips.size(), 1u);  // the hostname-only entry is skipped
  EXPECT_EQ(edge.load_balancer_ips[0].ToString(), "198.18.9.9");

  std::map<std::string, Frontend> frontends = ByKey("shop/edge");
  std::vector<std::string> keys;
  for (const auto& [key, frontend] : frontends) keys.push_back(key);
  EXPECT_THAT(keys, UnorderedElementsAre("198.19.243.103:443/TCP", "198.18.1.1:30443/TCP",
                                         "198.18.1.1:30443/TCP (external)", "198.18.9.10:443/TCP",
                                         "198.18.9.10:443/TCP (external)", "198.18.9.9:443/TCP",
                                         "198.18.9.9:443/TCP (external)"));
  // Cluster-wide, node2's ready endpoint wins over node1's terminating one.
  for (const char* key : {"198.19.243.103:443/TCP", "198.18.1.1:30443/TCP", "198.18.9.10:443/TCP",
                          "198.18.9.9:443/TCP"})
    EXPECT_THAT(Backends(frontends.at(key)), ElementsAre("198.18.4.11:8443")) << key;
  // externalTrafficPolicy: Local from outside: node1 has only the terminating endpoint.
  for (const char* key : {"198.18.1.1:30443/TCP (external)", "198.18.9.10:443/TCP (external)",
                          "198.18.9.9:443/TCP (external)"}) {
    EXPECT_THAT(Backends(frontends.at(key)), ElementsAre("198.18.0.11:8443 (terminating)")) << key;
    EXPECT_TRUE(frontends.at(key).flags & LB_SVC_F_LOCAL_ONLY) << key;
  }
  // loadBalancerSourceRanges guard the LoadBalancer IP from outside, and nothing else.
  const Frontend& lb = frontends.at("198.18.9.9:443/TCP (external)");
  EXPECT_EQ(lb.flags, LB_SVC_F_LOCAL_ONLY | LB_SVC_F_SOURCE_RANGES);
  std::vector<std::string> ranges;
  for (const auto& r : lb.source_ranges) ranges.push_back(r.ToString());
  EXPECT_THAT(ranges, ElementsAre("198.18.1.0/24", "203.0.113.0/24"));
  for (const char* key : {"198.18.1.1:30443/TCP (external)", "198.18.9.10:443/TCP (external)",
                          "198.18.9.9:443/TCP"})
    EXPECT_TRUE(frontends.at(key).source_ranges.empty()) << key;
}

TEST_F(WireFixturesTest, NodePortSkipsSctpAndHasNoBackendsWithoutSlices) {
  std::map<std::string, Frontend> np = ByKey("shop/np");
  std::vector<std::string> keys;
  for (const auto& [key, frontend] : np) {
    keys.push_back(key);
    EXPECT_THAT(frontend.backends, IsEmpty()) << key;  // refused, not leaked
  }
  EXPECT_THAT(keys, ElementsAre("198.18.1.1:30080/TCP", "198.18.1.1:30080/TCP (external)",
                                "198.19.177.195:8080/TCP"));
}

TEST_F(WireFixturesTest, HeadlessExternalNameAndOtherProxysServicesAreLeftAlone) {
  EXPECT_TRUE(services_.at("shop/db").headless);
  EXPECT_EQ(services_.at("shop/legacy").type, model::ServiceType::kExternalName);
  for (const char* name : {"shop/db", "shop/legacy", "shop/other"})
    EXPECT_FALSE(model::ShouldProxy(services_.at(name), "")) << name;
  EXPECT_TRUE(model::ShouldProxy(services_.at("shop/other"), "someone-else"));
  EXPECT_THAT(FrontendsOf("shop/db", "node1"), IsEmpty());
  EXPECT_THAT(FrontendsOf("shop/legacy", "node1"), IsEmpty());
  EXPECT_TRUE(model::ShouldProxy(services_.at("default/kubernetes"), ""));
}

TEST_F(WireFixturesTest, WatchedSliceUpdateMakesNode2FallBackToItsTerminatingEndpoint) {
  // endpointslices-watch.json: web-abc12 MODIFIED, 198.18.4.11 (node2) now terminating.
  std::istringstream events(ReadFixture("endpointslices-watch.json"));
  std::string line;
  bool applied = false;
  while (std::getline(events, line)) {
    nlohmann::json event = nlohmann::json::parse(line);
    if (event["type"] != "MODIFIED") continue;
    model::EndpointSlice updated = EndpointSliceFromJson(event["object"]);
    for (model::EndpointSlice& slice : slices_)
      if (slice.meta.id == updated.meta.id) slice = updated, applied = true;
  }
  ASSERT_TRUE(applied);
  std::vector<Frontend> from_node2 = FrontendsOf("shop/web", "node2");
  ASSERT_FALSE(from_node2.empty());
  EXPECT_EQ(from_node2[0].key.ToString(), "198.19.146.54:53/UDP");
  EXPECT_THAT(Backends(from_node2[0]), ElementsAre("198.18.4.11:5353 (terminating)"));
}

TEST_F(WireFixturesTest, EveryWatchedObjectDecodes) {
  for (const char* file : {"services-watch.json", "endpointslices-watch.json"}) {
    std::istringstream events(ReadFixture(file));
    std::string line;
    while (std::getline(events, line)) {
      nlohmann::json event = nlohmann::json::parse(line);
      if (event["type"] == "BOOKMARK") continue;
      const nlohmann::json& object = event["object"];
      if (object["kind"] == "Service")
        EXPECT_NO_THROW(ServiceFromJson(object)) << object["metadata"]["name"];
      else
        EXPECT_NO_THROW(EndpointSliceFromJson(object)) << object["metadata"]["name"];
    }
  }
}

TEST_F(WireFixturesTest, TheManifestsTheClusterWasCreatedFromDecodeToo) {
  DecodedManifest m = DecodeFixture("objects.yaml");
  EXPECT_EQ(m.services.size(), 6u);
  EXPECT_EQ(m.endpoint_slices.size(), 3u);
  EXPECT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.ignored, 0u);
  // Before the API server allocated addresses these Services have no clusterIP, so
  // there is nothing to program yet; their slices decode the same as the captures.
  for (const model::EndpointSlice& slice : m.endpoint_slices) {
    auto same = std::find_if(slices_.begin(), slices_.end(), [&](const model::EndpointSlice& s) {
      return s.meta.id == slice.meta.id;
    });
    ASSERT_NE(same, slices_.end()) << slice.meta.id.ToString();
    EXPECT_EQ(same->endpoints, slice.endpoints) << slice.meta.id.ToString();
    EXPECT_EQ(same->ports, slice.ports) << slice.meta.id.ToString();
  }
}

}  // namespace
}  // namespace sluice::k8s
