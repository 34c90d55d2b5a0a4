// WatchStreamDecoder's framing: any chunking of a stream gives the same events, and
// broken streams end in failures or a StreamError, never a crash or a hang.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "k8s/proto/core_v1.pb.h"
#include "k8s/wire_codec.h"
#include "object_text.h"
#include "proto_encoding.h"

namespace sluice::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::EventTexts;
using testing::JsonLine;
using testing::ProtoBody;
using testing::ProtoFrame;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Fed {
  std::vector<WatchEvent> events;
  std::vector<ObjectFailure> failures;
  size_t buffered = 0;
};

// Feeds `stream` in chunks of the given sizes (the last one takes the rest).
Fed FeedChunks(Kind kind, ContentType type, std::string_view stream, const std::vector<size_t>& sizes,
               size_t max_frame_bytes = 64u << 20) {
  Fed fed;
  WatchStreamDecoder decoder(kind, type, max_frame_bytes);
  size_t offset = 0;
  for (size_t size : sizes) {
    size = std::min(size, stream.size() - offset);
    decoder.Feed(stream.substr(offset, size), &fed.events, &fed.failures);
    offset += size;
  }
  decoder.Feed(stream.substr(offset), &fed.events, &fed.failures);
  fed.buffered = decoder.buffered();
  return fed;
}

struct StreamCase {
  Kind kind;
  ContentType type;
  std::string capture;
};

class ChunkingTest : public ::testing::TestWithParam<StreamCase> {};

TEST_P(ChunkingTest, OneByteAtATimeGivesTheSameEvents) {
  const StreamCase& param = GetParam();
  std::string stream = ReadFixture(param.capture);
  Fed whole = FeedChunks(param.kind, param.type, stream, {});
  ASSERT_FALSE(whole.events.empty());
  Fed bytewise = FeedChunks(param.kind, param.type, stream, std::vector<size_t>(stream.size(), 1));
  EXPECT_EQ(EventTexts(bytewise.events), EventTexts(whole.events));
  EXPECT_THAT(bytewise.failures, IsEmpty());
  EXPECT_EQ(bytewise.buffered, 0u);
}

TEST_P(ChunkingTest, RandomChunkingsGiveTheSameEvents) {
  const StreamCase& param = GetParam();
  std::string stream = ReadFixture(param.capture);
  std::vector<std::string> expected = EventTexts(FeedChunks(param.kind, param.type, stream, {}).events);
  std::mt19937 random(20261122);  // fixed: a failure must be reproducible
  for (int round = 0; round < 50; ++round) {
    std::uniform_int_distribution<size_t> size(0, round % 2 ? 7 : 700);
    std::vector<size_t> sizes;
    for (size_t total = 0; total < stream.size();) total += sizes.emplace_back(size(random));
    Fed fed = FeedChunks(param.kind, param.type, stream, sizes);
    ASSERT_EQ(EventTexts(fed.events), expected) << "round " << round;
    EXPECT_EQ(fed.buffered, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Captures, ChunkingTest,
    ::testing::Values(StreamCase{Kind::kService, ContentType::kJson, "services-watch.json"},
                      StreamCase{Kind::kService, ContentType::kProtobuf, "services-watch.protobuf"},
                      StreamCase{Kind::kEndpointSlice, ContentType::kJson, "endpointslices-watch.json"},
                      StreamCase{Kind::kEndpointSlice, ContentType::kProtobuf,
                                 "endpointslices-watch.protobuf"},
                      StreamCase{Kind::kService, ContentType::kJson, "watch-410.json"},
                      StreamCase{Kind::kService, ContentType::kProtobuf, "watch-410.protobuf"}),
    [](const auto& info) {
      std::string name = info.param.capture;
      std::erase(name, '-');
      std::replace(name.begin(), name.end(), '.', '_');
      return name;
    });

TEST(WatchStreamDecoderTest, ATruncatedFrameWaitsForTheRest) {
  std::string stream = ReadFixture("services-watch.protobuf");
  for (size_t cut : {size_t{1}, size_t{3}, size_t{4}, size_t{5}, stream.size() / 2, stream.size() - 1}) {
    Fed fed = FeedChunks(Kind::kService, ContentType::kProtobuf, stream.substr(0, cut), {});
    EXPECT_GT(fed.buffered, 0u) << "cut at " << cut;
    EXPECT_THAT(fed.failures, IsEmpty());
  }
  Fed json = FeedChunks(Kind::kService, ContentType::kJson,
                        ReadFixture("services-watch.json").substr(0, 100), {});
  EXPECT_THAT(json.events, IsEmpty());
  EXPECT_EQ(json.buffered, 100u);
}

// Every single-byte corruption of a real stream: each ends in events, failures or a
// StreamError; nothing else may escape (AddressSanitizer builds check the rest).
TEST(WatchStreamDecoderTest, ACorruptByteIsAFailureOrAStreamErrorNeverACrash) {
  for (const char* capture : {"services-watch.protobuf", "services-watch.json"}) {
    ContentType type = std::string(capture).ends_with(".json") ? ContentType::kJson : ContentType::kProtobuf;
    std::string stream = ReadFixture(capture);
    size_t stream_errors = 0;
    for (size_t i = 0; i < stream.size(); i += 3) {
      std::string corrupt = stream;
      corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
      try {
        FeedChunks(Kind::kService, type, corrupt, {i});
      } catch (const StreamError&) {
        ++stream_errors;
      }
    }
    EXPECT_GT(stream_errors, 0u) << capture;
  }
}

TEST(WatchStreamDecoderTest, AFrameLongerThanTheLimitIsAStreamError) {
  std::string stream = ReadFixture("services-watch.protobuf");
  WatchStreamDecoder decoder(Kind::kService, ContentType::kProtobuf, /*max_frame_bytes=*/100);
  std::vector<WatchEvent> events;
  std::vector<ObjectFailure> failures;
  // Only the length prefix has arrived: the frame is refused before it is buffered.
  EXPECT_THROW(decoder.Feed(stream.substr(0, 4), &events, &failures), StreamError);
  EXPECT_EQ(decoder.buffered(), 0u);

  WatchStreamDecoder unlimited(Kind::kService, ContentType::kProtobuf);
  EXPECT_THROW(unlimited.Feed(std::string("\xff\xff\xff\xff", 4), &events, &failures), StreamError);
}

TEST(WatchStreamDecoderTest, AJsonLineLongerThanTheLimitIsAStreamError) {
  WatchStreamDecoder decoder(Kind::kService, ContentType::kJson, /*max_frame_bytes=*/100);
  std::vector<WatchEvent> events;
  std::vector<ObjectFailure> failures;
  EXPECT_THROW(decoder.Feed(ReadFixture("services-watch.json"), &events, &failures), StreamError);
  WatchStreamDecoder endless(Kind::kService, ContentType::kJson, 100);
  EXPECT_NO_THROW(endless.Feed(std::string(100, ' '), &events, &failures));
  EXPECT_THROW(endless.Feed(" ", &events, &failures), StreamError);
}

TEST(WatchStreamDecoderTest, BytesThatAreNoEventAreAStreamError) {
  std::vector<WatchEvent> events;
  std::vector<ObjectFailure> failures;
  WatchStreamDecoder json(Kind::kService, ContentType::kJson);
  EXPECT_THROW(json.Feed("<html>502 Bad Gateway</html>\n", &events, &failures), StreamError);
  WatchStreamDecoder unknown_type(Kind::kService, ContentType::kJson);
  EXPECT_THROW(unknown_type.Feed(JsonLine("SYNCED", "{}"), &events, &failures), StreamError);
  WatchStreamDecoder proto(Kind::kService, ContentType::kProtobuf);
  EXPECT_THROW(proto.Feed(std::string("\0\0\0\3\xff\xff\xff", 7), &events, &failures), StreamError);
  EXPECT_THAT(events, IsEmpty());
}

TEST(WatchStreamDecoderTest, BlankLinesBetweenJsonEventsAreSkipped) {
  std::string stream = "\n\r\n" + ReadFixture("watch-410.json") + "\n \n";
  Fed fed = FeedChunks(Kind::kService, ContentType::kJson, stream, {});
  ASSERT_EQ(fed.events.size(), 1u);
  EXPECT_EQ(fed.events[0].type, WatchEventType::kError);
}

class BrokenObjectTest : public ::testing::TestWithParam<ContentType> {
 protected:
  // A Service named shop/web whose clusterIP is no address.
  std::string Event(std::string_view type) const {
    if (GetParam() == ContentType::kJson) {
      return JsonLine(type,
                      R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"web","namespace":"shop",)"
                      R"("resourceVersion":"7"},"spec":{"clusterIP":"10.0.0.300"}})");
    }
    ::k8s::io::api::core::v1::Service service;
    service.mutable_metadata()->set_name("web");
    service.mutable_metadata()->set_namespace_("shop");
    service.mutable_metadata()->set_resourceversion("7");
    service.mutable_spec()->set_clusterip("10.0.0.300");
    return ProtoFrame(type, ProtoBody("v1", "Service", service));
  }
};

TEST_P(BrokenObjectTest, ADeletedEventStillNamesTheObject) {
  Fed fed = FeedChunks(Kind::kService, GetParam(), Event("DELETED"), {});
  ASSERT_EQ(fed.failures.size(), 1u);
  EXPECT_EQ(fed.failures[0].name, (model::ObjectName{"shop", "web"}));
  EXPECT_THAT(fed.failures[0].reason, HasSubstr("spec.clusterIP: invalid IP address \"10.0.0.300\""));
  ASSERT_EQ(fed.events.size(), 1u);
  EXPECT_EQ(fed.events[0].type, WatchEventType::kDeleted);
  EXPECT_EQ(fed.events[0].name, (model::ObjectName{"shop", "web"}));
  EXPECT_EQ(fed.events[0].resource_version, "7");
  EXPECT_FALSE(fed.events[0].object.has_value());
}

TEST_P(BrokenObjectTest, AnAddedOrModifiedEventIsOnlyAFailure) {
  for (const char* type : {"ADDED", "MODIFIED"}) {
    Fed fed = FeedChunks(Kind::kService, GetParam(), Event(type), {});
    EXPECT_THAT(fed.events, IsEmpty()) << type;
    ASSERT_EQ(fed.failures.size(), 1u) << type;
    EXPECT_EQ(fed.failures[0].name, (model::ObjectName{"shop", "web"}));
  }
}

TEST_P(BrokenObjectTest, TheEventsAroundABrokenOneStillArrive) {
  std::string stream = ReadFixture(GetParam() == ContentType::kJson ? "services-watch.json"
                                                                    : "services-watch.protobuf");
  Fed clean = FeedChunks(Kind::kService, GetParam(), stream, {});
  Fed fed = FeedChunks(Kind::kService, GetParam(), Event("MODIFIED") + stream + Event("ADDED"), {});
  EXPECT_EQ(EventTexts(fed.events), EventTexts(clean.events));
  EXPECT_EQ(fed.failures.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Formats, BrokenObjectTest,
                         ::testing::Values(ContentType::kJson, ContentType::kProtobuf),
                         [](const auto& info) {
                           return info.param == ContentType::kJson ? "Json" : "Protobuf";
                         });

TEST(WatchStreamDecoderTest, AProtobufDeletedEventWithAnUndecodableBodyKeepsTheReadableName) {
  // The metadata comes first and parses; the spec that follows is cut short.
  ::k8s::io::api::core::v1::Service service;
  service.mutable_metadata()->set_name("web");
  service.mutable_metadata()->set_namespace_("shop");
  service.mutable_spec()->set_clusterip("10.0.0.1");
  std::string body = ProtoBody("v1", "Service", service);
  ::k8s::io::apimachinery::pkg::runtime::Unknown unknown;
  ASSERT_TRUE(unknown.ParseFromString(body.substr(4)));
  unknown.mutable_raw()->pop_back();
  std::string broken = body.substr(0, 4) + unknown.SerializeAsString();
  Fed fed = FeedChunks(Kind::kService, ContentType::kProtobuf, ProtoFrame("DELETED", broken), {});
  ASSERT_EQ(fed.events.size(), 1u);
  EXPECT_EQ(fed.events[0].name, (model::ObjectName{"shop", "web"}));
  ASSERT_EQ(fed.failures.size(), 1u);
  EXPECT_THAT(fed.failures[0].reason, HasSubstr("malformed protobuf Service"));
}

TEST(WatchStreamDecoderTest, ABookmarkWithoutAResourceVersionIsAFailure) {
  Fed fed = FeedChunks(Kind::kService, ContentType::kJson,
                       JsonLine("BOOKMARK", R"({"kind":"Service","metadata":{}})"), {});
  EXPECT_THAT(fed.events, IsEmpty());
  EXPECT_EQ(fed.failures.size(), 1u);
}

TEST(WatchStreamDecoderTest, AnErrorEventWithoutAStatusStillEndsTheWatch) {
  Fed fed = FeedChunks(Kind::kService, ContentType::kJson, JsonLine("ERROR", "42"), {});
  ASSERT_EQ(fed.events.size(), 1u);
  EXPECT_EQ(fed.events[0].type, WatchEventType::kError);
  ASSERT_TRUE(fed.events[0].status.has_value());
  EXPECT_EQ(fed.events[0].status->code, 0);
}

}  // namespace
}  // namespace sluice::k8s
