// Small formatting pieces shared by sluicectl's views: addresses as the datapath
// stores them, durations, Service labels.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "datapath/snapshot.h"
#include "sluice/abi.h"

namespace sluice::cli {

std::string Addr(const sluice_addr& addr, uint8_t family);
// "1.2.3.4:80" / "[fd00::1]:80"; `port` in network order, as in the maps.
std::string AddrPort(const sluice_addr& addr, uint8_t family, __be16 port);

// "0s", "45s", "3m05s", "2h03m", "4d02h": two units at most, a glance is enough.
std::string Duration(uint64_t ns);
// Seconds with millisecond precision, for JSON.
double Seconds(uint64_t ns);
// now - then, 0 if `then` is in the future (a clock read before the entry was written).
uint64_t Since(uint64_t now_ns, uint64_t then_ns);

// "namespace/name:port" (":port" only if named), "?" when the metadata is missing.
std::string ServiceLabel(const std::string& service, const std::string& port_name);
std::string ServiceLabel(const datapath::SnapshotFrontend& fe);

// Frontends by id.
std::map<uint32_t, const datapath::SnapshotFrontend*> IndexFrontends(const datapath::Snapshot& snap);

// "198.18.1.2:8080" for a backend id, or "id 17 (gone)" when it names no entry.
std::string BackendLabel(const datapath::Snapshot& snap, uint32_t id);

}  // namespace sluice::cli
