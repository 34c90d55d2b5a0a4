// kube-proxy's iptables mode: the iptables-restore input of one syncProxyRules() (a full
// sync), rule for rule in its order (pkg/proxy/iptables/proxier.go).
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bench/kubeproxy/chain_hash.h"
#include "bench/kubeproxy/service_port_view.h"

namespace sluice::kubeproxy {
namespace {

// kube-proxy switches to "large cluster mode" above this many endpoints.
constexpr size_t kLargeClusterEndpointsThreshold = 1000;

constexpr std::string_view kServicesChain = "KUBE-SERVICES";
constexpr std::string_view kExternalServicesChain = "KUBE-EXTERNAL-SERVICES";
constexpr std::string_view kNodePortsChain = "KUBE-NODEPORTS";
constexpr std::string_view kPostroutingChain = "KUBE-POSTROUTING";
constexpr std::string_view kMarkMasqChain = "KUBE-MARK-MASQ";
constexpr std::string_view kForwardChain = "KUBE-FORWARD";
constexpr std::string_view kProxyFirewallChain = "KUBE-PROXY-FIREWALL";
constexpr std::string_view kKubeletFirewallChain = "KUBE-FIREWALL";

std::string Quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

// Appends space-separated words and a newline; empty words are skipped, so optional
// matches can be passed as "".
class Lines {
 public:
  template <typename... Words>
  void Write(Words&&... words) {
    bool first = true;
    (Append(first, std::string_view(words)), ...);
    text_ += '\n';
    ++count_;
  }
  void WriteChain(std::string_view chain) {
    text_ += ':';
    text_ += chain;
    text_ += " - [0:0]\n";
    ++count_;
  }
  const std::string& text() const { return text_; }
  size_t count() const { return count_; }
  void Reserve(size_t bytes) { text_.reserve(bytes); }

 private:
  void Append(bool& first, std::string_view word) {
    if (word.empty()) return;
    if (!first) text_ += ' ';
    text_ += word;
    first = false;
  }
  std::string text_;
  size_t count_ = 0;
};

struct JumpRule {
  std::string_view table;  // "filter" / "nat"
  std::string_view dst;
  std::string_view src;
  std::string_view comment;
  std::string_view extra;  // "-m conntrack --ctstate NEW" or ""
};

// iptablesJumpChains, in kube-proxy's order; each is `iptables -I`-ed.
constexpr JumpRule kJumpRules[] = {
    {"filter", kExternalServicesChain, "INPUT", "kubernetes externally-visible service portals",
     "-m conntrack --ctstate NEW"},
    {"filter", kExternalServicesChain, "FORWARD", "kubernetes externally-visible service portals",
     "-m conntrack --ctstate NEW"},
    {"filter", kNodePortsChain, "INPUT", "kubernetes health check service ports", ""},
    {"filter", kServicesChain, "FORWARD", "kubernetes service portals",
     "-m conntrack --ctstate NEW"},
    {"filter", kServicesChain, "OUTPUT", "kubernetes service portals",
     "-m conntrack --ctstate NEW"},
    {"filter", kForwardChain, "FORWARD", "kubernetes forwarding rules", ""},
    {"filter", kProxyFirewallChain, "INPUT", "kubernetes load balancer firewall",
     "-m conntrack --ctstate NEW"},
    {"filter", kProxyFirewallChain, "OUTPUT", "kubernetes load balancer firewall",
     "-m conntrack --ctstate NEW"},
    {"filter", kProxyFirewallChain, "FORWARD", "kubernetes load balancer firewall",
     "-m conntrack --ctstate NEW"},
    {"nat", kServicesChain, "OUTPUT", "kubernetes service portals", ""},
    {"nat", kServicesChain, "PREROUTING", "kubernetes service portals", ""},
    {"nat", kPostroutingChain, "POSTROUTING", "kubernetes postrouting rules", ""},
};

class IptablesGenerator {
 public:
  IptablesGenerator(const RulesetOptions& options, IpFamily family, bool large_cluster_mode)
      : options_(options),
        is_ipv6_(family == IpFamily::kV6),
        large_cluster_mode_(large_cluster_mode),
        mark_(MasqueradeMark(options.masquerade_bit)),
        mark_mask_(mark_ + "/" + mark_) {
    if (const IpPrefix* cidr = FirstOfFamily(options.cluster_cidrs, family))
      cluster_cidr_ = cidr->ToString();
    for (const IpAddress& ip : options.node_ips)
      if (ip.family() == family) node_ips_.push_back(ip);
  }

  Ruleset Generate(const std::vector<ServicePortView>& views) {
    // Sized up front (from what 10 endpoints per port take): at 100k Services the
    // buffers reach hundreds of MB, and regrowing them was a third of the time.
    size_t endpoints = 0;
    for (const ServicePortView& view : views) endpoints += view.reachable_endpoints.size();
    nat_chains_.Reserve(4096 + views.size() * 100 + endpoints * 40);
    nat_rules_.Reserve(4096 + views.size() * 800 + endpoints * 360);
    WriteTopLevel();
    for (const ServicePortView& view : views) WriteServicePort(view);
    WriteTrailer();

    Ruleset out;
    out.text.reserve(filter_chains_.text().size() + filter_rules_.text().size() +
                     nat_chains_.text().size() + nat_rules_.text().size() + 64);
    out.text += "*filter\n";
    out.text += filter_chains_.text();
    out.text += filter_rules_.text();
    out.text += "COMMIT\n*nat\n";
    out.text += nat_chains_.text();
    out.text += nat_rules_.text();
    out.text += "COMMIT\n";
    out.stats.service_ports = views.size();
    out.stats.endpoints = endpoint_chains_;
    out.stats.chains = filter_chains_.count() + nat_chains_.count();
    out.stats.rules = filter_rules_.count() + nat_rules_.count();
    return out;
  }

 private:
  void WriteTopLevel() {
    for (std::string_view chain : {kServicesChain, kExternalServicesChain, kForwardChain,
                                   kNodePortsChain, kProxyFirewallChain})
      filter_chains_.WriteChain(chain);
    for (std::string_view chain : {kServicesChain, kNodePortsChain, kPostroutingChain,
                                   kMarkMasqChain})
      nat_chains_.WriteChain(chain);
    // kubelet's KUBE-FIREWALL exists on every node; kube-proxy ensures it and its jumps.
    if (options_.include_builtin_jumps || WritesLocalhostGuard())
      filter_chains_.WriteChain(kKubeletFirewallChain);

    if (options_.include_builtin_jumps) {
      // kubelet's jumps were there first; kube-proxy's prepends land in front of them.
      for (std::string_view builtin : {"INPUT", "OUTPUT"})
        filter_rules_.Write("-I", builtin, "-j", kKubeletFirewallChain);
      for (const JumpRule& jump : kJumpRules) {
        Lines& rules = jump.table == "filter" ? filter_rules_ : nat_rules_;
        rules.Write("-I", jump.src, jump.extra, "-m comment --comment", Quoted(jump.comment),
                    "-j", jump.dst);
      }
    }

    nat_rules_.Write("-A", kPostroutingChain, "-m mark ! --mark", mark_mask_, "-j RETURN");
    nat_rules_.Write("-A", kPostroutingChain, "-j MARK --xor-mark", mark_);
    nat_rules_.Write("-A", kPostroutingChain,
                     "-m comment --comment \"kubernetes service traffic requiring SNAT\"",
                     "-j MASQUERADE", options_.random_fully ? "--random-fully" : "");
    nat_rules_.Write("-A", kMarkMasqChain, "-j MARK --or-mark", mark_);

    if (WritesLocalhostGuard()) {
      filter_rules_.Write("-A", kKubeletFirewallChain,
                          "-m comment --comment \"block incoming localnet connections\"",
                          "-d 127.0.0.0/8 ! -s 127.0.0.0/8",
                          "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
    }
  }

  bool WritesLocalhostGuard() const { return !is_ipv6_ && options_.localhost_nodeports; }

  // -m comment --comment <text>, or nothing in large cluster mode.
  std::string ServiceComment(std::string_view text) const {
    if (large_cluster_mode_) return {};
    return "-m comment --comment " + std::string(text);
  }

  void WriteServicePort(const ServicePortView& view) {
    const std::string& name = view.name;
    std::string_view protocol = view.protocol;
    const std::string proto_match = "-m " + std::string(protocol) + " -p " + std::string(protocol);
    const std::string port = std::to_string(view.port->port);
    const std::string cluster_ip = view.cluster_ip.ToString();

    const std::string hash = PortProtoHash(sha_, name, protocol);
    const std::string cluster_chain = "KUBE-SVC-" + hash;
    const std::string local_chain = "KUBE-SVL-" + hash;
    const std::string external_chain = "KUBE-EXT-" + hash;
    const std::string firewall_chain = "KUBE-FW-" + hash;

    const bool uses_cluster_chain =
        !view.cluster_endpoints.empty() && view.UsesClusterEndpoints();
    const bool uses_local_chain = !view.local_endpoints.empty() && view.UsesLocalEndpoints();

    std::string internal_chain = cluster_chain;
    bool has_internal_endpoints = view.has_endpoints;
    if (view.internal_policy_local) {
      internal_chain = local_chain;
      if (view.local_endpoints.empty()) has_internal_endpoints = false;
    }
    std::string external_policy_chain = cluster_chain;
    bool has_external_endpoints = view.has_endpoints;
    if (view.external_policy_local) {
      external_policy_chain = local_chain;
      if (view.local_endpoints.empty()) has_external_endpoints = false;
    }
    const bool uses_external_chain = view.has_endpoints && view.ExternallyAccessible();

    std::string load_balancer_chain = external_chain;
    const bool uses_firewall_chain =
        view.has_endpoints && !view.load_balancer_ips.empty() && !view.source_ranges.empty();
    if (uses_firewall_chain) load_balancer_chain = firewall_chain;

    std::string internal_filter_target, internal_filter_comment;
    std::string external_filter_target, external_filter_comment;
    if (!view.has_endpoints) {
      internal_filter_target = "REJECT";
      internal_filter_comment = Quoted(name + " has no endpoints");
      external_filter_target = "REJECT";
      external_filter_comment = internal_filter_comment;
    } else {
      if (!has_internal_endpoints) {
        internal_filter_target = "DROP";
        internal_filter_comment = Quoted(name + " has no local endpoints");
      }
      if (!has_external_endpoints) {
        external_filter_target = "DROP";
        external_filter_comment = Quoted(name + " has no local endpoints");
      }
    }

    // Capture the clusterIP.
    if (has_internal_endpoints) {
      nat_rules_.Write("-A", kServicesChain, "-m comment --comment", Quoted(name + " cluster IP"),
                       proto_match, "-d", cluster_ip, "--dport", port, "-j", internal_chain);
    } else {
      filter_rules_.Write("-A", kServicesChain, "-m comment --comment", internal_filter_comment,
                          proto_match, "-d", cluster_ip, "--dport", port, "-j",
                          internal_filter_target);
    }

    // Capture externalIPs.
    for (const IpAddress& ip : view.external_ips) {
      const std::string address = ip.ToString();
      if (view.has_endpoints) {
        nat_rules_.Write("-A", kServicesChain, "-m comment --comment",
                         Quoted(name + " external IP"), proto_match, "-d", address, "--dport",
                         port, "-j", external_chain);
      }
      if (!has_external_endpoints) {
        filter_rules_.Write("-A", kExternalServicesChain, "-m comment --comment",
                            external_filter_comment, proto_match, "-d", address, "--dport", port,
                            "-j", external_filter_target);
      }
    }

    // Capture load-balancer ingress.
    for (const IpAddress& ip : view.load_balancer_ips) {
      const std::string address = ip.ToString();
      if (view.has_endpoints) {
        nat_rules_.Write("-A", kServicesChain, "-m comment --comment",
                         Quoted(name + " loadbalancer IP"), proto_match, "-d", address,
                         "--dport", port, "-j", load_balancer_chain);
      }
      if (uses_firewall_chain) {
        filter_rules_.Write("-A", kProxyFirewallChain, "-m comment --comment",
                            Quoted(name + " traffic not accepted by " + firewall_chain),
                            proto_match, "-d", address, "--dport", port, "-j DROP");
      }
    }
    if (!has_external_endpoints) {
      for (const IpAddress& ip : view.load_balancer_ips) {
        filter_rules_.Write("-A", kExternalServicesChain, "-m comment --comment",
                            external_filter_comment, proto_match, "-d", ip.ToString(), "--dport",
                            port, "-j", external_filter_target);
      }
    }

    // Capture nodeports.
    if (view.node_port != 0) {
      const std::string node_port = std::to_string(view.node_port);
      if (view.has_endpoints) {
        nat_rules_.Write("-A", kNodePortsChain, "-m comment --comment", name, proto_match,
                         "--dport", node_port, "-j", external_chain);
      }
      if (!has_external_endpoints) {
        filter_rules_.Write("-A", kExternalServicesChain, "-m comment --comment",
                            external_filter_comment, "-m addrtype --dst-type LOCAL", proto_match,
                            "--dport", node_port, "-j", external_filter_target);
      }
    }

    // Capture healthCheckNodePorts.
    if (view.health_check_node_port != 0) {
      filter_rules_.Write("-A", kNodePortsChain, "-m comment --comment",
                          Quoted(name + " health check node port"), "-m tcp -p tcp --dport",
                          std::to_string(view.health_check_node_port), "-j ACCEPT");
    }

    // Internal traffic handling: masquerade what does not come from a Pod.
    if (has_internal_endpoints) {
      if (options_.masquerade_all) {
        nat_rules_.Write("-A", internal_chain, "-m comment --comment",
                         Quoted(name + " cluster IP"), proto_match, "-d", cluster_ip, "--dport",
                         port, "-j", kMarkMasqChain);
      } else if (!cluster_cidr_.empty()) {
        nat_rules_.Write("-A", internal_chain, "-m comment --comment",
                         Quoted(name + " cluster IP"), proto_match, "-d", cluster_ip, "--dport",
                         port, "! -s", cluster_cidr_, "-j", kMarkMasqChain);
      }
    }

    // External traffic handling.
    if (uses_external_chain) {
      nat_chains_.WriteChain(external_chain);
      if (!view.external_policy_local) {
        nat_rules_.Write("-A", external_chain, "-m comment --comment",
                         Quoted("masquerade traffic for " + name + " external destinations"),
                         "-j", kMarkMasqChain);
      } else {
        if (!cluster_cidr_.empty()) {
          nat_rules_.Write("-A", external_chain, "-m comment --comment",
                           Quoted("pod traffic for " + name + " external destinations"), "-s",
                           cluster_cidr_, "-j", cluster_chain);
        }
        nat_rules_.Write("-A", external_chain, "-m comment --comment",
                         Quoted("masquerade LOCAL traffic for " + name + " external destinations"),
                         "-m addrtype --src-type LOCAL -j", kMarkMasqChain);
        nat_rules_.Write("-A", external_chain, "-m comment --comment",
                         Quoted("route LOCAL traffic for " + name + " external destinations"),
                         "-m addrtype --src-type LOCAL -j", cluster_chain);
      }
      if (has_external_endpoints) nat_rules_.Write("-A", external_chain, "-j", external_policy_chain);
    }

    // The loadBalancerSourceRanges firewall.
    if (uses_firewall_chain) {
      nat_chains_.WriteChain(firewall_chain);
      const std::string comment = Quoted(name + " loadbalancer IP");
      bool allow_from_node = false;
      for (const IpPrefix& range : view.source_ranges) {
        nat_rules_.Write("-A", firewall_chain, "-m comment --comment", comment, "-s",
                         range.ToString(), "-j", external_chain);
        for (const IpAddress& node_ip : node_ips_)
          if (range.Contains(node_ip)) allow_from_node = true;
      }
      if (allow_from_node) {
        for (const IpAddress& ip : view.load_balancer_ips)
          nat_rules_.Write("-A", firewall_chain, "-m comment --comment", comment, "-s",
                           ip.ToString(), "-j", external_chain);
      }
      nat_rules_.Write("-A", firewall_chain, "-m comment --comment",
                       Quoted("other traffic to " + name + " will be dropped by KUBE-PROXY-FIREWALL"));
    }

    if (uses_cluster_chain) {
      nat_chains_.WriteChain(cluster_chain);
      WriteServiceToEndpointRules(view, cluster_chain, view.cluster_endpoints);
    }
    if (uses_local_chain) {
      nat_chains_.WriteChain(local_chain);
      WriteServiceToEndpointRules(view, local_chain, view.local_endpoints);
    }

    // The per-endpoint chains.
    for (const EndpointView& endpoint : view.reachable_endpoints) {
      const std::string& chain = EndpointChain(view, endpoint);
      nat_chains_.WriteChain(chain);
      ++endpoint_chains_;
      const std::string comment = ServiceComment(name);
      nat_rules_.Write("-A", chain, comment, "-s", endpoint.address.ToString(), "-j",
                       kMarkMasqChain);
      std::string affinity;
      if (view.affinity) affinity = "-m recent --name " + chain + " --set";
      nat_rules_.Write("-A", chain, comment, affinity, proto_match, "-j DNAT --to-destination",
                       endpoint.text);
    }
  }

  void WriteServiceToEndpointRules(const ServicePortView& view, const std::string& chain,
                                   const std::vector<EndpointView>& endpoints) {
    if (view.affinity) {
      const std::string seconds = std::to_string(view.affinity_timeout);
      for (const EndpointView& endpoint : endpoints) {
        const std::string& endpoint_chain = EndpointChain(view, endpoint);
        nat_rules_.Write("-A", chain, ServiceComment(Quoted(view.name + " -> " + endpoint.text)),
                         "-m recent --name", endpoint_chain, "--rcheck --seconds", seconds,
                         "--reap -j", endpoint_chain);
      }
    }
    const size_t n = endpoints.size();
    for (size_t i = 0; i < n; ++i) {
      const EndpointView& endpoint = endpoints[i];
      std::string statistic;
      if (i + 1 < n) statistic = "-m statistic --mode random --probability " + Probability(n - i);
      nat_rules_.Write("-A", chain, ServiceComment(Quoted(view.name + " -> " + endpoint.text)),
                       statistic, "-j", EndpointChain(view, endpoint));
    }
  }

  // KUBE-SEP-<hash of "ns/name:port" + protocol + "ip:port">, computed once per endpoint
  // of the current service port (a chain is named in up to three rules).
  const std::string& EndpointChain(const ServicePortView& view, const EndpointView& endpoint) {
    if (cached_view_ != &view) {
      cached_view_ = &view;
      endpoint_chain_cache_.clear();
    }
    auto [it, inserted] = endpoint_chain_cache_.try_emplace(endpoint.text);
    if (inserted)
      it->second = "KUBE-SEP-" + EndpointHash(sha_, view.name, view.protocol, endpoint.text);
    return it->second;
  }

  const std::string& Probability(size_t n) {
    while (probabilities_.size() <= n)
      probabilities_.push_back(probabilities_.empty() ? "<bad value>"
                                                      : StatisticProbability(probabilities_.size()));
    return probabilities_[n];
  }

  void WriteTrailer() {
    // The tail call to KUBE-NODEPORTS: after every other service portal rule.
    const char* kNodePortsComment =
        "\"kubernetes service nodeports; NOTE: this must be the last rule in this chain\"";
    if (options_.nodeport_addresses_all) {
      std::string exclude;
      if (is_ipv6_)
        exclude = "! -d ::1/128";
      else if (!options_.localhost_nodeports)
        exclude = "! -d 127.0.0.0/8";
      nat_rules_.Write("-A", kServicesChain, "-m comment --comment", kNodePortsComment,
                       "-m addrtype --dst-type LOCAL", exclude, "-j", kNodePortsChain);
    } else {
      for (const IpAddress& ip : node_ips_)
        nat_rules_.Write("-A", kServicesChain, "-m comment --comment", kNodePortsComment, "-d",
                         ip.ToString(), "-j", kNodePortsChain);
    }

    if (!options_.conntrack_tcp_liberal)
      filter_rules_.Write("-A", kForwardChain, "-m conntrack --ctstate INVALID -j DROP");
    filter_rules_.Write("-A", kForwardChain,
                        "-m comment --comment \"kubernetes forwarding rules\" -m mark --mark",
                        mark_mask_, "-j ACCEPT");
    filter_rules_.Write("-A", kForwardChain,
                        "-m comment --comment \"kubernetes forwarding conntrack rule\"",
                        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
  }

  const RulesetOptions& options_;
  bool is_ipv6_;
  bool large_cluster_mode_;
  std::string mark_;
  std::string mark_mask_;
  std::string cluster_cidr_;  // "" without a local detector
  std::vector<IpAddress> node_ips_;
  Sha256 sha_;
  Lines filter_chains_, filter_rules_, nat_chains_, nat_rules_;
  size_t endpoint_chains_ = 0;
  std::vector<std::string> probabilities_;
  const ServicePortView* cached_view_ = nullptr;
  std::unordered_map<std::string, std::string> endpoint_chain_cache_;  // text -> chain
};

}  // namespace

Ruleset BuildIptablesRuleset(std::span<const model::Service> services,
                             std::span<const model::EndpointSlice> slices,
                             const RulesetOptions& options, IpFamily family) {
  size_t total_endpoints = 0;
  std::vector<ServicePortView> views =
      BuildServicePortViews(services, slices, options, family, &total_endpoints);
  bool large = options.large_cluster_mode.value_or(total_endpoints >
                                                   kLargeClusterEndpointsThreshold);
  return IptablesGenerator(options, family, large).Generate(views);
}

}  // namespace sluice::kubeproxy
