#include "fake_apiserver/faults.h"

namespace sluice::fake_apiserver {

void FaultQueue::Push(Resource resource, Verb verb, Fault fault) {
  std::lock_guard lock(mutex_);
  queues_[{resource, verb}].push_back(std::move(fault));
}

std::optional<Fault> FaultQueue::Take(Resource resource, Verb verb) {
  std::lock_guard lock(mutex_);
  auto it = queues_.find({resource, verb});
  if (it == queues_.end() || it->second.empty()) return std::nullopt;
  Fault fault = std::move(it->second.front());
  it->second.pop_front();
  return fault;
}

void FaultQueue::Clear() {
  std::lock_guard lock(mutex_);
  queues_.clear();
}

size_t FaultQueue::pending(Resource resource, Verb verb) const {
  std::lock_guard lock(mutex_);
  auto it = queues_.find({resource, verb});
  return it == queues_.end() ? 0 : it->second.size();
}

}  // namespace sluice::fake_apiserver
