// CurlTransport against a real HTTPS server in the test process: certificate
// verification, credentials, and how streams end. Every wait is bounded; stalled
// handlers are released when their server goes away.
#include "k8s/curl_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "config_test_files.h"
#include "https_test_server.h"
#include "test_pki.h"

namespace sluice::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::HttpsTestServer;
using testing::TestPki;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kJson = "application/json";

ClusterConfig TrustingConfig(const HttpsTestServer& server) {
  ClusterConfig config;
  config.server = server.url();
  config.ca_pem = TestPki::Get().ca.cert;
  config.source = "test";
  return config;
}

CurlTransportOptions FastOptions() {
  CurlTransportOptions options;
  options.connect_timeout = milliseconds(1500);
  options.request_timeout = milliseconds(1500);
  return options;
}

long ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

// What one Stream call saw, in order: "headers 200 application/json", "data ...".
struct StreamLog {
  std::vector<std::string> events;
  ApiTransport::HeadersCallback on_headers = [this](long status, std::string_view type, std::string_view) {
    events.push_back("headers " + std::to_string(status) + " " + std::string(type));
  };
  std::function<bool(std::string_view)> on_data = [this](std::string_view chunk) {
    events.push_back("data " + std::string(chunk));
    return true;
  };
};

// A chunked response that writes `chunks`, then stalls until released (the server
// holds a watch open with nothing to say).
void ServeThenStall(HttpsTestServer& server, const char* path, std::vector<std::string> chunks) {
  server.http().Get(path, [&server, chunks](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(kJson, [&server, chunks](size_t, httplib::DataSink& sink) {
      for (const std::string& c : chunks) sink.write(c.data(), c.size());
      server.WaitForRelease(milliseconds(3000));
      return false;
    });
  });
}

class TempDir {
 public:
  std::string File(const std::string& name) const { return (dir_.path() / name).string(); }

 private:
  testing::ScratchDir dir_;
};

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::trunc) << text; }

TEST(CurlTransportTest, GetVerifiesTheServerWithTheConfiguredCa) {
  HttpsTestServer server;
  std::vector<std::string> seen;
  std::mutex mu;
  server.http().Get("/api/v1/services", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen.push_back(req.get_header_value("Accept") + " | " + req.get_header_value("User-Agent") + " | " +
                   req.get_param_value("limit"));
    res.set_content(R"({"kind":"ServiceList"})", kJson);
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  ApiResponse r = transport.Get("/api/v1/services?limit=500", kJson);

  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kJson);
  EXPECT_EQ(r.body, R"({"kind":"ServiceList"})");
  EXPECT_EQ(r.retry_after, "");
  EXPECT_THAT(seen, ElementsAre("application/json | " + CurlTransportOptions::DefaultUserAgent() + " | 500"));
  EXPECT_THAT(CurlTransportOptions::DefaultUserAgent(), ::testing::StartsWith("sluice-agent/"));
}

TEST(CurlTransportTest, GetReturnsErrorStatusesWithRetryAfter) {
  HttpsTestServer server;
  server.http().Get("/api/v1/nodes", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "3");
    res.set_content(R"({"kind":"Status","code":429})", kJson);
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  ApiResponse r = transport.Get("/api/v1/nodes", kJson);

  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after, "3");
  EXPECT_EQ(r.body, R"({"kind":"Status","code":429})");
}

TEST(CurlTransportTest, ServerPathPrefixIsKept) {
  HttpsTestServer server;
  server.http().Get("/k8s/clusters/c-1/api/v1/nodes", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("prefixed", "text/plain");
  });
  server.Start();
  ClusterConfig config = TrustingConfig(server);
  config.server += "/k8s/clusters/c-1";
  CurlTransport transport(config, FastOptions());

  EXPECT_EQ(transport.Get("/api/v1/nodes", kJson).body, "prefixed");
}

TEST(CurlTransportTest, WrongCaFailsVerification) {
  HttpsTestServer server;
  server.http().Get("/version", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", kJson); });
  server.Start();
  ClusterConfig config = TrustingConfig(server);
  config.ca_pem = TestPki::Get().other_ca.cert;
  CurlTransport transport(config, FastOptions());

  try {
    transport.Get("/version", kJson);
    FAIL() << "a server certificate from another CA was accepted";
  } catch (const TransportError& e) {
    EXPECT_THAT(e.what(), HasSubstr("certificate"));
  }
  StreamLog log;
  EXPECT_THROW(transport.Stream("/version", kJson, 1000, log.on_headers, log.on_data), TransportError);
  EXPECT_TRUE(log.events.empty());
}

TEST(CurlTransportTest, NoCaMeansTheSystemStoreWhichDoesNotKnowTheTestCa) {
  HttpsTestServer server;
  server.http().Get("/version", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", kJson); });
  server.Start();
  ClusterConfig config = TrustingConfig(server);
  config.ca_pem.clear();
  CurlTransport transport(config, FastOptions());

  EXPECT_THROW(transport.Get("/version", kJson), TransportError);
}

TEST(CurlTransportTest, InsecureSkipsVerification) {
  HttpsTestServer server;
  server.http().Get("/version", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", kJson); });
  server.Start();
  ClusterConfig config = TrustingConfig(server);
  config.ca_pem.clear();
  config.insecure_skip_tls_verify = true;
  CurlTransport transport(config, FastOptions());

  EXPECT_EQ(transport.Get("/version", kJson).status, 200);
}

TEST(CurlTransportTest, ClientCertificateAuthentication) {
  HttpsTestServer server(/*require_client_cert=*/true);
  server.http().Get("/version", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", kJson); });
  server.Start();
  ClusterConfig config = TrustingConfig(server);
  ClusterConfig without_cert = config;
  config.client_cert_pem = TestPki::Get().client.cert;
  config.client_key_pem = TestPki::Get().client.key;

  CurlTransport with(config, FastOptions());
  EXPECT_EQ(with.Get("/version", kJson).status, 200);

  // The handshake is refused; how curl words that depends on when the server's
  // alert and close arrive, so only the kind of failure is checked.
  CurlTransport without(without_cert, FastOptions());
  EXPECT_THROW(without.Get("/version", kJson), TransportError);
}

// Answers 200 only to `Bearer <*expected>`, 401 otherwise; counts both.
struct TokenChecker {
  std::mutex mu;
  std::string expected;
  std::vector<std::string> seen;  // the Authorization headers, in order

  void Serve(HttpsTestServer& server) {
    server.http().Get("/api/v1/services", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      seen.push_back(req.get_header_value("Authorization"));
      if (seen.back() == "Bearer " + expected) {
        res.set_content("ok", "text/plain");
      } else {
        res.status = 401;
        res.set_content(R"({"kind":"Status","code":401})", kJson);
      }
    });
  }
};

TEST(CurlTransportTest, SendsTheInlineBearerToken) {
  HttpsTestServer server;
  TokenChecker checker;
  checker.expected = "abc.def";
  checker.Serve(server);
  server.Start();
  ClusterConfig config = TrustingConfig(server);
  config.token = "abc.def";
  CurlTransport transport(config, FastOptions());

  EXPECT_EQ(transport.Get("/api/v1/services", kJson).status, 200);
  EXPECT_THAT(checker.seen, ElementsAre("Bearer abc.def"));
}

TEST(CurlTransportTest, UsesARotatedTokenFileWithoutWaitingForA401) {
  TempDir dir;
  HttpsTestServer server;
  TokenChecker checker;
  checker.expected = "token-1";
  checker.Serve(server);
  server.Start();
  WriteFile(dir.File("token"), "token-1\n");
  ClusterConfig config = TrustingConfig(server);
  config.token_file = dir.File("token");
  CurlTransport transport(config, FastOptions());
  ASSERT_EQ(transport.Get("/api/v1/services", kJson).status, 200);

  // kubelet's way: write a new file, rename it over the old one.
  WriteFile(dir.File("token.new"), "token-2\n");
  std::filesystem::rename(dir.File("token.new"), dir.File("token"));
  {
    std::lock_guard lock(checker.mu);
    checker.expected = "token-2";
  }
  EXPECT_EQ(transport.Get("/api/v1/services", kJson).status, 200);
  EXPECT_THAT(checker.seen, ElementsAre("Bearer token-1", "Bearer token-2"));
}

// Restores a file's modification time, so stat() cannot tell that it was rewritten.
void SetMtime(const std::string& path, const timespec& mtime) {
  timespec times[2] = {mtime, mtime};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

TEST(CurlTransportTest, A401RereadsTheTokenFileAndRetriesOnce) {
  TempDir dir;
  HttpsTestServer server;
  TokenChecker checker;
  checker.expected = "token-1";
  checker.Serve(server);
  server.Start();
  std::string file = dir.File("token");
  WriteFile(file, "token-1");
  ClusterConfig config = TrustingConfig(server);
  config.token_file = file;
  CurlTransport transport(config, FastOptions());
  ASSERT_EQ(transport.Get("/api/v1/services", kJson).status, 200);

  // Rewritten in place: same inode, size and (restored) mtime.
  struct stat before {};
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  WriteFile(file, "token-2");
  SetMtime(file, before.st_mtim);
  {
    std::lock_guard lock(checker.mu);
    checker.expected = "token-2";
  }
  EXPECT_EQ(transport.Get("/api/v1/services", kJson).status, 200);
  StreamLog log;
  EXPECT_EQ(transport.Stream("/api/v1/services", kJson, 1000, log.on_headers, log.on_data), StreamEnd::kClosed);
  EXPECT_THAT(log.events, ElementsAre("headers 200 text/plain", "data ok"));
  EXPECT_THAT(checker.seen, ElementsAre("Bearer token-1", "Bearer token-1", "Bearer token-2", "Bearer token-2"));
}

TEST(CurlTransportTest, A401WithAnUnchangedTokenIsReturnedAfterOneRequest) {
  TempDir dir;
  HttpsTestServer server;
  TokenChecker checker;
  checker.expected = "the-right-one";
  checker.Serve(server);
  server.Start();
  WriteFile(dir.File("token"), "a-wrong-one");
  ClusterConfig config = TrustingConfig(server);
  config.token_file = dir.File("token");
  CurlTransport transport(config, FastOptions());

  EXPECT_EQ(transport.Get("/api/v1/services", kJson).status, 401);
  EXPECT_EQ(checker.seen.size(), 1u);
}

TEST(CurlTransportTest, StreamDeliversChunksAsTheyArrive) {
  HttpsTestServer server;
  std::promise<void> first_seen;
  std::atomic<bool> server_saw_client_progress{false};
  server.http().Get("/api/v1/services", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(kJson, [&](size_t, httplib::DataSink& sink) {
      sink.write("first", 5);
      // The second chunk is written only once the client has seen the first: a
      // transport that buffered the body would make this wait time out.
      bool got = first_seen.get_future().wait_for(std::chrono::seconds(2)) == std::future_status::ready;
      server_saw_client_progress = got;
      sink.write("second", 6);
      sink.done();
      return true;
    });
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  StreamLog log;
  bool signalled = false;
  auto on_data = [&](std::string_view chunk) {
    log.events.push_back("data " + std::string(chunk));
    if (!signalled) {
      signalled = true;
      first_seen.set_value();
    }
    return true;
  };
  Clock::time_point start = Clock::now();
  StreamEnd end = transport.Stream("/api/v1/services?watch=1", kJson, 1500, log.on_headers, on_data);

  EXPECT_EQ(end, StreamEnd::kClosed);
  EXPECT_TRUE(server_saw_client_progress);
  EXPECT_THAT(log.events, ElementsAre("headers 200 application/json", "data first", "data second"));
  EXPECT_LT(ElapsedMs(start), 1000);
}

TEST(CurlTransportTest, StreamHandsOverErrorStatusesAndTheirBody) {
  HttpsTestServer server;
  server.http().Get("/api/v1/services", [](const httplib::Request&, httplib::Response& res) {
    res.status = 410;
    res.set_content(R"({"kind":"Status","reason":"Expired"})", kJson);
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  StreamLog log;
  EXPECT_EQ(transport.Stream("/api/v1/services", kJson, 1000, log.on_headers, log.on_data), StreamEnd::kClosed);
  EXPECT_THAT(log.events,
              ElementsAre("headers 410 application/json", R"(data {"kind":"Status","reason":"Expired"})"));
}

TEST(CurlTransportTest, StalledStreamEndsIdle) {
  HttpsTestServer server;
  ServeThenStall(server, "/api/v1/services", {"event-1"});
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  StreamLog log;
  Clock::time_point start = Clock::now();
  StreamEnd end = transport.Stream("/api/v1/services?watch=1", kJson, 300, log.on_headers, log.on_data);

  EXPECT_EQ(end, StreamEnd::kIdle);
  EXPECT_THAT(log.events, ElementsAre("headers 200 application/json", "data event-1"));
  EXPECT_GE(ElapsedMs(start), 290);
  EXPECT_LT(ElapsedMs(start), 1000);
}

TEST(CurlTransportTest, NoResponseWithinTheIdleTimeoutIsATransportError) {
  HttpsTestServer server;
  server.http().Get("/api/v1/services", [&server](const httplib::Request&, httplib::Response& res) {
    server.WaitForRelease(milliseconds(3000));
    res.set_content("late", "text/plain");
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  StreamLog log;
  Clock::time_point start = Clock::now();
  EXPECT_THROW(transport.Stream("/api/v1/services", kJson, 300, log.on_headers, log.on_data), TransportError);
  EXPECT_LT(ElapsedMs(start), 1000);
  EXPECT_TRUE(log.events.empty());
}

TEST(CurlTransportTest, CancelFromAnotherThreadEndsAStreamPromptly) {
  HttpsTestServer server;
  ServeThenStall(server, "/api/v1/services", {"event-1"});
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  std::promise<void> streaming;
  StreamLog log;
  auto on_data = [&](std::string_view) {
    streaming.set_value();
    return true;
  };
  std::future<StreamEnd> end = std::async(std::launch::async, [&] {
    return transport.Stream("/api/v1/services?watch=1", kJson, 5000, log.on_headers, on_data);
  });
  ASSERT_EQ(streaming.get_future().wait_for(std::chrono::seconds(2)), std::future_status::ready);
  Clock::time_point cancelled = Clock::now();
  transport.Cancel();
  ASSERT_EQ(end.wait_for(std::chrono::seconds(2)), std::future_status::ready);

  EXPECT_EQ(end.get(), StreamEnd::kAborted);
  EXPECT_LT(ElapsedMs(cancelled), 500);
  // Cancel is for shutdown: it holds for later calls too.
  StreamLog later;
  EXPECT_EQ(transport.Stream("/api/v1/services", kJson, 1000, later.on_headers, later.on_data),
            StreamEnd::kAborted);
  EXPECT_TRUE(later.events.empty());
  EXPECT_THROW(transport.Get("/api/v1/services", kJson), TransportError);
}

TEST(CurlTransportTest, CancelEndsAGetInFlight) {
  HttpsTestServer server;
  server.http().Get("/api/v1/services", [&server](const httplib::Request&, httplib::Response& res) {
    server.WaitForRelease(milliseconds(3000));
    res.set_content("late", "text/plain");
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  std::future<void> get = std::async(std::launch::async, [&] { transport.Get("/api/v1/services", kJson); });
  std::this_thread::sleep_for(milliseconds(100));
  Clock::time_point cancelled = Clock::now();
  transport.Cancel();
  ASSERT_EQ(get.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_THROW(get.get(), TransportError);
  EXPECT_LT(ElapsedMs(cancelled), 500);
}

TEST(CurlTransportTest, OnDataReturningFalseAbortsTheStream) {
  HttpsTestServer server;
  ServeThenStall(server, "/api/v1/services", {"event-1"});
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  int chunks = 0;
  StreamLog log;
  StreamEnd end = transport.Stream("/api/v1/services?watch=1", kJson, 1500, log.on_headers,
                                   [&](std::string_view) { return ++chunks < 1; });
  EXPECT_EQ(end, StreamEnd::kAborted);
  EXPECT_EQ(chunks, 1);
}

TEST(CurlTransportTest, ACallbackExceptionPropagates) {
  HttpsTestServer server;
  ServeThenStall(server, "/api/v1/services", {"event-1"});
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  StreamLog log;
  EXPECT_THROW(transport.Stream("/api/v1/services?watch=1", kJson, 1500, log.on_headers,
                                [](std::string_view) -> bool { throw std::logic_error("consumer"); }),
               std::logic_error);
}

TEST(CurlTransportTest, ServerClosingMidChunkedBodyIsBroken) {
  HttpsTestServer server;
  server.http().Get("/api/v1/services", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(kJson, [](size_t, httplib::DataSink& sink) {
      sink.write("partial", 7);
      return false;  // httplib closes the connection without the last chunk
    });
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  StreamLog log;
  EXPECT_EQ(transport.Stream("/api/v1/services?watch=1", kJson, 1500, log.on_headers, log.on_data),
            StreamEnd::kBroken);
  EXPECT_THAT(log.events, ElementsAre("headers 200 application/json", "data partial"));
  // Get cannot return a body it knows is cut short.
  EXPECT_THROW(transport.Get("/api/v1/services", kJson), TransportError);
}

TEST(CurlTransportTest, ConnectionRefusedIsATransportError) {
  ClusterConfig config;
  config.server = "https://127.0.0.1:" + std::to_string(testing::UnusedPort());
  config.ca_pem = TestPki::Get().ca.cert;
  CurlTransport transport(config, FastOptions());

  try {
    transport.Get("/api/v1/services", kJson);
    FAIL() << "no server, yet a response";
  } catch (const TransportError& e) {
    EXPECT_THAT(e.what(), HasSubstr("127.0.0.1"));
  }
  StreamLog log;
  EXPECT_THROW(transport.Stream("/api/v1/services", kJson, 1000, log.on_headers, log.on_data), TransportError);
}

TEST(CurlTransportTest, CallsFromSeveralThreadsAtOnce) {
  HttpsTestServer server;
  server.http().Get(R"(/api/v1/namespaces/(\w+))", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.matches[1].str(), "text/plain");
  });
  server.Start();
  CurlTransport transport(TrustingConfig(server), FastOptions());

  std::vector<std::future<int>> workers;
  for (int t = 0; t < 4; ++t) {
    workers.push_back(std::async(std::launch::async, [&transport, t] {
      int right = 0;
      std::string name = "ns" + std::to_string(t);
      for (int i = 0; i < 5; ++i) right += transport.Get("/api/v1/namespaces/" + name, kJson).body == name;
      return right;
    }));
  }
  for (auto& w : workers) EXPECT_EQ(w.get(), 5);
}

}  // namespace
}  // namespace sluice::k8s
