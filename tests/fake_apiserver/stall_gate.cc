#include "fake_apiserver/stall_gate.h"

#include <algorithm>

namespace sluice::fake_apiserver {

void StallGate::Wait(std::chrono::milliseconds duration, const std::function<bool()>& interrupted) {
  std::unique_lock lock(mutex_);
  auto until = std::chrono::steady_clock::now() +
               (duration.count() > 0 ? duration : std::chrono::milliseconds(kMaxStall));
  uint64_t releases = releases_;
  ++waiting_;
  // `interrupted` may turn true without a notification (the client hung up), so it
  // is re-checked at least every kRecheck.
  while (releases_ == releases && !interrupted()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= until) break;
    cv_.wait_until(lock, std::min(until, now + kRecheck));
  }
  --waiting_;
}

void StallGate::ReleaseAll() {
  std::lock_guard lock(mutex_);
  ++releases_;
  cv_.notify_all();
}

void StallGate::Wake() {
  std::lock_guard lock(mutex_);
  cv_.notify_all();
}

size_t StallGate::stalled() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace sluice::fake_apiserver
