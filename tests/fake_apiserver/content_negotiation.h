// Picking the wire format from the Accept header, as the API server does for the
// two formats sluice speaks.
#pragma once

#include <string_view>

#include "fake_apiserver/server_context.h"

namespace sluice::fake_apiserver {

// The first media type in `accept` the fake can produce: protobuf for
// "application/vnd.kubernetes.protobuf", JSON for "application/json", "*/*",
// "application/*" or an empty header. Null when none is acceptable (406).
const WireEncoder* Negotiate(const ServerContext& context, std::string_view accept);

}  // namespace sluice::fake_apiserver
