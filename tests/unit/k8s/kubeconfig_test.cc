// Kubeconfig files as kubectl writes them (kind, kubeadm, cloud CLIs), and the errors
// an operator sees for what sluice cannot use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_files.h"
#include "k8s/cluster_config.h"
#include "test_pki.h"

namespace sluice::k8s {
namespace {

using ::testing::HasSubstr;
using testing::EncodeBase64;
using testing::ScratchDir;
using testing::TestPki;

// A kubeconfig with two contexts, "admin" (current) and "reader"; `admin_user` and
// `cluster` are spliced in as YAML mapping bodies (indented by 4).
std::string Kubeconfig(const std::string& cluster, const std::string& admin_user) {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "current-context: admin\n"
         "contexts:\n"
         "- name: admin\n"
         "  context: {cluster: prod, user: admin, namespace: kube-system}\n"
         "- name: reader\n"
         "  context: {cluster: staging, user: reader}\n"
         "clusters:\n"
         "- name: prod\n"
         "  cluster:\n" +
         cluster +
         "- name: staging\n"
         "  cluster:\n"
         "    server: https://staging.example:6443\n"
         "    insecure-skip-tls-verify: true\n"
         "users:\n"
         "- name: admin\n"
         "  user:\n" +
         admin_user +
         "- name: reader\n"
         "  user:\n"
         "    token: reader-token\n";
}

const std::string kProdCluster = "    server: https://10.0.0.1:6443\n    insecure-skip-tls-verify: true\n";
const std::string kAdminToken = "    token: admin-token\n";

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

class KubeconfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) { return dir_.Write("kube/config", text); }
  ScratchDir dir_;
};

TEST_F(KubeconfigTest, CurrentContextWithAnInlineToken) {
  std::string path = Write(Kubeconfig(kProdCluster, kAdminToken));
  ClusterConfig c = LoadKubeconfig(path, "");
  EXPECT_EQ(c.server, "https://10.0.0.1:6443");
  EXPECT_TRUE(c.insecure_skip_tls_verify);
  EXPECT_EQ(c.token, "admin-token");
  EXPECT_EQ(c.token_file, "");
  EXPECT_EQ(c.ns, "kube-system");
  EXPECT_EQ(c.source, "kubeconfig " + path + " context admin");
}

TEST_F(KubeconfigTest, ExplicitContextWinsOverCurrentContext) {
  std::string path = Write(Kubeconfig(kProdCluster, kAdminToken));
  ClusterConfig c = LoadKubeconfig(path, "reader");
  EXPECT_EQ(c.server, "https://staging.example:6443");
  EXPECT_EQ(c.token, "reader-token");
  EXPECT_EQ(c.ns, "default");
  EXPECT_EQ(c.source, "kubeconfig " + path + " context reader");
}

TEST_F(KubeconfigTest, TokenFileIsResolvedAgainstTheKubeconfigDirectory) {
  dir_.Write("kube/secrets/token", "from-file\n");
  std::string path = Write(Kubeconfig(kProdCluster, "    tokenFile: secrets/token\n"));
  ClusterConfig c = LoadKubeconfig(path, "");
  EXPECT_EQ(c.token_file, (dir_.path() / "kube" / "secrets/token").string());
  EXPECT_EQ(c.token, "");
}

TEST_F(KubeconfigTest, UnreadableTokenFileWithoutAnInlineTokenIsAnError) {
  std::string path = Write(Kubeconfig(kProdCluster, "    tokenFile: /nonexistent/token\n"));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }),
              HasSubstr("user \"admin\": tokenFile: cannot read /nonexistent/token"));
}

TEST_F(KubeconfigTest, CertificateAuthorityFileIsRelativeToTheKubeconfig) {
  dir_.Write("kube/pki/ca.crt", TestPki::Get().ca.cert);
  std::string path =
      Write(Kubeconfig("    server: https://10.0.0.1:6443\n    certificate-authority: pki/ca.crt\n", kAdminToken));
  ClusterConfig c = LoadKubeconfig(path, "");
  EXPECT_EQ(c.ca_pem, TestPki::Get().ca.cert);
  EXPECT_FALSE(c.insecure_skip_tls_verify);
}

TEST_F(KubeconfigTest, AbsoluteCertificateAuthorityFile) {
  std::string ca = dir_.Write("elsewhere/ca.crt", TestPki::Get().ca.cert);
  std::string path =
      Write(Kubeconfig("    server: https://10.0.0.1:6443\n    certificate-authority: " + ca + "\n", kAdminToken));
  EXPECT_EQ(LoadKubeconfig(path, "").ca_pem, TestPki::Get().ca.cert);
}

TEST_F(KubeconfigTest, CertificateAuthorityData) {
  std::string path = Write(Kubeconfig("    server: https://10.0.0.1:6443\n    certificate-authority-data: " +
                                          EncodeBase64(TestPki::Get().ca.cert) + "\n",
                                      kAdminToken));
  EXPECT_EQ(LoadKubeconfig(path, "").ca_pem, TestPki::Get().ca.cert);
}

TEST_F(KubeconfigTest, DataWinsOverFileAndTheFileIsNotRead) {
  std::string path = Write(Kubeconfig("    server: https://10.0.0.1:6443\n"
                                      "    certificate-authority: /nonexistent/ca.crt\n"
                                      "    certificate-authority-data: " +
                                          EncodeBase64(TestPki::Get().ca.cert) + "\n",
                                      kAdminToken));
  EXPECT_EQ(LoadKubeconfig(path, "").ca_pem, TestPki::Get().ca.cert);
}

TEST_F(KubeconfigTest, ClientCertificateFiles) {
  dir_.Write("kube/pki/admin.crt", TestPki::Get().client.cert);
  dir_.Write("kube/pki/admin.key", TestPki::Get().client.key);
  std::string path = Write(Kubeconfig(
      kProdCluster, "    client-certificate: pki/admin.crt\n    client-key: pki/admin.key\n"));
  ClusterConfig c = LoadKubeconfig(path, "");
  EXPECT_EQ(c.client_cert_pem, TestPki::Get().client.cert);
  EXPECT_EQ(c.client_key_pem, TestPki::Get().client.key);
  EXPECT_EQ(c.token, "");
}

TEST_F(KubeconfigTest, ClientCertificateData) {
  std::string path = Write(Kubeconfig(
      kProdCluster, "    client-certificate-data: " + EncodeBase64(TestPki::Get().client.cert) +
                        "\n    client-key-data: " + EncodeBase64(TestPki::Get().client.key) + "\n"));
  ClusterConfig c = LoadKubeconfig(path, "");
  EXPECT_EQ(c.client_cert_pem, TestPki::Get().client.cert);
  EXPECT_EQ(c.client_key_pem, TestPki::Get().client.key);
}

TEST_F(KubeconfigTest, ClientKeyOfAnotherCertificateIsRefused) {
  std::string path = Write(Kubeconfig(
      kProdCluster, "    client-certificate-data: " + EncodeBase64(TestPki::Get().client.cert) +
                        "\n    client-key-data: " + EncodeBase64(TestPki::Get().server.key) + "\n"));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }),
              HasSubstr("user \"admin\": client-key does not match the client certificate"));
}

TEST_F(KubeconfigTest, ClientCertificateWithoutKeyIsRefused) {
  std::string path =
      Write(Kubeconfig(kProdCluster, "    client-certificate-data: " + EncodeBase64(TestPki::Get().client.cert) + "\n"));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }), HasSubstr("a client certificate without its client key"));
}

TEST_F(KubeconfigTest, DataThatIsNotBase64IsNamed) {
  std::string path = Write(Kubeconfig("    server: https://10.0.0.1:6443\n    certificate-authority-data: '%%%'\n",
                                      kAdminToken));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }),
              HasSubstr("cluster \"prod\": certificate-authority-data is not valid base64"));
}

TEST_F(KubeconfigTest, CertificateAuthorityThatIsNotPemIsNamed) {
  dir_.Write("kube/ca.crt", "not a certificate\n");
  std::string path =
      Write(Kubeconfig("    server: https://10.0.0.1:6443\n    certificate-authority: ca.crt\n", kAdminToken));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }),
              HasSubstr("cluster \"prod\": certificate-authority holds no PEM certificate"));
}

TEST_F(KubeconfigTest, CertificateAuthorityTogetherWithInsecureIsRefused) {
  std::string path = Write(Kubeconfig("    server: https://10.0.0.1:6443\n    insecure-skip-tls-verify: true\n"
                                      "    certificate-authority-data: " +
                                          EncodeBase64(TestPki::Get().ca.cert) + "\n",
                                      kAdminToken));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }), HasSubstr("insecure-skip-tls-verify is contradictory"));
}

TEST_F(KubeconfigTest, ExecAuthenticationIsRefusedByName) {
  std::string path = Write(Kubeconfig(kProdCluster,
                                      "    exec:\n"
                                      "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                                      "      command: aws\n"
                                      "      args: [eks, get-token]\n"));
  std::string error = ErrorOf([&] { LoadKubeconfig(path, ""); });
  EXPECT_THAT(error, HasSubstr("user \"admin\" uses an exec credential plugin (\"aws\")"));
  EXPECT_THAT(error, HasSubstr("sluice does not support"));
}

TEST_F(KubeconfigTest, AuthProviderBasicAuthAndImpersonationAreRefused) {
  EXPECT_THAT(ErrorOf([&] {
                LoadKubeconfig(Write(Kubeconfig(kProdCluster, "    auth-provider: {name: oidc}\n")), "");
              }),
              HasSubstr("uses the auth-provider \"oidc\""));
  EXPECT_THAT(ErrorOf([&] {
                LoadKubeconfig(Write(Kubeconfig(kProdCluster, "    username: admin\n    password: secret\n")), "");
              }),
              HasSubstr("uses basic authentication"));
  EXPECT_THAT(ErrorOf([&] {
                LoadKubeconfig(Write(Kubeconfig(kProdCluster, kAdminToken + "    as: system:admin\n")), "");
              }),
              HasSubstr("uses impersonation (as)"));
}

TEST_F(KubeconfigTest, MissingContextListsTheKnownOnes) {
  std::string path = Write(Kubeconfig(kProdCluster, kAdminToken));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, "prod-east"); }),
              HasSubstr("context \"prod-east\" not found (contexts: admin, reader)"));
}

TEST_F(KubeconfigTest, NoCurrentContextAsksForOne) {
  std::string path = Write("apiVersion: v1\nkind: Config\nclusters: []\n");
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }), HasSubstr("no current-context is set; pass --context"));
}

TEST_F(KubeconfigTest, MissingClusterOrUserIsNamed) {
  std::string no_cluster = Write(
      "current-context: c\ncontexts: [{name: c, context: {cluster: gone, user: u}}]\n"
      "users: [{name: u, user: {token: t}}]\n");
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(no_cluster, ""); }),
              HasSubstr("cluster \"gone\" not found (no clusters defined)"));

  std::string no_user = Write(
      "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: gone}}]\n"
      "clusters: [{name: k, cluster: {server: 'https://k:6443', insecure-skip-tls-verify: true}}]\n"
      "users: [{name: u, user: {token: t}}]\n");
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(no_user, ""); }), HasSubstr("user \"gone\" not found (users: u)"));

  std::string context_without_cluster = Write("current-context: c\ncontexts: [{name: c, context: {user: u}}]\n");
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(context_without_cluster, ""); }),
              HasSubstr("context \"c\" names no cluster"));
}

TEST_F(KubeconfigTest, ContextWithoutUserIsAnonymous) {
  std::string path = Write(
      "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
      "clusters: [{name: k, cluster: {server: 'http://127.0.0.1:8080'}}]\n");
  ClusterConfig c = LoadKubeconfig(path, "");
  EXPECT_EQ(c.server, "http://127.0.0.1:8080");
  EXPECT_EQ(c.token, "");
  EXPECT_EQ(c.client_cert_pem, "");
}

TEST_F(KubeconfigTest, ClusterWithoutServerNeedsMaster) {
  std::string path = Write(
      "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"
      "clusters: [{name: k, cluster: {insecure-skip-tls-verify: true}}]\n"
      "users: [{name: u, user: {token: t}}]\n");
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }), HasSubstr("no API server address"));
  ClusterConfig c = LoadKubeconfig(path, "", "https://10.1.1.1:6443");
  EXPECT_EQ(c.server, "https://10.1.1.1:6443");
  EXPECT_EQ(c.token, "t");
}

TEST_F(KubeconfigTest, MasterOverridesTheClusterServerAndKeepsCredentials) {
  std::string path = Write(Kubeconfig(kProdCluster, kAdminToken));
  ClusterConfig c = LoadKubeconfig(path, "", "https://lb.example:443/");
  EXPECT_EQ(c.server, "https://lb.example:443");
  EXPECT_EQ(c.token, "admin-token");
  EXPECT_THAT(c.source, HasSubstr("server from --master"));
}

TEST_F(KubeconfigTest, ServerWithoutSchemeGetsClientGosDefault) {
  std::string tls = Write(Kubeconfig("    server: 10.0.0.1:6443\n    insecure-skip-tls-verify: true\n", kAdminToken));
  EXPECT_EQ(LoadKubeconfig(tls, "").server, "https://10.0.0.1:6443");
  std::string plain = Write(
      "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
      "clusters: [{name: k, cluster: {server: '127.0.0.1:8080'}}]\n");
  EXPECT_EQ(LoadKubeconfig(plain, "").server, "http://127.0.0.1:8080");
}

TEST_F(KubeconfigTest, UnsupportedClusterFieldsAreRefusedNotIgnored) {
  std::string path =
      Write(Kubeconfig(kProdCluster + "    proxy-url: http://proxy.example:3128\n", kAdminToken));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(path, ""); }),
              HasSubstr("cluster \"prod\": proxy-url is not supported"));
}

TEST_F(KubeconfigTest, UnreadableOrMalformedFiles) {
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(dir_.path() / "missing", ""); }), HasSubstr("cannot read"));
  std::string broken = Write("current-context: [unclosed\n");
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(broken, ""); }), HasSubstr("kubeconfig " + broken));
  std::string scalar = Write("just text\n");
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(scalar, ""); }), HasSubstr("not a kubeconfig"));
  std::string bad_bool = Write(Kubeconfig("    server: https://a:1\n    insecure-skip-tls-verify: maybe\n", kAdminToken));
  EXPECT_THAT(ErrorOf([&] { LoadKubeconfig(bad_bool, ""); }), HasSubstr("insecure-skip-tls-verify must be true or false"));
}

TEST_F(KubeconfigTest, JsonKubeconfig) {
  std::string path = Write(R"({"current-context":"c",
    "contexts":[{"name":"c","context":{"cluster":"k","user":"u"}}],
    "clusters":[{"name":"k","cluster":{"server":"https://10.2.0.1:6443","insecure-skip-tls-verify":true}}],
    "users":[{"name":"u","user":{"token":"json-token"}}]})");
  ClusterConfig c = LoadKubeconfig(path, "");
  EXPECT_EQ(c.server, "https://10.2.0.1:6443");
  EXPECT_EQ(c.token, "json-token");
}

}  // namespace
}  // namespace sluice::k8s
