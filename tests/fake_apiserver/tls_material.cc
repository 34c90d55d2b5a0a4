#include "fake_apiserver/tls_material.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace sluice::fake_apiserver {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

[[noreturn]] void Fail(const std::string& what) {
  char reason[256] = "no OpenSSL error";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, reason, sizeof reason);
  throw std::runtime_error("fake API server TLS: " + what + ": " + reason);
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) Fail("generating an EC key");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) Fail("adding extension " + value);
}

// A certificate for `key`, issued by `issuer` (self-issued when null), to be signed
// with Sign() once its extensions are added.
Cert NewCert(EVP_PKEY* key, const std::string& common_name, X509* issuer) {
  Cert cert(X509_new());
  if (!cert) Fail("X509_new");
  X509_set_version(cert.get(), 2);
  // A random serial: certificates of successive runs must not look like the same one.
  std::unique_ptr<BIGNUM, Free> serial(BN_new());
  if (!serial || !BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    Fail("serial number");
  }
  // Valid from an hour ago (clock skew between test processes) for a week.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert.get();
  AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer) AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  return cert;
}

void Sign(X509* cert, EVP_PKEY* key) {
  if (!X509_sign(cert, key, EVP_sha256())) Fail("signing");
}

std::string Pem(X509* cert) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) Fail("PEM certificate");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    Fail("PEM key");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("fake API server TLS: cannot write " + path);
  out.close();
  chmod(path.c_str(), mode);
}

}  // namespace

TlsMaterial GenerateTlsMaterial(const std::string& dir, const std::vector<std::string>& ip_sans,
                                const std::vector<std::string>& dns_sans) {
  Key ca_key = NewKey();
  Cert ca = NewCert(ca_key.get(), "sluice-fake-apiserver-ca", nullptr);
  AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  Sign(ca.get(), ca_key.get());

  Key server_key = NewKey();
  Cert server = NewCert(server_key.get(), "kube-apiserver", ca.get());
  std::string sans;
  for (const auto& ip : ip_sans) sans += (sans.empty() ? "" : ",") + std::string("IP:") + ip;
  for (const auto& dns : dns_sans) sans += (sans.empty() ? "" : ",") + std::string("DNS:") + dns;
  if (!sans.empty()) AddExtension(server.get(), ca.get(), NID_subject_alt_name, sans);
  AddExtension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  AddExtension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  Sign(server.get(), ca_key.get());

  Key client_key = NewKey();
  Cert client = NewCert(client_key.get(), "system:serviceaccount:kube-system:sluice", ca.get());
  AddExtension(client.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(client.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  AddExtension(client.get(), ca.get(), NID_ext_key_usage, "clientAuth");
  Sign(client.get(), ca_key.get());

  TlsMaterial m;
  m.dir = dir;
  m.ca_cert_path = dir + "/ca.crt";
  m.server_cert_path = dir + "/server.crt";
  m.server_key_path = dir + "/server.key";
  m.client_cert_path = dir + "/client.crt";
  m.client_key_path = dir + "/client.key";
  m.ca_cert_pem = Pem(ca.get());
  m.client_cert_pem = Pem(client.get());
  m.client_key_pem = Pem(client_key.get());
  WriteFile(m.ca_cert_path, m.ca_cert_pem, 0644);
  WriteFile(m.server_cert_path, Pem(server.get()), 0644);
  WriteFile(m.server_key_path, Pem(server_key.get()), 0600);
  WriteFile(m.client_cert_path, m.client_cert_pem, 0644);
  WriteFile(m.client_key_path, m.client_key_pem, 0600);
  return m;
}

}  // namespace sluice::fake_apiserver
