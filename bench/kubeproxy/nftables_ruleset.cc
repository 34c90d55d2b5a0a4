// kube-proxy's nftables mode: the transaction of one full syncProxyRules() into a fresh
// table, in its order (pkg/proxy/nftables/proxier.go: setupNFTables, then per service
// port the chains, the map elements, then the rules).
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bench/kubeproxy/chain_hash.h"
#include "bench/kubeproxy/service_port_view.h"

namespace sluice::kubeproxy {
namespace {

constexpr std::string_view kTable = "kube-proxy";

class NftablesGenerator {
 public:
  NftablesGenerator(const RulesetOptions& options, IpFamily family)
      : options_(options),
        ip_(family == IpFamily::kV6 ? "ip6" : "ip"),
        addr_type_(family == IpFamily::kV6 ? "ipv6_addr" : "ipv4_addr"),
        no_localhost_(family == IpFamily::kV6 ? "ip6 daddr != ::1" : "ip daddr != 127.0.0.0/8"),
        mark_(MasqueradeMark(options.masquerade_bit)) {
    if (const IpPrefix* cidr = FirstOfFamily(options.cluster_cidrs, family))
      cluster_cidr_ = cidr->ToString();
    for (const IpAddress& ip : options.node_ips)
      if (ip.family() == family) node_ips_.push_back(ip);
    for (const IpPrefix& cidr : options.service_cidrs) {
      if (cidr.address.family() != family) continue;
      if (!service_cidrs_.empty()) service_cidrs_ += ",";
      service_cidrs_ += cidr.ToString();
    }
  }

  Ruleset Generate(const std::vector<ServicePortView>& views) {
    size_t endpoints = 0;
    for (const ServicePortView& view : views) endpoints += view.reachable_endpoints.size();
    text_.reserve(16384 + views.size() * 1400 + endpoints * 500);  // no regrowth at scale
    // Start from nothing: `add` + `delete` removes a table left by an earlier load.
    Line("add table", "");
    Line("delete table", "");
    Setup();
    for (const ServicePortView& view : views) WriteServicePort(view);
    Ruleset out;
    out.text = std::move(text_);
    out.stats = stats_;
    out.stats.service_ports = views.size();
    return out;
  }

 private:
  // "<verb> ip kube-proxy <rest>"; for tables the rest is empty and the space dropped.
  void Line(std::string_view verb, std::string_view rest) {
    text_ += verb;
    text_ += ' ';
    text_ += ip_;
    text_ += ' ';
    text_ += kTable;
    if (!rest.empty()) {
      text_ += ' ';
      text_ += rest;
    }
    text_ += '\n';
  }
  void Chain(std::string_view name, std::string_view spec = {}) {
    std::string rest(name);
    if (!spec.empty()) rest += " { " + std::string(spec) + " ; }";
    Line("add chain", rest);
    ++stats_.chains;
  }
  template <typename... Words>
  void Rule(std::string_view chain, Words&&... words) {
    std::string rest(chain);
    ((Append(rest, std::string_view(words))), ...);
    Line("add rule", rest);
    ++stats_.rules;
  }
  void Element(std::string_view container, std::string_view element) {
    Line("add element", std::string(container) + " { " + std::string(element) + " }");
    ++stats_.elements;
  }
  static void Append(std::string& out, std::string_view word) {
    if (word.empty()) return;
    out += ' ';
    out += word;
  }
  static std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

  bool NodePortsOnAllAddresses() const { return node_ips_.empty(); }

  void Setup() {
    text_ += "add table " + std::string(ip_) + " " + std::string(kTable) +
             " { comment \"rules for kube-proxy\" ; }\n";

    // Base chains: "${type}-${hook}", filter ones before DNAT where they must see the
    // Service address.
    Chain("filter-prerouting-pre-dnat", "type filter hook prerouting priority -110");
    Chain("filter-output-pre-dnat", "type filter hook output priority -110");
    Chain("filter-input", "type filter hook input priority 0");
    Chain("filter-forward", "type filter hook forward priority 0");
    Chain("filter-output", "type filter hook output priority 0");
    Chain("nat-prerouting", "type nat hook prerouting priority -100");
    Chain("nat-output", "type nat hook output priority -100");
    Chain("nat-postrouting", "type nat hook postrouting priority 100");

    // Jump chains, each created on first mention, and the jumps to them.
    struct Jump {
      std::string_view dst, src, extra;
    };
    static constexpr Jump kJumps[] = {
        {"nodeport-endpoints-check", "filter-input", "ct state new"},
        {"service-endpoints-check", "filter-input", "ct state new"},
        {"service-endpoints-check", "filter-forward", "ct state new"},
        {"service-endpoints-check", "filter-output", "ct state new"},
        {"firewall-check", "filter-prerouting-pre-dnat", "ct state new"},
        {"firewall-check", "filter-output-pre-dnat", "ct state new"},
        {"services", "nat-output", ""},
        {"services", "nat-prerouting", ""},
        {"masquerading", "nat-postrouting", ""},
        {"cluster-ips-check", "filter-forward", "ct state new"},
        {"cluster-ips-check", "filter-output", "ct state new"},
    };
    std::vector<std::string_view> created;
    auto ensure = [&](std::string_view chain) {
      for (std::string_view c : created)
        if (c == chain) return;
      created.push_back(chain);
      Chain(chain);
    };
    for (const Jump& jump : kJumps) {
      ensure(jump.dst);
      Rule(jump.src, jump.extra, "jump", jump.dst);
    }
    for (std::string_view chain : {"services", "cluster-ips-check", "masquerading",
                                   "mark-for-masquerade"})
      ensure(chain);

    Rule("mark-for-masquerade", "mark set mark or", mark_);
    Rule("masquerading", "mark and", mark_, "== 0 return");
    Rule("masquerading", "mark set mark xor", mark_);
    Rule("masquerading", "masquerade fully-random");

    Line("add set", "cluster-ips { type " + std::string(addr_type_) +
                        " ; comment \"Active ClusterIPs\" ; }");
    Rule("cluster-ips-check", ip_, "daddr @cluster-ips reject",
         "comment \"Reject traffic to invalid ports of ClusterIPs\"");
    if (!service_cidrs_.empty()) {
      Rule("cluster-ips-check", ip_, "daddr {", service_cidrs_, "} drop",
           "comment \"Drop traffic to unallocated ClusterIPs\"");
    }

    if (!NodePortsOnAllAddresses()) {
      Line("add set", "nodeport-ips { type " + std::string(addr_type_) +
                          " ; comment \"IPs that accept NodePort traffic\" ; }");
      for (const IpAddress& ip : node_ips_) Element("nodeport-ips", ip.ToString());
    }

    Line("add map", "no-endpoint-services { type " + std::string(addr_type_) +
                        " . inet_proto . inet_service : verdict ; comment \"vmap to drop or "
                        "reject packets to services with no endpoints\" ; }");
    Line("add map", "no-endpoint-nodeports { type inet_proto . inet_service : verdict ; "
                    "comment \"vmap to drop or reject packets to service nodeports with no "
                    "endpoints\" ; }");
    Chain("reject-chain", "comment \"helper for @no-endpoint-services / @no-endpoint-nodeports\"");
    Rule("reject-chain", "reject");
    Rule("service-endpoints-check", ip_,
         "daddr . meta l4proto . th dport vmap @no-endpoint-services");
    if (NodePortsOnAllAddresses()) {
      Rule("nodeport-endpoints-check", no_localhost_,
           "meta l4proto . th dport vmap @no-endpoint-nodeports");
    } else {
      Rule("nodeport-endpoints-check", ip_,
           "daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports");
    }

    Line("add map", "firewall-ips { type " + std::string(addr_type_) +
                        " . inet_proto . inet_service : verdict ; comment \"destinations that "
                        "are subject to LoadBalancerSourceRanges\" ; }");
    Rule("firewall-check", ip_, "daddr . meta l4proto . th dport vmap @firewall-ips");

    Line("add map", "service-ips { type " + std::string(addr_type_) +
                        " . inet_proto . inet_service : verdict ; comment \"ClusterIP, "
                        "ExternalIP and LoadBalancer IP traffic\" ; }");
    Line("add map", "service-nodeports { type inet_proto . inet_service : verdict ; comment "
                    "\"NodePort traffic\" ; }");
    Rule("services", ip_, "daddr . meta l4proto . th dport vmap @service-ips");
    if (NodePortsOnAllAddresses()) {
      Rule("services", "fib daddr type local", no_localhost_,
           "meta l4proto . th dport vmap @service-nodeports");
    } else {
      Rule("services", ip_, "daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports");
    }
  }

  void WriteServicePort(const ServicePortView& view) {
    const model::ObjectName& id = view.service->meta.id;
    const std::string& port_name = view.port->name;
    std::string_view protocol = view.protocol;
    const std::string port = std::to_string(view.port->port);
    const std::string cluster_ip = view.cluster_ip.ToString();

    std::string name = id.ns + "/" + id.name + "/" + std::string(protocol) + "/" + port_name;
    const std::string base = HashAndTruncate(sha_, name);
    const std::string cluster_chain = "service-" + base;
    const std::string local_chain = "local-" + base;
    const std::string external_chain = "external-" + base;
    const std::string firewall_chain = "firewall-" + base;

    // Endpoint chain and affinity set names, per reachable endpoint.
    std::vector<std::string> endpoint_bases;
    endpoint_bases.reserve(view.reachable_endpoints.size());
    std::unordered_map<std::string_view, size_t> endpoint_index;  // text -> position
    for (const EndpointView& endpoint : view.reachable_endpoints) {
      endpoint_index.emplace(endpoint.text, endpoint_bases.size());
      std::string host = endpoint.address.ToString();
      for (char& c : host)
        if (c == ':') c = '.';
      endpoint_bases.push_back(
          HashAndTruncate(sha_, name + "__" + host + "/" + std::to_string(endpoint.port)));
    }
    // Every endpoint of a policy set is in the reachable union.
    auto endpoint_base = [&](const EndpointView& endpoint) -> const std::string& {
      return endpoint_bases[endpoint_index.at(endpoint.text)];
    };

    for (const std::string& endpoint : endpoint_bases) Chain("endpoint-" + endpoint);
    stats_.endpoints += endpoint_bases.size();

    const bool uses_cluster_chain =
        !view.cluster_endpoints.empty() && view.UsesClusterEndpoints();
    if (uses_cluster_chain) Chain(cluster_chain);
    const bool uses_local_chain = !view.local_endpoints.empty() && view.UsesLocalEndpoints();
    if (uses_local_chain) Chain(local_chain);

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
    if (uses_external_chain) Chain(external_chain);

    std::string internal_verdict, external_verdict;
    if (!view.has_endpoints) {
      internal_verdict = "goto reject-chain";
      external_verdict = "goto reject-chain";
    } else {
      if (!has_internal_endpoints) internal_verdict = "drop";
      if (!has_external_endpoints) external_verdict = "drop";
    }
    const std::string comment = "comment " + Quoted(view.name);
    auto key = [&](const std::string& address) {
      return address + " . " + std::string(protocol) + " . " + port;
    };

    Element("cluster-ips", cluster_ip);
    if (has_internal_endpoints)
      Element("service-ips", key(cluster_ip) + " : goto " + internal_chain);
    else
      Element("no-endpoint-services", key(cluster_ip) + " " + comment + " : " + internal_verdict);

    for (const IpAddress& ip : view.external_ips) {
      const std::string address = ip.ToString();
      if (view.has_endpoints)
        Element("service-ips", key(address) + " : goto " + external_chain);
      if (!has_external_endpoints)
        Element("no-endpoint-services", key(address) + " " + comment + " : " + external_verdict);
    }

    const bool uses_firewall_chain = !view.load_balancer_ips.empty() && !view.source_ranges.empty();
    if (uses_firewall_chain) Chain(firewall_chain);
    for (const IpAddress& ip : view.load_balancer_ips) {
      const std::string address = ip.ToString();
      if (view.has_endpoints)
        Element("service-ips", key(address) + " : goto " + external_chain);
      if (uses_firewall_chain)
        Element("firewall-ips", key(address) + " : goto " + firewall_chain);
    }
    if (!has_external_endpoints) {
      for (const IpAddress& ip : view.load_balancer_ips)
        Element("no-endpoint-services",
                key(ip.ToString()) + " " + comment + " : " + external_verdict);
    }

    if (view.node_port != 0) {
      const std::string node_port = std::string(protocol) + " . " + std::to_string(view.node_port);
      if (view.has_endpoints)
        Element("service-nodeports", node_port + " : goto " + external_chain);
      if (!has_external_endpoints)
        Element("no-endpoint-nodeports", node_port + " " + comment + " : " + external_verdict);
    }

    // Internal traffic: masquerade what does not come from a Pod.
    if (has_internal_endpoints) {
      if (options_.masquerade_all) {
        Rule(internal_chain, ip_, "daddr", cluster_ip, "jump mark-for-masquerade");
      } else if (!cluster_cidr_.empty()) {
        Rule(internal_chain, ip_, "daddr", cluster_ip, ip_, "saddr !=", cluster_cidr_,
             "jump mark-for-masquerade");
      }
    }

    if (uses_external_chain) {
      if (!view.external_policy_local) {
        Rule(external_chain, "jump mark-for-masquerade");
      } else {
        if (!cluster_cidr_.empty()) {
          Rule(external_chain, ip_, "saddr", cluster_cidr_, "goto", cluster_chain,
               "comment \"short-circuit pod traffic\"");
        }
        Rule(external_chain, "fib saddr type local jump mark-for-masquerade",
             "comment \"masquerade local traffic\"");
        Rule(external_chain, "fib saddr type local goto", cluster_chain,
             "comment \"short-circuit local traffic\"");
      }
      if (has_external_endpoints) Rule(external_chain, "goto", external_policy_chain);
    }

    if (uses_firewall_chain) {
      std::string sources;
      bool allow_from_node = false;
      for (const IpPrefix& range : view.source_ranges) {
        if (!sources.empty()) sources += " , ";
        sources += range.ToString();
        for (const IpAddress& node_ip : node_ips_)
          if (range.Contains(node_ip)) allow_from_node = true;
      }
      if (allow_from_node)
        for (const IpAddress& ip : view.load_balancer_ips) sources += " , " + ip.ToString();
      Rule(firewall_chain, ip_, "saddr != {", sources, "} drop");
    }

    if (view.affinity) {
      for (const std::string& endpoint : endpoint_bases) {
        Line("add set", "affinity-" + endpoint + " { type " + std::string(addr_type_) +
                            " ; flags dynamic,timeout ; timeout " +
                            std::to_string(view.affinity_timeout) + "s ; }");
      }
    }

    auto write_service_to_endpoints = [&](const std::string& chain,
                                          const std::vector<EndpointView>& endpoints) {
      if (view.affinity) {
        for (const EndpointView& endpoint : endpoints) {
          const std::string& endpoint_name = endpoint_base(endpoint);
          Rule(chain, ip_, "saddr @affinity-" + endpoint_name, "goto endpoint-" + endpoint_name);
        }
      }
      std::string elements;
      for (size_t i = 0; i < endpoints.size(); ++i) {
        if (i != 0) elements += " , ";
        elements += std::to_string(i) + " : goto endpoint-" + endpoint_base(endpoints[i]);
      }
      Rule(chain, "numgen random mod", std::to_string(endpoints.size()), "vmap {", elements,
           "}");
    };
    if (uses_cluster_chain) write_service_to_endpoints(cluster_chain, view.cluster_endpoints);
    if (uses_local_chain) write_service_to_endpoints(local_chain, view.local_endpoints);

    for (size_t i = 0; i < view.reachable_endpoints.size(); ++i) {
      const EndpointView& endpoint = view.reachable_endpoints[i];
      const std::string chain = "endpoint-" + endpoint_bases[i];
      Rule(chain, ip_, "saddr", endpoint.address.ToString(), "jump mark-for-masquerade");
      if (view.affinity)
        Rule(chain, "update @affinity-" + endpoint_bases[i], "{", ip_, "saddr }");
      Rule(chain, "meta l4proto", protocol, "dnat to", endpoint.text);
    }
  }

  const RulesetOptions& options_;
  std::string_view ip_;
  std::string_view addr_type_;
  std::string_view no_localhost_;
  std::string mark_;
  std::string cluster_cidr_;   // "" without a local detector
  std::string service_cidrs_;  // "a,b" or ""
  std::vector<IpAddress> node_ips_;
  Sha256 sha_;
  std::string text_;
  RulesetStats stats_;
};

}  // namespace

Ruleset BuildNftablesRuleset(std::span<const model::Service> services,
                             std::span<const model::EndpointSlice> slices,
                             const RulesetOptions& options, IpFamily family) {
  std::vector<ServicePortView> views = BuildServicePortViews(services, slices, options, family);
  return NftablesGenerator(options, family).Generate(views);
}

std::string NftablesCleanupInput(IpFamily family) {
  const char* ip = family == IpFamily::kV6 ? "ip6" : "ip";
  return std::string("add table ") + ip + " kube-proxy\ndelete table " + ip + " kube-proxy\n";
}

}  // namespace sluice::kubeproxy
