// Kubernetes objects in their protobuf form (the API server's default wire format for
// kube-proxy and sluice) decoded to the model, with json_objects' semantics: the same
// defaults (TCP, 10800 s affinity, "default" namespace), the same treatment of
// headless, ExternalName and ipMode Proxy, and DecodeError naming the field in the
// API's JSON spelling (`spec.ports[1].protocol: unknown protocol "XTCP"`).
//
// Presence differs between the formats: Go writes every non-pointer string and
// integer to protobuf even when empty or zero, where its JSON omits them. So here an
// empty string is an absent field, as it is in the JSON the same object would print;
// only pointer fields (EndpointPort.port, the endpoint conditions, timeoutSeconds)
// have presence of their own.
#pragma once

#include "k8s/decode_error.h"
#include "k8s/proto/core_v1.pb.h"
#include "k8s/proto/discovery_v1.pb.h"
#include "model/objects.h"

namespace sluice::k8s {

namespace corev1 = ::k8s::io::api::core::v1;
namespace discoveryv1 = ::k8s::io::api::discovery::v1;
namespace metav1 = ::k8s::io::apimachinery::pkg::apis::meta::v1;

model::Service ServiceFromProto(const corev1::Service& service);
model::EndpointSlice EndpointSliceFromProto(const discoveryv1::EndpointSlice& slice);
model::Node NodeFromProto(const corev1::Node& node);

}  // namespace sluice::k8s
