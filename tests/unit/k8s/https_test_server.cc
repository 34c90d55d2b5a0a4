#include "https_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace sluice::k8s::testing {

namespace {

X509* ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) throw std::runtime_error("test server: bad certificate");
  return cert;
}

EVP_PKEY* ParseKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) throw std::runtime_error("test server: bad key");
  return key;
}

}  // namespace

HttpsTestServer::HttpsTestServer(bool require_client_cert) {
  const TestPki& pki = TestPki::Get();
  X509* cert = ParseCert(pki.server.cert);
  EVP_PKEY* key = ParseKey(pki.server.key);
  // The server's SSL_CTX takes its own references to the certificate and key, and
  // owns the client CA store outright.
  X509_STORE* client_cas = nullptr;
  if (require_client_cert) {
    client_cas = X509_STORE_new();
    X509* ca = ParseCert(pki.ca.cert);
    X509_STORE_add_cert(client_cas, ca);
    X509_free(ca);
  }
  server_ = std::make_unique<httplib::SSLServer>(cert, key, client_cas);
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!server_->is_valid()) throw std::runtime_error("test server: SSL setup failed");
  // Connections the client leaves open must not hold the destructor for long.
  server_->set_keep_alive_timeout(1);
  // Headers and body go out in separate writes; Nagle would hold the second for the
  // client's delayed ACK (40 ms a request).
  server_->set_tcp_nodelay(true);
}

void HttpsTestServer::Start() {
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("test server: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() before the accept loop runs would be lost; wait for it (bounded).
  for (int i = 0; i < 2000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!server_->is_running()) throw std::runtime_error("test server: did not start");
}

HttpsTestServer::~HttpsTestServer() {
  Release();
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

bool HttpsTestServer::WaitForRelease(std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, [this] { return released_; });
}

void HttpsTestServer::Release() {
  {
    std::lock_guard lock(mu_);
    released_ = true;
  }
  cv_.notify_all();
}

int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("UnusedPort: cannot bind");
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace sluice::k8s::testing
