// Whether the proxy keeps up, with kube-proxy's meaning (its ProxierHealthServer):
// unhealthy when a change has been waiting longer than twice the sync period without a
// sync applying it. /healthz and /livez answer from this, and so does the
// serviceProxyHealthy field of healthCheckNodePort answers.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"

namespace sluice::agent {

class ProxyHealth {
 public:
  ProxyHealth(const Clock& clock, Clock::Duration timeout) : clock_(clock), timeout_(timeout) {}

  // A change was recorded and waits for a sync (only the oldest waiting one counts).
  void QueuedUpdate();
  // A sync applied every change that was waiting.
  void Updated();

  // Within the timeout of the oldest waiting change, or nothing waiting; and, for
  // readiness, the first full sync done.
  bool Healthy() const;
  bool Ready() const;

  // kube-proxy's /healthz body: {"lastUpdated": ..., "currentTime": ..., "nodeEligible": true}
  std::string HealthzBody() const;

 private:
  bool HealthyLocked(Clock::TimePoint now) const;

  const Clock& clock_;
  Clock::Duration timeout_;
  mutable std::mutex mu_;
  std::optional<Clock::TimePoint> oldest_pending_;
  std::optional<std::chrono::system_clock::time_point> last_updated_;
};

}  // namespace sluice::agent
