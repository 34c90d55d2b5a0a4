// The one exception of the decoding edge: an object from the API server or a manifest
// could not be turned into a model object. what() names the field the way the API
// server's own validation does: `spec.ports[1].protocol: unknown protocol "XTCP"`.
#pragma once

#include <stdexcept>

namespace sluice::k8s {

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sluice::k8s
