// What the request handlers share: the store, the fault queue, the request log and
// the settings that shape responses. Owned by FakeApiServer, which outlives every
// connection (stopping the listener waits for them).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "fake_apiserver/faults.h"
#include "fake_apiserver/object_store.h"
#include "fake_apiserver/request_log.h"
#include "fake_apiserver/stall_gate.h"
#include "fake_apiserver/wire_encoder.h"

namespace sluice::fake_apiserver {

struct ServerContext {
  ObjectStore* store = nullptr;
  FaultQueue* faults = nullptr;
  RequestLog* log = nullptr;
  StallGate* stalls = nullptr;
  // True while the listener is going down: long-running handlers must give up.
  std::function<bool()> closing;
  std::string bearer_token;  // "" when requests need no token
  std::chrono::milliseconds bookmark_interval{60000};
  std::chrono::seconds default_watch_timeout{1800};  // when timeoutSeconds is absent
  const WireEncoder* json = nullptr;
  const WireEncoder* protobuf = nullptr;
};

}  // namespace sluice::fake_apiserver
