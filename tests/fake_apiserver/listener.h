// The thread that owns the HTTPS listener. It enters the requested network
// namespace once (setns affects only the calling thread, and a socket belongs to the
// namespace it was created in, so the listening socket and every connection it
// accepts stay there while the rest of the test process stays where it was), then
// creates the httplib server, and re-creates it on the same port after an outage:
// SetAvailable(false) closes the listening socket and every open connection, so a
// client sees "connection refused" until SetAvailable(true).
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace sluice::fake_apiserver {

struct ListenerConfig {
  std::string bind_address;
  uint16_t port = 0;  // 0: any free port, kept across outages
  std::string netns_path;
  std::string cert_path, key_path;
  std::string client_ca_path;  // non-empty: every client must present a certificate it signed
  size_t worker_threads = 64;  // concurrent connections served (each watch holds one)
};

class Listener {
 public:
  // Installs the request handlers on a freshly created server.
  using Setup = std::function<void(httplib::Server&)>;

  // Starts listening before returning. `wake` is called when connections must end
  // (outage, stop): it wakes handlers blocked in long waits so they see closing().
  // Throws std::runtime_error when the namespace cannot be entered or the address
  // cannot be bound.
  Listener(ListenerConfig config, Setup setup, std::function<void()> wake);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  uint16_t port() const { return port_; }
  // True while the server is going down: streaming handlers must stop writing and
  // abandon their connection.
  bool closing() const { return closing_.load(); }

  // Blocks until the listener is down (false) or listening again (true).
  void SetAvailable(bool available);
  bool available() const;
  void Stop();

 private:
  void Run();
  bool ServeOnce();  // creates, binds and runs one server; false when binding failed
  void StopServer(std::unique_lock<std::mutex>& lock);

  ListenerConfig config_;
  Setup setup_;
  std::function<void()> wake_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> closing_{false};
  bool served_ = false;  // the listener thread's own: a server has been up before

  mutable std::mutex mutex_;
  std::condition_variable state_changed_;
  bool want_available_ = true;
  bool stopping_ = false;
  bool listening_ = false;
  std::string error_;  // why the thread could not listen
  httplib::Server* server_ = nullptr;  // the running server, owned by the thread
  std::thread thread_;
};

}  // namespace sluice::fake_apiserver
