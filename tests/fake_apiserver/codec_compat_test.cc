// What the agent's own client makes of the fake: sluice's wire codecs
// (userspace/k8s/wire_codec.h) decode the fake's lists and watch streams to the same
// objects as the real server's captures, in both formats, and sluice's kubeconfig
// loader and libcurl transport talk to it with the kubeconfig it writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/test_client.h"
#include "fake_apiserver/test_objects.h"
#include "k8s/cluster_config.h"
#include "k8s/curl_transport.h"
#include "k8s/wire_codec.h"

namespace sluice::fake_apiserver {
namespace {

using namespace std::chrono_literals;
using k8s::ContentType;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename T>
std::string Ips(const std::vector<T>& ips) {
  std::string out;
  for (const auto& ip : ips) out += ip.ToString() + " ";
  return out;
}

// Every decoded field but the resourceVersion (the fake assigns its own), as text.
std::string Describe(const k8s::Object& object) {
  std::ostringstream out;
  const model::ObjectMeta& meta = k8s::MetaOf(object);
  out << meta.id.ToString() << " uid=" << meta.uid << " labels=";
  for (const auto& [k, v] : meta.labels) out << k << "=" << v << ",";
  if (const auto* s = std::get_if<model::Service>(&object)) {
    out << " type=" << model::ServiceTypeName(s->type) << " ips=" << Ips(s->cluster_ips)
        << " headless=" << s->headless << " ext=" << Ips(s->external_ips)
        << " lb=" << Ips(s->load_balancer_ips) << " ranges=" << Ips(s->load_balancer_source_ranges)
        << " affinity=" << s->session_affinity_client_ip << "/" << s->session_affinity_timeout
        << " etp=" << static_cast<int>(s->external_traffic_policy)
        << " itp=" << static_cast<int>(s->internal_traffic_policy) << " hc=" << s->health_check_node_port;
    for (const auto& p : s->ports) {
      out << " port{" << p.name << " " << model::ProtocolName(p.protocol) << " " << p.port << " "
          << p.node_port << " " << p.target_port_number << " " << p.target_port_name << "}";
    }
  } else if (const auto* e = std::get_if<model::EndpointSlice>(&object)) {
    out << " service=" << e->service_name << " family=" << static_cast<int>(e->address_type);
    for (const auto& ep : e->endpoints) {
      auto b = [](const std::optional<bool>& v) { return v ? (*v ? "t" : "f") : "-"; };
      out << " ep{" << Ips(ep.addresses) << b(ep.conditions.ready) << b(ep.conditions.serving)
          << b(ep.conditions.terminating) << " " << ep.node_name << " " << ep.zone << " ";
      for (const auto& z : ep.hint_zones) out << z << ",";
      out << "}";
    }
    for (const auto& p : e->ports) {
      out << " port{" << p.name << " " << model::ProtocolName(p.protocol) << " "
          << (p.port ? std::to_string(*p.port) : "-") << "}";
    }
  } else if (const auto* n = std::get_if<model::Node>(&object)) {
    out << " internal=" << Ips(n->internal_ips) << " external=" << Ips(n->external_ips);
  }
  return out.str();
}

std::vector<std::string> DescribeAll(const k8s::DecodedList& list) {
  std::vector<std::string> out;
  for (const auto& item : list.items) out.push_back(Describe(item));
  return out;
}

struct Case {
  k8s::Kind kind;
  Resource resource;
  const char* json_capture;
  const char* protobuf_capture;
  ContentType type;
};

class DecodedLikeTheCaptures : public ::testing::TestWithParam<Case> {};

TEST_P(DecodedLikeTheCaptures, AServedListDecodesToTheCapturedObjects) {
  const Case& c = GetParam();
  FakeApiServer server(Options{.apply_defaults = false});
  nlohmann::json captured = nlohmann::json::parse(ReadFixture(c.json_capture));
  for (auto item : captured["items"]) {
    item["kind"] = KindOf(c.resource);
    item["apiVersion"] = ApiVersionOf(c.resource);
    server.Upsert(item);
  }
  testing::TestClient client(server);
  auto r = client.Get(std::string(CollectionPath(c.resource)) + "?limit=500", k8s::AcceptHeader(c.type));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(k8s::ParseContentType(r.content_type), c.type);
  k8s::DecodedList mine = k8s::DecodeList(c.kind, c.type, r.body);
  k8s::DecodedList theirs = k8s::DecodeList(
      c.kind, c.type, ReadFixture(c.type == ContentType::kJson ? c.json_capture : c.protobuf_capture));
  EXPECT_TRUE(mine.failures.empty());
  EXPECT_TRUE(theirs.failures.empty());
  EXPECT_EQ(mine.resource_version, std::to_string(server.resource_version()));
  EXPECT_EQ(DescribeAll(mine), DescribeAll(theirs));
  EXPECT_EQ(mine.items.size(), theirs.items.size());
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, DecodedLikeTheCaptures,
    ::testing::Values(
        Case{k8s::Kind::kService, Resource::kServices, "services-list.json", "services-list.protobuf", ContentType::kJson},
        Case{k8s::Kind::kService, Resource::kServices, "services-list.json", "services-list.protobuf", ContentType::kProtobuf},
        Case{k8s::Kind::kEndpointSlice, Resource::kEndpointSlices, "endpointslices-list.json",
             "endpointslices-list.protobuf", ContentType::kJson},
        Case{k8s::Kind::kEndpointSlice, Resource::kEndpointSlices, "endpointslices-list.json",
             "endpointslices-list.protobuf", ContentType::kProtobuf}),
    [](const auto& info) {
      return std::string(ResourceName(info.param.resource)) +
             (info.param.type == ContentType::kJson ? "_json" : "_protobuf");
    });

class CodecWatch : public ::testing::TestWithParam<ContentType> {};

// The fake's watch stream through sluice's incremental decoder, fed in odd-sized
// pieces as a network would deliver them.
TEST_P(CodecWatch, StreamsDecodeEventByEvent) {
  FakeApiServer server(Options{.bookmark_interval = 100ms});
  uint64_t from = server.resource_version();
  server.Upsert(testing::MakeSlice("shop", "web-1", "web", "198.18.0.1"));
  server.Upsert(testing::MakeSlice("shop", "web-1", "web", "198.18.0.2", /*ready=*/false));
  server.Delete("EndpointSlice", "shop", "web-1");
  testing::TestClient client(server);
  std::vector<k8s::WatchEvent> events;
  std::vector<k8s::ObjectFailure> failures;
  k8s::WatchStreamDecoder decoder(k8s::Kind::kEndpointSlice, GetParam());
  size_t fed = 0;
  client.Stream(
      "/apis/discovery.k8s.io/v1/endpointslices?watch=true&allowWatchBookmarks=true&resourceVersion=" +
          std::to_string(from),
      k8s::AcceptHeader(GetParam()),
      [&](const std::string& body) {
        while (fed < body.size()) {
          size_t n = std::min<size_t>(7, body.size() - fed);
          decoder.Feed(std::string_view(body).substr(fed, n), &events, &failures);
          fed += n;
        }
        return events.size() >= 4;
      },
      5s);
  ASSERT_GE(events.size(), 4u);
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(events[0].type, k8s::WatchEventType::kAdded);
  EXPECT_EQ(events[1].type, k8s::WatchEventType::kModified);
  const auto& slice = std::get<model::EndpointSlice>(*events[1].object);
  EXPECT_EQ(slice.endpoints[0].conditions.ready, false);
  EXPECT_EQ(events[2].type, k8s::WatchEventType::kDeleted);
  EXPECT_EQ(events[2].name->name, "web-1");
  EXPECT_EQ(events[3].type, k8s::WatchEventType::kBookmark);
  EXPECT_EQ(events[3].resource_version, std::to_string(server.resource_version()));
}

TEST_P(CodecWatch, TheInStream410DecodesAsAnExpiredStatus) {
  FakeApiServer server;
  uint64_t old = server.resource_version();
  server.Upsert(testing::MakeService("shop", "a", "198.19.0.1"));
  server.Compact();
  testing::TestClient client(server);
  auto r = client.Stream("/api/v1/services?watch=true&resourceVersion=" + std::to_string(old),
                         k8s::AcceptHeader(GetParam()), nullptr, 5s);
  std::vector<k8s::WatchEvent> events;
  std::vector<k8s::ObjectFailure> failures;
  k8s::WatchStreamDecoder(k8s::Kind::kService, GetParam()).Feed(r.body, &events, &failures);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, k8s::WatchEventType::kError);
  ASSERT_TRUE(events[0].status);
  EXPECT_EQ(events[0].status->code, 410);
  EXPECT_EQ(events[0].status->reason, "Expired");
}

TEST_P(CodecWatch, FaultStatusBodiesDecode) {
  FakeApiServer server;
  server.InjectFault(Resource::kServices, Verb::kList, Fault::Status(429, 1));
  testing::TestClient client(server);
  auto r = client.Get("/api/v1/services", k8s::AcceptHeader(GetParam()));
  auto status = k8s::DecodeStatus(GetParam(), r.body);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 429);
  EXPECT_EQ(status->reason, "TooManyRequests");
}

INSTANTIATE_TEST_SUITE_P(Codecs, CodecWatch, ::testing::Values(ContentType::kJson, ContentType::kProtobuf),
                         [](const auto& info) { return info.param == ContentType::kJson ? "json" : "protobuf"; });

// sluice's kubeconfig loader and transport against the kubeconfig the fake writes.
TEST(AgentClient, ReadsTheKubeconfigAndListsAndWatches) {
  FakeApiServer server(Options{.bearer_token = "agent-token", .bookmark_interval = 100ms});
  server.Upsert(testing::MakeService("shop", "web", "198.19.0.1"));
  std::string path = std::filesystem::path(server.ca_path()).parent_path() / "kubeconfig";
  server.WriteKubeconfig(path);
  k8s::ClusterConfig config = k8s::LoadKubeconfig(path, "");
  EXPECT_EQ(config.server, server.url());
  EXPECT_EQ(config.token, "agent-token");
  k8s::CurlTransport transport(config);

  k8s::ApiResponse list = transport.Get("/api/v1/services?limit=500", k8s::AcceptHeader(ContentType::kProtobuf));
  EXPECT_EQ(list.status, 200);
  auto decoded = k8s::DecodeList(k8s::Kind::kService, ContentType::kProtobuf, list.body);
  ASSERT_EQ(decoded.items.size(), 1u);

  long watch_status = 0;
  std::string body;
  auto end = transport.Stream(
      "/api/v1/services?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=" +
          decoded.resource_version,
      k8s::AcceptHeader(ContentType::kJson), 3000,
      [&](long status, std::string_view, std::string_view) { watch_status = status; },
      [&](std::string_view chunk) {
        body += chunk;
        return true;
      });
  EXPECT_EQ(end, k8s::StreamEnd::kClosed) << "timeoutSeconds ends the watch cleanly";
  EXPECT_EQ(watch_status, 200);
  EXPECT_NE(body.find("BOOKMARK"), std::string::npos);
  EXPECT_EQ(server.log().watches(Resource::kServices), 1u);
  EXPECT_EQ(server.Requests().back().param("timeoutSeconds"), "1");
}

TEST(AgentClient, SeesBrokenStreamsAndRefusedConnections) {
  FakeApiServer server;
  std::string path = std::filesystem::path(server.ca_path()).parent_path() / "kubeconfig";
  server.WriteKubeconfig(path);
  k8s::CurlTransport transport(k8s::LoadKubeconfig(path, ""));
  server.InjectFault(Resource::kServices, Verb::kWatch, Fault::ResetAfter(0));
  auto end = transport.Stream("/api/v1/services?watch=true", k8s::AcceptHeader(ContentType::kJson), 3000,
                              [](long, std::string_view, std::string_view) {}, [](std::string_view) { return true; });
  EXPECT_EQ(end, k8s::StreamEnd::kBroken);

  server.InjectFault(Resource::kServices, Verb::kWatch, Fault::Stall());
  end = transport.Stream("/api/v1/services?watch=true&resourceVersion=" + std::to_string(server.resource_version()),
                         k8s::AcceptHeader(ContentType::kJson), 300, [](long, std::string_view, std::string_view) {},
                         [](std::string_view) { return true; });
  EXPECT_EQ(end, k8s::StreamEnd::kIdle);
  server.ReleaseStalls();

  server.SetUnavailable(true);
  EXPECT_THROW(transport.Get("/api/v1/services", k8s::AcceptHeader(ContentType::kJson)), k8s::TransportError);
  server.SetUnavailable(false);
  EXPECT_EQ(transport.Get("/api/v1/services", k8s::AcceptHeader(ContentType::kJson)).status, 200);
}

TEST(AgentClient, AuthenticatesWithTheClientCertificate) {
  FakeApiServer server(Options{.require_client_cert = true});
  std::string path = std::filesystem::path(server.ca_path()).parent_path() / "kubeconfig";
  server.WriteKubeconfig(path, {.include_token = false, .include_client_cert = true});
  k8s::CurlTransport transport(k8s::LoadKubeconfig(path, ""));
  EXPECT_EQ(transport.Get("/api/v1/nodes", k8s::AcceptHeader(ContentType::kJson)).status, 200);
}

}  // namespace
}  // namespace sluice::fake_apiserver
