// The wire codecs on hand-made bodies: content types, broken items among good ones,
// broken envelopes, Status bodies in protobuf.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "k8s/decode_error.h"
#include "k8s/proto/core_v1.pb.h"
#include "k8s/proto/discovery_v1.pb.h"
#include "k8s/proto/meta_v1.pb.h"
#include "k8s/wire_codec.h"
#include "object_text.h"
#include "proto_encoding.h"

namespace sluice::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FailureText;
using testing::ProtoBody;
namespace corev1 = ::k8s::io::api::core::v1;
namespace metav1 = ::k8s::io::apimachinery::pkg::apis::meta::v1;

TEST(WireCodecTest, AcceptHeadersAreTheApiServersMediaTypes) {
  EXPECT_STREQ(AcceptHeader(ContentType::kJson), "application/json");
  EXPECT_STREQ(AcceptHeader(ContentType::kProtobuf), "application/vnd.kubernetes.protobuf");
}

TEST(WireCodecTest, ContentTypesIgnoreParametersAndCase) {
  EXPECT_EQ(ParseContentType("application/json"), ContentType::kJson);
  EXPECT_EQ(ParseContentType("application/json; charset=utf-8"), ContentType::kJson);
  EXPECT_EQ(ParseContentType("Application/JSON"), ContentType::kJson);
  EXPECT_EQ(ParseContentType("application/vnd.kubernetes.protobuf"), ContentType::kProtobuf);
  EXPECT_EQ(ParseContentType("application/vnd.kubernetes.protobuf;stream=watch"), ContentType::kProtobuf);
  EXPECT_EQ(ParseContentType(" application/vnd.kubernetes.protobuf ; stream=watch"), ContentType::kProtobuf);
  EXPECT_EQ(ParseContentType("application/yaml"), std::nullopt);
  EXPECT_EQ(ParseContentType("text/plain"), std::nullopt);
  EXPECT_EQ(ParseContentType(""), std::nullopt);
  EXPECT_EQ(ParseContentType("application/json-patch+json"), std::nullopt);
}

TEST(WireCodecTest, KindNamesAreTheApis) {
  EXPECT_STREQ(KindName(Kind::kService), "Service");
  EXPECT_STREQ(KindName(Kind::kEndpointSlice), "EndpointSlice");
  EXPECT_STREQ(KindName(Kind::kNode), "Node");
}

corev1::Service NamedService(const std::string& name, const std::string& cluster_ip) {
  corev1::Service service;
  service.mutable_metadata()->set_name(name);
  service.mutable_metadata()->set_namespace_("shop");
  service.mutable_spec()->set_clusterip(cluster_ip);
  auto* port = service.mutable_spec()->add_ports();
  port->set_port(80);
  port->set_protocol("TCP");
  return service;
}

TEST(WireCodecTest, ABrokenJsonItemIsAFailureAndTheOthersDecode) {
  DecodedList list = DecodeList(Kind::kService, ContentType::kJson, R"({
    "kind": "ServiceList", "apiVersion": "v1", "metadata": {"resourceVersion": "9"},
    "items": [
      {"metadata": {"name": "a", "namespace": "shop"}, "spec": {"clusterIP": "10.0.0.1"}},
      {"metadata": {"name": "b", "namespace": "shop"}, "spec": {"clusterIP": "10.0.0.999"}},
      {"metadata": {"namespace": "shop"}, "spec": {}},
      17,
      {"metadata": {"name": "c"}, "spec": {"ports": [{"port": 80}]}}
    ]})");
  std::vector<std::string> names;
  for (const Object& item : list.items) names.push_back(MetaOf(item).id.ToString());
  EXPECT_THAT(names, ElementsAre("shop/a", "default/c"));
  std::vector<std::string> failures;
  for (const ObjectFailure& failure : list.failures) failures.push_back(FailureText(failure));
  EXPECT_THAT(failures, ElementsAre("shop/b: spec.clusterIP: invalid IP address \"10.0.0.999\"",
                                    "(unnamed): items[2]: metadata.name: required",
                                    "(unnamed): items[3]: expected an object, got number"));
  EXPECT_EQ(list.resource_version, "9");
}

TEST(WireCodecTest, ABrokenProtobufItemIsAFailureAndTheOthersDecode) {
  corev1::ServiceList services;
  services.mutable_metadata()->set_resourceversion("9");
  services.mutable_metadata()->set_continue_("next");
  services.mutable_metadata()->set_remainingitemcount(3);
  *services.add_items() = NamedService("a", "10.0.0.1");
  *services.add_items() = NamedService("b", "10.0.0.999");
  *services.add_items() = NamedService("c", "10.0.0.3");
  std::string body = ProtoBody("v1", "ServiceList", services);
  DecodedList list = DecodeList(Kind::kService, ContentType::kProtobuf, body);
  std::vector<std::string> names;
  for (const Object& item : list.items) names.push_back(MetaOf(item).id.ToString());
  EXPECT_THAT(names, ElementsAre("shop/a", "shop/c"));
  ASSERT_EQ(list.failures.size(), 1u);
  EXPECT_EQ(FailureText(list.failures[0]), "shop/b: spec.clusterIP: invalid IP address \"10.0.0.999\"");
  EXPECT_EQ(list.resource_version, "9");
  EXPECT_EQ(list.continue_token, "next");
  EXPECT_EQ(list.remaining_item_count, 3);
}

TEST(WireCodecTest, AProtobufItemWithBrokenBytesIsAFailureWithItsIndex) {
  // An item whose bytes are not a Service message: field 2 (spec) claims 100 bytes
  // that are not there.
  std::string raw;
  corev1::ServiceList services;
  *services.add_items() = NamedService("a", "10.0.0.1");
  raw = services.SerializeAsString();
  std::string broken_item = "\x12\x64";
  raw += std::string("\x12") + static_cast<char>(broken_item.size()) + broken_item;
  ::k8s::io::apimachinery::pkg::runtime::Unknown unknown;
  unknown.mutable_typemeta()->set_kind("ServiceList");
  unknown.set_raw(raw);
  DecodedList list =
      DecodeList(Kind::kService, ContentType::kProtobuf, std::string("k8s\0", 4) + unknown.SerializeAsString());
  EXPECT_EQ(list.items.size(), 1u);
  ASSERT_EQ(list.failures.size(), 1u);
  EXPECT_EQ(FailureText(list.failures[0]), "(unnamed): items[1]: malformed protobuf Service");
}

TEST(WireCodecTest, BrokenBodiesThrowDecodeError) {
  for (ContentType type : {ContentType::kJson, ContentType::kProtobuf}) {
    for (std::string body : {std::string(""), std::string("{"), std::string("k8s"),
                             std::string("k8s\0\xff\xff", 6), std::string("[]")}) {
      EXPECT_THROW(DecodeList(Kind::kService, type, body), DecodeError) << body;
      EXPECT_THROW(DecodeObject(Kind::kService, type, body), DecodeError) << body;
    }
  }
  EXPECT_THROW(DecodeList(Kind::kService, ContentType::kJson, R"({"kind":"ServiceList","items":{}})"),
               DecodeError);
  EXPECT_THROW(DecodeList(Kind::kService, ContentType::kJson, R"({"kind":"PodList","items":[]})"),
               DecodeError);
}

TEST(WireCodecTest, AnEncodedEnvelopeIsRefused) {
  ::k8s::io::apimachinery::pkg::runtime::Unknown unknown;
  unknown.mutable_typemeta()->set_kind("ServiceList");
  unknown.set_contentencoding("gzip");
  try {
    DecodeList(Kind::kService, ContentType::kProtobuf, std::string("k8s\0", 4) + unknown.SerializeAsString());
    ADD_FAILURE() << "no DecodeError";
  } catch (const DecodeError& error) {
    EXPECT_THAT(error.what(), HasSubstr("gzip"));
  }
}

TEST(WireCodecTest, ProtobufStatusBodiesDecode) {
  metav1::Status status;
  status.set_status("Failure");
  status.set_code(429);
  status.set_reason("TooManyRequests");
  status.set_message("slow down");
  status.mutable_details()->set_retryafterseconds(2);
  std::string body = ProtoBody("v1", "Status", status);
  std::optional<ApiStatus> decoded = DecodeStatus(ContentType::kProtobuf, body);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->code, 429);
  EXPECT_EQ(decoded->reason, "TooManyRequests");
  EXPECT_EQ(decoded->message, "slow down");
  try {
    DecodeList(Kind::kService, ContentType::kProtobuf, body);
    ADD_FAILURE() << "no DecodeError";
  } catch (const DecodeError& error) {
    EXPECT_THAT(error.what(), HasSubstr("TooManyRequests"));
  }
}

TEST(WireCodecTest, AnEmptyListIsNoItems) {
  for (const char* body : {R"({"kind":"ServiceList","metadata":{"resourceVersion":"5"},"items":[]})",
                           R"({"kind":"ServiceList","metadata":{"resourceVersion":"5"},"items":null})",
                           R"({"kind":"ServiceList","metadata":{"resourceVersion":"5"}})"}) {
    DecodedList list = DecodeList(Kind::kService, ContentType::kJson, body);
    EXPECT_THAT(list.items, IsEmpty());
    EXPECT_EQ(list.resource_version, "5");
  }
  corev1::ServiceList empty;
  empty.mutable_metadata()->set_resourceversion("5");
  DecodedList list = DecodeList(Kind::kService, ContentType::kProtobuf, ProtoBody("v1", "ServiceList", empty));
  EXPECT_THAT(list.items, IsEmpty());
  EXPECT_EQ(list.resource_version, "5");
}

TEST(WireCodecTest, AnOddRemainingItemCountIsIgnored) {
  for (const char* count : {"-1", "\"5\"", "1.5", "18446744073709551615"}) {
    DecodedList list = DecodeList(
        Kind::kService, ContentType::kJson,
        std::string(R"({"kind":"ServiceList","metadata":{"continue":"x","remainingItemCount":)") + count + "}}");
    EXPECT_EQ(list.remaining_item_count, std::nullopt) << count;
    EXPECT_EQ(list.continue_token, "x");
  }
  corev1::ServiceList services;
  services.mutable_metadata()->set_remainingitemcount(-1);
  EXPECT_EQ(DecodeList(Kind::kService, ContentType::kProtobuf, ProtoBody("v1", "ServiceList", services))
                .remaining_item_count,
            std::nullopt);
}

TEST(WireCodecTest, MetaOfEveryKind) {
  model::Service service;
  service.meta.id = {"shop", "web"};
  model::Node node;
  node.meta.id = {"", "node1"};
  EXPECT_EQ(MetaOf(Object(service)).id.ToString(), "shop/web");
  EXPECT_EQ(MetaOf(Object(node)).id.name, "node1");
}

}  // namespace
}  // namespace sluice::k8s
