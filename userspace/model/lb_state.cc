#include "model/lb_state.h"

namespace sluice::model {

const char* FrontendTypeName(FrontendType type) {
  switch (type) {
    case FrontendType::kClusterIP:
      return "ClusterIP";
    case FrontendType::kNodePort:
      return "NodePort";
    case FrontendType::kExternalIP:
      return "ExternalIP";
    case FrontendType::kLoadBalancer:
      return "LoadBalancer";
  }
  return "?";
}

const char* ScopeName(Scope scope) { return scope == Scope::kExternal ? "external" : "internal"; }

// The internal scope is the common case and stays unmarked, so a frontend prints the
// way users write it ("198.19.0.10:80/TCP"); only the external twin carries a suffix.
std::string FrontendKey::ToString() const {
  std::string text = address.WithPort(port) + "/" + ProtocolName(protocol);
  if (scope == Scope::kExternal) text += " (external)";
  return text;
}

}  // namespace sluice::model
