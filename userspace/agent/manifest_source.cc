#include "agent/manifest_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/log.h"

namespace sluice::agent {
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kWatchMask =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Recomputes which file owns each object name (the first file in name order wins a
// duplicate) and applies the difference to the store: objects of changed files or
// with a new owner are upserted, names no file has any more are deleted.
template <typename Object, typename Upsert, typename Delete>
void ApplyOwnership(const std::map<std::string, std::vector<Object>>& by_file,
                    const std::set<std::string>& changed_files,
                    std::map<model::ObjectName, std::string>& owner, const char* kind,
                    Upsert upsert, Delete remove) {
  std::map<model::ObjectName, std::string> next;
  for (const auto& [file, objects] : by_file) {
    for (const Object& object : objects) {
      auto [it, inserted] = next.emplace(object.meta.id, file);
      if (!inserted && it->second != file)
        log::Warn("object defined in two files; the first one is used",
                  {{"kind", kind}, {"name", object.meta.id.ToString()}, {"used", it->second},
                   {"ignored", file}});
    }
  }
  for (const auto& [file, objects] : by_file) {
    for (const Object& object : objects) {
      auto it = next.find(object.meta.id);
      if (it->second != file) continue;
      auto old = owner.find(object.meta.id);
      if (changed_files.count(file) || old == owner.end() || old->second != file) upsert(object);
    }
  }
  for (const auto& [name, file] : owner)
    if (!next.count(name)) remove(name);
  owner = std::move(next);
}

template <typename Object>
void KeepIfNamed(const std::vector<Object>& previous, const model::ObjectName& name,
                 std::vector<Object>* into) {
  for (const Object& object : previous)
    if (object.meta.id == name) into->push_back(object);
}

}  // namespace

void ManifestSource::KeepPrevious(const FileObjects& previous, const k8s::DecodeFailure& failure,
                                  k8s::DecodedManifest* decoded) {
  if (failure.kind == "Service") KeepIfNamed(previous.services, *failure.name, &decoded->services);
  if (failure.kind == "EndpointSlice")
    KeepIfNamed(previous.slices, *failure.name, &decoded->endpoint_slices);
}

ManifestSource::ManifestSource(std::string dir, proxy::ObjectStore& store, std::string node_name)
    : dir_(std::move(dir)), store_(store), node_name_(std::move(node_name)) {}

ManifestSource::~ManifestSource() {
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

bool ManifestSource::IsManifestFile(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;  // hidden, editor swap files
  return EndsWith(name, ".yaml") || EndsWith(name, ".yml") || EndsWith(name, ".json");
}

std::set<std::string> ManifestSource::ListFiles() const {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (IsManifestFile(name) && entry.is_regular_file(ec)) names.insert(name);
  }
  if (ec) throw std::runtime_error("cannot read --manifests " + dir_ + ": " + ec.message());
  return names;
}

void ManifestSource::ReadFile(const std::string& name) {
  std::ifstream in(fs::path(dir_) / name, std::ios::binary);
  if (!in) {
    files_.erase(name);  // gone between the event and now
    return;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  k8s::DecodedManifest decoded = k8s::DecodeManifest(buf.str(), name);
  ++reloads_;
  ignored_ += decoded.ignored;
  const FileObjects* previous = files_.count(name) ? &files_[name] : nullptr;
  for (const k8s::DecodeFailure& failure : decoded.failures) {
    ++decode_failures_;
    log::Warn("skipping manifest object", {{"object", failure.object}, {"reason", failure.reason}});
    // Loses nothing: an object that turned bad keeps its last good version.
    if (previous && failure.name) KeepPrevious(*previous, failure, &decoded);
  }
  files_[name] = FileObjects{std::move(decoded.services), std::move(decoded.endpoint_slices),
                             std::move(decoded.nodes)};
}

void ManifestSource::Reload(const std::set<std::string>& files) {
  std::set<std::string> present = ListFiles();
  for (const std::string& name : files) {
    if (present.count(name))
      ReadFile(name);
    else
      files_.erase(name);
  }
  std::map<std::string, std::vector<model::Service>> services;
  std::map<std::string, std::vector<model::EndpointSlice>> slices;
  node_.reset();
  for (const auto& [file, objects] : files_) {
    services[file] = objects.services;
    slices[file] = objects.slices;
    for (const model::Node& node : objects.nodes)
      if (node.meta.id.name == node_name_ && !node_) node_ = node;
  }
  ApplyOwnership(
      services, files, service_owner_, "Service",
      [this](const model::Service& s) { store_.UpsertService(s); },
      [this](const model::ObjectName& n) { store_.DeleteService(n); });
  ApplyOwnership(
      slices, files, slice_owner_, "EndpointSlice",
      [this](const model::EndpointSlice& s) { store_.UpsertEndpointSlice(s); },
      [this](const model::ObjectName& n) { store_.DeleteEndpointSlice(n); });
}

void ManifestSource::Start() {
  if (!fs::is_directory(dir_)) throw std::runtime_error("--manifests " + dir_ + " is not a directory");
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || stop_fd_ < 0)
    throw std::runtime_error(std::string("cannot create inotify/eventfd: ") + strerror(errno));
  // Watch before the first read, so nothing written in between is missed.
  if (inotify_add_watch(inotify_fd_, dir_.c_str(), kWatchMask) < 0)
    throw std::runtime_error("cannot watch " + dir_ + ": " + strerror(errno));
  Reload(ListFiles());
  store_.MarkServicesSynced();
  store_.MarkEndpointSlicesSynced();
  log::Info("manifests loaded", {{"dir", dir_}, {"files", files_.size()},
                                 {"services", service_owner_.size()},
                                 {"endpointslices", slice_owner_.size()},
                                 {"skipped", decode_failures_.load()}});
}

void ManifestSource::Stop() {
  uint64_t one = 1;
  if (stop_fd_ >= 0 && write(stop_fd_, &one, sizeof(one)) < 0)
    log::Warn("cannot wake the manifest watcher", {{"error", strerror(errno)}});
}

void ManifestSource::Run() {
  alignas(inotify_event) char buf[16 * 1024];
  while (true) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::Error("manifest watcher poll failed", {{"error", strerror(errno)}});
      return;
    }
    if (fds[1].revents) return;
    std::set<std::string> changed;
    bool everything = false;
    // Drain every queued event first: an editor's save is several events, and one
    // reload per batch is enough.
    for (int round = 0; round < 64; ++round) {
      ssize_t n = read(inotify_fd_, buf, sizeof(buf));
      if (n <= 0) break;
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + ev->len;
        if (ev->mask & IN_Q_OVERFLOW) everything = true;
        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
          log::Error("the --manifests directory was removed; keeping the current state",
                     {{"dir", dir_}});
          return;
        }
        if (ev->len > 0 && IsManifestFile(ev->name)) changed.insert(ev->name);
      }
    }
    if (everything) {
      changed = ListFiles();
      for (const auto& [file, objects] : files_) changed.insert(file);
    }
    if (changed.empty()) continue;
    try {
      Reload(changed);
    } catch (const std::exception& e) {
      log::Error("cannot reload manifests", {{"error", e.what()}});
    }
  }
}

ManifestStats ManifestSource::stats() const {
  return {reloads_.load(), decode_failures_.load(), ignored_.load()};
}

std::optional<model::Node> ManifestSource::node() const { return node_; }

}  // namespace sluice::agent
