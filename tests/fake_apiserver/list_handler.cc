#include "fake_apiserver/list_handler.h"

#include <chrono>

#include "fake_apiserver/continue_token.h"

namespace sluice::fake_apiserver {
namespace {

// How long the real server waits for its cache to reach a requested RV before it
// answers "Too large resource version".
constexpr auto kWaitForResourceVersion = std::chrono::seconds(3);

// Waits (bounded) until the store has reached `rv`; false when it did not.
bool WaitForResourceVersion(const ServerContext& context, uint64_t rv) {
  auto until = std::chrono::steady_clock::now() + kWaitForResourceVersion;
  while (context.store->resource_version() < rv) {
    if (std::chrono::steady_clock::now() >= until || context.closing()) return false;
    context.store->WaitForChange(context.store->resource_version(), until, context.closing);
  }
  return true;
}

}  // namespace

std::string ServeList(const ServerContext& context, Resource resource,
                      const RequestOptions& options, const WireEncoder& encoder) {
  Snapshot snapshot;
  std::string start;  // the first key of this page
  uint64_t asked = ParseResourceVersion(options.resource_version);
  if (!options.continue_token.empty()) {
    auto token = DecodeContinueToken(options.continue_token);
    if (!token) throw BadRequest("continue key is not valid: incorrect encoded start resourceVersion");
    if (context.store->SnapshotAt(resource, token->resource_version, &snapshot) != ReadStatus::kOk) {
      throw ContinueExpired();
    }
    start = token->start;
  } else if (options.resource_version_match == "Exact") {
    switch (context.store->SnapshotAt(resource, asked, &snapshot)) {
      case ReadStatus::kOk: break;
      case ReadStatus::kExpired: throw ListExpired();
      case ReadStatus::kTooLarge:
        throw TooLargeResourceVersion(asked, context.store->resource_version());
    }
  } else {
    // "", "0" or NotOlderThan: the current state, once the server has caught up.
    if (asked > 0 && !WaitForResourceVersion(context, asked)) {
      throw TooLargeResourceVersion(asked, context.store->resource_version());
    }
    context.store->SnapshotAt(resource, 0, &snapshot);
  }

  bool filtered = !options.labels.empty() || !options.fields.empty();
  std::vector<ObjectPtr> page;
  ListMeta meta;
  meta.resource_version = std::to_string(snapshot.resource_version);
  int64_t remaining = 0;
  for (const ObjectPtr& object : snapshot.objects) {
    if (object->key() < start) continue;
    if (!options.labels.Matches(object->json()) || !options.fields.Matches(object->json())) continue;
    if (options.limit && static_cast<int64_t>(page.size()) >= *options.limit) {
      ++remaining;
      continue;
    }
    page.push_back(object);
  }
  if (remaining > 0) {
    meta.continue_token = EncodeContinueToken(snapshot.resource_version, page.back()->key());
    if (!filtered) meta.remaining_item_count = remaining;
  }
  return encoder.List(resource, meta, page);
}

std::string ServeGet(const ServerContext& context, Resource resource, std::string_view name,
                     const WireEncoder& encoder) {
  ObjectPtr object = context.store->Get(resource, "", name);
  if (!object) throw ObjectNotFound(resource, name);
  return encoder.Object(*object);
}

}  // namespace sluice::fake_apiserver
