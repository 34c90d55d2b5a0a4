// In-cluster discovery from a fake environment and a fake service-account mount, and
// the order in which flags and environment are consulted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "config_test_files.h"
#include "k8s/cluster_config.h"
#include "test_pki.h"

namespace sluice::k8s {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::TestPki;

class InClusterTest : public ::testing::Test {
 protected:
  InClusterTest() {
    token_ = dir_.Write("sa/token", "sa-token\n");
    dir_.Write("sa/ca.crt", TestPki::Get().ca.cert);
    dir_.Write("sa/namespace", "sluice-system");
    vars_ = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  }

  InClusterEnvironment Env() const {
    InClusterEnvironment env;
    env.getenv = [vars = vars_](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.service_account_dir = dir_.path() / "sa";
    return env;
  }

  std::string ErrorOf(const ConfigFlags& flags) const {
    try {
      ResolveClusterConfig(flags, Env());
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  }

  ScratchDir dir_;
  std::string token_;
  std::map<std::string, std::string> vars_;
};

TEST_F(InClusterTest, ReadsTheServiceAccount) {
  std::optional<ClusterConfig> c = LoadInClusterConfig(Env());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->token_file, token_);  // the file, so that rotation is followed
  EXPECT_EQ(c->token, "");
  EXPECT_EQ(c->ca_pem, TestPki::Get().ca.cert);
  EXPECT_EQ(c->ns, "sluice-system");
  EXPECT_EQ(c->source, "in-cluster");
  EXPECT_FALSE(c->insecure_skip_tls_verify);
}

TEST_F(InClusterTest, Ipv6ServiceHostIsBracketed) {
  vars_["KUBERNETES_SERVICE_HOST"] = "fd00:10:96::1";
  EXPECT_EQ(LoadInClusterConfig(Env())->server, "https://[fd00:10:96::1]:443");
}

TEST_F(InClusterTest, NotInAClusterWithoutBothVariables) {
  vars_.erase("KUBERNETES_SERVICE_PORT");
  EXPECT_FALSE(LoadInClusterConfig(Env()).has_value());
  vars_.clear();
  EXPECT_FALSE(LoadInClusterConfig(Env()).has_value());
}

TEST_F(InClusterTest, MissingTokenOrCaIsAnError) {
  std::filesystem::remove(dir_.path() / "sa/token");
  EXPECT_THAT(ErrorOf({}), HasSubstr("in-cluster: cannot read " + token_));
  dir_.Write("sa/token", "t");
  std::filesystem::remove(dir_.path() / "sa/ca.crt");
  EXPECT_THAT(ErrorOf({}), HasSubstr("ca.crt"));
}

TEST_F(InClusterTest, NamespaceIsOptional) {
  std::filesystem::remove(dir_.path() / "sa/namespace");
  EXPECT_EQ(LoadInClusterConfig(Env())->ns, "");
}

TEST_F(InClusterTest, MasterOverridesTheServerAndKeepsTheServiceAccount) {
  ClusterConfig c = ResolveClusterConfig({.master = "https://api.internal:6443"}, Env());
  EXPECT_EQ(c.server, "https://api.internal:6443");
  EXPECT_EQ(c.token_file, token_);
  EXPECT_EQ(c.source, "in-cluster, server from --master");
}

TEST_F(InClusterTest, KubeconfigComesBeforeInCluster) {
  std::string kubeconfig = dir_.Write(
      "config", "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"
                "clusters: [{name: k, cluster: {server: 'https://from-kubeconfig:6443', insecure-skip-tls-verify: true}}]\n"
                "users: [{name: u, user: {token: kt}}]\n");
  ClusterConfig c = ResolveClusterConfig({.kubeconfig = kubeconfig}, Env());
  EXPECT_EQ(c.server, "https://from-kubeconfig:6443");
  EXPECT_EQ(c.token, "kt");
  EXPECT_EQ(c.token_file, "");

  ClusterConfig overridden = ResolveClusterConfig({.kubeconfig = kubeconfig, .master = "https://m:1"}, Env());
  EXPECT_EQ(overridden.server, "https://m:1");
  EXPECT_EQ(overridden.token, "kt");
}

TEST_F(InClusterTest, MasterAloneOutsideAClusterHasNoCredentials) {
  vars_.clear();
  ClusterConfig c = ResolveClusterConfig({.master = "http://127.0.0.1:8080"}, Env());
  EXPECT_EQ(c.server, "http://127.0.0.1:8080");
  EXPECT_EQ(c.token, "");
  EXPECT_EQ(c.token_file, "");
  EXPECT_EQ(c.ca_pem, "");
  EXPECT_EQ(c.source, "--master http://127.0.0.1:8080");
}

TEST_F(InClusterTest, NothingConfiguredIsAnError) {
  vars_.clear();
  EXPECT_EQ(ErrorOf({}), "no API server configured: pass --kubeconfig, --master or run in a cluster");
}

TEST_F(InClusterTest, ContextNeedsKubeconfig) {
  EXPECT_EQ(ErrorOf({.context = "prod"}), "--context needs --kubeconfig");
}

TEST_F(InClusterTest, BadMasterUrlIsRefused) {
  EXPECT_THAT(ErrorOf({.master = "ftp://10.0.0.1"}), HasSubstr("neither http:// nor https://"));
  EXPECT_THAT(ErrorOf({.master = "https://"}), HasSubstr("has no host"));
}

}  // namespace
}  // namespace sluice::k8s
