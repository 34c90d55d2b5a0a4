// The wire codecs against real kube-apiserver v1.36 captures (tests/fixtures/k8s-wire):
// every body decodes, and the protobuf capture of a request gives exactly what its
// JSON capture gives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "k8s/decode_error.h"
#include "k8s/wire_codec.h"
#include "object_text.h"

namespace sluice::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::EventTexts;
using testing::FailureText;
using testing::ObjectText;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Texts(const DecodedList& list) {
  std::vector<std::string> texts;
  for (const Object& item : list.items) texts.push_back(ObjectText(item));
  return texts;
}

std::vector<std::string> Names(const DecodedList& list) {
  std::vector<std::string> names;
  for (const Object& item : list.items) names.push_back(MetaOf(item).id.ToString());
  return names;
}

DecodedList DecodeFixtureList(Kind kind, ContentType type, const std::string& name) {
  DecodedList list = DecodeList(kind, type, ReadFixture(name));
  for (const ObjectFailure& failure : list.failures) ADD_FAILURE() << name << ": " << FailureText(failure);
  return list;
}

struct Stream {
  std::vector<WatchEvent> events;
  std::vector<ObjectFailure> failures;
};

Stream FeedWhole(Kind kind, ContentType type, const std::string& name) {
  Stream stream;
  WatchStreamDecoder decoder(kind, type);
  decoder.Feed(ReadFixture(name), &stream.events, &stream.failures);
  EXPECT_EQ(decoder.buffered(), 0u) << name;
  for (const ObjectFailure& failure : stream.failures) ADD_FAILURE() << name << ": " << FailureText(failure);
  return stream;
}

struct ListCase {
  Kind kind;
  std::string capture;  // without the extension
};

class ListFixtureTest : public ::testing::TestWithParam<ListCase> {};

TEST_P(ListFixtureTest, ProtobufAndJsonGiveTheSameObjects) {
  const ListCase& param = GetParam();
  DecodedList json = DecodeFixtureList(param.kind, ContentType::kJson, param.capture + ".json");
  DecodedList proto = DecodeFixtureList(param.kind, ContentType::kProtobuf, param.capture + ".protobuf");
  EXPECT_FALSE(json.items.empty());
  EXPECT_EQ(Texts(proto), Texts(json));
  EXPECT_EQ(proto.resource_version, json.resource_version);
  EXPECT_EQ(proto.continue_token, json.continue_token);
  EXPECT_EQ(proto.remaining_item_count, json.remaining_item_count);
}

INSTANTIATE_TEST_SUITE_P(Captures, ListFixtureTest,
                         ::testing::Values(ListCase{Kind::kService, "services-list"},
                                           ListCase{Kind::kService, "services-list-page1"},
                                           ListCase{Kind::kEndpointSlice, "endpointslices-list"}),
                         [](const auto& info) {
                           std::string name = info.param.capture;
                           std::erase(name, '-');
                           return name;
                         });

TEST(WireCodecFixturesTest, ServiceListHasEveryServiceAndNoNextPage) {
  for (ContentType type : {ContentType::kJson, ContentType::kProtobuf}) {
    DecodedList list = DecodeFixtureList(Kind::kService, type,
                                         type == ContentType::kJson ? "services-list.json"
                                                                    : "services-list.protobuf");
    EXPECT_THAT(Names(list), ElementsAre("default/kubernetes", "shop/db", "shop/edge", "shop/legacy",
                                         "shop/np", "shop/other", "shop/web"));
    EXPECT_EQ(list.resource_version, "228");
    EXPECT_EQ(list.continue_token, "");
    EXPECT_EQ(list.remaining_item_count, std::nullopt);
  }
}

TEST(WireCodecFixturesTest, FirstPageCarriesTheContinueTokenAndRemainingCount) {
  for (const char* name : {"services-list-page1.json", "services-list-page1.protobuf"}) {
    ContentType type = std::string(name).ends_with(".json") ? ContentType::kJson : ContentType::kProtobuf;
    DecodedList page = DecodeFixtureList(Kind::kService, type, name);
    EXPECT_THAT(Names(page), ElementsAre("default/kubernetes", "shop/db")) << name;
    EXPECT_EQ(page.resource_version, "228") << name;
    EXPECT_EQ(page.continue_token,
              "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjI4LCJzdGFydCI6Ii9zaG9wL2RiXHUwMDAwIn0")
        << name;
    EXPECT_EQ(page.remaining_item_count, 5) << name;
  }
}

TEST(WireCodecFixturesTest, NodeDecodesTheSameInBothFormats) {
  Object json = DecodeObject(Kind::kNode, ContentType::kJson, ReadFixture("node.json"));
  Object proto = DecodeObject(Kind::kNode, ContentType::kProtobuf, ReadFixture("node.protobuf"));
  EXPECT_EQ(ObjectText(proto), ObjectText(json));
  const model::Node& node = std::get<model::Node>(proto);
  EXPECT_EQ(node.meta.id.name, "node1");
  EXPECT_EQ(node.meta.id.ns, "");
  EXPECT_THAT(node.internal_ips,
              ElementsAre(*IpAddress::Parse("198.18.1.1"), *IpAddress::Parse("fd00:1::1")));
}

TEST(WireCodecFixturesTest, AnObjectOfAnotherKindIsRefused) {
  EXPECT_THROW(DecodeObject(Kind::kService, ContentType::kJson, ReadFixture("node.json")), DecodeError);
  EXPECT_THROW(DecodeObject(Kind::kService, ContentType::kProtobuf, ReadFixture("node.protobuf")),
               DecodeError);
  EXPECT_THROW(DecodeList(Kind::kEndpointSlice, ContentType::kJson, ReadFixture("services-list.json")),
               DecodeError);
  EXPECT_THROW(
      DecodeList(Kind::kEndpointSlice, ContentType::kProtobuf, ReadFixture("services-list.protobuf")),
      DecodeError);
}

TEST(WireCodecFixturesTest, ServiceWatchHasTheChangesThenBookmarks) {
  Stream json = FeedWhole(Kind::kService, ContentType::kJson, "services-watch.json");
  Stream proto = FeedWhole(Kind::kService, ContentType::kProtobuf, "services-watch.protobuf");
  EXPECT_EQ(EventTexts(proto.events), EventTexts(json.events));
  ASSERT_EQ(proto.events.size(), 5u);
  std::vector<std::pair<WatchEventType, std::string>> seen;
  for (const WatchEvent& event : proto.events)
    seen.emplace_back(event.type, event.name ? event.name->ToString() : "");
  EXPECT_THAT(seen, ElementsAre(std::pair(WatchEventType::kAdded, std::string("shop/late")),
                                std::pair(WatchEventType::kModified, std::string("shop/web")),
                                std::pair(WatchEventType::kDeleted, std::string("shop/legacy")),
                                std::pair(WatchEventType::kBookmark, std::string()),
                                std::pair(WatchEventType::kBookmark, std::string())));
  EXPECT_TRUE(proto.events[2].object.has_value());  // the state just before deletion
  for (size_t i : {3u, 4u}) {
    EXPECT_FALSE(proto.events[i].object.has_value());
    EXPECT_EQ(proto.events[i].resource_version, "233");
  }
}

TEST(WireCodecFixturesTest, EndpointSliceWatchShowsTheTerminatingEndpoint) {
  Stream json = FeedWhole(Kind::kEndpointSlice, ContentType::kJson, "endpointslices-watch.json");
  Stream proto = FeedWhole(Kind::kEndpointSlice, ContentType::kProtobuf, "endpointslices-watch.protobuf");
  EXPECT_EQ(EventTexts(proto.events), EventTexts(json.events));
  ASSERT_EQ(proto.events.size(), 4u);
  EXPECT_EQ(proto.events[0].type, WatchEventType::kModified);
  EXPECT_EQ(proto.events[0].name->ToString(), "shop/web-abc12");
  const auto& slice = std::get<model::EndpointSlice>(*proto.events[0].object);
  bool terminating = false;
  for (const model::Endpoint& endpoint : slice.endpoints)
    terminating |= endpoint.conditions.EffectiveTerminating();
  EXPECT_TRUE(terminating);
  EXPECT_EQ(proto.events[1].type, WatchEventType::kDeleted);
  EXPECT_EQ(proto.events[1].name->ToString(), "shop/web-v6");
  EXPECT_EQ(proto.events[2].type, WatchEventType::kBookmark);
  EXPECT_FALSE(proto.events[2].resource_version.empty());
}

TEST(WireCodecFixturesTest, ExpiredWatchIsOneErrorEventWith410) {
  for (ContentType type : {ContentType::kJson, ContentType::kProtobuf}) {
    Stream stream = FeedWhole(Kind::kService, type,
                              type == ContentType::kJson ? "watch-410.json" : "watch-410.protobuf");
    ASSERT_EQ(stream.events.size(), 1u);
    const WatchEvent& event = stream.events[0];
    EXPECT_EQ(event.type, WatchEventType::kError);
    EXPECT_FALSE(event.object.has_value());
    ASSERT_TRUE(event.status.has_value());
    EXPECT_EQ(event.status->code, 410);
    EXPECT_EQ(event.status->reason, "Expired");
    EXPECT_EQ(event.status->message, "The resourceVersion for the provided watch is too old.");
  }
}

TEST(WireCodecFixturesTest, ExpiredListIsAStatusNotAList) {
  std::string body = ReadFixture("list-410.json");
  std::optional<ApiStatus> status = DecodeStatus(ContentType::kJson, body);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 410);
  EXPECT_EQ(status->reason, "Expired");
  EXPECT_EQ(status->message, "The resourceVersion for the provided list is too old.");
  EXPECT_THROW(DecodeList(Kind::kService, ContentType::kJson, body), DecodeError);
}

TEST(WireCodecFixturesTest, ABodyThatIsNoStatusIsNotTakenForOne) {
  EXPECT_EQ(DecodeStatus(ContentType::kJson, ReadFixture("services-list.json")), std::nullopt);
  EXPECT_EQ(DecodeStatus(ContentType::kProtobuf, ReadFixture("services-list.protobuf")), std::nullopt);
  EXPECT_EQ(DecodeStatus(ContentType::kProtobuf, ReadFixture("list-410.json")), std::nullopt);
  EXPECT_EQ(DecodeStatus(ContentType::kJson, "not json"), std::nullopt);
  EXPECT_EQ(DecodeStatus(ContentType::kProtobuf, ""), std::nullopt);
}

}  // namespace
}  // namespace sluice::k8s
