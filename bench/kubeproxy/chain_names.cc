// kube-proxy's names: ServicePortName strings, chain name hashes, probabilities, mark.
#include <cstdio>
#include <stdexcept>

#include "bench/kubeproxy/chain_hash.h"
#include "bench/kubeproxy/kube_proxy_rules.h"

namespace sluice::kubeproxy {

Sha256::Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
  if (!md_ || !ctx_) throw std::runtime_error("cannot set up SHA-256 (OpenSSL)");
}

std::array<uint8_t, 32> Sha256::Of(std::string_view a, std::string_view b, std::string_view c) {
  std::array<uint8_t, 32> digest{};
  unsigned int length = 0;
  bool ok = EVP_DigestInit_ex(ctx_.get(), md_.get(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx_.get(), a.data(), a.size()) == 1 &&
            EVP_DigestUpdate(ctx_.get(), b.data(), b.size()) == 1 &&
            EVP_DigestUpdate(ctx_.get(), c.data(), c.size()) == 1 &&
            EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length) == 1 && length == 32;
  if (!ok) throw std::runtime_error("SHA-256 failed");
  return digest;
}

std::string Base32Prefix(const std::array<uint8_t, 32>& digest, size_t chars) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve(chars);
  // Five bits at a time, most significant first, from a bit cursor over the digest.
  for (size_t bit = 0; out.size() < chars && bit < digest.size() * 8; bit += 5) {
    unsigned value = 0;
    for (size_t k = 0; k < 5; ++k) {
      size_t b = bit + k;
      unsigned set = b < digest.size() * 8 ? (digest[b / 8] >> (7 - b % 8)) & 1u : 0u;
      value = (value << 1) | set;
    }
    out.push_back(kAlphabet[value]);
  }
  return out;
}

std::string PortProtoHash(Sha256& sha, std::string_view service_port_name,
                          std::string_view protocol) {
  return Base32Prefix(sha.Of(service_port_name, protocol), 16);
}

std::string EndpointHash(Sha256& sha, std::string_view service_port_name,
                         std::string_view protocol, std::string_view endpoint) {
  return Base32Prefix(sha.Of(service_port_name, protocol, endpoint), 16);
}

namespace {

// nftables chain names may be 256 bytes; kube-proxy keeps 16 for its prefixes.
constexpr size_t kNftChainNameBaseMax = 256 - 16;

}  // namespace

std::string HashAndTruncate(Sha256& sha, std::string name) {
  std::string out = Base32Prefix(sha.Of(name), 8);
  out += '-';
  out += name;
  if (out.size() > kNftChainNameBaseMax) {
    out.resize(kNftChainNameBaseMax - 3);
    out += "...";
  }
  return out;
}

std::string ServicePortName(const model::ObjectName& service, std::string_view port_name) {
  std::string out = service.ns;
  out += '/';
  out += service.name;
  if (!port_name.empty()) {
    out += ':';
    out += port_name;
  }
  return out;
}

std::string_view LowerProtocol(model::Protocol protocol) {
  switch (protocol) {
    case model::Protocol::kTcp:
      return "tcp";
    case model::Protocol::kUdp:
      return "udp";
    case model::Protocol::kSctp:
      return "sctp";
  }
  return "tcp";
}

std::string EndpointString(const IpAddress& address, uint16_t port) {
  return address.WithPort(port);
}

std::string PortProtoHash(std::string_view service_port_name, std::string_view protocol) {
  Sha256 sha;
  return PortProtoHash(sha, service_port_name, protocol);
}

std::string IptablesServiceChain(std::string_view service_port_name, std::string_view protocol) {
  return "KUBE-SVC-" + PortProtoHash(service_port_name, protocol);
}
std::string IptablesLocalChain(std::string_view service_port_name, std::string_view protocol) {
  return "KUBE-SVL-" + PortProtoHash(service_port_name, protocol);
}
std::string IptablesExternalChain(std::string_view service_port_name, std::string_view protocol) {
  return "KUBE-EXT-" + PortProtoHash(service_port_name, protocol);
}
std::string IptablesFirewallChain(std::string_view service_port_name, std::string_view protocol) {
  return "KUBE-FW-" + PortProtoHash(service_port_name, protocol);
}

std::string IptablesEndpointChain(std::string_view service_port_name, std::string_view protocol,
                                  std::string_view endpoint) {
  Sha256 sha;
  return "KUBE-SEP-" + EndpointHash(sha, service_port_name, protocol, endpoint);
}

std::string StatisticProbability(size_t remaining_endpoints) {
  // Go's fmt.Sprintf("%0.10f", 1.0/float64(n)) and printf("%.10f") agree: both round
  // the exact binary value to nearest.
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.10f",
                1.0 / static_cast<double>(remaining_endpoints));
  return buffer;
}

namespace {

std::string NftServiceName(const model::ObjectName& service, std::string_view port_name,
                           std::string_view protocol) {
  std::string name = service.ns;
  name += '/';
  name += service.name;
  name += '/';
  name += protocol;
  name += '/';
  name += port_name;
  return name;
}

}  // namespace

std::string NftServiceChainBase(const model::ObjectName& service, std::string_view port_name,
                                std::string_view protocol) {
  Sha256 sha;
  return HashAndTruncate(sha, NftServiceName(service, port_name, protocol));
}

std::string NftEndpointChainBase(const model::ObjectName& service, std::string_view port_name,
                                 std::string_view protocol, std::string_view endpoint) {
  // "ip:port" or "[ip6]:port" → "ip/port" with an IPv6 address's colons as dots.
  std::string_view host = endpoint;
  std::string_view port;
  if (size_t colon = endpoint.rfind(':'); colon != std::string_view::npos) {
    host = endpoint.substr(0, colon);
    port = endpoint.substr(colon + 1);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string name = NftServiceName(service, port_name, protocol);
  name += "__";
  for (char c : host) name += c == ':' ? '.' : c;
  name += '/';
  name += port;
  Sha256 sha;
  return HashAndTruncate(sha, std::move(name));
}

std::string MasqueradeMark(int masquerade_bit) {
  // Go's "%#08x": eight zero-padded digits after the 0x prefix.
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "0x%08x", 1u << masquerade_bit);
  return buffer;
}

}  // namespace sluice::kubeproxy
