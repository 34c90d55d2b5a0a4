// Conversions between the control plane's model and the datapath ABI structs.
#pragma once

#include <cstring>
#include <functional>
#include <string>

#include "model/lb_state.h"
#include "sluice/abi.h"

namespace sluice::datapath {

lb_service_key ToServiceKey(const model::FrontendKey& key);
model::FrontendKey FromServiceKey(const lb_service_key& key);
lb_backend ToBackend(const model::Backend& backend);
lb_service_meta ToMeta(const std::string& service, const std::string& port_name);

uint8_t ToIpProto(model::Protocol protocol);  // IPPROTO_TCP / IPPROTO_UDP
const char* IpProtoName(uint8_t proto);        // "TCP" / "UDP" / "?"

// Hashing and equality of ABI structs by their bytes (they have no implicit padding).
template <typename T>
struct BytesHash {
  size_t operator()(const T& v) const noexcept {
    return std::hash<std::string_view>()(
        std::string_view(reinterpret_cast<const char*>(&v), sizeof(T)));
  }
};
template <typename T>
struct BytesEqual {
  bool operator()(const T& a, const T& b) const noexcept {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
  }
};
template <typename T>
bool SameBytes(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

}  // namespace sluice::datapath
