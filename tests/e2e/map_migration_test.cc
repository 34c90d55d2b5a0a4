// Restart and upgrade without loss: maps an earlier run pinned are carried over when
// their size (a new --lb-map-max) or their layout (an older sluice) changed — never
// recreated empty — and a layout sluice cannot convert stops the agent with the map's
// name instead of wiping it.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "datapath/bpf_map_set.h"
#include "datapath/pin_paths.h"
#include "e2e/harness/agent.h"
#include "e2e/harness/harness.h"
#include "e2e/harness/manifests.h"

namespace sluice::e2e {
namespace {

using namespace std::chrono_literals;

class MapMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SLUICE_E2E_REQUIRE_ROOT();
    topology_ = std::make_unique<Topology>();
    servers_ = StartEchoServers(*topology_, 8080);
    manifests_ = topology_->work_dir() + "/manifests";
    mkdir(manifests_.c_str(), 0755);
    for (int i = 1; i <= 3; ++i) {
      std::string name = "svc" + std::to_string(i);
      std::string vip = "198.19.128." + std::to_string(10 + i);
      ServiceSpec svc{.name = name, .cluster_ips = {vip}, .ports = {{.name = "http", .port = 80, .target_port = "8080"}}};
      SliceSpec slice{.name = name + "-1", .service = name, .ports = {{"http", 8080}}};
      for (const auto& be : topology_->backends()) slice.endpoints.push_back({.address = be.ipv4});
      WriteFileAtomically(manifests_ + "/" + name + ".yaml", Documents({ServiceYaml(svc), SliceYaml(slice)}));
    }
  }

  std::unique_ptr<Agent> Start(std::vector<std::string> flags, const std::string& log) {
    return std::make_unique<Agent>(*topology_, AgentOptions{.manifests_dir = manifests_, .extra_flags = flags}, log);
  }
  int Answered(const std::string& vip) {
    return RunProbe({.netns = topology_->node().netns, .target = vip + ":80", .count = 10,
                     .cgroup = topology_->cgroup_path()})
        .successes;
  }
  std::string MapPin(const char* name) { return datapath::MapPinPath(SluiceBpffs(*topology_), name); }
  uint32_t MaxEntries(const char* name) {
    int fd = bpf_obj_get(MapPin(name).c_str());
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    bpf_obj_get_info_by_fd(fd, &info, &len);
    close(fd);
    return info.max_entries;
  }

  std::unique_ptr<Topology> topology_;
  std::vector<Process> servers_;
  std::string manifests_;
};

TEST_F(MapMigrationTest, ANewMapSizeCarriesEveryEntryOverWithoutRewriting) {
  auto agent = Start({"--lb-map-max", "64"}, "agent1");
  ASSERT_EQ(MaxEntries("sluice_svc"), 64u);
  auto before = ReadMaps(*topology_);
  agent->Kill();
  agent = Start({"--lb-map-max", "128"}, "agent2");
  const std::string log = agent->Log();
  EXPECT_EQ(MaxEntries("sluice_svc"), 128u);
  EXPECT_NE(log.find("pinned map migrated"), std::string::npos) << log;
  EXPECT_NE(log.find("frontends_written=0"), std::string::npos) << "the carried-over state was rewritten\n" << log;
  auto after = ReadMaps(*topology_);
  ASSERT_EQ(after.frontends.size(), before.frontends.size());
  for (size_t i = 0; i < after.frontends.size(); ++i) {
    EXPECT_EQ(after.frontends[i].id, before.frontends[i].id);
    EXPECT_EQ(after.frontends[i].backends.size(), 3u);
  }
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(Answered("198.19.128." + std::to_string(10 + i)), 10);
  std::cout << "REPORT: migration: sluice_svc 64 -> 128 entries, " << after.frontends.size()
            << " frontends carried over, 0 rewritten, 30/30 connections answered" << std::endl;
}

TEST_F(MapMigrationTest, AnOlderMaglevLayoutIsConvertedSlotForSlot) {
  // Before slot pairs, sluice_maglev held one __u32 slot per element.
  const std::string bpffs = SluiceBpffs(*topology_);
  mkdir(bpffs.c_str(), 0700);
  mkdir(datapath::MapsDir(bpffs).c_str(), 0700);
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sluice_maglev", 4, 4, 1024, &opts);
  ASSERT_GE(fd, 0);
  for (uint32_t i = 0; i < 1024; ++i) {
    uint32_t value = 1000 + i;
    ASSERT_EQ(bpf_map_update_elem(fd, &i, &value, BPF_ANY), 0);
  }
  ASSERT_EQ(bpf_obj_pin(fd, MapPin("sluice_maglev").c_str()), 0);
  close(fd);
  auto agent = Start({"--maglev-map-max", "2048"}, "agent");
  EXPECT_NE(agent->Log().find("maglev u32 slots to pairs"), std::string::npos) << agent->Log();
  auto maps = datapath::BpfMapSet::OpenPinned(bpffs, true);
  std::vector<uint32_t> slots(1024);
  ASSERT_TRUE(maps->ReadMaglev(0, slots));
  for (uint32_t i = 0; i < 1024; ++i) ASSERT_EQ(slots[i], 1000 + i) << "slot " << i;
  EXPECT_EQ(Answered("198.19.128.11"), 10);
}

TEST_F(MapMigrationTest, ALayoutWithNoConversionStopsTheAgentAndKeepsThePin) {
  const std::string bpffs = SluiceBpffs(*topology_);
  mkdir(bpffs.c_str(), 0700);
  mkdir(datapath::MapsDir(bpffs).c_str(), 0700);
  int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "sluice_svc", sizeof(lb_service_key), 16, 64, nullptr);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(bpf_obj_pin(fd, MapPin("sluice_svc").c_str()), 0);
  close(fd);
  EXPECT_THROW(Start({}, "agent"), std::runtime_error);
  std::string log = ReadFile(topology_->LogPath("agent.err"));
  EXPECT_NE(log.find("sluice_svc has a layout this version of sluice cannot convert"), std::string::npos) << log;
  struct stat st {};
  EXPECT_EQ(stat(MapPin("sluice_svc").c_str(), &st), 0) << "the unconvertible map was removed";
}

}  // namespace
}  // namespace sluice::e2e
