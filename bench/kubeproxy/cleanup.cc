// Removing kube-proxy's iptables rules from a namespace, as its CleanupLeftovers does:
// delete the jumps from the built-in chains, flush every KUBE-* chain, delete them.
#include <string>
#include <string_view>
#include <vector>

#include "bench/kubeproxy/kube_proxy_rules.h"

namespace sluice::kubeproxy {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

struct TableCleanup {
  std::string name;
  std::vector<std::string> chains;          // KUBE-* chains to flush and delete
  std::vector<std::string> foreign_jumps;   // rule specs (after "-A ") to delete
};

// The chain a "-A CHAIN ..." line appends to, and whether it jumps to a KUBE-* chain.
bool JumpsToKubeChain(std::string_view rule) {
  size_t jump = rule.find(" -j KUBE-");
  if (jump == std::string_view::npos) jump = rule.find(" -g KUBE-");
  return jump != std::string_view::npos;
}

}  // namespace

std::string IptablesCleanupInput(std::string_view save) {
  std::vector<TableCleanup> tables;
  TableCleanup* current = nullptr;
  size_t start = 0;
  while (start < save.size()) {
    size_t end = save.find('\n', start);
    if (end == std::string_view::npos) end = save.size();
    std::string_view line = save.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (StartsWith(line, "*")) {
      tables.emplace_back();
      tables.back().name = std::string(line.substr(1));
      current = &tables.back();
    } else if (current == nullptr || line.empty() || line[0] == '#') {
      continue;
    } else if (StartsWith(line, ":KUBE-")) {
      std::string_view chain = line.substr(1, line.find(' ') - 1);
      current->chains.emplace_back(chain);
    } else if (StartsWith(line, "-A ")) {
      std::string_view spec = line.substr(3);
      bool own_chain = StartsWith(spec, "KUBE-");
      if (!own_chain && JumpsToKubeChain(line)) current->foreign_jumps.emplace_back(spec);
    }
  }

  std::string out;
  for (const TableCleanup& table : tables) {
    if (table.chains.empty() && table.foreign_jumps.empty()) continue;
    out += "*" + table.name + "\n";
    for (const std::string& chain : table.chains) out += ":" + chain + " - [0:0]\n";
    for (const std::string& spec : table.foreign_jumps) out += "-D " + spec + "\n";
    for (const std::string& chain : table.chains) out += "-X " + chain + "\n";
    out += "COMMIT\n";
  }
  return out;
}

}  // namespace sluice::kubeproxy
