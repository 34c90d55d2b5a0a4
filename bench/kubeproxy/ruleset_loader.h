// Loading kube-proxy rulesets (kube_proxy_rules.h) into a network namespace and removing
// them again, timed: iptables-restore (legacy or nft flavour) or nft -f, run through
// `nsenter --net=/run/netns/<name>`. Only namespaces under /run/netns are accepted, so
// nothing ever lands in the root namespace by mistake. Needs root.
//
//   LoadResult r = LoadRuleset("sl-ab12cd-node1", Backend::kIptablesLegacy,
//                              IpFamily::kV4, ruleset.text);
//   if (!r.ok) ... r.error;   r.elapsed: the loader process from exec to exit
//   FlushRuleset("sl-ab12cd-node1", Backend::kIptablesLegacy, IpFamily::kV4);
//
// Loading is not idempotent for iptables: the jumps from the built-in chains are `-I`
// lines (kube-proxy inserts them once), so FlushRuleset before loading again.
//
// Measured with the 10-endpoints-per-Service synthetic set (synthetic_set.h), IPv4,
// on this 2-core machine while it ran at a load average of 12-18 (other work), so
// read them as orders of magnitude, not figures:
//   Services   iptables-legacy   iptables-nft (--noflush / without)   nftables
//   1k         0.5 s             13 s / 0.9 s                          1.8 s
//   10k        22-42 s           >600 s / 35-78 s                      61-97 s
// (1k: 32k rules; 10k: 320k iptables rules, 220k nftables rules + 20k elements).
//
// (library sluice_kubeproxy_loader)
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/ip_address.h"

namespace sluice::kubeproxy {

enum class Backend {
  kIptablesLegacy,  // iptables-legacy-restore / ip6tables-legacy-restore
  kIptablesNft,     // iptables-nft-restore / ip6tables-nft-restore
  kNftables,        // nft -f
};

const char* BackendName(Backend backend);  // "iptables-legacy", "iptables-nft", "nftables"

struct LoadResult {
  bool ok = false;
  std::string error{};  // the tool's stderr (or why it could not run) when !ok
  std::chrono::nanoseconds elapsed{0};
};

struct LoadOptions {
  std::chrono::seconds timeout{600};
  // iptables flavours: `--noflush`, as kube-proxy runs iptables-restore (other rules in
  // the filter and nat tables survive). iptables-nft-restore 1.8.9 (Debian 12) is
  // quadratic with it: 1k Services x 10 endpoints load in ~13 s with it and ~1 s
  // without, 10k did not finish in 10 minutes. In a namespace of its own a benchmark
  // may turn it off (the tables are then replaced whole); say so in its report.
  bool noflush = true;
};

// Loads `text` (IptablesRestoreInput / NftablesInput output of the same family) into
// `netns`. iptables flavours run `<tool>-restore -w <timeout> [--noflush] --counters
// FILE`, nftables `nft -f FILE`; the text goes through a temporary file.
LoadResult LoadRuleset(const std::string& netns, Backend backend, IpFamily family,
                       std::string_view text, const LoadOptions& options);
inline LoadResult LoadRuleset(const std::string& netns, Backend backend, IpFamily family,
                              std::string_view text,
                              std::chrono::seconds timeout = std::chrono::seconds(600)) {
  return LoadRuleset(netns, backend, family, text, LoadOptions{.timeout = timeout});
}

// Removes what kube-proxy would own in `netns` for that backend and family: iptables via
// `<tool>-save` then IptablesCleanupInput; nftables by deleting table ip/ip6 kube-proxy.
// ok when there was nothing to remove.
LoadResult FlushRuleset(const std::string& netns, Backend backend, IpFamily family,
                        std::chrono::seconds timeout = std::chrono::seconds(600));

// Runs `<tool>-save` (iptables flavours) or `nft list table ip|ip6 kube-proxy` in `netns`;
// "" when there is nothing. For tests and for a report's "rules loaded" count.
std::string DumpRuleset(const std::string& netns, Backend backend, IpFamily family);

}  // namespace sluice::kubeproxy
