// The manifests-directory source (`--manifests DIR`): Services, EndpointSlices and
// Nodes from YAML/JSON files, kept equal to the directory as it changes (inotify).
// Like the API source it only records objects in the ObjectStore.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "k8s/manifest_decoder.h"
#include "proxy/object_store.h"

namespace sluice::agent {

struct ManifestStats {
  uint64_t reloads = 0;           // files read
  uint64_t decode_failures = 0;   // objects skipped as malformed or invalid
  uint64_t ignored_objects = 0;   // objects of other kinds
};

class ManifestSource {
 public:
  // `node_name` picks this node's Node object from the directory, if there is one.
  ManifestSource(std::string dir, proxy::ObjectStore& store, std::string node_name);
  ~ManifestSource();
  ManifestSource(const ManifestSource&) = delete;
  ManifestSource& operator=(const ManifestSource&) = delete;

  // Reads every file and marks both caches synced. Throws std::runtime_error when
  // the directory cannot be read or watched.
  void Start();
  // Applies directory changes until Stop(); call from a thread of its own.
  void Run();
  void Stop();

  // Re-reads the named files (relative to the directory) now; for tests and Run().
  void Reload(const std::set<std::string>& files);
  ManifestStats stats() const;
  // The Node object for this node, if the directory has one.
  std::optional<model::Node> node() const;

 private:
  struct FileObjects {
    std::vector<model::Service> services;
    std::vector<model::EndpointSlice> slices;
    std::vector<model::Node> nodes;
  };

  static bool IsManifestFile(const std::string& name);
  static void KeepPrevious(const FileObjects& previous, const k8s::DecodeFailure& failure,
                           k8s::DecodedManifest* decoded);
  std::set<std::string> ListFiles() const;
  void ReadFile(const std::string& name);

  std::string dir_;
  proxy::ObjectStore& store_;
  std::string node_name_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // eventfd that wakes Run() for Stop()
  std::map<std::string, FileObjects> files_;
  // Which file each object currently comes from (the first file wins a duplicate).
  std::map<model::ObjectName, std::string> service_owner_;
  std::map<model::ObjectName, std::string> slice_owner_;
  std::optional<model::Node> node_;
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> decode_failures_{0};
  std::atomic<uint64_t> ignored_{0};
};

}  // namespace sluice::agent
