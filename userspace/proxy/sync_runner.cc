#include "proxy/sync_runner.h"

#include <algorithm>

namespace sluice::proxy {

SyncRunner::SyncRunner(SyncFn sync, Intervals intervals, const Clock& clock)
    : sync_(std::move(sync)), intervals_(intervals), clock_(clock) {}

void SyncRunner::Request() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  wake_.notify_all();
}

void SyncRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  wake_.notify_all();
}

bool SyncRunner::DueLocked(SyncReason* reason) const {
  Clock::TimePoint now = clock_.Now();
  if (!ran_once_) {
    *reason = SyncReason::kChanges;
    return requested_;
  }
  if (requested_ && now >= last_run_ + intervals_.min_interval) {
    *reason = SyncReason::kChanges;
    return true;
  }
  if (retry_ && now >= last_run_ + intervals_.retry_interval) {
    *reason = SyncReason::kRetry;
    return true;
  }
  if (now >= last_run_ + intervals_.max_interval) {
    *reason = SyncReason::kPeriodic;
    return true;
  }
  return false;
}

SyncRunner::Duration SyncRunner::TimeToNextLocked() const {
  SyncReason reason;
  if (DueLocked(&reason)) return Duration::zero();
  Clock::TimePoint now = clock_.Now();
  if (!ran_once_) return intervals_.max_interval;  // waits for the first request
  Clock::TimePoint next = last_run_ + intervals_.max_interval;
  if (requested_) next = std::min(next, last_run_ + intervals_.min_interval);
  if (retry_) next = std::min(next, last_run_ + intervals_.retry_interval);
  return std::max(Duration::zero(), next - now);
}

SyncRunner::Duration SyncRunner::TimeToNext() const {
  std::lock_guard lock(mu_);
  return TimeToNextLocked();
}

void SyncRunner::RunLocked(std::unique_lock<std::mutex>& lock, SyncReason reason) {
  requested_ = false;
  last_run_ = clock_.Now();
  ran_once_ = true;
  lock.unlock();  // changes recorded during the sync request another one
  bool ok = sync_(reason);
  lock.lock();
  retry_ = !ok;
}

bool SyncRunner::RunIfDue() {
  std::unique_lock lock(mu_);
  SyncReason reason;
  if (!DueLocked(&reason)) return false;
  RunLocked(lock, reason);
  return true;
}

void SyncRunner::Loop() {
  std::unique_lock lock(mu_);
  while (!stopped_) {
    SyncReason reason;
    if (DueLocked(&reason)) {
      RunLocked(lock, reason);
      continue;
    }
    wake_.wait_for(lock, TimeToNextLocked());
  }
}

}  // namespace sluice::proxy
