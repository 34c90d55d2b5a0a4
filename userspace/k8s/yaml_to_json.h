// One parsed YAML document as the JSON value the API server would have received for
// it, so manifests and the wire format share one decoder (json_objects.h).
//
// Plain scalars are typed by the YAML 1.2 core schema: null, true/false, integers
// (decimal, 0o octal, 0x hex), floats (.inf, .nan included); anything else is a
// string. Quoted and block scalars are always strings ("80" stays "80"). Explicit
// !!str/!!int/!!float/!!bool/!!null tags are honoured. Note that this is not YAML 1.1:
// `yes`, `on` and `off` are strings.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <nlohmann/json.hpp>

#include "k8s/decode_error.h"

namespace sluice::k8s {

// Throws DecodeError, naming the path, for what JSON cannot say: keys that are not
// scalars, duplicate keys, unknown tags, nesting deeper than 100 levels, and more than
// `max_nodes` values after expanding aliases (an "alias bomb" expands exponentially;
// a caller that knows the text's size can pass a bound proportional to it).
nlohmann::json YamlToJson(const YAML::Node& document, size_t max_nodes = 4u << 20);

}  // namespace sluice::k8s
