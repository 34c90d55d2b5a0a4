// "Which backend gets this flow, and why?" answered from the maps, by the same steps
// the BPF programs take: bpf/lib/nodeport.h (lb_ingress, lb_select) for the packet
// path, bpf/lib/sock.h for sockets. Reads only; the lookups are the datapath's own, so
// an answer here is what the next packet of that flow meets (unless the maps change).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "datapath/map_set.h"
#include "model/lb_state.h"

namespace sluice::datapath {

struct FlowQuery {
  model::Protocol protocol = model::Protocol::kTcp;
  IpAddress src;
  uint16_t src_port = 0;
  IpAddress dst;
  uint16_t dst_port = 0;
  // External: a packet from outside the node (XDP/tc). Internal: a socket on the node,
  // or with `pod_packet` a packet from a local Pod whose socket the cgroup hooks did
  // not translate (tc on the Pod-facing device: same steps as external, no SNAT).
  model::Scope scope = model::Scope::kExternal;
  bool pod_packet = false;
};

enum class FlowVerdict {
  kNotFrontend,         // passed untouched (packet) / connect() proceeds untouched (socket)
  kReplyReverseNat,     // a reply of a SNATed flow: restored to the client
  kDropSourceRange,     // loadBalancerSourceRanges do not allow the source
  kForward,             // a backend is chosen (packet path)
  kReject,              // no usable backend: TCP RST / ICMP port unreachable
  kDropNoLocalBackend,  // Local policy and no endpoint on this node
  kDropFamilyMismatch,  // the chosen backend is of the other family (never written)
  kSocketRandom,        // socket path: a backend picked at random per connection
  kSocketRefuse,        // socket path: connect() fails with ECONNREFUSED
};

// Why the backend is that one.
enum class PickReason { kNone, kConntrack, kAffinity, kMaglev, kSlotHash };

const char* FlowVerdictName(FlowVerdict v);  // "forward", "reject", ...
const char* PickReasonName(PickReason r);    // "conntrack", "affinity", "maglev", ...

struct ExplainedBackend {
  uint32_t id = 0;
  std::optional<lb_backend> entry;  // nullopt: the id names no backend entry
};

struct Explanation {
  FlowQuery query;
  FlowVerdict verdict = FlowVerdict::kNotFrontend;

  // The frontend (absent with kNotFrontend / kReplyReverseNat).
  std::optional<lb_service_key> frontend_key;
  lb_service frontend{};
  std::string service;  // "namespace/name", from the metadata map; "" if missing
  std::string port_name;

  // loadBalancerSourceRanges: whether they apply, the verdict, and the longest listed
  // prefix that contains the source (for people; the verdict is the trie's).
  bool source_ranges_apply = false;
  bool source_allowed = true;
  std::optional<IpPrefix> source_range;

  // Conntrack: the flow's entry, and whether its backend still exists.
  std::optional<ct_entry> conntrack;
  bool conntrack_backend_gone = false;

  // Session affinity (LB_SVC_F_AFFINITY): the client's entry, whether it holds, and if
  // not, why ("expired", "backend gone", "backend terminating").
  std::optional<affinity_entry> affinity;
  bool affinity_valid = false;
  std::string affinity_invalid_reason;

  // The hashed choice: the flow hash, the slot it lands on and the table's size (the
  // Maglev table's M, or the live slot count for a frontend without a table).
  uint32_t flow_hash = 0;
  uint32_t slot = 0;
  uint32_t table_size = 0;
  uint32_t maglev_offset = 0;
  bool hashed = false;  // flow_hash/slot/table_size are meaningful

  PickReason reason = PickReason::kNone;
  ExplainedBackend backend;

  // Source NAT of a forwarded flow: to the node's address (and a port from the range,
  // or the conntrack entry's port) when the backend is on another node under the Cluster
  // policy; otherwise the backend sees the client's address.
  bool snat = false;
  IpAddress snat_address;
  uint16_t snat_port = 0;  // 0: chosen when the flow is first tracked
  uint16_t snat_port_min = 0;
  uint16_t snat_port_max = 0;
  bool snat_wanted_but_no_address = false;  // Cluster policy, remote backend, no SNAT IP

  // A reply of a SNATed flow (kReplyReverseNat): what it is restored to.
  std::optional<nat_entry> reverse_nat;

  // Socket path: the live backend set and the namespaces holding an affinity.
  std::vector<ExplainedBackend> candidates;
  struct SocketAffinity {
    uint64_t netns_cookie = 0;
    affinity_entry entry{};
    bool valid = false;
  };
  std::vector<SocketAffinity> socket_affinities;
};

// affinity_lookup()'s rule for one entry: "" when it holds (younger than the timeout,
// naming a backend that exists and is not terminating), else why not: "expired",
// "backend gone", "backend terminating". `backend`: the entry's backend, or null.
std::string AffinityProblem(const affinity_entry& entry, uint32_t timeout_s,
                            const lb_backend* backend, uint64_t now_ns);

// now_ns: CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns() (conntrack and affinity
// times). Throws std::invalid_argument when the source and destination families differ.
Explanation ExplainFlow(MapSet& maps, const FlowQuery& query, uint64_t now_ns);

}  // namespace sluice::datapath
