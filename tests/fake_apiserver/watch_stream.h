// WATCH: an HTTP 200 whose chunked body is a stream of events, each flushed as it is
// written. From resourceVersion R it replays every change after R in order, then
// streams changes as they happen; with no RV (or "0") it starts with a synthetic
// ADDED event per current object. A change that moves an object out of a selected
// set is sent as DELETED, one that moves it in as ADDED, as the real server does.
// Bookmarks every bookmark_interval when allowWatchBookmarks=true. The stream ends
// at timeoutSeconds (or the default), with an in-stream 410 ERROR when R (or the
// stream's position after a stall) predates the history, or as a fault says.
#pragma once

#include <httplib.h>

#include <optional>

#include "fake_apiserver/faults.h"
#include "fake_apiserver/request_options.h"
#include "fake_apiserver/server_context.h"

namespace sluice::fake_apiserver {

// Sets `response` up to stream; the events are written after the handler returns,
// from the connection's worker thread. `fault` is one of the watch faults or a stall.
// `peer_fd` is the connection's socket (-1 if unknown), watched for the client
// hanging up.
void StartWatch(const ServerContext& context, Resource resource, const RequestOptions& options,
                std::optional<Fault> fault, const WireEncoder& encoder, int peer_fd,
                httplib::Response& response);

}  // namespace sluice::fake_apiserver
