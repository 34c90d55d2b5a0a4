// Every request the fake received, in arrival order, so a test can assert on what
// the agent asked for: how many lists and watches, with which parameters, in which
// format, and that it asked for nothing else. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fake_apiserver/resource.h"

namespace sluice::fake_apiserver {

struct RequestRecord {
  std::string method;
  std::string path;                                 // without the query
  std::multimap<std::string, std::string> params;  // decoded query parameters
  std::string accept;                               // the Accept header
  std::chrono::system_clock::time_point time;
  std::optional<Resource> resource;  // unset for paths the fake does not serve
  std::optional<Verb> verb;
  int status = 0;  // the HTTP status answered (200 for a watch that started); 0 until decided

  // The last value of query parameter `key`, or "".
  std::string param(const std::string& key) const;
};

class RequestLog {
 public:
  // Logged on arrival (a stalled request is visible while it stalls); returns the
  // handle SetStatus() takes.
  size_t Add(RequestRecord record);
  void SetStatus(size_t handle, int status);
  std::vector<RequestRecord> All() const;
  size_t Count(Resource resource, Verb verb) const;
  size_t lists(Resource resource) const { return Count(resource, Verb::kList); }
  size_t watches(Resource resource) const { return Count(resource, Verb::kWatch); }
  // Requests for anything the fake does not serve (answered 404).
  std::vector<RequestRecord> Unserved() const;
  void Clear();

 private:
  mutable std::mutex mutex_;
  std::vector<RequestRecord> records_;
  size_t cleared_ = 0;  // records dropped by Clear(): handles stay valid across it
};

}  // namespace sluice::fake_apiserver
