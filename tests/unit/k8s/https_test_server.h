// An HTTPS server inside the test process (cpp-httplib) on 127.0.0.1 and a free port,
// with the test PKI's server certificate, optionally requiring client certificates
// signed by the test CA. Tests register handlers, then Start().
//
// Handlers that must stall (a watch that goes quiet, a response that never comes)
// wait in WaitForRelease(), bounded in time; the destructor releases them before it
// stops the server, so no test can hang on its server.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "test_pki.h"

namespace sluice::k8s::testing {

class HttpsTestServer {
 public:
  explicit HttpsTestServer(bool require_client_cert = false);
  ~HttpsTestServer();
  HttpsTestServer(const HttpsTestServer&) = delete;
  HttpsTestServer& operator=(const HttpsTestServer&) = delete;

  httplib::Server& http() { return *server_; }
  void Start();
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  // Blocks until Release() or `limit`; true when released.
  bool WaitForRelease(std::chrono::milliseconds limit);
  void Release();

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
int UnusedPort();

}  // namespace sluice::k8s::testing
