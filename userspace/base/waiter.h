// Sleeping that can be cut short: a reflector backing off must stop at once on
// shutdown. Tests use a fake that moves a FakeClock instead of sleeping.
#pragma once

#include <condition_variable>
#include <mutex>

#include "base/clock.h"

namespace sluice {

class Waiter {
 public:
  virtual ~Waiter() = default;
  // Waits `d`; returns false if Stop() was called (before or during the wait).
  virtual bool WaitFor(Clock::Duration d) = 0;
  virtual void Stop() = 0;
  virtual bool stopped() const = 0;
};

class RealWaiter final : public Waiter {
 public:
  bool WaitFor(Clock::Duration d) override {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, d, [this] { return stopped_; });
  }
  void Stop() override {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  bool stopped() const override {
    std::lock_guard lock(mu_);
    return stopped_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace sluice
