#include "cli/explain_view.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/format.h"
#include "datapath/convert.h"

namespace sluice::cli {
namespace {

using datapath::Explanation;
using datapath::FlowVerdict;
using datapath::PickReason;
using nlohmann::json;

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::string Flow(const Explanation& ex) {
  const auto& q = ex.query;
  return std::string(model::ProtocolName(q.protocol)) + " " + q.src.WithPort(q.src_port) + " -> " +
         q.dst.WithPort(q.dst_port);
}

std::string FrontendText(const Explanation& ex) {
  const auto& k = *ex.frontend_key;
  return AddrPort(k.addr, k.family, k.port) + "/" + datapath::IpProtoName(k.proto);
}

std::string BackendText(const datapath::ExplainedBackend& b) {
  if (!b.entry) return "id " + std::to_string(b.id) + " (no backend entry)";
  return AddrPort(b.entry->addr, b.entry->family, b.entry->port);
}

std::string Where(const lb_backend& b) {
  std::string s = (b.flags & LB_BE_F_LOCAL) ? "on this node" : "on another node";
  if (b.flags & LB_BE_F_TERMINATING) s += ", terminating";
  return s;
}

std::string Policy(const lb_service& svc) { return (svc.flags & LB_SVC_F_LOCAL_ONLY) ? "Local" : "Cluster"; }

std::string HashedChoice(const Explanation& ex) {
  if (ex.reason == PickReason::kMaglev)
    return "Maglev: flow hash " + Hex(ex.flow_hash) + ", slot " + std::to_string(ex.slot) +
           " of M=" + std::to_string(ex.table_size) + " (sluice_maglev[" +
           std::to_string(uint64_t{ex.maglev_offset} + ex.slot) + "])";
  return "no Maglev table: flow hash " + Hex(ex.flow_hash) + ", live slot " +
         std::to_string(ex.slot) + " of " + std::to_string(ex.table_size);
}

std::string SnatText(const Explanation& ex) {
  if (!ex.snat) {
    if (ex.query.pod_packet) return "DNAT only: the backend sees the Pod's address";
    if (ex.snat_wanted_but_no_address)
      return "DNAT only: the backend is remote (Cluster policy) but the node has no SNAT "
             "address configured; replies must come back through this node";
    if (ex.backend.entry && (ex.frontend.flags & LB_SVC_F_LOCAL_ONLY))
      return "DNAT only: the backend sees the client's address (Local policy)";
    return "DNAT only: the backend sees the client's address (backend on this node)";
  }
  std::string port = ex.snat_port ? std::to_string(ex.snat_port)
                                  : "<" + std::to_string(ex.snat_port_min) + "-" +
                                        std::to_string(ex.snat_port_max) + ">";
  const std::string addr =
      ex.snat_address.is_v4() ? ex.snat_address.ToString() : "[" + ex.snat_address.ToString() + "]";
  return "DNAT + SNAT to " + addr + ":" + port +
         " (remote backend, Cluster policy): the backend sees the node's address";
}

// The lines, as (label, text) pairs, shared by the table and (as "steps") the JSON.
std::vector<std::pair<std::string, std::string>> Lines(const Explanation& ex, uint64_t now) {
  std::vector<std::pair<std::string, std::string>> l;
  const bool socket = ex.query.scope == model::Scope::kInternal && !ex.query.pod_packet;
  l.push_back({"flow", Flow(ex) + (socket ? " (internal: a socket on this node)"
                                   : ex.query.pod_packet
                                       ? " (pod: a packet from a local Pod whose socket was not translated)"
                                       : " (external: a packet from outside the node)")});
  if (ex.verdict == FlowVerdict::kReplyReverseNat) {
    const nat_entry& n = *ex.reverse_nat;
    const uint8_t fam = ex.query.dst.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6;
    l.push_back({"reply", "to this node's SNAT address and port: the reply of a SNATed flow"});
    l.push_back({"verdict", "reverse NAT: source becomes " + AddrPort(n.frontend, fam, n.frontend_port) +
                                ", destination " + AddrPort(n.client, fam, n.client_port)});
    return l;
  }
  if (ex.verdict == FlowVerdict::kNotFrontend) {
    l.push_back({"frontend", "none"});
    l.push_back({"verdict", socket ? "not a frontend: connect() proceeds untouched"
                                   : "not a frontend: passed untouched"});
    return l;
  }
  l.push_back({"frontend", FrontendText(ex) + " " +
                               model::FrontendTypeName(static_cast<model::FrontendType>(ex.frontend.type)) +
                               " of " + ServiceLabel(ex.service, ex.port_name) + " (id " +
                               std::to_string(ex.frontend.id) + "), " +
                               std::to_string(ex.frontend.count) + " backends, " + Policy(ex.frontend) +
                               " policy"});
  if (socket) {
    if (ex.verdict == FlowVerdict::kSocketRefuse) {
      l.push_back({"verdict", "no usable backend: connect() fails with ECONNREFUSED"});
      return l;
    }
    std::string set;
    for (const auto& c : ex.candidates) set += (set.empty() ? "" : ", ") + BackendText(c);
    l.push_back({"backends", set});
    if (ex.frontend.flags & LB_SVC_F_AFFINITY) {
      size_t valid = 0;
      for (const auto& a : ex.socket_affinities) valid += a.valid;
      l.push_back({"affinity", "ClientIP for " + std::to_string(ex.frontend.affinity_timeout) +
                                   "s, kept per network namespace: " + std::to_string(valid) +
                                   " namespace(s) hold a backend now (sluicectl affinity list)"});
    }
    l.push_back({"verdict", "a backend picked at random for each connect() (each sendmsg() of an "
                            "unconnected UDP socket)" +
                                std::string((ex.frontend.flags & LB_SVC_F_AFFINITY)
                                                ? ", unless the namespace's affinity holds"
                                                : "") +
                                "; no conntrack, no NAT of packets"});
    return l;
  }
  if (ex.source_ranges_apply) {
    if (ex.source_allowed)
      l.push_back({"source", "allowed by loadBalancerSourceRanges" +
                                 (ex.source_range ? " " + ex.source_range->ToString() : std::string())});
    else
      l.push_back({"source", ex.query.src.ToString() + " is not in loadBalancerSourceRanges"});
  } else {
    l.push_back({"source", "any (no loadBalancerSourceRanges)"});
  }
  if (ex.verdict == FlowVerdict::kDropSourceRange) {
    l.push_back({"verdict", "dropped: source not allowed by loadBalancerSourceRanges"});
    return l;
  }
  if (!ex.conntrack) {
    l.push_back({"conntrack", "no entry: a new flow"});
  } else {
    std::string t = "entry to backend id " + std::to_string(ex.conntrack->backend_id) + ", age " +
                    Duration(Since(now, ex.conntrack->created_ns)) + ", idle " +
                    Duration(Since(now, ex.conntrack->last_seen_ns));
    if (ex.conntrack_backend_gone) t += ": that backend is gone, chosen again";
    l.push_back({"conntrack", t});
  }
  if ((ex.frontend.flags & LB_SVC_F_AFFINITY) && ex.reason != PickReason::kConntrack) {
    std::string t = "ClientIP, timeout " + std::to_string(ex.frontend.affinity_timeout) + "s: ";
    if (!ex.affinity)
      t += "no entry for " + ex.query.src.ToString() + " (one is recorded with this choice)";
    else if (ex.affinity_valid)
      t += "holds, last used " + Duration(Since(now, ex.affinity->last_used_ns)) + " ago";
    else
      t += "entry to backend id " + std::to_string(ex.affinity->backend_id) + " no longer holds (" +
           ex.affinity_invalid_reason + "), replaced with this choice";
    l.push_back({"affinity", t});
  }
  switch (ex.reason) {
    case PickReason::kConntrack: l.push_back({"why", "conntrack: the flow keeps its backend"}); break;
    case PickReason::kAffinity: l.push_back({"why", "session affinity"}); break;
    case PickReason::kMaglev:
    case PickReason::kSlotHash: l.push_back({"why", HashedChoice(ex)}); break;
    case PickReason::kNone: break;
  }
  switch (ex.verdict) {
    case FlowVerdict::kReject:
      l.push_back({"verdict", std::string("no usable backend: the client gets ") +
                                  (ex.query.protocol == model::Protocol::kTcp
                                       ? "a TCP RST"
                                       : "an ICMP port unreachable")});
      return l;
    case FlowVerdict::kDropNoLocalBackend:
      l.push_back({"verdict", "dropped: Local policy, no endpoint on this node"});
      return l;
    case FlowVerdict::kDropFamilyMismatch:
      l.push_back({"backend", BackendText(ex.backend)});
      l.push_back({"verdict", "dropped: the backend is of the other address family"});
      return l;
    default: break;
  }
  l.push_back({"backend", BackendText(ex.backend) + " (id " + std::to_string(ex.backend.id) + ", " +
                              Where(*ex.backend.entry) + ")"});
  l.push_back({"nat", SnatText(ex)});
  l.push_back({"verdict", "forwarded to " + BackendText(ex.backend)});
  return l;
}

json BackendJson(const datapath::ExplainedBackend& b) {
  json j = {{"id", b.id}, {"exists", b.entry.has_value()}};
  if (b.entry) {
    j["address"] = Addr(b.entry->addr, b.entry->family);
    j["port"] = ntohs(b.entry->port);
    j["local"] = bool(b.entry->flags & LB_BE_F_LOCAL);
    j["terminating"] = bool(b.entry->flags & LB_BE_F_TERMINATING);
  }
  return j;
}

}  // namespace

json ExplainJson(const Explanation& ex, uint64_t now_ns) {
  const auto& q = ex.query;
  json j = {{"flow",
             {{"protocol", model::ProtocolName(q.protocol)},
              {"src", q.src.WithPort(q.src_port)},
              {"dst", q.dst.WithPort(q.dst_port)},
              {"scope", q.pod_packet ? "pod" : model::ScopeName(q.scope)}}},
            {"verdict", datapath::FlowVerdictName(ex.verdict)},
            {"reason", datapath::PickReasonName(ex.reason)}};
  if (ex.frontend_key) {
    j["frontend"] = {{"id", ex.frontend.id},
                     {"frontend", FrontendText(ex)},
                     {"type", model::FrontendTypeName(static_cast<model::FrontendType>(ex.frontend.type))},
                     {"service", ex.service},
                     {"port_name", ex.port_name},
                     {"backends", ex.frontend.count},
                     {"policy", Policy(ex.frontend)},
                     {"affinity_timeout", ex.frontend.affinity_timeout}};
  }
  if (ex.source_ranges_apply) {
    j["source_ranges"] = {{"allowed", ex.source_allowed}};
    if (ex.source_range) j["source_ranges"]["matched"] = ex.source_range->ToString();
  }
  if (ex.conntrack)
    j["conntrack"] = {{"backend_id", ex.conntrack->backend_id},
                      {"backend_gone", ex.conntrack_backend_gone},
                      {"age_seconds", Seconds(Since(now_ns, ex.conntrack->created_ns))},
                      {"idle_seconds", Seconds(Since(now_ns, ex.conntrack->last_seen_ns))}};
  if (ex.affinity) {
    j["affinity"] = {{"backend_id", ex.affinity->backend_id},
                     {"valid", ex.affinity_valid},
                     {"idle_seconds", Seconds(Since(now_ns, ex.affinity->last_used_ns))}};
    if (!ex.affinity_valid) j["affinity"]["invalid_reason"] = ex.affinity_invalid_reason;
  }
  if (ex.hashed)
    j["hash"] = {{"flow_hash", ex.flow_hash},
                 {"slot", ex.slot},
                 {"table_size", ex.table_size},
                 {"maglev", ex.reason == PickReason::kMaglev},
                 {"maglev_index", uint64_t{ex.maglev_offset} + ex.slot}};
  if (ex.verdict == FlowVerdict::kForward || ex.verdict == FlowVerdict::kDropFamilyMismatch) {
    j["backend"] = BackendJson(ex.backend);
    j["snat"] = {{"enabled", ex.snat}};
    if (ex.snat) {
      j["snat"]["address"] = ex.snat_address.ToString();
      if (ex.snat_port)
        j["snat"]["port"] = ex.snat_port;
      else
        j["snat"]["port_range"] = {ex.snat_port_min, ex.snat_port_max};
    }
    if (ex.snat_wanted_but_no_address) j["snat"]["no_snat_address"] = true;
  }
  if (ex.reverse_nat) {
    const uint8_t fam = q.dst.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6;
    j["reverse_nat"] = {{"source", AddrPort(ex.reverse_nat->frontend, fam, ex.reverse_nat->frontend_port)},
                        {"destination", AddrPort(ex.reverse_nat->client, fam, ex.reverse_nat->client_port)}};
  }
  if (q.scope == model::Scope::kInternal && !q.pod_packet && ex.frontend_key) {
    json c = json::array();
    for (const auto& b : ex.candidates) c.push_back(BackendJson(b));
    j["candidates"] = c;
    json a = json::array();
    for (const auto& s : ex.socket_affinities)
      a.push_back({{"netns_cookie", s.netns_cookie},
                   {"backend_id", s.entry.backend_id},
                   {"valid", s.valid},
                   {"idle_seconds", Seconds(Since(now_ns, s.entry.last_used_ns))}});
    j["socket_affinities"] = a;
  }
  json steps = json::array();
  for (const auto& [label, text] : Lines(ex, now_ns)) steps.push_back({{"step", label}, {"text", text}});
  j["steps"] = steps;
  return j;
}

void PrintExplain(const Explanation& ex, uint64_t now_ns, std::ostream& out) {
  auto lines = Lines(ex, now_ns);
  size_t width = 0;
  for (const auto& [label, text] : lines) width = std::max(width, label.size());
  for (const auto& [label, text] : lines)
    out << label << ':' << std::string(width - label.size() + 2, ' ') << text << '\n';
}

}  // namespace sluice::cli
