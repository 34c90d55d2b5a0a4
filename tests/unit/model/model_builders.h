// Short constructors for model objects, so a test states only what it is about.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/lb_state.h"
#include "model/objects.h"

namespace sluice::model::testing {

inline IpAddress Ip(std::string_view text) {
  std::optional<IpAddress> ip = IpAddress::Parse(text);
  if (!ip) {
    ADD_FAILURE() << "bad IP in test: " << text;
    std::abort();
  }
  return *ip;
}

inline std::vector<IpAddress> Ips(std::initializer_list<std::string_view> texts) {
  std::vector<IpAddress> ips;
  for (std::string_view text : texts) ips.push_back(Ip(text));
  return ips;
}

inline ServicePort Port(std::string name, Protocol protocol, uint16_t port,
                        uint16_t node_port = 0) {
  return ServicePort{.name = std::move(name),
                     .protocol = protocol,
                     .port = port,
                     .node_port = node_port,
                     .target_port_name = ""};
}

// A ClusterIP Service "shop/<name>" with the given cluster IPs and ports.
inline Service MakeService(std::string name, std::initializer_list<std::string_view> cluster_ips,
                           std::vector<ServicePort> ports) {
  Service service;
  service.meta.id = {"shop", std::move(name)};
  service.cluster_ips = Ips(cluster_ips);
  service.ports = std::move(ports);
  return service;
}

struct Conditions {
  std::optional<bool> ready, serving, terminating;
};

inline Endpoint MakeEndpoint(std::string_view ip, std::string node, Conditions c = {}) {
  Endpoint endpoint;
  endpoint.addresses = {Ip(ip)};
  endpoint.node_name = std::move(node);
  endpoint.conditions = {c.ready, c.serving, c.terminating};
  return endpoint;
}

inline const Conditions kReady{true, true, false};
inline const Conditions kTerminating{false, true, true};               // draining: a fallback
inline const Conditions kNotServing{false, false, true};               // gone: never used
inline const Conditions kStarting{false, std::nullopt, std::nullopt};  // not ready yet

inline EndpointPort SlicePort(std::string name, Protocol protocol, std::optional<uint16_t> port) {
  return EndpointPort{.name = std::move(name), .protocol = protocol, .port = port};
}

// An EndpointSlice of Service shop/<service>.
inline EndpointSlice MakeSlice(std::string slice_name, std::string service, AddressType type,
                               std::vector<EndpointPort> ports, std::vector<Endpoint> endpoints) {
  EndpointSlice slice;
  slice.meta.id = {"shop", std::move(slice_name)};
  slice.meta.labels[kServiceNameLabel] = service;
  slice.service_name = std::move(service);
  slice.address_type = type;
  slice.ports = std::move(ports);
  slice.endpoints = std::move(endpoints);
  return slice;
}

inline std::vector<const EndpointSlice*> Pointers(const std::vector<EndpointSlice>& slices) {
  std::vector<const EndpointSlice*> pointers;
  for (const EndpointSlice& slice : slices) pointers.push_back(&slice);
  return pointers;
}

// "198.18.0.11:8080" for each backend, "~" appended when terminating.
inline std::vector<std::string> BackendNames(const Frontend& frontend) {
  std::vector<std::string> names;
  for (const Backend& backend : frontend.backends)
    names.push_back(backend.ToString() + (backend.terminating ? "~" : ""));
  return names;
}

inline std::vector<std::string> FrontendNames(const std::vector<Frontend>& frontends) {
  std::vector<std::string> names;
  for (const Frontend& frontend : frontends)
    names.push_back(std::string(FrontendTypeName(frontend.type)) + " " + frontend.key.ToString());
  return names;
}

inline const Frontend* FindFrontend(const std::vector<Frontend>& frontends,
                                    std::string_view key_text) {
  for (const Frontend& frontend : frontends)
    if (frontend.key.ToString() == key_text) return &frontend;
  return nullptr;
}

}  // namespace sluice::model::testing
