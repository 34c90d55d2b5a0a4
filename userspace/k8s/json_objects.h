// Kubernetes objects in their JSON form (the API server's wire format, and what
// manifests become after yaml_to_json) decoded to the model. Field names are the
// API's own: core/v1 Service and Node, discovery.k8s.io/v1 EndpointSlice.
//
// Decoding checks shape and types (a port is an integer in range, an IP parses, a
// protocol is known) and throws DecodeError naming the field; consistency across
// fields (duplicate ports, port 0, families) is model::Validate*'s job.
#pragma once

#include <nlohmann/json.hpp>

#include "k8s/decode_error.h"
#include "model/objects.h"

namespace sluice::k8s {

// `object` is one object, with or without kind/apiVersion (items of a ServiceList
// carry neither); a kind that is present must match. A namespaced object without
// metadata.namespace lands in "default", as `kubectl apply` would put it.
model::Service ServiceFromJson(const nlohmann::json& object);
model::EndpointSlice EndpointSliceFromJson(const nlohmann::json& object);
model::Node NodeFromJson(const nlohmann::json& object);

}  // namespace sluice::k8s
