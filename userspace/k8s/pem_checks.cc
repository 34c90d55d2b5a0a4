#include "k8s/pem_checks.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "k8s/cluster_config.h"

namespace sluice::k8s {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

BioPtr MemoryBio(std::string_view data) {
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) throw ConfigError("out of memory reading PEM");
  return bio;
}

// No password callback may prompt on a terminal: an encrypted key is an error.
int NoPassword(char*, int, int, void*) { return -1; }

[[noreturn]] void Fail(std::string_view what, std::string_view problem) {
  ERR_clear_error();  // OpenSSL's queue is per thread; leave it clean for curl
  throw ConfigError(std::string(what) + " " + std::string(problem));
}

X509Ptr FirstCertificate(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr));
  if (!cert) Fail(what, "holds no PEM certificate");
  return cert;
}

}  // namespace

void CheckCertificatesPem(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  int count = 0;
  while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr)}) ++count;
  // Reading stops with "no start line" at the end of the text; any other error means
  // a certificate in the middle is damaged.
  unsigned long err = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
  if (count == 0) Fail(what, "holds no PEM certificate");
  if (err != 0 && !clean_end) Fail(what, "holds a damaged PEM certificate");
  ERR_clear_error();
}

void CheckPrivateKeyPem(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (!key) Fail(what, "holds no unencrypted PEM private key");
  ERR_clear_error();
}

void CheckKeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem,
                                std::string_view what) {
  X509Ptr cert = FirstCertificate(cert_pem, what);
  BioPtr bio = MemoryBio(key_pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (!key || X509_check_private_key(cert.get(), key.get()) != 1)
    Fail(what, "does not match the client certificate");
  ERR_clear_error();
}

}  // namespace sluice::k8s
