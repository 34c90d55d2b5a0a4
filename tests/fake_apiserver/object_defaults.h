// What the API server fills in when an object is created, so objects a test writes
// tersely reach the agent the way a real cluster would send them: a Service gets its
// type, sessionAffinity, port protocols and targetPorts, cluster IPs (allocated from
// 198.19.240.0/20 and fd00:19::/112 when absent), ipFamilies and ipFamilyPolicy,
// traffic policies and node ports (from 30000 up); an EndpointSlice port gets
// protocol TCP and an endpoint empty conditions. Values the object already has are
// kept, so a deliberately odd object stays odd. On an update, allocated values the
// new version leaves out (cluster IPs, families, node ports) are carried over from the
// stored one, as the API server does, so a terse update keeps its VIP.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <mutex>
#include <set>

namespace sluice::fake_apiserver {

class ObjectDefaulter {
 public:
  // Thread-safe. Objects of other kinds are returned unchanged. `existing` is the
  // stored version when this is an update.
  nlohmann::json Apply(nlohmann::json object, const nlohmann::json* existing = nullptr);

 private:
  static void KeepAllocated(nlohmann::json& spec, const nlohmann::json& old_spec);
  void DefaultService(nlohmann::json& service);
  void DefaultEndpointSlice(nlohmann::json& slice);
  std::string NextClusterIp(bool ipv6);
  int NextNodePort();

  std::mutex mutex_;
  uint32_t next_ipv4_ = 0;
  uint32_t next_ipv6_ = 0;
  std::set<int> node_ports_;  // handed out or seen in an object
};

}  // namespace sluice::fake_apiserver
