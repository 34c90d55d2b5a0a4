#include "agent/proxy_health.h"

#include <ctime>

namespace sluice::agent {
namespace {

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

void ProxyHealth::QueuedUpdate() {
  std::lock_guard lock(mu_);
  if (!oldest_pending_) oldest_pending_ = clock_.Now();
}

void ProxyHealth::Updated() {
  std::lock_guard lock(mu_);
  oldest_pending_.reset();
  last_updated_ = std::chrono::system_clock::now();
}

bool ProxyHealth::HealthyLocked(Clock::TimePoint now) const {
  return !oldest_pending_ || now - *oldest_pending_ < timeout_;
}

bool ProxyHealth::Healthy() const {
  std::lock_guard lock(mu_);
  return HealthyLocked(clock_.Now());
}

bool ProxyHealth::Ready() const {
  std::lock_guard lock(mu_);
  return last_updated_.has_value() && HealthyLocked(clock_.Now());
}

std::string ProxyHealth::HealthzBody() const {
  std::lock_guard lock(mu_);
  std::string last = last_updated_ ? Rfc3339(*last_updated_) : "";
  return "{\"lastUpdated\": \"" + last + "\",\"currentTime\": \"" +
         Rfc3339(std::chrono::system_clock::now()) + "\",\"nodeEligible\": true}";
}

}  // namespace sluice::agent
