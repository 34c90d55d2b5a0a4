#include "cli/format.h"

#include <arpa/inet.h>

#include <cstdio>

#include "base/ip_address.h"

namespace sluice::cli {

std::string Addr(const sluice_addr& addr, uint8_t family) {
  return IpAddress::FromDatapath(addr, family).ToString();
}

std::string AddrPort(const sluice_addr& addr, uint8_t family, __be16 port) {
  return IpAddress::FromDatapath(addr, family).WithPort(ntohs(port));
}

std::string Duration(uint64_t ns) {
  uint64_t s = ns / 1000000000ull;
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof(buf), "%llus", static_cast<unsigned long long>(s));
  else if (s < 3600)
    std::snprintf(buf, sizeof(buf), "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  else if (s < 86400)
    std::snprintf(buf, sizeof(buf), "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s % 3600 / 60));
  else
    std::snprintf(buf, sizeof(buf), "%llud%02lluh", static_cast<unsigned long long>(s / 86400),
                  static_cast<unsigned long long>(s % 86400 / 3600));
  return buf;
}

double Seconds(uint64_t ns) { return static_cast<double>(ns / 1000000ull) / 1000.0; }

uint64_t Since(uint64_t now_ns, uint64_t then_ns) { return now_ns > then_ns ? now_ns - then_ns : 0; }

std::string ServiceLabel(const std::string& service, const std::string& port_name) {
  if (service.empty()) return "?";
  return port_name.empty() ? service : service + ":" + port_name;
}

std::string ServiceLabel(const datapath::SnapshotFrontend& fe) {
  return ServiceLabel(fe.service, fe.port_name);
}

std::map<uint32_t, const datapath::SnapshotFrontend*> IndexFrontends(const datapath::Snapshot& snap) {
  std::map<uint32_t, const datapath::SnapshotFrontend*> index;
  for (const auto& fe : snap.frontends) index[fe.id] = &fe;
  return index;
}

std::string BackendLabel(const datapath::Snapshot& snap, uint32_t id) {
  auto it = snap.backends.find(id);
  if (it == snap.backends.end()) return "id " + std::to_string(id) + " (gone)";
  return it->second.backend.address.WithPort(it->second.backend.port);
}

}  // namespace sluice::cli
