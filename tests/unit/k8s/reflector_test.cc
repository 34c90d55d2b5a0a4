// The reflector against a scripted API server: which requests it makes, in which
// order, how long it waits, and what reaches the handler — client-go's semantics,
// checked without a network and without wall-clock time.
#include "k8s/reflector.h"

#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>

namespace sluice::k8s {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json ServiceJson(const std::string& name, const std::string& rv, const std::string& ip = "198.19.0.10") {
  return {{"kind", "Service"},
          {"apiVersion", "v1"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"resourceVersion", rv}}},
          {"spec", {{"clusterIP", ip}, {"clusterIPs", {ip}}, {"ports", {{{"name", "http"}, {"port", 80}}}}}}};
}

std::string ListBody(const std::vector<json>& items, const std::string& rv, const std::string& cont = "") {
  json meta = {{"resourceVersion", rv}};
  if (!cont.empty()) meta["continue"] = cont;
  return json{{"kind", "ServiceList"}, {"apiVersion", "v1"}, {"metadata", meta}, {"items", items}}.dump();
}

std::string Event(const std::string& type, const json& object) {
  return json{{"type", type}, {"object", object}}.dump() + "\n";
}

std::string Bookmark(const std::string& rv) {
  return Event("BOOKMARK", {{"kind", "Service"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", rv}}}});
}

std::string StatusBody(int code, const std::string& reason) {
  return json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
              {"reason", reason}, {"code", code}, {"message", reason}}.dump();
}

class FakeWaiter final : public Waiter {
 public:
  explicit FakeWaiter(FakeClock& clock) : clock_(clock) {}
  bool WaitFor(Clock::Duration d) override {
    if (stopped_) return false;
    waits.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(d));
    clock_.Advance(d);
    return !stopped_;
  }
  void Stop() override { stopped_ = true; }
  bool stopped() const override { return stopped_; }
  std::vector<std::chrono::milliseconds> waits;

 private:
  FakeClock& clock_;
  bool stopped_ = false;
};

struct ZeroRandom final : public Random {
  double Uniform01() override { return value; }
  double value = 0.0;
};

// One scripted answer. A Get answers with `response` (or throws); a Stream sends
// `status` and `chunks`, advancing the clock by `duration`, and ends with `end`.
struct Answer {
  ApiResponse response{};
  bool transport_error = false;
  long status = 200;
  std::vector<std::string> chunks{};
  StreamEnd end = StreamEnd::kClosed;
  Clock::Duration duration = 5min;
};

class ScriptedTransport final : public ApiTransport {
 public:
  ScriptedTransport(FakeClock& clock, FakeWaiter& waiter) : clock_(clock), waiter_(waiter) {}

  ApiResponse Get(const std::string& path, const std::string&) override {
    requests.push_back("GET " + path);
    Answer a = Next();
    if (a.transport_error) throw TransportError("connection refused");
    return a.response;
  }
  StreamEnd Stream(const std::string& path, const std::string&, long,
                   const HeadersCallback& on_headers,
                   const std::function<bool(std::string_view)>& on_data) override {
    requests.push_back("WATCH " + path);
    Answer a = Next();
    if (a.transport_error) throw TransportError("connection refused");
    on_headers(a.status, "application/json", a.response.retry_after);
    for (const std::string& chunk : a.chunks)
      if (!on_data(chunk)) return StreamEnd::kAborted;
    if (a.status == 200) clock_.Advance(a.duration);
    return a.end;
  }
  void Cancel() override {}

  std::deque<Answer> script;
  std::vector<std::string> requests;

 private:
  Answer Next() {
    if (script.empty()) {
      waiter_.Stop();  // the script is over: end Run()
      throw TransportError("end of script");
    }
    Answer a = script.front();
    script.pop_front();
    return a;
  }
  FakeClock& clock_;
  FakeWaiter& waiter_;
};

class RecordingHandler final : public ReflectorHandler {
 public:
  void OnList(std::vector<Object> items) override {
    std::string line = "LIST";
    for (const auto& o : items) line += " " + MetaOf(o).id.name;
    log.push_back(line);
  }
  void OnUpsert(Object o) override {
    log.push_back("UPSERT " + MetaOf(o).id.name + "@" + MetaOf(o).resource_version);
  }
  void OnDelete(const model::ObjectName& name) override { log.push_back("DELETE " + name.name); }
  std::vector<std::string> log;
};

struct Harness {
  FakeClock clock;
  FakeWaiter waiter{clock};
  ZeroRandom random;
  ScriptedTransport transport{clock, waiter};
  RecordingHandler handler;
  ReflectorOptions options = [] {
    ReflectorOptions o;
    o.kind = Kind::kService;
    o.path = "/api/v1/services";
    o.label_selector = "!service.kubernetes.io/headless";
    o.content_type = ContentType::kJson;
    return o;
  }();

  ReflectorStats Run() {
    Reflector reflector(options, transport, handler, clock, random, waiter);
    reflector.Run();
    return reflector.stats();
  }
  Answer List(const std::vector<json>& items, const std::string& rv, const std::string& cont = "") {
    Answer a;
    a.response = {200, "application/json", ListBody(items, rv, cont), ""};
    return a;
  }
};

TEST(ReflectorTest, ListsThenWatchesFromTheListsResourceVersionWithBookmarks) {
  Harness h;
  h.transport.script = {
      h.List({ServiceJson("a", "90"), ServiceJson("b", "95")}, "100"),
      Answer{.chunks = {Event("ADDED", ServiceJson("c", "101")), Event("MODIFIED", ServiceJson("a", "102")),
                        Event("DELETED", ServiceJson("b", "103")), Bookmark("150")}},
  };
  ReflectorStats stats = h.Run();
  ASSERT_GE(h.transport.requests.size(), 3u);
  EXPECT_EQ(h.transport.requests[0],
            "GET /api/v1/services?limit=500&labelSelector=%21service.kubernetes.io%2Fheadless");
  EXPECT_NE(h.transport.requests[1].find("watch=true&allowWatchBookmarks=true&resourceVersion=100&timeoutSeconds=300"),
            std::string::npos)
      << h.transport.requests[1];
  // The watch timed out normally: resumed at once from the bookmark's version.
  EXPECT_NE(h.transport.requests[2].find("resourceVersion=150"), std::string::npos) << h.transport.requests[2];
  EXPECT_EQ(h.handler.log, (std::vector<std::string>{"LIST a b", "UPSERT c@101", "UPSERT a@102", "DELETE b"}));
  EXPECT_EQ(stats.lists, 1u);
  EXPECT_EQ(stats.events, 3u);
  EXPECT_EQ(stats.bookmarks, 1u);
  EXPECT_TRUE(h.waiter.waits.empty()) << "a normal watch timeout must not back off";
}

TEST(ReflectorTest, ALargeListIsPagedAndHandedOverOnce) {
  Harness h;
  h.transport.script = {h.List({ServiceJson("a", "1")}, "100", "token-1"),
                        h.List({ServiceJson("b", "2")}, "100", "token-2"),
                        h.List({ServiceJson("c", "3")}, "100")};
  h.Run();
  EXPECT_NE(h.transport.requests[1].find("limit=500&continue=token-1"), std::string::npos) << h.transport.requests[1];
  EXPECT_NE(h.transport.requests[2].find("continue=token-2"), std::string::npos);
  EXPECT_EQ(h.handler.log, std::vector<std::string>{"LIST a b c"});
}

TEST(ReflectorTest, AnExpiredResourceVersionRelistsAndTheRelistFindsMissedDeletes) {
  Harness h;
  json gone = {{"kind", "Status"}, {"apiVersion", "v1"}, {"code", 410}, {"reason", "Expired"}, {"status", "Failure"}};
  h.transport.script = {
      h.List({ServiceJson("a", "1"), ServiceJson("b", "2")}, "100"),
      Answer{.chunks = {Event("ERROR", gone)}},
      h.List({ServiceJson("a", "1")}, "300"),
  };
  ReflectorStats stats = h.Run();
  EXPECT_EQ(h.handler.log, (std::vector<std::string>{"LIST a b", "LIST a"}));
  EXPECT_EQ(stats.expired, 1u);
  EXPECT_EQ(stats.relists, 1u);
  EXPECT_TRUE(h.transport.requests[2].starts_with("GET ")) << h.transport.requests[2];
}

TEST(ReflectorTest, HttpGoneOnAWatchAlsoRelists) {
  Harness h;
  h.transport.script = {h.List({}, "100"), Answer{.status = 410, .chunks = {StatusBody(410, "Gone")}}, h.List({}, "200")};
  ReflectorStats stats = h.Run();
  EXPECT_EQ(stats.relists, 1u);
}

TEST(ReflectorTest, ServerErrorsBackOffExponentiallyAndResumeWithoutRelisting) {
  Harness h;
  h.transport.script = {h.List({ServiceJson("a", "1")}, "100")};
  for (int i = 0; i < 7; ++i)
    h.transport.script.push_back(Answer{.status = 500, .chunks = {StatusBody(500, "InternalError")}});
  h.transport.script.push_back(Answer{.chunks = {Event("ADDED", ServiceJson("b", "101"))}});
  ReflectorStats stats = h.Run();
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(h.waiter.waits, (std::vector<ms>{800ms, 1600ms, 3200ms, 6400ms, 12800ms, 25600ms, 30000ms}));
  EXPECT_EQ(stats.lists, 1u) << "errors other than 410 must not relist";
  // Every retry and the watch that finally worked resume from the list's version.
  ASSERT_GE(h.transport.requests.size(), 9u);
  for (size_t i = 1; i <= 8; ++i)
    EXPECT_NE(h.transport.requests[i].find("resourceVersion=100"), std::string::npos) << h.transport.requests[i];
  EXPECT_EQ(h.handler.log.back(), "UPSERT b@101");
}

TEST(ReflectorTest, JitterStretchesEachWaitByUpToItself) {
  Harness h;
  h.random.value = 0.5;
  h.transport.script = {h.List({}, "100"), Answer{.status = 503}, Answer{.status = 503}};
  h.Run();
  ASSERT_GE(h.waiter.waits.size(), 2u);
  EXPECT_EQ(h.waiter.waits[0], 1200ms);
  EXPECT_EQ(h.waiter.waits[1], 2400ms);
}

TEST(ReflectorTest, AWatchThatClosesAtOnceWithNoEventIsAFailure) {
  Harness h;
  h.transport.script = {h.List({}, "100"), Answer{.duration = 10ms}, Answer{.duration = 10ms}};
  ReflectorStats stats = h.Run();
  EXPECT_EQ(h.waiter.waits.size(), 2u);
  EXPECT_EQ(stats.watch_restarts, 2u);
}

TEST(ReflectorTest, StalledAndBrokenStreamsBackOffAndResume) {
  Harness h;
  h.transport.script = {h.List({}, "100"),
                        Answer{.chunks = {Event("ADDED", ServiceJson("a", "101"))}, .end = StreamEnd::kIdle},
                        Answer{.end = StreamEnd::kBroken},
                        Answer{.transport_error = true}};
  ReflectorStats stats = h.Run();
  EXPECT_EQ(stats.errors, 3u);
  EXPECT_EQ(stats.lists, 1u);
  EXPECT_NE(h.transport.requests[2].find("resourceVersion=101"), std::string::npos) << h.transport.requests[2];
}

TEST(ReflectorTest, AFailedListBacksOffAndRetriesTheList) {
  Harness h;
  Answer throttled;
  throttled.response = {429, "application/json", StatusBody(429, "TooManyRequests"), "7"};
  h.transport.script = {Answer{.transport_error = true}, throttled, h.List({ServiceJson("a", "1")}, "100")};
  ReflectorStats stats = h.Run();
  ASSERT_GE(h.waiter.waits.size(), 2u);
  EXPECT_EQ(h.waiter.waits[0], 800ms);
  EXPECT_EQ(h.waiter.waits[1], 7000ms) << "Retry-After is honoured";
  EXPECT_EQ(h.handler.log.front(), "LIST a");
  EXPECT_EQ(stats.lists, 1u);
}

TEST(ReflectorTest, AWatchAnswered429WaitsForItsRetryAfterAndResumes) {
  Harness h;
  Answer throttled{.status = 429, .chunks = {StatusBody(429, "TooManyRequests")}};
  throttled.response.retry_after = "5";
  h.transport.script = {h.List({ServiceJson("a", "1")}, "100"), throttled, Answer{}};
  ReflectorStats stats = h.Run();
  ASSERT_GE(h.waiter.waits.size(), 1u);
  EXPECT_EQ(h.waiter.waits[0], 5000ms) << "Retry-After on a watch is honoured as on a list";
  EXPECT_EQ(stats.lists, 1u);
  ASSERT_GE(h.transport.requests.size(), 3u);
  EXPECT_NE(h.transport.requests[2].find("resourceVersion=100"), std::string::npos) << h.transport.requests[2];
}

TEST(ReflectorTest, AMalformedObjectIsSkippedAndTheStreamContinues) {
  Harness h;
  json bad = ServiceJson("bad", "101");
  bad["spec"]["clusterIP"] = "not-an-ip";
  bad["spec"]["clusterIPs"] = {"not-an-ip"};
  h.transport.script = {h.List({}, "100"),
                        Answer{.chunks = {Event("ADDED", bad), Event("ADDED", ServiceJson("good", "102"))}}};
  ReflectorStats stats = h.Run();
  EXPECT_EQ(stats.decode_failures, 1u);
  EXPECT_EQ(h.handler.log.back(), "UPSERT good@102");
}

TEST(ReflectorTest, EventsSplitAcrossChunksAreReassembled) {
  Harness h;
  std::string stream = Event("ADDED", ServiceJson("a", "101")) + Event("ADDED", ServiceJson("b", "102"));
  Answer watch;
  for (size_t i = 0; i < stream.size(); i += 7) watch.chunks.push_back(stream.substr(i, 7));
  h.transport.script = {h.List({}, "100"), watch};
  h.Run();
  EXPECT_EQ(h.handler.log, (std::vector<std::string>{"LIST", "UPSERT a@101", "UPSERT b@102"}));
}

}  // namespace
}  // namespace sluice::k8s
