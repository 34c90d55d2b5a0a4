// Reads the manifests an operator keeps in a directory (`--manifests DIR`): what
// `kubectl get -o yaml` or `-o json` prints, or what one would `kubectl apply -f`.
//
// Accepted: JSON or YAML; one object, several YAML documents separated by "---", or
// a list (`kind: List` with items of any kind, or ServiceList / EndpointSliceList /
// NodeList whose items carry no kind). Services (v1), EndpointSlices
// (discovery.k8s.io/v1) and Nodes (v1) are decoded and validated; objects of other
// kinds, or of the same kind in another API group, are skipped and counted. A broken
// object becomes a failure and does not stop the others.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/objects.h"

namespace sluice::k8s {

struct DecodeFailure {
  // Which object, as a person would look for it: "Service shop/web (web.yaml,
  // document 3)", "EndpointSlice shop/web-x (list.json, document 1, items[4])", or
  // just "web.yaml, document 2" for a document that did not get as far as a kind.
  std::string object;
  std::string reason;  // names the field: "spec.ports[1]: duplicate port 80/TCP"
  // Set when the broken object still says what it is, so a caller can keep the last
  // good version of it instead of treating it as deleted.
  std::string kind;                      // "Service", "EndpointSlice", "Node" or ""
  std::optional<model::ObjectName> name;
};

struct DecodedManifest {
  std::vector<model::Service> services;
  std::vector<model::EndpointSlice> endpoint_slices;
  std::vector<model::Node> nodes;
  std::vector<DecodeFailure> failures;
  size_t ignored = 0;  // well-formed objects of kinds sluice does not read
};

// `source_name` only labels failures (usually the file name). Never throws for bad
// input: every problem is a failure entry.
DecodedManifest DecodeManifest(std::string_view text, std::string_view source_name);

}  // namespace sluice::k8s
