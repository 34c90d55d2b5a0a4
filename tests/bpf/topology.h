// The addresses every BPF test talks about: an external client, this node (NodePort
// frontend and SNAT source), a backend Pod on this node and backends on other nodes,
// in the ranges DESIGN.md reserves for tests (198.18.0.0/15, fd00::/8). The ports are
// a NodePort's.
#pragma once

#include <cstdint>

#include "bpf/net_types.h"

namespace sluice::bpftest {

struct Topology {
  explicit Topology(bool v6);

  bool v6;
  IpAddr client;        // outside the node
  IpAddr node;          // NodePort frontend, SNAT address
  IpAddr other_client;  // another external client
  IpAddr local_backend;   // a Pod on this node
  IpAddr remote_backend;  // a Pod on another node
  IpAddr remote_backend2;
  IpAddr routed_backend;  // on a subnet PrivateNetns can route (forward_test.cc)
  IpAddr unrelated;       // an address sluice knows nothing of

  MacAddr client_mac = MacAddr::Parse("02:00:00:00:00:0a");  // the client's router, really
  MacAddr node_mac = MacAddr::Parse("02:00:00:00:00:01");

  static constexpr uint16_t kNodePort = 30080;
  static constexpr uint16_t kBackendPort = 8080;
  static constexpr uint16_t kClientPort = 40000;
};

}  // namespace sluice::bpftest
