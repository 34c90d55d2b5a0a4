#include "datapath/explain.h"

#include <arpa/inet.h>

#include <cstring>
#include <span>
#include <stdexcept>

#include "datapath/convert.h"
#include "sluice/flow_hash.h"

namespace sluice::datapath {
namespace {

constexpr uint64_t kNsPerSec = 1000000000ull;

uint8_t FamilyOf(const IpAddress& ip) { return ip.is_v4() ? SLUICE_AF_INET : SLUICE_AF_INET6; }

const sluice_addr& SnatIp(const sluice_config& cfg, uint8_t family) {
  return family == SLUICE_AF_INET ? cfg.snat_ip4 : cfg.snat_ip6;
}

bool IsZero(const sluice_addr& a) { return (a.ip6[0] | a.ip6[1] | a.ip6[2] | a.ip6[3]) == 0; }

ExplainedBackend Backend(MapSet& maps, uint32_t id) { return {id, maps.backends().Lookup(id)}; }

// What the datapath sees of the flow, in its byte orders.
struct Tuple {
  sluice_addr saddr;
  sluice_addr daddr;
  __be16 sport;
  __be16 dport;
  uint8_t proto;
  uint8_t family;
};

// The frontend's names for people (never read by the datapath).
void FillNames(MapSet& maps, Explanation& ex) {
  auto meta = maps.service_meta().Lookup(ex.frontend.id);
  if (!meta) return;
  meta->name[sizeof(meta->name) - 1] = '\0';
  meta->port_name[sizeof(meta->port_name) - 1] = '\0';
  ex.service = meta->name;
  ex.port_name = meta->port_name;
}

bool AffinityHolds(MapSet& maps, const affinity_entry& e, uint32_t timeout_s, uint64_t now,
                   std::string* why) {
  auto backend = maps.backends().Lookup(e.backend_id);
  std::string problem = AffinityProblem(e, timeout_s, backend ? &*backend : nullptr, now);
  if (why) *why = problem;
  return problem.empty();
}

// lb_source_allowed(): the trie answers; the matching prefix is looked up for people.
void CheckSourceRanges(MapSet& maps, const Tuple& t, Explanation& ex) {
  ex.source_ranges_apply = true;
  src_range_key k{};
  k.prefixlen = 64 + (t.family == SLUICE_AF_INET ? 32 : 128);
  k.svc_id = ex.frontend.id;
  k.family = t.family;
  std::memcpy(k.addr, t.saddr.bytes, sizeof(k.addr));
  ex.source_allowed = maps.src_ranges().Lookup(k).has_value();
  maps.src_ranges().ForEach([&](const src_range_key& stored, const uint8_t&) {
    if (stored.svc_id != k.svc_id || stored.family != k.family || stored.prefixlen < 64)
      return true;
    sluice_addr addr{};
    std::memcpy(addr.bytes, stored.addr, sizeof(addr.bytes));
    IpPrefix prefix{IpAddress::FromDatapath(addr, stored.family),
                    static_cast<uint8_t>(stored.prefixlen - 64)};
    if (prefix.Contains(ex.query.src) && (!ex.source_range || prefix.length > ex.source_range->length))
      ex.source_range = prefix;
    return true;
  });
}

// lb_pick_hashed(): the frontend's Maglev slot for the flow hash, or, for a frontend
// without a table, one of its live slots by the same hash.
bool PickHashed(MapSet& maps, const Tuple& t, Explanation& ex) {
  const lb_service& svc = ex.frontend;
  ex.flow_hash = sluice_flow_hash(t.saddr.ip6, t.daddr.ip6, t.sport, t.dport, t.proto);
  ex.hashed = true;
  if (svc.maglev_size) {
    ex.reason = PickReason::kMaglev;
    ex.table_size = svc.maglev_size;
    ex.maglev_offset = svc.maglev_offset;
    ex.slot = ex.flow_hash % svc.maglev_size;
    if (svc.count == 0) return false;
    uint32_t id = 0;
    if (!maps.ReadMaglev(svc.maglev_offset + ex.slot, std::span<uint32_t>(&id, 1)) || id == 0)
      return false;
    ex.backend = Backend(maps, id);
    return ex.backend.entry.has_value();
  }
  ex.reason = PickReason::kSlotHash;
  ex.table_size = svc.count;
  if (svc.count == 0) return false;
  ex.slot = ex.flow_hash % svc.count;
  lb_slot_key slot{};
  slot.svc_id = svc.id;
  slot.slot = static_cast<uint16_t>(ex.slot);
  slot.gen = svc.gen;
  auto id = maps.slots().Lookup(slot);
  if (!id) return false;
  ex.backend = Backend(maps, *id);
  return ex.backend.entry.has_value();
}

// lb_select(): the client's affinity if it holds, else the hashed slot.
bool Select(MapSet& maps, const Tuple& t, uint64_t now, Explanation& ex) {
  if (ex.frontend.flags & LB_SVC_F_AFFINITY) {
    affinity_key k{};
    k.client = t.saddr;
    k.svc_id = ex.frontend.id;
    k.family = t.family;
    ex.affinity = maps.affinity().Lookup(k);
    if (ex.affinity) {
      ex.affinity_valid = AffinityHolds(maps, *ex.affinity, ex.frontend.affinity_timeout, now,
                                        &ex.affinity_invalid_reason);
      if (ex.affinity_valid) {
        ex.reason = PickReason::kAffinity;
        ex.backend = Backend(maps, ex.affinity->backend_id);
        return true;
      }
    }
  }
  return PickHashed(maps, t, ex);
}

// The packet path: lb_ingress(scope) step by step.
void ExplainPacket(MapSet& maps, const Tuple& t, uint8_t scope, uint64_t now, Explanation& ex) {
  const bool external = scope == LB_SCOPE_EXTERNAL;
  const sluice_config cfg = maps.config().Lookup(0).value_or(sluice_config{});
  const sluice_addr& snat_ip = SnatIp(cfg, t.family);
  ex.snat_port_min = cfg.snat_port_min;
  ex.snat_port_max = cfg.snat_port_max;

  // A reply of a SNATed flow, to the node's address on a SNAT port.
  const uint16_t dport = ntohs(t.dport);
  if (external && dport >= cfg.snat_port_min && dport <= cfg.snat_port_max &&
      SameBytes(t.daddr, snat_ip)) {
    nat_key nk{};
    nk.saddr = t.saddr;
    nk.daddr = t.daddr;
    nk.sport = t.sport;
    nk.dport = t.dport;
    nk.proto = t.proto;
    nk.family = t.family;
    auto reply = maps.nat().Lookup(nk);
    if (reply && (reply->flags & CT_F_SNAT)) {
      ex.reverse_nat = reply;
      ex.verdict = FlowVerdict::kReplyReverseNat;
      return;
    }
  }

  lb_service_key key{};
  key.addr = t.daddr;
  key.port = t.dport;
  key.proto = t.proto;
  key.family = t.family;
  key.scope = scope;
  auto svc = maps.services().Lookup(key);
  if (!svc) {
    ex.verdict = FlowVerdict::kNotFrontend;
    return;
  }
  ex.frontend_key = key;
  ex.frontend = *svc;
  FillNames(maps, ex);

  if (svc->flags & LB_SVC_F_SOURCE_RANGES) {
    CheckSourceRanges(maps, t, ex);
    if (!ex.source_allowed) {
      ex.verdict = FlowVerdict::kDropSourceRange;
      return;
    }
  }

  ct_key ck{};
  ck.saddr = t.saddr;
  ck.daddr = t.daddr;
  ck.sport = t.sport;
  ck.dport = t.dport;
  ck.proto = t.proto;
  ck.family = t.family;
  ex.conntrack = maps.ct().Lookup(ck);
  if (ex.conntrack) {
    ExplainedBackend tracked = Backend(maps, ex.conntrack->backend_id);
    if (tracked.entry) {
      ex.reason = PickReason::kConntrack;
      ex.backend = tracked;
      ex.snat = ex.conntrack->flags & CT_F_SNAT;
      if (ex.snat) {
        ex.snat_address = IpAddress::FromDatapath(snat_ip, t.family);
        ex.snat_port = ntohs(ex.conntrack->nat_port);
      }
      ex.verdict = FlowVerdict::kForward;
      return;
    }
    ex.conntrack_backend_gone = true;  // chosen again, as for a new flow
  }

  if (!Select(maps, t, now, ex)) {
    ex.verdict = (svc->flags & LB_SVC_F_LOCAL_ONLY) ? FlowVerdict::kDropNoLocalBackend
                                                    : FlowVerdict::kReject;
    return;
  }
  const lb_backend& be = *ex.backend.entry;
  if (be.family != t.family) {
    ex.verdict = FlowVerdict::kDropFamilyMismatch;
    return;
  }
  bool snat = external && !(be.flags & LB_BE_F_LOCAL) && !(svc->flags & LB_SVC_F_LOCAL_ONLY);
  if (snat && IsZero(snat_ip)) {
    snat = false;  // no address to SNAT to: DNAT only
    ex.snat_wanted_but_no_address = true;
  }
  ex.snat = snat;
  if (snat) ex.snat_address = IpAddress::FromDatapath(snat_ip, t.family);
  ex.verdict = FlowVerdict::kForward;
}

// The socket path: connect()/sendmsg() pick a live slot at random (lb_pick_random).
void ExplainSocket(MapSet& maps, const Tuple& t, uint64_t now, Explanation& ex) {
  lb_service_key key{};
  key.addr = t.daddr;
  key.port = t.dport;
  key.proto = t.proto;
  key.family = t.family;
  key.scope = LB_SCOPE_INTERNAL;
  auto svc = maps.services().Lookup(key);
  if (!svc) {
    ex.verdict = FlowVerdict::kNotFrontend;
    return;
  }
  ex.frontend_key = key;
  ex.frontend = *svc;
  FillNames(maps, ex);
  if (svc->count == 0) {
    ex.verdict = FlowVerdict::kSocketRefuse;
    return;
  }
  for (uint16_t i = 0; i < svc->count; ++i) {
    lb_slot_key slot{};
    slot.svc_id = svc->id;
    slot.slot = i;
    slot.gen = svc->gen;
    auto id = maps.slots().Lookup(slot);
    ex.candidates.push_back(id ? Backend(maps, *id) : ExplainedBackend{});
  }
  if (svc->flags & LB_SVC_F_AFFINITY) {
    // Sockets are keyed by network namespace: family 0, the cookie in ip6[0..1].
    maps.affinity().ForEach([&](const affinity_key& k, const affinity_entry& e) {
      if (k.family != 0 || k.svc_id != svc->id) return true;
      Explanation::SocketAffinity a;
      std::memcpy(&a.netns_cookie, k.client.bytes, sizeof(a.netns_cookie));
      a.entry = e;
      a.valid = AffinityHolds(maps, e, svc->affinity_timeout, now, nullptr);
      ex.socket_affinities.push_back(a);
      return true;
    });
  }
  ex.reason = (svc->flags & LB_SVC_F_AFFINITY) ? PickReason::kAffinity : PickReason::kNone;
  ex.verdict = FlowVerdict::kSocketRandom;
}

}  // namespace

std::string AffinityProblem(const affinity_entry& entry, uint32_t timeout_s,
                            const lb_backend* backend, uint64_t now_ns) {
  // Unsigned arithmetic, as in BPF: an entry stamped after `now` reads as expired.
  if (now_ns - entry.last_used_ns > uint64_t{timeout_s} * kNsPerSec) return "expired";
  if (!backend) return "backend gone";
  if (backend->flags & LB_BE_F_TERMINATING) return "backend terminating";
  return "";
}

const char* FlowVerdictName(FlowVerdict v) {
  switch (v) {
    case FlowVerdict::kNotFrontend: return "not-a-frontend";
    case FlowVerdict::kReplyReverseNat: return "reverse-nat";
    case FlowVerdict::kDropSourceRange: return "drop-source-range";
    case FlowVerdict::kForward: return "forward";
    case FlowVerdict::kReject: return "reject";
    case FlowVerdict::kDropNoLocalBackend: return "drop-no-local-backend";
    case FlowVerdict::kDropFamilyMismatch: return "drop-family-mismatch";
    case FlowVerdict::kSocketRandom: return "socket-random";
    case FlowVerdict::kSocketRefuse: return "socket-refuse";
  }
  return "?";
}

const char* PickReasonName(PickReason r) {
  switch (r) {
    case PickReason::kNone: return "none";
    case PickReason::kConntrack: return "conntrack";
    case PickReason::kAffinity: return "affinity";
    case PickReason::kMaglev: return "maglev";
    case PickReason::kSlotHash: return "slot-hash";
  }
  return "?";
}

Explanation ExplainFlow(MapSet& maps, const FlowQuery& query, uint64_t now_ns) {
  if (query.src.family() != query.dst.family())
    throw std::invalid_argument("source " + query.src.ToString() + " and destination " +
                                query.dst.ToString() + " are of different families");
  Explanation ex;
  ex.query = query;
  Tuple t{};
  t.saddr = query.src.ToDatapath();
  t.daddr = query.dst.ToDatapath();
  t.sport = htons(query.src_port);
  t.dport = htons(query.dst_port);
  t.proto = ToIpProto(query.protocol);
  t.family = FamilyOf(query.dst);
  if (query.scope == model::Scope::kExternal)
    ExplainPacket(maps, t, LB_SCOPE_EXTERNAL, now_ns, ex);
  else if (query.pod_packet)
    ExplainPacket(maps, t, LB_SCOPE_INTERNAL, now_ns, ex);
  else
    ExplainSocket(maps, t, now_ns, ex);
  return ex;
}

}  // namespace sluice::datapath
