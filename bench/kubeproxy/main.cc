// sluice-kube-proxy-rules: the rules kube-proxy would write for a Service/EndpointSlice
// set, printed (iptables-restore or nft -f input), or loaded into a network namespace and
// timed. The baseline of bench/ (BENCH.md).
//
//   sluice-kube-proxy-rules --manifests DIR [--mode iptables|nftables] [--family ipv6]
//       [--node-name N] [--node-ip IP]... [--cluster-cidr CIDR]... > rules.txt
//   sluice-kube-proxy-rules --synthetic 10000 --endpoints 10 --stats -o /dev/null
//   sluice-kube-proxy-rules --synthetic 1000 --load sl-ab12cd-node1 --backend legacy
//       [--flush-tables]   (iptables without --noflush: see ruleset_loader.h)
//   sluice-kube-proxy-rules --flush sl-ab12cd-node1 --backend nftables
//   iptables-save | sluice-kube-proxy-rules --cleanup   (cleanup input on stdout)
//
// Exit codes: 0 done, 1 input or load failed, 2 bad command line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "bench/kubeproxy/kube_proxy_rules.h"
#include "bench/kubeproxy/ruleset_loader.h"
#include "bench/kubeproxy/synthetic_set.h"
#include "k8s/manifest_decoder.h"

namespace {

using namespace sluice;
using namespace sluice::kubeproxy;
using Clock = std::chrono::steady_clock;

std::string ReadAll(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Files of a directory (YAML/JSON, sorted by name) or one file.
std::vector<std::filesystem::path> ManifestFiles(const std::string& path) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  if (fs::is_directory(path)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
      std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.emplace_back(path);
  }
  return files;
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

template <typename T>
bool ParseAll(const std::vector<std::string>& texts, std::vector<T>& out, const char* what) {
  for (const std::string& text : texts) {
    std::optional<T> parsed = T::Parse(text);
    if (!parsed) {
      std::cerr << "sluice-kube-proxy-rules: not " << what << ": " << text << "\n";
      return false;
    }
    out.push_back(*parsed);
  }
  return true;
}

// --mode nftables implies the nftables backend; for iptables rules, legacy or nft.
std::optional<Backend> ParseBackend(const std::string& mode, const std::string& backend) {
  if (mode == "nftables" || backend == "nftables") return Backend::kNftables;
  if (backend == "legacy" || backend == "iptables-legacy") return Backend::kIptablesLegacy;
  if (backend == "nft" || backend == "iptables-nft") return Backend::kIptablesNft;
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The rules kube-proxy (iptables or nftables mode) writes for a Service set"};
  std::vector<std::string> manifests;
  size_t synthetic = 0, endpoints = 10;
  std::string mode = "iptables", family_name = "ipv4", backend_name = "legacy";
  std::vector<std::string> node_ips, cluster_cidrs, service_cidrs;
  RulesetOptions options;
  std::string large = "auto", output, load_netns, flush_netns;
  bool no_localhost_nodeports = false, no_builtin_jumps = false, cleanup = false, stats = false;
  bool flush_tables = false;

  app.add_option("--manifests", manifests, "Service/EndpointSlice manifests (file or directory)");
  app.add_option("--synthetic", synthetic, "instead: N synthetic ClusterIP Services (IPv4)");
  app.add_option("--endpoints", endpoints, "endpoints per synthetic Service")->capture_default_str();
  app.add_option("--mode", mode, "iptables or nftables")
      ->check(CLI::IsMember({"iptables", "nftables"}))
      ->capture_default_str();
  app.add_option("--family", family_name, "ipv4 or ipv6")
      ->check(CLI::IsMember({"ipv4", "ipv6"}))
      ->capture_default_str();
  app.add_option("--node-name", options.node_name, "--hostname-override: local endpoints");
  app.add_option("--node-ip", node_ips, "node addresses (NodePorts; LB source ranges)");
  app.add_option("--cluster-cidr", cluster_cidrs, "--cluster-cidr (masquerade decisions)");
  app.add_option("--service-cidr", service_cidrs, "ServiceCIDRs (nftables cluster-ips-check)");
  app.add_flag("--masquerade-all", options.masquerade_all, "--masquerade-all");
  app.add_option("--masquerade-bit", options.masquerade_bit, "--iptables-masquerade-bit")
      ->capture_default_str();
  app.add_flag("--no-localhost-nodeports", no_localhost_nodeports,
               "--iptables-localhost-nodeports=false");
  app.add_option("--large-cluster-mode", large, "auto (over 1000 endpoints), on or off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  app.add_flag("--no-builtin-jumps", no_builtin_jumps,
               "iptables: leave the jumps from built-in chains out");
  app.add_option("--proxy-name", options.proxy_name, "service-proxy-name label to answer to");
  app.add_flag("--cleanup", cleanup,
               "print cleanup input instead (iptables: reads iptables-save output on stdin)");
  app.add_flag("--stats", stats, "print counts and generation time on stderr");
  app.add_option("-o,--output", output, "write the rules here instead of stdout");
  app.add_option("--load", load_netns, "load the rules into this network namespace, timed");
  app.add_option("--flush", flush_netns, "remove kube-proxy's rules from this namespace");
  app.add_flag("--flush-tables", flush_tables,
               "--load, iptables: without --noflush (replaces the tables; iptables-nft-restore "
               "is quadratic with --noflush)");
  app.add_option("--backend", backend_name, "for --load/--flush: legacy, nft (iptables) or nftables")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.localhost_nodeports = !no_localhost_nodeports;
  options.include_builtin_jumps = !no_builtin_jumps;
  if (large != "auto") options.large_cluster_mode = large == "on";
  const IpFamily family = family_name == "ipv6" ? IpFamily::kV6 : IpFamily::kV4;
  if (!ParseAll(node_ips, options.node_ips, "an IP address") ||
      !ParseAll(cluster_cidrs, options.cluster_cidrs, "a CIDR") ||
      !ParseAll(service_cidrs, options.service_cidrs, "a CIDR"))
    return 2;
  std::optional<Backend> backend = ParseBackend(mode, backend_name);
  if ((!load_netns.empty() || !flush_netns.empty()) && !backend) {
    std::cerr << "sluice-kube-proxy-rules: --backend must be legacy, nft or nftables\n";
    return 2;
  }
  if (!load_netns.empty() && mode == "iptables" && backend == Backend::kNftables) {
    std::cerr << "sluice-kube-proxy-rules: iptables rules load with --backend legacy or nft; "
                 "nftables rules need --mode nftables\n";
    return 2;
  }

  if (!flush_netns.empty()) {
    LoadResult result = FlushRuleset(flush_netns, *backend, family);
    if (!result.ok) {
      std::cerr << "sluice-kube-proxy-rules: " << result.error << "\n";
      return 1;
    }
    std::cerr << "flushed " << BackendName(*backend) << " rules in " << flush_netns << " in "
              << Seconds(result.elapsed) << " s\n";
    return 0;
  }

  if (cleanup) {
    std::string text = mode == "nftables" ? NftablesCleanupInput(family)
                                          : IptablesCleanupInput(ReadAll(std::cin));
    std::cout << text;
    return 0;
  }

  std::vector<model::Service> services;
  std::vector<model::EndpointSlice> slices;
  if (synthetic > 0) {
    SyntheticSet set = MakeSyntheticSet({.services = synthetic,
                                         .endpoints_per_service = endpoints,
                                         .node_name = options.node_name});
    services = std::move(set.services);
    slices = std::move(set.slices);
  }
  for (const std::string& path : manifests) {
    for (const std::filesystem::path& file : ManifestFiles(path)) {
      std::ifstream in(file);
      if (!in) {
        std::cerr << "sluice-kube-proxy-rules: cannot read " << file << "\n";
        return 1;
      }
      k8s::DecodedManifest decoded = k8s::DecodeManifest(ReadAll(in), file.filename().string());
      for (const k8s::DecodeFailure& failure : decoded.failures)
        std::cerr << "sluice-kube-proxy-rules: skipped " << failure.object << ": "
                  << failure.reason << "\n";
      std::move(decoded.services.begin(), decoded.services.end(), std::back_inserter(services));
      std::move(decoded.endpoint_slices.begin(), decoded.endpoint_slices.end(),
                std::back_inserter(slices));
    }
  }

  const Clock::time_point start = Clock::now();
  Ruleset ruleset = mode == "nftables" ? BuildNftablesRuleset(services, slices, options, family)
                                       : BuildIptablesRuleset(services, slices, options, family);
  const auto generated = Clock::now() - start;
  if (stats) {
    std::cerr << mode << " " << family_name << ": " << services.size() << " Services, "
              << ruleset.stats.service_ports << " service ports, " << ruleset.stats.endpoints
              << " endpoint chains, " << ruleset.stats.chains << " chains, "
              << ruleset.stats.rules << " rules, " << ruleset.stats.elements << " elements, "
              << ruleset.text.size() << " bytes, generated in " << Seconds(generated) << " s\n";
  }

  if (!load_netns.empty()) {
    LoadResult result =
        LoadRuleset(load_netns, *backend, family, ruleset.text, LoadOptions{.noflush = !flush_tables});
    if (!result.ok) {
      std::cerr << "sluice-kube-proxy-rules: " << result.error << "\n";
      return 1;
    }
    std::cerr << "loaded " << ruleset.stats.rules << " rules (" << BackendName(*backend)
              << ") into " << load_netns << " in " << Seconds(result.elapsed) << " s\n";
    if (output.empty()) return 0;
  }

  if (output.empty()) {
    std::cout << ruleset.text;
  } else {
    std::ofstream out(output, std::ios::binary);
    out << ruleset.text;
    if (!out) {
      std::cerr << "sluice-kube-proxy-rules: cannot write " << output << "\n";
      return 1;
    }
  }
  return 0;
}
