#include "bpf/topology.h"

namespace sluice::bpftest {

Topology::Topology(bool is_v6)
    : v6(is_v6),
      client(v6 ? IpAddr::V6("fd00:18::10") : IpAddr::V4("198.18.0.10")),
      node(v6 ? IpAddr::V6("fd00:1::1") : IpAddr::V4("198.18.1.1")),
      other_client(v6 ? IpAddr::V6("fd00:18::20") : IpAddr::V4("198.18.0.20")),
      local_backend(v6 ? IpAddr::V6("fd00:10::5") : IpAddr::V4("198.18.10.5")),
      remote_backend(v6 ? IpAddr::V6("fd00:20::7") : IpAddr::V4("198.18.20.7")),
      remote_backend2(v6 ? IpAddr::V6("fd00:20::8") : IpAddr::V4("198.18.20.8")),
      routed_backend(v6 ? IpAddr::V6("fd00:30::7") : IpAddr::V4("198.18.30.7")),
      unrelated(v6 ? IpAddr::V6("fd00:99::1") : IpAddr::V4("198.18.99.1")) {}

}  // namespace sluice::bpftest
