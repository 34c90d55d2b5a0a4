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
  std::string error;  // the tool's stderr (or why it could not run) when !ok
  std::chrono::nanoseconds elapsed{0};
};

// Loads `text` (IptablesRestoreInput / NftablesInput output of the same family) into
// `netns`. iptables flavours run `<tool>-restore --noflush --counters`, as kube-proxy
// does. The text goes through a temporary file (stdin of the tool).
LoadResult LoadRuleset(const std::string& netns, Backend backend, IpFamily family,
                       std::string_view text,
                       std::chrono::seconds timeout = std::chrono::seconds(600));

// Removes what kube-proxy would own in `netns` for that backend and family: iptables via
// `<tool>-save` then IptablesCleanupInput; nftables by deleting table ip/ip6 kube-proxy.
// ok when there was nothing to remove.
LoadResult FlushRuleset(const std::string& netns, Backend backend, IpFamily family,
                        std::chrono::seconds timeout = std::chrono::seconds(600));

// Runs `<tool>-save` (iptables flavours) or `nft list table ip|ip6 kube-proxy` in `netns`;
// "" when there is nothing. For tests and for a report's "rules loaded" count.
std::string DumpRuleset(const std::string& netns, Backend backend, IpFamily family);

}  // namespace sluice::kubeproxy
