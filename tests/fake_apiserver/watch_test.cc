// Watches over HTTPS, in JSON: replay from a resourceVersion, live events, bookmarks,
// selectors, timeouts, and the in-stream 410 after a compaction.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/test_client.h"
#include "fake_apiserver/test_objects.h"

namespace sluice::fake_apiserver {
namespace {

using namespace std::chrono_literals;
using testing::HttpResult;
using testing::JsonEvents;
using testing::MakeService;
using testing::MakeSlice;
using testing::TestClient;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/k8s-wire/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Stops reading once `n` complete events have arrived.
std::function<bool(const std::string&)> AfterEvents(size_t n) {
  return [n](const std::string& body) {
    return static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) >= n;
  };
}

std::vector<std::string> Types(const std::vector<nlohmann::json>& events) {
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e["type"]);
  return types;
}

class WatchTest : public ::testing::Test {
 protected:
  WatchTest() : server_(Options{.bookmark_interval = 200ms}), client_(server_) {}

  std::string WatchPath(const std::string& resource_path, uint64_t rv, const std::string& extra = "") {
    return resource_path + "?watch=true&resourceVersion=" + std::to_string(rv) + extra;
  }

  FakeApiServer server_;
  TestClient client_;
};

TEST_F(WatchTest, ReplaysEveryChangeAfterTheResourceVersionInOrder) {
  server_.Upsert(MakeService("shop", "web", "198.19.0.1"));
  uint64_t from = server_.resource_version();
  server_.Upsert(MakeService("shop", "late", "198.19.0.2"));
  server_.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.1"));  // another resource
  auto modified = MakeService("shop", "web", "198.19.0.1");
  modified["spec"]["sessionAffinity"] = "ClientIP";
  server_.Upsert(modified);
  server_.Delete("Service", "shop", "late");

  HttpResult r = client_.Stream(WatchPath("/api/v1/services", from), testing::kJson, AfterEvents(3), 5s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.transfer_encoding, "chunked");
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 3u) << r.body;
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "late");
  EXPECT_EQ(events[0]["object"]["kind"], "Service");
  EXPECT_EQ(events[0]["object"]["apiVersion"], "v1");
  EXPECT_EQ(events[1]["object"]["spec"]["sessionAffinity"], "ClientIP");
  EXPECT_EQ(events[2]["object"]["metadata"]["name"], "late");
  EXPECT_EQ(events[2]["object"]["metadata"]["resourceVersion"], std::to_string(server_.resource_version()))
      << "a DELETED event carries the deletion's RV";
  EXPECT_EQ(server_.log().watches(Resource::kServices), 1u);
}

TEST_F(WatchTest, StreamsLiveChangesAsTheyHappen) {
  uint64_t from = server_.resource_version();
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    server_.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.1"));
    std::this_thread::sleep_for(100ms);
    server_.Upsert(MakeSlice("shop", "web-1", "web", "198.18.0.1", /*ready=*/false));
  });
  auto started = std::chrono::steady_clock::now();
  HttpResult r = client_.Stream(WatchPath("/apis/discovery.k8s.io/v1/endpointslices", from),
                                testing::kJson, AfterEvents(2), 5s);
  writer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 2u) << r.body;
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ADDED", "MODIFIED"}));
  EXPECT_EQ(events[1]["object"]["endpoints"][0]["conditions"]["ready"], false);
  EXPECT_EQ(events[1]["object"]["metadata"]["generation"], 2);
}

TEST_F(WatchTest, WithoutAResourceVersionStartsWithTheCurrentState) {
  server_.Upsert(MakeService("shop", "a", "198.19.0.1"));
  server_.Upsert(MakeService("shop", "b", "198.19.0.2"));
  HttpResult r = client_.Stream("/api/v1/services?watch=1", testing::kJson, AfterEvents(2), 5s);
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ADDED", "ADDED"}));
}

TEST_F(WatchTest, BookmarksArriveWithOnlyTheResourceVersion) {
  server_.Upsert(MakeService("shop", "a", "198.19.0.1"));
  uint64_t rv = server_.resource_version();
  auto started = std::chrono::steady_clock::now();
  HttpResult r = client_.Stream(WatchPath("/api/v1/services", rv, "&allowWatchBookmarks=true"),
                                testing::kJson, AfterEvents(3), 5s);
  auto elapsed = std::chrono::steady_clock::now() - started;
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_GE(elapsed, 500ms) << "three bookmarks 200 ms apart";
  for (const auto& e : events) {
    EXPECT_EQ(e["type"], "BOOKMARK");
    // As the capture shows the real server's: kind, apiVersion, the RV, and the
    // empty value-typed fields Go prints.
    EXPECT_EQ(e["object"], nlohmann::json::parse(R"({"kind":"Service","apiVersion":"v1",
        "metadata":{"resourceVersion":")" + std::to_string(rv) + R"("},"spec":{},"status":{"loadBalancer":{}}})"));
  }
  HttpResult none = client_.Stream(WatchPath("/api/v1/services", rv), testing::kJson, AfterEvents(1), 700ms);
  EXPECT_EQ(none.body, "") << "no bookmarks unless asked for";
}

TEST_F(WatchTest, EndsAtTimeoutSeconds) {
  auto started = std::chrono::steady_clock::now();
  HttpResult r = client_.Stream(WatchPath("/api/v1/services", server_.resource_version(), "&timeoutSeconds=1"),
                                testing::kJson, nullptr, 5s);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.end, HttpResult::End::kComplete) << r.error;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(WatchTest, AWatchFromACompactedRvGetsTheInStream410) {
  uint64_t old = server_.resource_version();
  server_.Upsert(MakeService("shop", "a", "198.19.0.1"));
  server_.Compact();
  HttpResult r = client_.Stream(WatchPath("/api/v1/services", old), testing::kJson, nullptr, 5s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.end, HttpResult::End::kComplete);
  // Byte for byte what kube-apiserver v1.36 sent.
  EXPECT_EQ(r.body, ReadFixture("watch-410.json"));

  HttpResult fine = client_.Stream(WatchPath("/api/v1/services", server_.resource_version(), "&timeoutSeconds=1"),
                                   testing::kJson, nullptr, 5s);
  EXPECT_EQ(fine.body, "");
}

TEST_F(WatchTest, AnObjectThatLeavesTheSelectedSetIsDeleted) {
  server_.Upsert(MakeService("shop", "web", "198.19.0.1", {{"app", "web"}}));
  uint64_t from = server_.resource_version();
  server_.Upsert(MakeService("shop", "web", "198.19.0.1",
                             {{"app", "web"}, {"service.kubernetes.io/service-proxy-name", "other"}}));
  server_.Upsert(MakeService("shop", "web", "198.19.0.1", {{"app", "web"}}));
  server_.Upsert(MakeService("shop", "hidden", "198.19.0.2",
                             {{"service.kubernetes.io/service-proxy-name", "other"}}));
  server_.Delete("Service", "shop", "hidden");
  HttpResult r = client_.Stream(
      WatchPath("/api/v1/services", from, "&labelSelector=%21service.kubernetes.io%2Fservice-proxy-name"),
      testing::kJson, AfterEvents(2), 2s);
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 2u) << r.body;
  EXPECT_EQ(Types(events), (std::vector<std::string>{"DELETED", "ADDED"}));
  // The DELETED object is the last state that matched, at the change's RV.
  EXPECT_FALSE(events[0]["object"]["metadata"]["labels"].contains("service.kubernetes.io/service-proxy-name"));
  EXPECT_EQ(events[0]["object"]["metadata"]["resourceVersion"], std::to_string(from + 1));
}

TEST_F(WatchTest, NodeWatchByFieldSelector) {
  uint64_t from = server_.resource_version();
  server_.Upsert(testing::MakeNode("node1", "198.18.1.1"));
  server_.Upsert(testing::MakeNode("node2", "198.18.1.2"));
  HttpResult r = client_.Stream(WatchPath("/api/v1/nodes", from, "&fieldSelector=metadata.name%3Dnode2"),
                                testing::kJson, AfterEvents(1), 2s);
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "node2");
}

TEST_F(WatchTest, ManyConcurrentWatchersAllSeeEveryChange) {
  uint64_t from = server_.resource_version();
  constexpr int kWatchers = 8;
  std::vector<HttpResult> results(kWatchers);
  std::vector<std::thread> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    watchers.emplace_back([&, i] {
      TestClient client(server_);
      results[i] = client.Stream(WatchPath("/api/v1/services", from), testing::kJson, AfterEvents(20), 10s);
    });
  }
  for (int i = 0; i < 20; ++i) server_.Upsert(MakeService("shop", "s" + std::to_string(i), "198.19.1.1"));
  for (auto& t : watchers) t.join();
  for (const auto& r : results) EXPECT_EQ(JsonEvents(r.body).size(), 20u);
}

}  // namespace
}  // namespace sluice::fake_apiserver
