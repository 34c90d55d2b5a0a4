// The hashing behind kube-proxy's chain names: SHA-256, then the first characters of
// its RFC 4648 base32 text (Go's base32.StdEncoding). Internal to sluice_kubeproxy_rules.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::kubeproxy {

// A reusable SHA-256 context: the generators hash a million names at 100k Services, so
// they keep one of these instead of setting up a digest per name.
class Sha256 {
 public:
  Sha256();
  // SHA-256 of the concatenation a + b + c.
  std::array<uint8_t, 32> Of(std::string_view a, std::string_view b = {},
                             std::string_view c = {});

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  struct MdFree {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
  };
  // Fetched once: EVP_sha256() looks the implementation up (under a lock) on every init.
  std::unique_ptr<EVP_MD, MdFree> md_;
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
};

// The first `chars` characters (at most 51) of the base32 encoding of `digest`.
std::string Base32Prefix(const std::array<uint8_t, 32>& digest, size_t chars);

// kube-proxy's portProtoHash (16 characters) and endpoint hash, with a caller's context.
std::string PortProtoHash(Sha256& sha, std::string_view service_port_name,
                          std::string_view protocol);
std::string EndpointHash(Sha256& sha, std::string_view service_port_name,
                         std::string_view protocol, std::string_view endpoint);
// nftables' hashAndTruncate(name): base32(sha256(name))[:8] + "-" + name, at most 240.
std::string HashAndTruncate(Sha256& sha, std::string name);

}  // namespace sluice::kubeproxy
