// The fake listening inside a network namespace, as the end-to-end topology needs it.
// Needs root (creates a namespace with `ip netns`); skipped otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/test_client.h"

namespace sluice::fake_apiserver {
namespace {

using testing::HttpResult;
using testing::TestClient;

// A namespace of its own, with loopback up, removed on every exit path.
class ScopedNetns {
 public:
  ScopedNetns() : name_("sluice-fakeapi-" + std::to_string(getpid())) {
    ok_ = std::system(("ip netns add " + name_ + " 2>/dev/null").c_str()) == 0 &&
          std::system(("ip -n " + name_ + " link set lo up").c_str()) == 0;
  }
  ~ScopedNetns() { std::system(("ip netns del " + name_ + " 2>/dev/null").c_str()); }
  bool ok() const { return ok_; }
  std::string path() const { return "/run/netns/" + name_; }

 private:
  std::string name_;
  bool ok_ = false;
};

// Runs `fn` on a thread that has entered `netns_path`.
template <typename Fn>
void InNamespace(const std::string& netns_path, Fn fn) {
  std::thread t([&] {
    int fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(setns(fd, CLONE_NEWNET), 0);
    close(fd);
    fn();
  });
  t.join();
}

TEST(Netns, ListensInsideTheNamespaceOnly) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace";
  ScopedNetns netns;
  if (!netns.ok()) GTEST_SKIP() << "`ip netns add` failed (no iproute2 or no CAP_SYS_ADMIN)";
  FakeApiServer server(Options{.netns_path = netns.path()});

  HttpResult inside;
  InNamespace(netns.path(), [&] { inside = TestClient(server).Get("/api/v1/services"); });
  EXPECT_EQ(inside.status, 200) << inside.error;

  HttpResult outside = TestClient(server).Get("/api/v1/services");
  EXPECT_EQ(outside.end, HttpResult::End::kNoResponse) << "nothing listens in the test's own namespace";

  // After an outage the listener comes back in the same namespace.
  server.SetUnavailable(true);
  server.SetUnavailable(false);
  InNamespace(netns.path(), [&] { inside = TestClient(server).Get("/api/v1/services"); });
  EXPECT_EQ(inside.status, 200) << inside.error;
}

TEST(Netns, ANamespaceThatDoesNotExistIsAnError) {
  EXPECT_THROW(FakeApiServer(Options{.netns_path = "/run/netns/sluice-no-such-namespace"}),
               std::runtime_error);
}

}  // namespace
}  // namespace sluice::fake_apiserver
