// Kubernetes JSON objects into the protobuf messages of userspace/k8s/proto/, the way
// kube-apiserver's Go marshaller writes them:
//   - every field those .proto files declare is read from the JSON key of the same
//     name (upstream names proto fields after the JSON keys); fields they leave out are
//     not sent, exactly as the agent's decoder would skip them;
//   - a field that is a value type in Go is written even at its zero value (an empty
//     string, 0, false, an empty message), because Go cannot tell "unset" from zero;
//     one that is a pointer in Go (EndpointConditions.ready, Endpoint.zone, ...) only
//     when the JSON has it, so "absent" survives the trip as it does with the real server;
//   - metav1.Time is {seconds, nanos} from an RFC 3339 string, an empty message when
//     zero; IntOrString is {type, intVal, strVal} from a number or a string.
// A JSON value of the wrong type for its field (a test's deliberately broken object)
// is treated as absent.
#pragma once

#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>

#include <string>

namespace sluice::fake_apiserver {

// Fills `message` (any message of the k8s protos) from `object`.
void JsonToProto(const nlohmann::json& object, google::protobuf::Message* message);

// Serialized with sorted map keys, as Go's generated marshaller sorts them.
std::string SerializeDeterministic(const google::protobuf::Message& message);

// Seconds since the epoch of an RFC 3339 time ("2026-11-22T04:28:23Z",
// "...23.5+02:00"); nanos in `*nanos`. False when `text` is not one.
bool ParseRfc3339(const std::string& text, int64_t* seconds, int32_t* nanos);

}  // namespace sluice::fake_apiserver
