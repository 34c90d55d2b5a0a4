// The protobuf wire format over HTTPS, decoded with the generated messages of
// userspace/k8s/proto: lists, objects, watch frames and Status bodies.
#include <gtest/gtest.h>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/protobuf_objects.h"
#include "fake_apiserver/test_client.h"
#include "fake_apiserver/test_objects.h"
#include "k8s/proto/core_v1.pb.h"
#include "k8s/proto/discovery_v1.pb.h"
#include "k8s/proto/meta_v1.pb.h"

namespace sluice::fake_apiserver {
namespace {

using namespace std::chrono_literals;
namespace core = k8s::io::api::core::v1;
namespace discovery = k8s::io::api::discovery::v1;
namespace meta = k8s::io::apimachinery::pkg::apis::meta::v1;
using testing::HttpResult;
using testing::kProtobuf;
using testing::MakeService;
using testing::MakeSlice;
using testing::OpenEnvelope;
using testing::ProtobufEvents;
using testing::TestClient;

class ProtobufTest : public ::testing::Test {
 protected:
  ProtobufTest() : server_(Options{.bookmark_interval = 150ms}), client_(server_) {}
  FakeApiServer server_;
  TestClient client_;
};

TEST_F(ProtobufTest, ListsDecodeWithTheGeneratedMessages) {
  auto svc = MakeService("shop", "web", "198.19.0.1", {{"app", "web"}});
  svc["spec"]["ports"][0]["targetPort"] = "http";
  svc["spec"]["sessionAffinity"] = "ClientIP";
  server_.Upsert(svc);
  server_.Upsert(MakeService("shop", "db", "None"));
  HttpResult r = client_.Get("/api/v1/services?limit=1", kProtobuf);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/vnd.kubernetes.protobuf");
  auto envelope = OpenEnvelope(r.body);
  EXPECT_EQ(envelope.kind, "ServiceList");
  EXPECT_EQ(envelope.api_version, "v1");
  core::ServiceList list;
  ASSERT_TRUE(list.ParseFromString(envelope.raw));
  EXPECT_EQ(list.metadata().resourceversion(), std::to_string(server_.resource_version()));
  EXPECT_EQ(list.metadata().remainingitemcount(), 1);
  EXPECT_FALSE(list.metadata().continue_().empty());
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).metadata().name(), "db");

  r = client_.Get("/api/v1/services?limit=1&continue=" + list.metadata().continue_(), kProtobuf);
  ASSERT_TRUE(list.ParseFromString(OpenEnvelope(r.body).raw));
  ASSERT_EQ(list.items_size(), 1);
  const core::Service& web = list.items(0);
  EXPECT_EQ(web.metadata().name(), "web");
  EXPECT_EQ(web.metadata().namespace_(), "shop");
  EXPECT_EQ(web.metadata().labels().at("app"), "web");
  EXPECT_EQ(web.spec().clusterip(), "198.19.0.1");
  EXPECT_EQ(web.spec().ports(0).targetport().type(), 1);
  EXPECT_EQ(web.spec().ports(0).targetport().strval(), "http");
  EXPECT_EQ(web.spec().sessionaffinityconfig().clientip().timeoutseconds(), 10800);
  EXPECT_GT(web.metadata().creationtimestamp().seconds(), 1700000000);
  EXPECT_FALSE(list.metadata().has_remainingitemcount()) << "the last page has none";
}

TEST_F(ProtobufTest, PointerFieldsStayAbsentAndValueFieldsAreAlwaysSent) {
  nlohmann::json slice = MakeSlice("shop", "web-1", "web", "198.18.0.1");
  slice["endpoints"][0].erase("conditions");
  slice["endpoints"][0].erase("nodeName");
  server_.Upsert(slice);
  auto r = client_.Get("/apis/discovery.k8s.io/v1/endpointslices", kProtobuf);
  discovery::EndpointSliceList list;
  ASSERT_TRUE(list.ParseFromString(OpenEnvelope(r.body).raw));
  ASSERT_EQ(list.items_size(), 1);
  const auto& endpoint = list.items(0).endpoints(0);
  EXPECT_TRUE(endpoint.has_conditions()) << "a value type in Go";
  EXPECT_FALSE(endpoint.conditions().has_ready()) << "absent ready means ready: must stay absent";
  EXPECT_FALSE(endpoint.has_nodename());
  EXPECT_FALSE(endpoint.has_zone());
  EXPECT_EQ(list.items(0).metadata().generation(), 1);
}

TEST_F(ProtobufTest, AGetIsOneEnvelopedObject) {
  server_.Upsert(testing::MakeNode("node1", "198.18.1.1"));
  auto r = client_.Get("/api/v1/nodes/node1", kProtobuf);
  ASSERT_EQ(r.status, 200);
  auto envelope = OpenEnvelope(r.body);
  EXPECT_EQ(envelope.kind, "Node");
  core::Node node;
  ASSERT_TRUE(node.ParseFromString(envelope.raw));
  EXPECT_EQ(node.metadata().name(), "node1");
  EXPECT_EQ(node.status().addresses(0).address(), "198.18.1.1");
}

TEST_F(ProtobufTest, ErrorsAreProtobufStatusBodies) {
  server_.InjectFault(Resource::kServices, Verb::kList, Fault::Status(429, 3));
  auto r = client_.Get("/api/v1/services", kProtobuf);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.content_type, "application/vnd.kubernetes.protobuf");
  auto envelope = OpenEnvelope(r.body);
  EXPECT_EQ(envelope.kind, "Status");
  meta::Status status;
  ASSERT_TRUE(status.ParseFromString(envelope.raw));
  EXPECT_EQ(status.code(), 429);
  EXPECT_EQ(status.reason(), "TooManyRequests");
  EXPECT_EQ(status.details().retryafterseconds(), 3);
}

TEST_F(ProtobufTest, WatchStreamsAreLengthPrefixedWatchEvents) {
  uint64_t from = server_.resource_version();
  server_.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.1"));
  server_.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.2"));
  server_.Delete("EndpointSlice", "shop", "web-1");
  HttpResult r = client_.Stream(
      "/apis/discovery.k8s.io/v1/endpointslices?watch=true&allowWatchBookmarks=true&resourceVersion=" +
          std::to_string(from),
      kProtobuf, [](const std::string& body) { return ProtobufEvents(body).size() >= 4; }, 5s);
  EXPECT_EQ(r.content_type, "application/vnd.kubernetes.protobuf;stream=watch");
  auto events = ProtobufEvents(r.body);
  ASSERT_GE(events.size(), 4u);
  std::vector<std::string> types;
  for (size_t i = 0; i < 4; ++i) types.push_back(events[i].type);
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED", "BOOKMARK"}));
  auto envelope = OpenEnvelope(events[1].object);
  EXPECT_EQ(envelope.kind, "EndpointSlice");
  EXPECT_EQ(envelope.api_version, "discovery.k8s.io/v1");
  discovery::EndpointSlice slice;
  ASSERT_TRUE(slice.ParseFromString(envelope.raw));
  EXPECT_EQ(slice.endpoints(0).addresses(0), "198.18.0.2");
  discovery::EndpointSlice bookmark;
  ASSERT_TRUE(bookmark.ParseFromString(OpenEnvelope(events[3].object).raw));
  EXPECT_EQ(bookmark.metadata().resourceversion(), std::to_string(server_.resource_version()));
  EXPECT_EQ(bookmark.metadata().name(), "");
}

TEST_F(ProtobufTest, TheInStream410IsAnErrorFrame) {
  uint64_t old = server_.resource_version();
  server_.Upsert(MakeService("shop", "a", "198.19.0.1"));
  server_.Compact();
  HttpResult r = client_.Stream("/api/v1/services?watch=true&resourceVersion=" + std::to_string(old), kProtobuf,
                                nullptr, 5s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/vnd.kubernetes.protobuf;stream=watch");
  auto events = ProtobufEvents(r.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "ERROR");
  meta::Status status;
  ASSERT_TRUE(status.ParseFromString(OpenEnvelope(events[0].object).raw));
  EXPECT_EQ(status.code(), 410);
  EXPECT_EQ(status.reason(), "Expired");
}

TEST(ProtobufObjects, ParsesRfc3339) {
  int64_t seconds = 0;
  int32_t nanos = 0;
  ASSERT_TRUE(ParseRfc3339("2026-11-22T04:28:23Z", &seconds, &nanos));
  EXPECT_EQ(seconds, 1795321703);
  EXPECT_EQ(nanos, 0);
  ASSERT_TRUE(ParseRfc3339("2026-11-22T06:28:23.25+02:00", &seconds, &nanos));
  EXPECT_EQ(seconds, 1795321703);
  EXPECT_EQ(nanos, 250000000);
  EXPECT_FALSE(ParseRfc3339("yesterday", &seconds, &nanos));
  EXPECT_FALSE(ParseRfc3339("2026-11-22T04:28:23", &seconds, &nanos));
}

TEST(ProtobufObjects, AValueOfTheWrongTypeIsTreatedAsAbsent) {
  core::Service service;
  JsonToProto({{"metadata", {{"name", 7}}}, {"spec", {{"ports", {{{"port", "eighty"}}}}}}}, &service);
  EXPECT_TRUE(service.metadata().has_name());
  EXPECT_EQ(service.metadata().name(), "") << "a value field: zero";
  EXPECT_EQ(service.spec().ports(0).port(), 0);
}

}  // namespace
}  // namespace sluice::fake_apiserver
