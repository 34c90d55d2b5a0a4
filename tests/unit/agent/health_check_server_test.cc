// The health check server over real sockets on 127.0.0.1 and ephemeral ports: what a
// cloud load balancer's prober sees as Services and endpoints change.
#include "agent/health_check_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "unit/agent/http_probe.h"

namespace sluice::agent {
namespace {

using namespace testing;
using model::ObjectName;

const ObjectName kWeb{"shop", "web"};
const ObjectName kApi{"shop", "api"};

// Moved by the test while the server thread reads it.
class TestClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }
  void Advance(Duration d) { now_ += d.count(); }

 private:
  std::atomic<Duration::rep> now_{0};
};

HealthCheckServerOptions Loopback() {
  HealthCheckServerOptions options;
  options.bind_addresses = {*IpAddress::Parse("127.0.0.1")};
  options.sweep_interval = std::chrono::milliseconds(20);
  return options;
}

std::string LocalEndpointsField(int n) { return "\"localEndpoints\": " + std::to_string(n); }

class HealthCheckServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    ASSERT_NE(port_, 0);
  }
  uint16_t port_ = 0;
};

TEST_F(HealthCheckServerTest, AnswersFollowLocalEndpoints) {
  HealthCheckServer server(Loopback());
  server.Start();
  EXPECT_TRUE(server.SyncServices({{kWeb, port_}}).empty());

  std::optional<ProbeResponse> none = Probe(port_);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 503) << "no SyncEndpoints yet: no local endpoints";
  EXPECT_NE(none->body.find(LocalEndpointsField(0)), std::string::npos) << none->body;

  server.SyncEndpoints({{kWeb, 2}});
  std::optional<ProbeResponse> two = Probe(port_);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->status, 200);
  EXPECT_EQ(two->body, HealthCheckBody(kWeb, 2, true));
  EXPECT_EQ(two->headers["content-type"], "application/json");
  EXPECT_EQ(two->headers["x-content-type-options"], "nosniff");
  EXPECT_FALSE(two->headers["date"].empty());

  server.SyncEndpoints({{kApi, 1}});  // web is not named: none left
  std::optional<ProbeResponse> gone = Probe(port_);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 503);
  EXPECT_EQ(gone->body, HealthCheckBody(kWeb, 0, true));
}

TEST_F(HealthCheckServerTest, AnyPathAndMethod) {
  HealthCheckServer server(Loopback());
  server.Start();
  server.SyncServices({{kWeb, port_}});
  server.SyncEndpoints({{kWeb, 1}});

  for (const char* request :
       {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "GET /some/path?probe=1 HTTP/1.0\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"}) {
    std::optional<ProbeResponse> response = Probe(port_, request);
    ASSERT_TRUE(response) << request;
    EXPECT_EQ(response->status, 200) << request;
  }
}

TEST_F(HealthCheckServerTest, ProxyHealthComesFromTheOption) {
  std::atomic<bool> healthy{false};
  HealthCheckServerOptions options = Loopback();
  options.proxy_healthy = [&healthy] { return healthy.load(); };
  HealthCheckServer server(options);
  server.Start();
  server.SyncServices({{kWeb, port_}});
  server.SyncEndpoints({{kWeb, 3}});

  std::optional<ProbeResponse> stuck = Probe(port_);
  ASSERT_TRUE(stuck);
  EXPECT_EQ(stuck->status, 503) << "endpoints, but the proxy is not healthy";
  EXPECT_EQ(stuck->body, HealthCheckBody(kWeb, 3, false));
  healthy = true;
  EXPECT_EQ(Probe(port_)->status, 200);
}

TEST_F(HealthCheckServerTest, ListenersOpenAndCloseWithServices) {
  uint16_t other = FreePort();
  ASSERT_NE(other, port_);
  HealthCheckServer server(Loopback());
  server.Start();
  server.SyncServices({{kWeb, port_}, {kApi, other}});
  server.SyncEndpoints({{kWeb, 1}, {kApi, 1}});
  EXPECT_EQ(server.ServingPorts(), (std::map<ObjectName, uint16_t>{{kWeb, port_}, {kApi, other}}));
  EXPECT_EQ(Probe(port_)->status, 200);
  EXPECT_EQ(Probe(other)->status, 200);

  // api goes away: its port is closed when SyncServices returns; web is untouched.
  server.SyncServices({{kWeb, port_}});
  EXPECT_TRUE(Refused(other));
  EXPECT_EQ(Probe(port_)->status, 200);

  // web moves to api's old port.
  server.SyncServices({{kWeb, other}});
  EXPECT_TRUE(Refused(port_));
  std::optional<ProbeResponse> moved = Probe(other);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->body, HealthCheckBody(kWeb, 1, true));

  server.SyncServices({});
  EXPECT_TRUE(Refused(other));
  EXPECT_TRUE(server.ServingPorts().empty());
}

TEST_F(HealthCheckServerTest, ClosingAServiceClosesItsConnections) {
  HealthCheckServer server(Loopback());
  server.Start();
  server.SyncServices({{kWeb, port_}});
  datapath::UniqueFd kept = Connect(port_);
  ASSERT_TRUE(kept);
  ASSERT_TRUE(SendAll(kept.get(), "GET / HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(ReadResponse(kept.get()));  // kept alive

  server.SyncServices({});
  EXPECT_TRUE(WaitForClose(kept.get()));
}

TEST_F(HealthCheckServerTest, PortInUseIsReportedAndRetried) {
  // Another process's listener on the port.
  datapath::UniqueFd blocker(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(blocker.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(blocker.get(), 1), 0);

  HealthCheckServer server(Loopback());
  server.Start();
  std::vector<ListenFailure> failures = server.SyncServices({{kWeb, port_}});
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].service, kWeb);
  EXPECT_EQ(failures[0].port, port_);
  EXPECT_EQ(failures[0].address, "127.0.0.1:" + std::to_string(port_));
  EXPECT_NE(failures[0].error.find("Address already in use"), std::string::npos)
      << failures[0].error;
  EXPECT_NE(failures[0].ToString().find("shop/web"), std::string::npos);
  EXPECT_TRUE(server.ServingPorts().empty());

  // Still taken: reported again on the next sync.
  EXPECT_EQ(server.SyncServices({{kWeb, port_}}).size(), 1u);

  blocker = datapath::UniqueFd();
  EXPECT_TRUE(server.SyncServices({{kWeb, port_}}).empty());
  server.SyncEndpoints({{kWeb, 1}});
  EXPECT_EQ(Probe(port_)->status, 200);
}

TEST_F(HealthCheckServerTest, TwoServicesOnePortNamesTheHolder) {
  HealthCheckServer server(Loopback());
  server.Start();
  // The API server never allocates one port twice; a manifest might.
  std::vector<ListenFailure> failures = server.SyncServices({{kApi, port_}, {kWeb, port_}});
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].service, kWeb);  // api came first in name order and has it
  EXPECT_NE(failures[0].error.find("shop/api"), std::string::npos) << failures[0].error;
}

TEST_F(HealthCheckServerTest, ListenersOpenedBeforeStartAreServed) {
  HealthCheckServer server(Loopback());
  server.SyncServices({{kWeb, port_}});
  server.SyncEndpoints({{kWeb, 1}});
  server.Start();
  EXPECT_EQ(Probe(port_)->status, 200);

  server.Stop();
  EXPECT_TRUE(Refused(port_)) << "Stop closes the listeners";
  EXPECT_TRUE(server.ServingPorts().empty());
}

TEST_F(HealthCheckServerTest, ListensOnAllAddressesByDefault) {
  HealthCheckServerOptions options;  // no bind addresses: kube-proxy's default
  HealthCheckServer server(options);
  server.Start();
  std::vector<ListenFailure> failures = server.SyncServices({{kWeb, port_}});
  ASSERT_TRUE(failures.empty()) << failures[0].ToString();
  server.SyncEndpoints({{kWeb, 1}});
  EXPECT_EQ(Probe(port_, "", "127.0.0.1")->status, 200);

  // The same listener takes IPv6 where the kernel has it.
  datapath::UniqueFd v6(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (v6) {
    std::optional<ProbeResponse> response = Probe(port_, "", "::1");
    ASSERT_TRUE(response) << "no answer on [::1]:" << port_;
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(HealthCheckServerTest, KeepAliveAndPipelinedRequests) {
  HealthCheckServer server(Loopback());
  server.Start();
  server.SyncServices({{kWeb, port_}});
  server.SyncEndpoints({{kWeb, 1}});

  datapath::UniqueFd fd = Connect(port_);
  ASSERT_TRUE(fd);
  ASSERT_TRUE(SendAll(fd.get(), "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(ReadResponse(fd.get())->status, 200);
  EXPECT_EQ(ReadResponse(fd.get())->status, 200);

  // The same connection sees endpoint changes.
  server.SyncEndpoints({});
  ASSERT_TRUE(SendAll(fd.get(), "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n"));
  std::optional<ProbeResponse> last = ReadResponse(fd.get());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 503);
  EXPECT_EQ(last->headers["connection"], "close");
  EXPECT_TRUE(WaitForClose(fd.get()));
}

TEST_F(HealthCheckServerTest, ConcurrentProbes) {
  uint16_t other = FreePort();
  HealthCheckServer server(Loopback());
  server.Start();
  server.SyncServices({{kWeb, port_}, {kApi, other}});
  server.SyncEndpoints({{kWeb, 1}});

  constexpr int kThreads = 8;
  constexpr int kProbesEach = 40;
  std::atomic<int> ok{0}, unavailable{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      uint16_t port = t % 2 == 0 ? port_ : other;
      for (int i = 0; i < kProbesEach; ++i) {
        std::optional<ProbeResponse> response = Probe(port);
        if (!response) {
          ++failed;
        } else if (response->status == 200) {
          ++ok;
        } else if (response->status == 503) {
          ++unavailable;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(ok.load(), kThreads / 2 * kProbesEach) << "web has a local endpoint";
  EXPECT_EQ(unavailable.load(), kThreads / 2 * kProbesEach) << "api has none";
}

TEST_F(HealthCheckServerTest, BadRequestsDoNotHurtTheServer) {
  HealthCheckServer server(Loopback());
  server.Start();
  server.SyncServices({{kWeb, port_}});
  server.SyncEndpoints({{kWeb, 1}});

  std::optional<ProbeResponse> garbage = Probe(port_, "THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);

  std::optional<ProbeResponse> huge =
      Probe(port_, "GET / HTTP/1.1\r\nX-Filler: " + std::string(3 * kMaxRequestHead, 'a'));
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 431);

  {
    // Binary noise, then the peer goes away mid-request.
    datapath::UniqueFd fd = Connect(port_);
    ASSERT_TRUE(fd);
    std::string noise;
    for (int i = 0; i < 3000; ++i) noise += static_cast<char>((i * 131 + 7) % 256);
    SendAll(fd.get(), noise);
  }
  {
    datapath::UniqueFd fd = Connect(port_);  // connect and close at once
  }
  {
    // Half a request, then a half-close: nothing to answer.
    datapath::UniqueFd fd = Connect(port_);
    ASSERT_TRUE(fd);
    SendAll(fd.get(), "GET / HT");
    shutdown(fd.get(), SHUT_WR);
    EXPECT_TRUE(WaitForClose(fd.get()));
  }
  std::optional<ProbeResponse> after = Probe(port_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(HealthCheckServerTest, IdleConnectionsAreClosed) {
  TestClock clock;
  HealthCheckServerOptions options = Loopback();
  options.clock = &clock;
  options.idle_timeout = std::chrono::seconds(10);
  HealthCheckServer server(options);
  server.Start();
  server.SyncServices({{kWeb, port_}});

  datapath::UniqueFd fd = Connect(port_);
  ASSERT_TRUE(fd);
  ASSERT_TRUE(SendAll(fd.get(), "GET / HTTP/1.1\r\n"));  // and nothing more
  // The server has accepted once it answers someone else.
  EXPECT_EQ(Probe(port_)->status, 503);
  clock.Advance(std::chrono::seconds(11));
  EXPECT_TRUE(WaitForClose(fd.get()));
  EXPECT_EQ(Probe(port_)->status, 503);
}

TEST_F(HealthCheckServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HealthCheckServerOptions options = Loopback();
  options.max_connections = 2;
  HealthCheckServer server(options);
  server.Start();
  server.SyncServices({{kWeb, port_}});
  server.SyncEndpoints({{kWeb, 1}});

  // Two kept-alive connections fill the table.
  datapath::UniqueFd first = Connect(port_);
  datapath::UniqueFd second = Connect(port_);
  for (int fd : {first.get(), second.get()}) {
    ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(ReadResponse(fd));
  }
  datapath::UniqueFd third = Connect(port_);
  ASSERT_TRUE(third);
  EXPECT_TRUE(WaitForClose(third.get())) << "closed at once, not left waiting";

  // The first two still work; once one is gone there is room again.
  ASSERT_TRUE(SendAll(first.get(), "GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(ReadResponse(first.get())->status, 200);
  ASSERT_TRUE(SendAll(second.get(), "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(ReadResponse(second.get())->status, 200);
  EXPECT_TRUE(WaitForClose(second.get()));
  second = datapath::UniqueFd();  // the server drains until the peer closes too
  std::optional<ProbeResponse> again;
  for (int attempt = 0; attempt < 50 && !again; ++attempt) {
    again = Probe(port_);  // the server may not have reaped `second` yet
    if (!again) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(HealthCheckServerTest, OutOfDescriptorsClosesNewConnectionsWithoutSpinning) {
  HealthCheckServer server(Loopback());
  server.Start();
  server.SyncServices({{kWeb, port_}});
  server.SyncEndpoints({{kWeb, 1}});

  // The client's socket exists before the limit drops; then the lowest free
  // descriptor number becomes the limit, so the server's accept() fails with EMFILE.
  datapath::UniqueFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client);
  timeval timeout{.tv_sec = 5, .tv_usec = 0};
  setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  int lowest_free = dup(0);
  ASSERT_GE(lowest_free, 0);
  close(lowest_free);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(lowest_free);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  int connected = connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
  bool closed = connected == 0 && WaitForClose(client.get());
  setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_EQ(connected, 0);
  EXPECT_TRUE(closed) << "the connection was left hanging";

  std::optional<ProbeResponse> after = Probe(port_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

}  // namespace
}  // namespace sluice::agent
