#include <gtest/gtest.h>

#include <set>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/object_files.h"
#include "fake_apiserver/object_generator.h"

namespace sluice::fake_apiserver {
namespace {

TEST(Generator, DeterministicNamesAndAddressesInTheTestRanges) {
  GeneratorOptions o{.services = 120, .endpoints_per_service = 150, .dual_stack = true,
                     .nodes = {"node1", "node2"}};
  auto objects = GenerateObjects(o);
  EXPECT_EQ(objects, GenerateObjects(o));
  size_t services = 0, slices = 0, nodes = 0, endpoints = 0;
  std::set<std::string> addresses;
  for (const auto& object : objects) {
    std::string kind = object["kind"];
    if (kind == "Service") {
      ++services;
      EXPECT_EQ(object["spec"]["clusterIPs"].size(), 2u);
      EXPECT_TRUE(object["spec"]["clusterIP"].get<std::string>().starts_with("198.19."));
    } else if (kind == "EndpointSlice") {
      ++slices;
      EXPECT_LE(object["endpoints"].size(), 100u);
      for (const auto& e : object["endpoints"]) {
        ++endpoints;
        std::string ip = e["addresses"][0];
        EXPECT_TRUE(ip.starts_with("198.18.") || ip.starts_with("fd00:18::")) << ip;
        EXPECT_TRUE(addresses.insert(ip).second) << "duplicate " << ip;
      }
    } else if (kind == "Node") {
      ++nodes;
    }
  }
  EXPECT_EQ(services, 120u);
  EXPECT_EQ(slices, 120u * 2 * 2) << "150 endpoints: two slices per family";
  EXPECT_EQ(endpoints, 120u * 150 * 2);
  EXPECT_EQ(nodes, 2u);
  EXPECT_EQ(objects[0]["metadata"]["name"], "svc-000000");
  EXPECT_THROW(GenerateObjects({.services = 40000}), std::invalid_argument);
}

TEST(Generator, LargeSetsContinueInTheSecondPoolThenWrap) {
  auto objects = GenerateObjects({.services = 10000, .endpoints_per_service = 10});
  auto address = [&](size_t service, size_t endpoint) {
    return objects[10000 + service]["endpoints"][endpoint]["addresses"][0].get<std::string>();
  };
  EXPECT_EQ(address(0, 0), "198.18.0.1");
  EXPECT_EQ(address(6502, 2), "198.18.253.255");  // endpoint 65023
  EXPECT_EQ(address(6502, 3), "198.19.128.0");
  EXPECT_EQ(address(9369, 4), "198.19.239.255");  // endpoint 93695, the last unique one
  EXPECT_EQ(address(9369, 5), "198.18.0.1");
}

TEST(Generator, ServedAtScale) {
  FakeApiServer server;
  for (auto& object : GenerateObjects({.services = 2000, .endpoints_per_service = 10})) {
    server.Upsert(std::move(object));
  }
  auto slice = server.Get(Resource::kEndpointSlices, "bench", "svc-001999-v4-0");
  ASSERT_TRUE(slice);
  EXPECT_EQ((*slice)["endpoints"].size(), 10u);
}

TEST(ObjectFiles, LoadsTheFixtureYamlAndJsonLists) {
  auto objects = LoadObjectsFile(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/objects.yaml");
  ASSERT_EQ(objects.size(), 10u);
  EXPECT_EQ(objects[0]["kind"], "Node");
  EXPECT_EQ(objects[1]["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"], 600);
  auto items = LoadObjectsFile(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/services-list.json");
  EXPECT_EQ(items.size(), 7u);
  EXPECT_THROW(ParseObjects("{not json", "inline"), std::runtime_error);

  FakeApiServer server;
  EXPECT_EQ(server.UpsertFile(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/objects.yaml"), 10u);
  auto web = server.Get(Resource::kServices, "shop", "web");
  ASSERT_TRUE(web);
  EXPECT_EQ((*web)["spec"]["clusterIPs"].size(), 2u) << "RequireDualStack gets two cluster IPs";
}

}  // namespace
}  // namespace sluice::fake_apiserver
