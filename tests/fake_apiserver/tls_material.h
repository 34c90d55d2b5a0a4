// A throwaway PKI for one fake API server: a CA, a server certificate for the
// addresses the server listens on (IP SANs, as a kubeconfig names the server by IP),
// and a client certificate for tests of client-certificate authentication. Keys are
// ECDSA P-256, made with the OpenSSL API; everything is written as PEM into one
// directory.
#pragma once

#include <string>
#include <vector>

namespace sluice::fake_apiserver {

struct TlsMaterial {
  std::string dir;
  std::string ca_cert_path, ca_cert_pem;
  std::string server_cert_path, server_key_path;
  std::string client_cert_path, client_key_path;
  std::string client_cert_pem, client_key_pem;
};

// Writes ca.crt, server.crt, server.key, client.crt and client.key into `dir`
// (which must exist). `ip_sans` are IPv4/IPv6 literals, `dns_sans` host names.
// Throws std::runtime_error with OpenSSL's reason on failure.
TlsMaterial GenerateTlsMaterial(const std::string& dir, const std::vector<std::string>& ip_sans,
                                const std::vector<std::string>& dns_sans);

}  // namespace sluice::fake_apiserver
