#include "test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace sluice::k8s::testing {

namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter>;
using CertPtr = std::unique_ptr<X509, Deleter>;
using BioPtr = std::unique_ptr<BIO, Deleter>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr, "extension");
  Check(X509_add_ext(cert, ext, -1) == 1, "add extension");
  X509_EXTENSION_free(ext);
}

struct Issued {
  KeyPtr key;
  CertPtr cert;
  PemPair pem;
};

// A certificate for `cn` signed by `issuer` (self-signed when null), with the
// extensions given as (nid, value) pairs.
Issued Issue(const char* cn, const Issued* issuer, long serial,
             const std::vector<std::pair<int, const char*>>& extensions) {
  Issued out;
  out.key.reset(EVP_EC_gen("P-256"));
  Check(out.key != nullptr, "key generation");
  out.cert.reset(X509_new());
  X509* x = out.cert.get();
  Check(X509_set_version(x, 2) == 1, "version");
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  Check(X509_set_pubkey(x, out.key.get()) == 1, "public key");
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : x;
  Check(X509_set_issuer_name(x, X509_get_subject_name(issuer_cert)) == 1, "issuer");
  for (const auto& [nid, value] : extensions) AddExtension(x, issuer_cert, nid, value);
  EVP_PKEY* signer = issuer != nullptr ? issuer->key.get() : out.key.get();
  Check(X509_sign(x, signer, EVP_sha256()) > 0, "sign");

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(cert_bio.get(), x) == 1, "write certificate");
  out.pem.cert = BioText(cert_bio.get());
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(key_bio.get(), out.key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  out.pem.key = BioText(key_bio.get());
  return out;
}

Issued IssueCa(const char* cn, long serial) {
  return Issue(cn, nullptr, serial,
               {{NID_basic_constraints, "critical,CA:TRUE"},
                {NID_key_usage, "critical,keyCertSign,cRLSign"},
                {NID_subject_key_identifier, "hash"}});
}

TestPki Generate() {
  Issued ca = IssueCa("sluice-test-ca", 1);
  Issued other = IssueCa("sluice-other-ca", 2);
  Issued server = Issue("sluice-test-apiserver", &ca, 3,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, "critical,digitalSignature"},
                         {NID_ext_key_usage, "serverAuth"},
                         {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                         {NID_authority_key_identifier, "keyid"}});
  Issued client = Issue("system:kube-proxy", &ca, 4,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, "critical,digitalSignature"},
                         {NID_ext_key_usage, "clientAuth"},
                         {NID_authority_key_identifier, "keyid"}});
  return TestPki{ca.pem, server.pem, client.pem, other.pem};
}

}  // namespace

const TestPki& TestPki::Get() {
  static const TestPki pki = Generate();
  return pki;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace sluice::k8s::testing
