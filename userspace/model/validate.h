// Checks a decoded object must pass before it is used. An object that fails is
// skipped (and counted) by the caller; the others are programmed.
#pragma once

#include <optional>
#include <string>

#include "model/objects.h"

namespace sluice::model {

// nullopt when valid, else why not, in words that name the offending field:
// "spec.ports[1]: duplicate port 80/TCP".
std::optional<std::string> ValidateService(const Service& service);
std::optional<std::string> ValidateEndpointSlice(const EndpointSlice& slice);

}  // namespace sluice::model
