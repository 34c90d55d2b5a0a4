// Where sluice pins things under its bpffs directory. Maps and links outlive the
// agent there: programs stay attached and services keep working while it restarts.
#pragma once

#include <string>
#include <string_view>

namespace sluice::datapath {

inline constexpr const char* kDefaultBpffsDir = "/sys/fs/bpf/sluice";

inline std::string MapsDir(std::string_view bpffs) { return std::string(bpffs) + "/maps"; }
inline std::string LinksDir(std::string_view bpffs) { return std::string(bpffs) + "/links"; }
inline std::string MapPinPath(std::string_view bpffs, std::string_view map) {
  return MapsDir(bpffs) + "/" + std::string(map);
}
inline std::string LinkPinPath(std::string_view bpffs, std::string_view program) {
  return LinksDir(bpffs) + "/" + std::string(program);
}

}  // namespace sluice::datapath
