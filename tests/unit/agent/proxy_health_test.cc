// kube-proxy's health semantics with a fake clock: a change waiting longer than the
// timeout makes the proxy unhealthy; readiness also needs the first sync.
#include "agent/proxy_health.h"

#include <gtest/gtest.h>

namespace sluice::agent {
namespace {

using namespace std::chrono_literals;

TEST(ProxyHealthTest, AChangeWaitingLongerThanTheTimeoutIsUnhealthy) {
  FakeClock clock;
  ProxyHealth health(clock, 60s);
  EXPECT_TRUE(health.Healthy());
  EXPECT_FALSE(health.Ready()) << "not ready before the first sync";
  health.QueuedUpdate();
  clock.Advance(59s);
  EXPECT_TRUE(health.Healthy());
  clock.Advance(2s);
  EXPECT_FALSE(health.Healthy());
  health.Updated();
  EXPECT_TRUE(health.Healthy());
  EXPECT_TRUE(health.Ready());
}

TEST(ProxyHealthTest, OnlyTheOldestWaitingChangeCounts) {
  FakeClock clock;
  ProxyHealth health(clock, 10s);
  health.QueuedUpdate();
  clock.Advance(8s);
  health.QueuedUpdate();  // does not restart the clock
  clock.Advance(3s);
  EXPECT_FALSE(health.Healthy());
}

TEST(ProxyHealthTest, TheBodyIsKubeProxys) {
  FakeClock clock;
  ProxyHealth health(clock, 10s);
  health.Updated();
  std::string body = health.HealthzBody();
  EXPECT_NE(body.find("\"lastUpdated\": \"20"), std::string::npos) << body;
  EXPECT_NE(body.find("\"currentTime\": \""), std::string::npos);
  EXPECT_NE(body.find("\"nodeEligible\": true"), std::string::npos);
}

}  // namespace
}  // namespace sluice::agent
