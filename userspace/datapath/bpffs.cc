#include "datapath/bpffs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/log.h"
#include "datapath/bpf_map_set.h"
#include "datapath/pin_paths.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

namespace sluice::datapath {
namespace fs = std::filesystem;

namespace {

bool IsBpffs(const fs::path& path) {
  struct statfs st {};
  return statfs(path.c_str(), &st) == 0 && static_cast<unsigned long>(st.f_type) == BPF_FS_MAGIC;
}

// Internal maps (.rodata, .bss, .data) belong to one object and are never shared.
bool IsSharedMap(const bpf_map* map) { return std::strchr(bpf_map__name(map), '.') == nullptr; }

// sluice's own directories are its owner's alone (0700 whatever the umask). The pins in
// them are 0600 already; a directory others may write would let any user unlink a
// link pin, which detaches the program it holds.
void MakePrivateDir(fs::path path) {
  if (!path.has_filename()) path = path.parent_path();  // "dir/"
  std::error_code ec;
  if (fs::is_directory(path, ec)) return;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) throw DatapathError("cannot create " + path.parent_path().string() + ": " + ec.message());
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw DatapathError("cannot create " + path.string() + ": " + strerror(errno));
}

}  // namespace

void PrepareBpffsDir(const std::string& dir) {
  fs::path existing = fs::path(dir);
  while (!existing.empty() && !fs::exists(existing)) existing = existing.parent_path();
  if (existing.empty() || !IsBpffs(existing))
    throw DatapathError("--bpffs " + dir + " is not on a bpf filesystem (mount one with: mount -t bpf bpf " +
                        (existing.empty() ? dir : existing.string()) + ")");
  MakePrivateDir(dir);
  MakePrivateDir(MapsDir(dir));
  MakePrivateDir(LinksDir(dir));
}

void AdoptPinnedMaps(bpf_object* obj, const std::string& dir, const MapLimits& limits,
                     MapMigrations& migrations) {
  bpf_map* map;
  bpf_object__for_each_map(map, obj) {
    if (!IsSharedMap(map)) continue;
    const char* name = bpf_map__name(map);
    if (auto size = limits.For(name)) {
      if (int err = bpf_map__set_max_entries(map, *size))
        throw DatapathError(std::string("cannot size map ") + name + ": " + strerror(-err));
    }
    std::string path = MapPinPath(dir, name);
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) {
      if (errno == ENOENT) continue;  // first run: created at load, pinned after
      throw DatapathError("cannot open pinned map " + path + ": " + strerror(errno));
    }
    UniqueFd owned(fd);
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len))
      throw DatapathError("cannot inspect pinned map " + path + ": " + strerror(errno));
    if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
        info.value_size != bpf_map__value_size(map) ||
        info.max_entries != bpf_map__max_entries(map) || info.map_flags != bpf_map__map_flags(map)) {
      // Created anew at load; the entries follow in PinMaps.
      migrations.Plan(map, path, std::move(owned), info);
      continue;
    }
    if (int err = bpf_map__reuse_fd(map, fd))
      throw DatapathError("cannot reuse pinned map " + path + ": " + strerror(-err));
  }
}

void PinMaps(bpf_object* obj, const std::string& dir, MapMigrations& migrations) {
  migrations.CopyAndRepin(obj);
  bpf_map* map;
  bpf_object__for_each_map(map, obj) {
    if (!IsSharedMap(map)) continue;
    std::string path = MapPinPath(dir, bpf_map__name(map));
    if (access(path.c_str(), F_OK) == 0) continue;  // adopted
    if (int err = bpf_map__pin(map, path.c_str()))
      throw DatapathError("cannot pin map at " + path + ": " + strerror(-err));
  }
}

int RemovePins(const std::string& dir) {
  int removed = 0;
  for (const std::string& sub : {LinksDir(dir), MapsDir(dir)}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(sub, ec)) {
      if (unlink(entry.path().c_str()) == 0)
        ++removed;
      else
        log::Warn("cannot remove pin", {{"path", entry.path().string()}, {"error", strerror(errno)}});
    }
    rmdir(sub.c_str());
  }
  rmdir(dir.c_str());
  return removed;
}

}  // namespace sluice::datapath
