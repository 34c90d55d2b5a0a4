// The throwaway PKI, the kubeconfig, and client-certificate authentication.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_apiserver/base64.h"
#include "fake_apiserver/fake_apiserver.h"
#include "fake_apiserver/test_client.h"

namespace sluice::fake_apiserver {
namespace {

using testing::HttpResult;
using testing::TestClient;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Tls, TheServerCertificateNamesTheBindAddress) {
  FakeApiServer server;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_file((std::filesystem::path(server.ca_path()).parent_path() / "server.crt").c_str(), "r"),
      BIO_free);
  ASSERT_TRUE(bio);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                   X509_free);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_NE(server.ca_pem().find("BEGIN CERTIFICATE"), std::string::npos);
  // A verifying client gets through (the TestClient checks against the CA).
  TestClient client(server);
  EXPECT_EQ(client.Get("/api/v1/services").status, 200);
}

TEST(Tls, TheTemporaryDirectoryGoesAwayWithTheServer) {
  std::string dir;
  {
    FakeApiServer server;
    dir = std::filesystem::path(server.ca_path()).parent_path();
    EXPECT_TRUE(std::filesystem::exists(dir));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(Tls, KubeconfigNamesServerCaAndToken) {
  FakeApiServer server(Options{.bearer_token = "tok-123"});
  std::string path = std::filesystem::path(server.ca_path()).parent_path() / "kubeconfig";
  server.WriteKubeconfig(path);
  YAML::Node config = YAML::LoadFile(path);
  EXPECT_EQ(config["current-context"].as<std::string>(), "fake-apiserver");
  auto cluster = config["clusters"][0]["cluster"];
  EXPECT_EQ(cluster["server"].as<std::string>(), server.url());
  EXPECT_EQ(Base64Decode(cluster["certificate-authority-data"].as<std::string>()), server.ca_pem());
  EXPECT_EQ(config["users"][0]["user"]["token"].as<std::string>(), "tok-123");
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);

  server.WriteKubeconfig(path, {.include_token = false, .include_client_cert = true});
  config = YAML::LoadFile(path);
  EXPECT_FALSE(config["users"][0]["user"]["token"]);
  EXPECT_EQ(Base64Decode(config["users"][0]["user"]["client-certificate-data"].as<std::string>()),
            Slurp(server.client_cert_path()));
  EXPECT_EQ(Base64Decode(config["users"][0]["user"]["client-key-data"].as<std::string>()),
            Slurp(server.client_key_path()));
}

TEST(Tls, ClientCertificateAuthentication) {
  FakeApiServer server(Options{.require_client_cert = true});
  TestClient without(server);
  HttpResult r = without.Get("/api/v1/services");
  EXPECT_EQ(r.end, HttpResult::End::kNoResponse) << "the TLS handshake refuses it";
  TestClient with(server);
  with.set_client_certificate(server.client_cert_path(), server.client_key_path());
  EXPECT_EQ(with.Get("/api/v1/services").status, 200);
}

TEST(Tls, ServesOnIpv6) {
  FakeApiServer server(Options{.bind_address = "::1"});
  EXPECT_EQ(server.url(), "https://[::1]:" + std::to_string(server.port()));
  TestClient client(server);
  EXPECT_EQ(client.Get("/api/v1/nodes").status, 200);
}

TEST(Tls, AnAddressInUseIsAnErrorAtConstruction) {
  FakeApiServer first;
  EXPECT_THROW(FakeApiServer(Options{.port = first.port()}), std::runtime_error);
}

}  // namespace
}  // namespace sluice::fake_apiserver
