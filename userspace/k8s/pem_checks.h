// Early checks of the TLS material a kubeconfig or service account provides, so a
// wrong file is reported at start with the field that holds it instead of as an
// opaque handshake failure on the first request. Parsing is OpenSSL's.
#pragma once

#include <string_view>

namespace sluice::k8s {

// Each throws ConfigError (k8s/cluster_config.h) whose message starts with `what`,
// e.g. `cluster "kind": certificate-authority-data holds no PEM certificate`.

// At least one certificate, and nothing but certificates (a CA bundle).
void CheckCertificatesPem(std::string_view pem, std::string_view what);
// One private key (RSA, EC or Ed25519; PKCS#1, SEC1 or PKCS#8, unencrypted).
void CheckPrivateKeyPem(std::string_view pem, std::string_view what);
// The key is the one the first certificate of `cert_pem` was issued for.
void CheckKeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem,
                                std::string_view what);

}  // namespace sluice::k8s
