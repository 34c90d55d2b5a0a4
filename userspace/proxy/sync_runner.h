// One rate-limited runner applies recorded changes to the datapath (kube-proxy's
// BoundedFrequencyRunner): a requested sync runs at once unless the last one was
// less than min_interval ago; a full resync runs every max_interval to repair drift;
// a failed sync is retried after retry_interval. Decisions read an injected Clock, so
// tests drive them with a FakeClock through RunIfDue().
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>

#include "base/clock.h"

namespace sluice::proxy {

enum class SyncReason { kChanges, kPeriodic, kRetry };

class SyncRunner {
 public:
  using Duration = Clock::Duration;
  // The sync function returns false when it must be retried.
  using SyncFn = std::function<bool(SyncReason)>;

  struct Intervals {
    Duration min_interval;
    Duration max_interval;
    Duration retry_interval;
  };

  SyncRunner(SyncFn sync, Intervals intervals, const Clock& clock);

  void Request();  // thread-safe: changes are waiting
  void Loop();     // runs syncs until Stop()
  void Stop();

  // Runs the sync function once if one is due now; returns whether it ran.
  bool RunIfDue();
  // How long until the next sync would be due (zero when it is due now).
  Duration TimeToNext() const;

 private:
  // Under mu_: why a sync is due now, if it is.
  bool DueLocked(SyncReason* reason) const;
  Duration TimeToNextLocked() const;
  void RunLocked(std::unique_lock<std::mutex>& lock, SyncReason reason);

  SyncFn sync_;
  Intervals intervals_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool retry_ = false;
  bool stopped_ = false;
  bool ran_once_ = false;
  Clock::TimePoint last_run_{};
};

}  // namespace sluice::proxy
