#include "k8s/backoff.h"

#include <algorithm>

namespace sluice::k8s {

Clock::Duration Backoff::Next() {
  Clock::TimePoint now = clock_.Now();
  if (!used_ || now - last_ > policy_.reset_after) {
    base_ = policy_.initial;
  } else {
    auto doubled = std::chrono::duration_cast<Clock::Duration>(base_ * policy_.factor);
    base_ = std::min(doubled, policy_.max);
  }
  used_ = true;
  last_ = now;
  double jittered = 1.0 + policy_.jitter * random_.Uniform01();
  return std::chrono::duration_cast<Clock::Duration>(base_ * jittered);
}

}  // namespace sluice::k8s
