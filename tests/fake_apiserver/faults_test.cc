// Every fault, observed with a plain HTTPS client: what a reflector would see.
#include <gtest/gtest.h>

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
using testing::TestClient;

class FaultsTest : public ::testing::Test {
 protected:
  FaultsTest() : server_(Options{.bookmark_interval = 100ms}), client_(server_) {
    for (int i = 0; i < 3; ++i) {
      server_.Upsert(MakeService("shop", "s" + std::to_string(i), "198.19.0." + std::to_string(i + 1)));
    }
  }

  std::string WatchFrom(uint64_t rv, const std::string& extra = "") {
    return "/api/v1/services?watch=true&resourceVersion=" + std::to_string(rv) + extra;
  }

  FakeApiServer server_;
  TestClient client_;
};

TEST_F(FaultsTest, StatusFaultsAnswerWithAStatusBodyThenServeNormally) {
  server_.InjectFault(Resource::kServices, Verb::kList, Fault::Status(429, 2));
  server_.InjectFault(Resource::kServices, Verb::kList, Fault::Status(500));
  server_.InjectFault(Resource::kServices, Verb::kList, Fault::Status(503));
  server_.InjectFault(Resource::kServices, Verb::kList, Fault::Status(410));

  HttpResult r = client_.Get("/api/v1/services");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after, "2");
  auto status = nlohmann::json::parse(r.body);
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["reason"], "TooManyRequests");
  EXPECT_EQ(status["details"]["retryAfterSeconds"], 2);

  r = client_.Get("/api/v1/services");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(nlohmann::json::parse(r.body)["reason"], "InternalError");
  r = client_.Get("/api/v1/services");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["reason"], "ServiceUnavailable");
  r = client_.Get("/api/v1/services");
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(nlohmann::json::parse(r.body)["reason"], "Expired");

  EXPECT_EQ(client_.Get("/api/v1/services").status, 200) << "the queue is empty again";
  EXPECT_EQ(client_.Get("/apis/discovery.k8s.io/v1/endpointslices").status, 200)
      << "faults are per resource";
}

TEST_F(FaultsTest, AStatusFaultOnAWatchIsAnHttpError) {
  server_.InjectFault(Resource::kServices, Verb::kWatch, Fault::Status(503, 1));
  HttpResult r = client_.Stream(WatchFrom(server_.resource_version()), testing::kJson, nullptr, 2s);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.retry_after, "1");
  EXPECT_EQ(server_.log().watches(Resource::kServices), 1u);
  EXPECT_EQ(server_.Requests().back().status, 503);
}

TEST_F(FaultsTest, WatchExpiredIsAnInStreamErrorEvent) {
  server_.InjectFault(Resource::kServices, Verb::kWatch, Fault::WatchExpired());
  HttpResult r = client_.Stream(WatchFrom(server_.resource_version()), testing::kJson, nullptr, 2s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.end, HttpResult::End::kComplete);
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "ERROR");
  EXPECT_EQ(events[0]["object"]["code"], 410);
}

TEST_F(FaultsTest, ResetAfterNEventsBreaksTheChunkedBody) {
  server_.InjectFault(Resource::kServices, Verb::kWatch, Fault::ResetAfter(2));
  HttpResult r = client_.Stream(WatchFrom(0), testing::kJson, nullptr, 5s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.end, HttpResult::End::kBroken) << "the stream must end without its last chunk";
  EXPECT_EQ(JsonEvents(r.body).size(), 2u) << r.body;

  server_.InjectFault(Resource::kServices, Verb::kWatch, Fault::ResetAfter(0));
  r = client_.Stream(WatchFrom(0), testing::kJson, nullptr, 5s);
  EXPECT_EQ(r.end, HttpResult::End::kBroken);
  EXPECT_EQ(r.body, "");
}

TEST_F(FaultsTest, AShortWatchEndsAtOnceWithNoEvents) {
  server_.InjectFault(Resource::kServices, Verb::kWatch, Fault::ShortWatch());
  auto started = std::chrono::steady_clock::now();
  HttpResult r = client_.Stream(WatchFrom(0, "&allowWatchBookmarks=true"), testing::kJson, nullptr, 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.end, HttpResult::End::kComplete);
  EXPECT_EQ(r.body, "");
}

TEST_F(FaultsTest, AStalledWatchSendsNothingNotEvenBookmarksUntilReleased) {
  uint64_t rv = server_.resource_version();
  server_.InjectFault(Resource::kServices, Verb::kWatch, Fault::Stall());
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    server_.Upsert(MakeService("shop", "during-stall", "198.19.0.50"));
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(server_.stalled_requests(), 1u);
    server_.ReleaseStalls();
  });
  std::string at_release;
  auto started = std::chrono::steady_clock::now();
  HttpResult r = client_.Stream(
      WatchFrom(rv, "&allowWatchBookmarks=true"), testing::kJson,
      [&](const std::string& body) {
        if (at_release.empty()) at_release = std::to_string((std::chrono::steady_clock::now() - started) / 1ms);
        return !JsonEvents(body).empty();
      },
      5s);
  writer.join();
  auto events = JsonEvents(r.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["type"], "ADDED") << "the change made during the stall comes first";
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "during-stall");
  EXPECT_GE(std::stoi(at_release), 550) << "nothing arrived during the stall";
}

TEST_F(FaultsTest, ATimedStallAfterSomeEventsResumesByItself) {
  server_.InjectFault(Resource::kServices, Verb::kWatch, Fault::Stall(600ms, /*after_events=*/1));
  auto started = std::chrono::steady_clock::now();
  std::vector<long> arrivals;
  HttpResult r = client_.Stream(
      WatchFrom(0), testing::kJson,
      [&](const std::string& body) {
        while (arrivals.size() < JsonEvents(body).size()) {
          arrivals.push_back((std::chrono::steady_clock::now() - started) / 1ms);
        }
        return arrivals.size() >= 3;
      },
      5s);
  ASSERT_EQ(arrivals.size(), 3u) << r.body;
  EXPECT_GE(arrivals[1] - arrivals[0], 400) << "the stall sat between the first and second event";
}

TEST_F(FaultsTest, AStalledListAnswersLate) {
  server_.InjectFault(Resource::kServices, Verb::kList, Fault::Stall(300ms));
  auto started = std::chrono::steady_clock::now();
  HttpResult r = client_.Get("/api/v1/services");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 280ms);
}

TEST_F(FaultsTest, WatchOnlyFaultsAreRefusedForOtherVerbs) {
  EXPECT_THROW(server_.InjectFault(Resource::kServices, Verb::kList, Fault::ResetAfter(1)),
               std::invalid_argument);
  EXPECT_THROW(server_.InjectFault(Resource::kNodes, Verb::kGet, Fault::ShortWatch()),
               std::invalid_argument);
}

TEST_F(FaultsTest, AnOutageRefusesConnectionsWhileChangesContinue) {
  uint64_t before = server_.resource_version();
  // A watch open when the outage starts breaks.
  HttpResult watch;
  std::thread watcher([&] {
    TestClient c(server_);
    watch = c.Stream(WatchFrom(before), testing::kJson, nullptr, 5s);
  });
  std::this_thread::sleep_for(200ms);
  server_.SetUnavailable(true);
  watcher.join();
  EXPECT_EQ(watch.status, 200);
  EXPECT_EQ(watch.end, HttpResult::End::kBroken) << watch.error;

  HttpResult refused = client_.Get("/api/v1/services");
  EXPECT_EQ(refused.end, HttpResult::End::kNoResponse);
  EXPECT_EQ(refused.status, 0);
  server_.Upsert(MakeService("shop", "made-during-outage", "198.19.0.60"));

  server_.SetUnavailable(false);
  HttpResult r = client_.Stream(WatchFrom(before), testing::kJson,
                                [](const std::string& b) { return !JsonEvents(b).empty(); }, 5s);
  auto events = JsonEvents(r.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "made-during-outage");
  EXPECT_EQ(server_.url(), "https://127.0.0.1:" + std::to_string(server_.port())) << "same port";
}

// With two workers, watches whose clients gave up must not keep them busy.
TEST(ConnectionsTest, AClientThatHangsUpFreesItsConnection) {
  FakeApiServer server(Options{.worker_threads = 2});
  for (int i = 0; i < 2; ++i) {
    server.InjectFault(Resource::kServices, Verb::kWatch, Fault::Stall());  // stalled...
    TestClient(server).Stream("/api/v1/services?watch=true", testing::kJson, nullptr, 200ms);
    TestClient(server).Stream(  // ...and idle (no changes, no bookmarks)
        "/api/v1/services?watch=true&resourceVersion=" + std::to_string(server.resource_version()),
        testing::kJson, nullptr, 200ms);
  }
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(TestClient(server).Get("/api/v1/services").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(server.stalled_requests(), 0u);
}

TEST_F(FaultsTest, ClearFaultsEmptiesEveryQueue) {
  server_.InjectFault(Resource::kServices, Verb::kList, Fault::Status(500));
  server_.ClearFaults();
  EXPECT_EQ(client_.Get("/api/v1/services").status, 200);
}

}  // namespace
}  // namespace sluice::fake_apiserver
