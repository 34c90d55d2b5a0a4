// The API server source: one reflector each for Services, EndpointSlices (with
// kube-proxy's label selector) and this node's Node, each in its own thread. Like the
// manifests source it only records objects in the ObjectStore; the sync runner
// programs them once both Services and EndpointSlices have listed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/waiter.h"
#include "k8s/api_transport.h"
#include "k8s/reflector.h"
#include "proxy/object_store.h"

namespace sluice::agent {

struct ApiSourceOptions {
  k8s::ContentType content_type = k8s::ContentType::kProtobuf;
  std::string node_name;
  std::string service_proxy_name;  // see ServiceLabelSelector
  std::chrono::seconds min_watch_timeout = std::chrono::minutes(5);
  std::chrono::milliseconds watch_idle_timeout = std::chrono::seconds(90);
  int page_size = 500;
};

// kube-proxy's selector: no headless Services, and only Services no other proxy
// claims (or, with a proxy name, only the ones labelled for it).
std::string ServiceLabelSelector(const std::string& service_proxy_name);

class ApiSource {
 public:
  using NodeCallback = std::function<void(const model::Node&)>;

  ApiSource(ApiSourceOptions options, std::unique_ptr<k8s::ApiTransport> transport,
            proxy::ObjectStore& store, NodeCallback on_node);
  ~ApiSource();

  void Start();  // one thread per reflector
  void Stop();   // returns when every thread has ended

  std::vector<k8s::ReflectorStats> stats() const;  // services, endpointslices, node

 private:
  class ServiceHandler;
  class SliceHandler;
  class NodeHandler;

  ApiSourceOptions options_;
  std::unique_ptr<k8s::ApiTransport> transport_;
  SteadyClock clock_;
  SystemRandom random_;
  RealWaiter waiter_;
  std::unique_ptr<ServiceHandler> service_handler_;
  std::unique_ptr<SliceHandler> slice_handler_;
  std::unique_ptr<NodeHandler> node_handler_;
  std::vector<std::unique_ptr<k8s::Reflector>> reflectors_;
  std::vector<std::thread> threads_;
};

}  // namespace sluice::agent
