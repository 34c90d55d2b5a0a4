// Throwaway TLS material for the API client's tests, made with the OpenSSL API at
// run time (nothing secret-looking is checked in): a CA, a server certificate for
// 127.0.0.1 and a client certificate signed by it, and an unrelated CA.
#pragma once

#include <string>
#include <string_view>

namespace sluice::k8s::testing {

struct PemPair {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key (PKCS#8)
};

struct TestPki {
  PemPair ca;        // signs server and client
  PemPair server;    // CN=sluice-test-apiserver, SAN IP:127.0.0.1
  PemPair client;    // CN=system:kube-proxy, clientAuth
  PemPair other_ca;  // signs nothing the server has: "the wrong CA"

  // Generated once per test process (EC P-256: milliseconds).
  static const TestPki& Get();
};

// Standard padded base64, as kubeconfig's *-data fields hold it.
std::string EncodeBase64(std::string_view bytes);

}  // namespace sluice::k8s::testing
