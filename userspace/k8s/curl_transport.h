// ApiTransport over libcurl: HTTPS to the API server with the credentials of a
// ClusterConfig (CA, client certificate and key from memory, a bearer token that
// follows its file as it rotates).
//
// Every call drives its own curl easy handle from its own multi handle, so calls from
// different threads (one reflector per resource) never share a handle, and Cancel()
// can wake a transfer that is blocked waiting for bytes (curl_multi_wakeup) instead of
// waiting for curl's next progress tick. Finished handles are kept in a small pool: the
// multi handle owns the connection cache, so list pages that follow each other reuse
// one TLS connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "k8s/api_transport.h"
#include "k8s/bearer_token.h"
#include "k8s/cluster_config.h"

namespace sluice::k8s {

struct CurlTransportOptions {
  // TCP connect plus TLS handshake, for Get and Stream.
  std::chrono::milliseconds connect_timeout{10'000};
  // A whole Get, first byte to last. A Stream has no total limit (a watch lasts as long
  // as the server keeps it open); its idle timeout bounds a stall instead.
  std::chrono::milliseconds request_timeout{60'000};
  // Sent as User-Agent: the API server's audit log and metrics show it.
  std::string user_agent = DefaultUserAgent();
  // Idle handles (and with them their open connections) kept for reuse.
  size_t max_idle_handles = 4;

  static std::string DefaultUserAgent();  // "sluice-agent/<version>"
};

class CurlTransport final : public ApiTransport {
 public:
  explicit CurlTransport(ClusterConfig config, CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Throws TransportError on a connection, TLS or timeout failure, including a body
  // cut short after the status line (a truncated list is no list). A 401 makes the
  // token file be read again and, when that gives a new token, the request is sent
  // once more.
  ApiResponse Get(const std::string& path_and_query, const std::string& accept) override;

  // Ends kClosed when the server completes the response, kAborted when on_data returns
  // false or Cancel() is called, kIdle after `idle_timeout_ms` without a byte (<= 0:
  // never), kBroken when the connection fails after the response began (reset, TLS
  // error, a chunked body cut off). Failing before a response began (refused, TLS
  // handshake, no response within the idle timeout) throws TransportError. An
  // exception thrown by a callback ends the transfer and propagates. 401: as Get,
  // before on_headers sees it.
  StreamEnd Stream(const std::string& path_and_query, const std::string& accept, long idle_timeout_ms,
                   const HeadersCallback& on_headers,
                   const std::function<bool(std::string_view chunk)>& on_data) override;

  // For shutdown, from any thread: every call in flight ends within milliseconds, and
  // so does every later call (Get throws, Stream returns kAborted). Not undone.
  void Cancel() override;

 private:
  struct Handle;    // an easy handle and the multi handle that drives it
  struct Exchange;  // one request: its callbacks and the response head as it arrives
  class Checkout;   // a Handle taken from the pool for one call
  struct RunResult;

  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);
  // Sets every option of one request on the handle.
  void Prepare(Handle& handle, Exchange& exchange, const std::string& url, const std::string& accept,
               bool stream);
  // Drives the transfer until it completes, Cancel() is called or it idles.
  RunResult Run(Handle& handle, Exchange& exchange, long idle_timeout_ms);

  const ClusterConfig config_;
  const CurlTransportOptions options_;
  BearerToken token_;
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;                              // guards idle_ and in_flight_
  std::vector<std::unique_ptr<Handle>> idle_;  // ready for reuse
  std::vector<Handle*> in_flight_;             // what Cancel() wakes
};

}  // namespace sluice::k8s
