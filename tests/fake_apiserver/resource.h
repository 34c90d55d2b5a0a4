// The three resources the fake serves, and what the API server says about each:
// paths, kinds, apiVersions, whether they are namespaced, and how their keys sort.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sluice::fake_apiserver {

enum class Resource { kServices, kEndpointSlices, kNodes };
inline constexpr Resource kAllResources[] = {Resource::kServices, Resource::kEndpointSlices,
                                             Resource::kNodes};

// What a request asked for: a collection (list), a stream (watch) or one named object.
enum class Verb { kList, kWatch, kGet };

const char* ResourceName(Resource resource);  // "services", "endpointslices", "nodes"
const char* VerbName(Verb verb);              // "list", "watch", "get"
const char* KindOf(Resource resource);        // "Service", "EndpointSlice", "Node"
const char* ListKindOf(Resource resource);    // "ServiceList", ...
const char* ApiVersionOf(Resource resource);  // "v1" or "discovery.k8s.io/v1"
const char* CollectionPath(Resource resource);  // "/api/v1/services", ...
bool IsNamespaced(Resource resource);

// By `kind` as an object names itself; nullopt for kinds the fake does not serve.
std::optional<Resource> ResourceForKind(std::string_view kind);

// The storage key, as etcd orders objects: "/namespace/name", or "/name" for a
// cluster-scoped object. Lists are returned in this order and continue tokens
// name the key to resume from.
std::string StorageKey(Resource resource, std::string_view ns, std::string_view name);

// What Go's encoding/json prints for an object of this kind whose fields are all
// zero but kind, apiVersion and metadata.resourceVersion: the shape of a BOOKMARK
// event's object in the real server's JSON stream (value-typed structs print as {},
// nil slices as null).
nlohmann::json BookmarkObject(Resource resource, std::string_view resource_version);

}  // namespace sluice::fake_apiserver
