#include "fake_apiserver/router.h"

#include <openssl/ssl.h>

#include <optional>
#include <string>
#include <string_view>

#include "fake_apiserver/content_negotiation.h"
#include "fake_apiserver/list_handler.h"
#include "fake_apiserver/peer_socket.h"
#include "fake_apiserver/watch_stream.h"

namespace sluice::fake_apiserver {
namespace {

struct Route {
  Resource resource;
  bool named = false;  // /api/v1/nodes/NAME
  std::string name;
};

std::optional<Route> Match(std::string_view path) {
  for (Resource r : kAllResources) {
    std::string_view collection = CollectionPath(r);
    if (path == collection) return Route{r, false, ""};
    if (r == Resource::kNodes && path.size() > collection.size() + 1 &&
        path.substr(0, collection.size()) == collection && path[collection.size()] == '/') {
      std::string_view name = path.substr(collection.size() + 1);
      if (name.find('/') == std::string_view::npos) return Route{r, true, std::string(name)};
    }
  }
  return std::nullopt;
}

void Reply(httplib::Response& response, const WireEncoder& encoder, const ApiError& error) {
  response.status = error.code;
  if (error.retry_after_seconds) {
    response.set_header("Retry-After", std::to_string(*error.retry_after_seconds));
  }
  response.set_content(encoder.Status(error.StatusObject()), encoder.content_type());
}

}  // namespace

void Router::Install(httplib::Server& server) const {
  server.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
    return httplib::Server::HandlerResponse::Handled;
  });
}

void Router::Handle(const httplib::Request& request, httplib::Response& response) const {
  // httplib compresses a chunked response, buffering it, when the client accepts
  // gzip; the API server never compresses a watch. Serve identity bodies only: the
  // Request object is httplib's own mutable one, handed to us as const.
  const_cast<httplib::Request&>(request).headers.erase("Accept-Encoding");

  std::optional<Route> route = Match(request.path);
  RequestRecord record;
  record.method = request.method;
  record.path = request.path;
  record.params = request.params;
  record.accept = request.get_header_value("Accept");
  record.time = std::chrono::system_clock::now();
  std::optional<Verb> verb;
  if (route) {
    record.resource = route->resource;
    auto watch = request.params.find("watch");
    bool watching = watch != request.params.end() && (watch->second == "true" || watch->second == "1");
    verb = route->named ? Verb::kGet : watching ? Verb::kWatch : Verb::kList;
    record.verb = verb;
  }
  size_t handle = context_.log->Add(std::move(record));

  const WireEncoder* encoder = Negotiate(context_, request.get_header_value("Accept"));
  try {
    if (!encoder) {
      encoder = context_.json;
      throw NotAcceptable();
    }
    if (!context_.bearer_token.empty() &&
        request.get_header_value("Authorization") != "Bearer " + context_.bearer_token) {
      throw Unauthorized();
    }
    if (!route) throw PathNotFound();
    if (request.method != "GET") {
      ApiError e = ErrorForCode(405);
      e.reason = "MethodNotAllowed";
      e.message = "the server does not allow this method on the requested resource";
      throw e;
    }
    RequestOptions options = ParseRequestOptions(request.params);
    std::optional<Fault> fault = context_.faults->Take(route->resource, *verb);
    if (fault && fault->type == Fault::Type::kStatus) {
      throw ErrorForCode(fault->status_code, fault->retry_after_seconds);
    }
    int peer_fd = request.ssl ? SSL_get_fd(request.ssl) : -1;
    if (fault && fault->type == Fault::Type::kStall && *verb != Verb::kWatch) {
      context_.stalls->Wait(fault->duration,
                            [&] { return context_.closing() || PeerHasClosed(peer_fd); });
    }
    switch (*verb) {
      case Verb::kList:
        response.set_content(ServeList(context_, route->resource, options, *encoder),
                             encoder->content_type());
        break;
      case Verb::kGet:
        response.set_content(ServeGet(context_, route->resource, route->name, *encoder),
                             encoder->content_type());
        break;
      case Verb::kWatch:
        StartWatch(context_, route->resource, options, std::move(fault), *encoder, peer_fd, response);
        break;
    }
    response.status = 200;
  } catch (const ApiError& error) {
    Reply(response, *encoder, error);
  }
  context_.log->SetStatus(handle, response.status);
}

}  // namespace sluice::fake_apiserver
