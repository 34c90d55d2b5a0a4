#include "fake_apiserver/resource.h"

namespace sluice::fake_apiserver {

const char* ResourceName(Resource resource) {
  switch (resource) {
    case Resource::kServices: return "services";
    case Resource::kEndpointSlices: return "endpointslices";
    case Resource::kNodes: return "nodes";
  }
  return "?";
}

const char* VerbName(Verb verb) {
  switch (verb) {
    case Verb::kList: return "list";
    case Verb::kWatch: return "watch";
    case Verb::kGet: return "get";
  }
  return "?";
}

const char* KindOf(Resource resource) {
  switch (resource) {
    case Resource::kServices: return "Service";
    case Resource::kEndpointSlices: return "EndpointSlice";
    case Resource::kNodes: return "Node";
  }
  return "?";
}

const char* ListKindOf(Resource resource) {
  switch (resource) {
    case Resource::kServices: return "ServiceList";
    case Resource::kEndpointSlices: return "EndpointSliceList";
    case Resource::kNodes: return "NodeList";
  }
  return "?";
}

const char* ApiVersionOf(Resource resource) {
  return resource == Resource::kEndpointSlices ? "discovery.k8s.io/v1" : "v1";
}

const char* CollectionPath(Resource resource) {
  switch (resource) {
    case Resource::kServices: return "/api/v1/services";
    case Resource::kEndpointSlices: return "/apis/discovery.k8s.io/v1/endpointslices";
    case Resource::kNodes: return "/api/v1/nodes";
  }
  return "/";
}

bool IsNamespaced(Resource resource) { return resource != Resource::kNodes; }

std::optional<Resource> ResourceForKind(std::string_view kind) {
  for (Resource r : kAllResources) {
    if (kind == KindOf(r)) return r;
  }
  return std::nullopt;
}

std::string StorageKey(Resource resource, std::string_view ns, std::string_view name) {
  std::string key = "/";
  if (IsNamespaced(resource)) {
    key += ns;
    key += '/';
  }
  key += name;
  return key;
}

nlohmann::json BookmarkObject(Resource resource, std::string_view resource_version) {
  nlohmann::json object = {{"kind", KindOf(resource)},
                           {"apiVersion", ApiVersionOf(resource)},
                           {"metadata", {{"resourceVersion", resource_version}}}};
  // As captured from kube-apiserver v1.36 (tests/fixtures/k8s-wire/*-watch.json);
  // the Node's is what its value-typed status structs print.
  switch (resource) {
    case Resource::kServices:
      object["spec"] = nlohmann::json::object();
      object["status"] = {{"loadBalancer", nlohmann::json::object()}};
      break;
    case Resource::kEndpointSlices:
      object["addressType"] = "";
      object["endpoints"] = nullptr;
      object["ports"] = nullptr;
      break;
    case Resource::kNodes: {
      nlohmann::json info = nlohmann::json::object();
      for (const char* field : {"machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
                                "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion",
                                "operatingSystem", "architecture"}) {
        info[field] = "";
      }
      object["spec"] = nlohmann::json::object();
      object["status"] = {{"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 0}}}}},
                          {"nodeInfo", info}};
      break;
    }
  }
  return object;
}

}  // namespace sluice::fake_apiserver
