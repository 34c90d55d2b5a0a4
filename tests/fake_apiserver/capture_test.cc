// The protobuf encoding checked against real kube-apiserver v1.36 captures
// (tests/fixtures/k8s-wire/): every object of the JSON captures, converted by the
// fake, must equal the same object in the protobuf capture, field by field and
// presence by presence, for the fields userspace/k8s/proto declares; and a list the
// fake serves from the captured objects must decode to the captured objects.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/protobuf_objects.h"
#include "fake_apiserver/resource.h"
#include "fake_apiserver/test_client.h"
#include "fake_apiserver/wire_encoder.h"
#include "k8s/proto/core_v1.pb.h"
#include "k8s/proto/discovery_v1.pb.h"
#include "k8s/proto/meta_v1.pb.h"

namespace sluice::fake_apiserver {
namespace {

namespace core = k8s::io::api::core::v1;
namespace discovery = k8s::io::api::discovery::v1;
namespace meta = k8s::io::apimachinery::pkg::apis::meta::v1;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using testing::OpenEnvelope;
using testing::ProtobufEvents;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<Message> NewObject(Resource resource) {
  switch (resource) {
    case Resource::kServices: return std::make_unique<core::Service>();
    case Resource::kEndpointSlices: return std::make_unique<discovery::EndpointSlice>();
    case Resource::kNodes: return std::make_unique<core::Node>();
  }
  return nullptr;
}

std::unique_ptr<Message> NewList(Resource resource) {
  switch (resource) {
    case Resource::kServices: return std::make_unique<core::ServiceList>();
    case Resource::kEndpointSlices: return std::make_unique<discovery::EndpointSliceList>();
    case Resource::kNodes: return std::make_unique<core::NodeList>();
  }
  return nullptr;
}

// Parses `bytes` as the message `like` is, dropping the fields the .proto files
// leave out (managedFields, the Node's conditions, ...).
std::unique_ptr<Message> Parse(const Message& like, const std::string& bytes) {
  std::unique_ptr<Message> m(like.New());
  EXPECT_TRUE(m->ParseFromString(bytes));
  m->DiscardUnknownFields();
  return m;
}

::testing::AssertionResult SameMessage(const Message& expected, const Message& actual) {
  MessageDifferencer differ;
  std::string report;
  differ.ReportDifferencesToString(&report);
  if (differ.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expected.GetTypeName() << " differs:\n" << report;
}

struct ListCapture {
  Resource resource;
  const char* json;
  const char* protobuf;
};

class ListCaptureTest : public ::testing::TestWithParam<ListCapture> {};

TEST_P(ListCaptureTest, EveryCapturedJsonObjectConvertsToTheCapturedProtobuf) {
  const ListCapture& c = GetParam();
  auto json = nlohmann::json::parse(ReadFixture(c.json));
  auto envelope = OpenEnvelope(ReadFixture(c.protobuf));
  EXPECT_EQ(envelope.kind, ListKindOf(c.resource));
  EXPECT_EQ(envelope.api_version, ApiVersionOf(c.resource));
  auto captured = Parse(*NewList(c.resource), envelope.raw);
  const auto* descriptor = captured->GetDescriptor();
  const auto* reflection = captured->GetReflection();
  const auto* items = descriptor->FindFieldByName("items");
  ASSERT_EQ(static_cast<size_t>(reflection->FieldSize(*captured, items)), json["items"].size());
  for (size_t i = 0; i < json["items"].size(); ++i) {
    auto mine = NewObject(c.resource);
    JsonToProto(json["items"][i], mine.get());
    EXPECT_TRUE(SameMessage(reflection->GetRepeatedMessage(*captured, items, static_cast<int>(i)), *mine))
        << json["items"][i]["metadata"]["name"];
  }
  // The list metadata too.
  meta::ListMeta list_meta;
  JsonToProto(json["metadata"], &list_meta);
  EXPECT_TRUE(SameMessage(reflection->GetMessage(*captured, descriptor->FindFieldByName("metadata")), list_meta));
}

INSTANTIATE_TEST_SUITE_P(
    Captures, ListCaptureTest,
    ::testing::Values(ListCapture{Resource::kServices, "services-list.json", "services-list.protobuf"},
                      ListCapture{Resource::kServices, "services-list-page1.json", "services-list-page1.protobuf"},
                      ListCapture{Resource::kEndpointSlices, "endpointslices-list.json",
                                  "endpointslices-list.protobuf"}),
    [](const auto& info) { return std::string(ResourceName(info.param.resource)) + std::to_string(info.index); });

TEST(NodeCapture, ConvertsToTheCapturedProtobuf) {
  auto json = nlohmann::json::parse(ReadFixture("node.json"));
  auto envelope = OpenEnvelope(ReadFixture("node.protobuf"));
  EXPECT_EQ(envelope.kind, "Node");
  core::Node mine;
  JsonToProto(json, &mine);
  EXPECT_TRUE(SameMessage(*Parse(core::Node(), envelope.raw), mine));
}

struct WatchCapture {
  Resource resource;
  const char* json;
  const char* protobuf;
};

class WatchCaptureTest : public ::testing::TestWithParam<WatchCapture> {};

// Every event, bookmarks included, encoded by the fake's protobuf encoder from the
// JSON capture's object, equals the protobuf capture's event.
TEST_P(WatchCaptureTest, EncoderReproducesEveryCapturedEvent) {
  const WatchCapture& c = GetParam();
  auto json_events = testing::JsonEvents(ReadFixture(c.json));
  auto pb_events = ProtobufEvents(ReadFixture(c.protobuf));
  ASSERT_EQ(json_events.size(), pb_events.size());
  auto encoder = MakeProtobufEncoder();
  for (size_t i = 0; i < json_events.size(); ++i) {
    const auto& object = json_events[i]["object"];
    StoredObject stored(c.resource, "", object, 0);
    auto mine = ProtobufEvents(encoder->WatchEvent(json_events[i]["type"].get<std::string>(), stored));
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].type, pb_events[i].type);
    auto theirs_env = OpenEnvelope(pb_events[i].object);
    auto mine_env = OpenEnvelope(mine[0].object);
    EXPECT_EQ(mine_env.kind, theirs_env.kind);
    EXPECT_EQ(mine_env.api_version, theirs_env.api_version);
    auto like = NewObject(c.resource);
    EXPECT_TRUE(SameMessage(*Parse(*like, theirs_env.raw), *Parse(*like, mine_env.raw)))
        << i << ": " << json_events[i]["type"];
  }
}

INSTANTIATE_TEST_SUITE_P(
    Captures, WatchCaptureTest,
    ::testing::Values(WatchCapture{Resource::kServices, "services-watch.json", "services-watch.protobuf"},
                      WatchCapture{Resource::kEndpointSlices, "endpointslices-watch.json",
                                   "endpointslices-watch.protobuf"}),
    [](const auto& info) { return std::string(ResourceName(info.param.resource)); });

TEST(BookmarkCapture, TheFakesBookmarkObjectIsTheRealOne) {
  // The last event of each capture is a bookmark; the fake builds its own from the RV.
  for (auto [resource, file] : {std::pair{Resource::kServices, "services-watch.json"},
                                std::pair{Resource::kEndpointSlices, "endpointslices-watch.json"}}) {
    auto events = testing::JsonEvents(ReadFixture(file));
    const auto& last = events.back();
    ASSERT_EQ(last["type"], "BOOKMARK");
    std::string rv = last["object"]["metadata"]["resourceVersion"];
    EXPECT_EQ(BookmarkObject(resource, rv), last["object"]) << file;
  }
}

TEST(StatusCapture, The410WatchErrorMatchesInBothFormats) {
  auto pb = ProtobufEvents(ReadFixture("watch-410.protobuf"));
  ASSERT_EQ(pb.size(), 1u);
  auto json_status = testing::JsonEvents(ReadFixture("watch-410.json"))[0]["object"];
  auto mine = ProtobufEvents(MakeProtobufEncoder()->WatchError(json_status));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].type, "ERROR");
  auto theirs_env = OpenEnvelope(pb[0].object);
  auto mine_env = OpenEnvelope(mine[0].object);
  EXPECT_EQ(mine_env.kind, "Status");
  EXPECT_EQ(theirs_env.kind, "Status");
  EXPECT_TRUE(SameMessage(*Parse(meta::Status(), theirs_env.raw), *Parse(meta::Status(), mine_env.raw)));
}

// The whole path: captured objects stored in the fake, listed over HTTPS in
// protobuf, decode to the captured objects (resourceVersions aside: the fake
// assigns its own).
class ServedCaptureTest : public ::testing::Test {
 protected:
  ServedCaptureTest() : server_(Options{.apply_defaults = false}), client_(server_) {}

  // Loads a JSON list capture into the fake.
  void Load(Resource resource, const char* file) {
    auto list = nlohmann::json::parse(ReadFixture(file));
    for (auto item : list["items"]) {
      item["kind"] = KindOf(resource);
      item["apiVersion"] = ApiVersionOf(resource);
      server_.Upsert(item);
    }
  }

  static void ClearResourceVersions(Message* list) {
    const auto* items = list->GetDescriptor()->FindFieldByName("items");
    auto* r = list->GetReflection();
    for (int i = 0; i < r->FieldSize(*list, items); ++i) {
      Message* item = r->MutableRepeatedMessage(list, items, i);
      auto* m = item->GetReflection()->MutableMessage(item, item->GetDescriptor()->FindFieldByName("metadata"));
      static_cast<meta::ObjectMeta*>(m)->clear_resourceversion();
    }
    list->GetReflection()->ClearField(list, list->GetDescriptor()->FindFieldByName("metadata"));
  }

  FakeApiServer server_;
  testing::TestClient client_;
};

TEST_F(ServedCaptureTest, AServedListDecodesToTheCapturedObjects) {
  for (auto [resource, json, protobuf] :
       {std::tuple{Resource::kServices, "services-list.json", "services-list.protobuf"},
        std::tuple{Resource::kEndpointSlices, "endpointslices-list.json", "endpointslices-list.protobuf"}}) {
    Load(resource, json);
    auto r = client_.Get(std::string(CollectionPath(resource)) + "?limit=500", testing::kProtobuf);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/vnd.kubernetes.protobuf");
    auto mine_env = OpenEnvelope(r.body);
    auto theirs_env = OpenEnvelope(ReadFixture(protobuf));
    EXPECT_EQ(mine_env.kind, theirs_env.kind);
    EXPECT_EQ(mine_env.api_version, theirs_env.api_version);
    EXPECT_EQ(mine_env.content_type, "");
    auto mine = Parse(*NewList(resource), mine_env.raw);
    auto theirs = Parse(*NewList(resource), theirs_env.raw);
    ClearResourceVersions(mine.get());
    ClearResourceVersions(theirs.get());
    EXPECT_TRUE(SameMessage(*theirs, *mine)) << json;
  }
}

TEST_F(ServedCaptureTest, AServedFirstPageHasTheCapturedShape) {
  Load(Resource::kServices, "services-list.json");
  auto r = client_.Get("/api/v1/services?limit=2", testing::kProtobuf);
  core::ServiceList mine, theirs;
  ASSERT_TRUE(mine.ParseFromString(OpenEnvelope(r.body).raw));
  ASSERT_TRUE(theirs.ParseFromString(OpenEnvelope(ReadFixture("services-list-page1.protobuf")).raw));
  ASSERT_EQ(mine.items_size(), 2);
  EXPECT_EQ(mine.items(0).metadata().name(), theirs.items(0).metadata().name());
  EXPECT_EQ(mine.items(1).metadata().name(), theirs.items(1).metadata().name());
  EXPECT_EQ(mine.metadata().remainingitemcount(), theirs.metadata().remainingitemcount());
  EXPECT_FALSE(mine.metadata().continue_().empty());
  EXPECT_EQ(mine.metadata().resourceversion(), std::to_string(server_.resource_version()));
}

TEST_F(ServedCaptureTest, AServedNodeDecodesToTheCapturedNode) {
  auto node = nlohmann::json::parse(ReadFixture("node.json"));
  server_.Upsert(node);
  auto r = client_.Get("/api/v1/nodes/node1", testing::kProtobuf);
  ASSERT_EQ(r.status, 200);
  auto mine = Parse(core::Node(), OpenEnvelope(r.body).raw);
  auto theirs = Parse(core::Node(), OpenEnvelope(ReadFixture("node.protobuf")).raw);
  static_cast<core::Node*>(mine.get())->mutable_metadata()->clear_resourceversion();
  static_cast<core::Node*>(theirs.get())->mutable_metadata()->clear_resourceversion();
  EXPECT_TRUE(SameMessage(*theirs, *mine));
}

}  // namespace
}  // namespace sluice::fake_apiserver
