#include "fake_apiserver/request_log.h"

namespace sluice::fake_apiserver {

std::string RequestRecord::param(const std::string& key) const {
  auto range = params.equal_range(key);
  std::string value;
  for (auto it = range.first; it != range.second; ++it) value = it->second;
  return value;
}

size_t RequestLog::Add(RequestRecord record) {
  std::lock_guard lock(mutex_);
  records_.push_back(std::move(record));
  return cleared_ + records_.size() - 1;
}

void RequestLog::SetStatus(size_t handle, int status) {
  std::lock_guard lock(mutex_);
  if (handle >= cleared_ && handle - cleared_ < records_.size()) {
    records_[handle - cleared_].status = status;
  }
}

std::vector<RequestRecord> RequestLog::All() const {
  std::lock_guard lock(mutex_);
  return records_;
}

size_t RequestLog::Count(Resource resource, Verb verb) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& r : records_) n += r.resource == resource && r.verb == verb;
  return n;
}

std::vector<RequestRecord> RequestLog::Unserved() const {
  std::lock_guard lock(mutex_);
  std::vector<RequestRecord> out;
  for (const auto& r : records_) {
    if (!r.resource) out.push_back(r);
  }
  return out;
}

void RequestLog::Clear() {
  std::lock_guard lock(mutex_);
  cleared_ += records_.size();
  records_.clear();
}

}  // namespace sluice::fake_apiserver
