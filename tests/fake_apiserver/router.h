// The front door: every request, whatever its method or path, comes here. It is
// logged, authenticated (bearer token), matched to a resource and verb, checked for
// an injected fault, and handed to the list, get or watch handler. Anything the fake
// does not serve is a 404 with a Status body, and stays in the log so a test can
// assert the agent asked for nothing else.
#pragma once

#include <httplib.h>

#include "fake_apiserver/server_context.h"

namespace sluice::fake_apiserver {

class Router {
 public:
  explicit Router(const ServerContext& context) : context_(context) {}
  // Routes every request of `server` through Handle().
  void Install(httplib::Server& server) const;

 private:
  void Handle(const httplib::Request& request, httplib::Response& response) const;

  const ServerContext& context_;
};

}  // namespace sluice::fake_apiserver
