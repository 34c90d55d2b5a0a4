// LIST and GET: the bodies of the non-streaming requests, or an ApiError (thrown)
// for the status the real server would answer instead.
//
// A list is served from one snapshot: the current state for the first page (or the
// state at resourceVersion with resourceVersionMatch=Exact), and for every later
// page the state at the RV its continue token carries, so pages never mix versions.
// Label and field selectors filter; limit cuts pages; remainingItemCount is set on
// a cut, unfiltered list (the real server leaves it out when selectors are used).
#pragma once

#include <string>
#include <string_view>

#include "fake_apiserver/request_options.h"
#include "fake_apiserver/server_context.h"

namespace sluice::fake_apiserver {

std::string ServeList(const ServerContext& context, Resource resource,
                      const RequestOptions& options, const WireEncoder& encoder);
std::string ServeGet(const ServerContext& context, Resource resource, std::string_view name,
                     const WireEncoder& encoder);

}  // namespace sluice::fake_apiserver
