// The manifests-directory source against a real directory and inotify: what the store
// holds follows the files, an object that turns invalid keeps its last good version.
#include "agent/manifest_source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace sluice::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string ServiceDoc(const std::string& name, const std::string& ip, int port = 80) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name +
         ", namespace: default}\nspec:\n  clusterIP: " + ip + "\n  ports:\n  - {name: http, port: " +
         std::to_string(port) + "}\n";
}

class ManifestSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-manifests-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ + "/" + file) << text;
  }

  // Services as a sync would see them: name -> first port.
  std::map<std::string, int> Services() {
    std::map<std::string, int> out;
    for (const auto& w : store_.TakeChanges(true).work)
      if (w.service) out[w.name.ToString()] = w.service->ports.empty() ? 0 : w.service->ports[0].port;
    return out;
  }

  std::string dir_;
  proxy::ObjectStore store_;
};

TEST_F(ManifestSourceTest, TheInitialReadFillsAndSyncsTheStore) {
  Write("a.yaml", ServiceDoc("a", "198.19.0.1") + "---\n" + ServiceDoc("b", "198.19.0.2"));
  Write("notes.txt", "not a manifest");
  ManifestSource source(dir_, store_, "node1");
  source.Start();
  EXPECT_TRUE(store_.Synced());
  EXPECT_EQ(Services(), (std::map<std::string, int>{{"default/a", 80}, {"default/b", 80}}));
}

TEST_F(ManifestSourceTest, EditsRemovalsAndMovesBetweenFilesAreFollowed) {
  Write("a.yaml", ServiceDoc("a", "198.19.0.1"));
  Write("b.yaml", ServiceDoc("b", "198.19.0.2"));
  ManifestSource source(dir_, store_, "node1");
  source.Start();
  Write("a.yaml", ServiceDoc("a", "198.19.0.1", 81));
  source.Reload({"a.yaml"});
  EXPECT_EQ(Services(), (std::map<std::string, int>{{"default/a", 81}, {"default/b", 80}}));
  // b moves into a.yaml: written to the new file first, then removed from the old.
  Write("a.yaml", ServiceDoc("a", "198.19.0.1", 81) + "---\n" + ServiceDoc("b", "198.19.0.2"));
  source.Reload({"a.yaml"});
  fs::remove(dir_ + "/b.yaml");
  source.Reload({"b.yaml"});
  EXPECT_EQ(Services(), (std::map<std::string, int>{{"default/a", 81}, {"default/b", 80}}));
  fs::remove(dir_ + "/a.yaml");
  source.Reload({"a.yaml"});
  EXPECT_TRUE(Services().empty());
}

TEST_F(ManifestSourceTest, AnObjectThatTurnsInvalidKeepsItsLastGoodVersion) {
  Write("a.yaml", ServiceDoc("a", "198.19.0.1") + "---\n" + ServiceDoc("b", "198.19.0.2"));
  ManifestSource source(dir_, store_, "node1");
  source.Start();
  Write("a.yaml", ServiceDoc("a", "198.19.0.1", 0) + "---\n" + ServiceDoc("b", "198.19.0.2", 82));
  source.Reload({"a.yaml"});
  EXPECT_EQ(Services(), (std::map<std::string, int>{{"default/a", 80}, {"default/b", 82}}));
  EXPECT_EQ(source.stats().decode_failures, 1u);
}

TEST_F(ManifestSourceTest, ChangesOnDiskReachTheStoreThroughInotify) {
  ManifestSource source(dir_, store_, "node1");
  source.Start();
  std::thread watcher([&source] { source.Run(); });
  Write("late.yaml", ServiceDoc("late", "198.19.0.9"));
  bool seen = false;
  for (int i = 0; i < 200 && !seen; ++i) {
    std::this_thread::sleep_for(10ms);
    seen = store_.service_count() == 1;
  }
  source.Stop();
  watcher.join();
  EXPECT_TRUE(seen) << "the new file was not picked up within 2 s";
}

}  // namespace
}  // namespace sluice::agent
