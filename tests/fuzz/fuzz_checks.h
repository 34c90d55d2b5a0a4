// What must hold of anything the decoders return, checked by every fuzz target:
// a decoded object is named, a failure says why. A broken invariant aborts, which
// libFuzzer reports as a crash with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <variant>

#include "k8s/manifest_decoder.h"
#include "k8s/wire_codec.h"

namespace sluice::fuzz {

[[noreturn]] inline void Broken(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

inline void CheckMeta(const model::ObjectMeta& meta, bool namespaced) {
  if (meta.id.name.empty()) Broken("a decoded object has no name");
  if (namespaced && meta.id.ns.empty()) Broken("a namespaced object has no namespace");
}

inline void CheckObject(const k8s::Object& object) {
  CheckMeta(k8s::MetaOf(object), !std::holds_alternative<model::Node>(object));
}

inline void CheckList(const k8s::DecodedList& list) {
  for (const k8s::Object& item : list.items) CheckObject(item);
  for (const k8s::ObjectFailure& failure : list.failures)
    if (failure.reason.empty()) Broken("a list failure without a reason");
}

inline void CheckEvent(const k8s::WatchEvent& event) {
  if (event.object) CheckObject(*event.object);
  if (event.type == k8s::WatchEventType::kError && !event.status) Broken("an ERROR event without a status");
  if (event.type == k8s::WatchEventType::kBookmark && event.resource_version.empty())
    Broken("a bookmark without a resourceVersion");
  if (event.type == k8s::WatchEventType::kDeleted && !event.name) Broken("a deletion without a name");
}

inline void CheckManifest(const k8s::DecodedManifest& manifest) {
  for (const model::Service& service : manifest.services) CheckMeta(service.meta, true);
  for (const model::EndpointSlice& slice : manifest.endpoint_slices) CheckMeta(slice.meta, true);
  for (const model::Node& node : manifest.nodes) CheckMeta(node.meta, false);
  for (const k8s::DecodeFailure& failure : manifest.failures)
    if (failure.reason.empty()) Broken("a manifest failure without a reason");
}

}  // namespace sluice::fuzz
