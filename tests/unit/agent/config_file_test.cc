// --config: a YAML file of the agent's settings, flags on the command line winning.
#include "agent/config_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "agent/options.h"

namespace sluice::agent {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-config-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text) {
    std::string path = dir_ + "/config.yaml";
    std::ofstream(path) << text;
    return path;
  }
  int Parse(std::vector<std::string> args, AgentOptions* o) {
    args.insert(args.begin(), "sluice-agent");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return ParseFlags(static_cast<int>(argv.size()), argv.data(), o);
  }
  std::string dir_;
};

TEST_F(ConfigFileTest, KeysAreTheFlagsInCamelCase) {
  EXPECT_EQ(CamelToKebab("cgroupPath"), "cgroup-path");
  EXPECT_EQ(KebabToCamel("kube-api-content-type"), "kubeApiContentType");
  EXPECT_EQ(CamelToKebab(KebabToCamel("healthz-bind-address")), "healthz-bind-address");
}

TEST_F(ConfigFileTest, TheFileSetsOptionsAndTheCommandLineWins) {
  std::string path = Write(
      "apiVersion: sluice.dev/v1alpha1\nkind: SluiceAgentConfiguration\n"
      "manifests: /etc/sluice/manifests\nbpffs: /sys/fs/bpf/from-file\n"
      "nodeIp: [10.0.0.5, fd00::5]\ndevices: [eth0, eth1]\nxdpMode: generic\n"
      "minSyncPeriod: 250ms\nsocketLb: false\nexternalClusterIp: true\nlbMapMax: 1000\n"
      "metricsBindAddress: 0.0.0.0:10249\n");
  AgentOptions o;
  ASSERT_EQ(Parse({"--config", path, "--bpffs", "/sys/fs/bpf/from-flag", "--manifests", dir_}, &o), -1);
  EXPECT_EQ(o.bpffs_dir, "/sys/fs/bpf/from-flag");
  EXPECT_EQ(o.manifests_dir, dir_);
  EXPECT_EQ(o.node_ips, (std::vector<std::string>{"10.0.0.5", "fd00::5"}));
  EXPECT_EQ(o.devices, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(o.xdp_mode, "generic");
  EXPECT_EQ(o.min_sync_period, std::chrono::milliseconds(250));
  EXPECT_FALSE(o.socket_lb);
  EXPECT_TRUE(o.external_cluster_ips);
  EXPECT_EQ(o.limits.services, 1000u);
  EXPECT_EQ(o.metrics_bind_address, "0.0.0.0:10249");
}

TEST_F(ConfigFileTest, AnUnknownKeyOrAWrongShapeIsAClearError) {
  AgentOptions o;
  std::string path = Write("manifests: /tmp\nnodePortAddresses: [10.0.0.0/8]\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(Parse({"--config", path}, &o), 2);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("unknown setting \"nodePortAddresses\""), std::string::npos);
  path = Write("manifests: [a, b]\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(Parse({"--config", path}, &o), 2);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("expected one value"), std::string::npos);
}

}  // namespace
}  // namespace sluice::agent
