#include "agent/api_source.h"

#include "base/log.h"

namespace sluice::agent {

std::string ServiceLabelSelector(const std::string& service_proxy_name) {
  std::string selector = std::string("!") + model::kHeadlessLabel + ",";
  if (service_proxy_name.empty())
    selector += std::string("!") + model::kServiceProxyNameLabel;
  else
    selector += std::string(model::kServiceProxyNameLabel) + "=" + service_proxy_name;
  return selector;
}

class ApiSource::ServiceHandler final : public k8s::ReflectorHandler {
 public:
  explicit ServiceHandler(proxy::ObjectStore& store) : store_(store) {}
  void OnList(std::vector<k8s::Object> items) override {
    std::vector<model::Service> services;
    services.reserve(items.size());
    for (auto& item : items)
      if (auto* s = std::get_if<model::Service>(&item)) services.push_back(std::move(*s));
    store_.ReplaceServices(std::move(services));
    store_.MarkServicesSynced();
  }
  void OnUpsert(k8s::Object object) override {
    if (auto* s = std::get_if<model::Service>(&object)) store_.UpsertService(std::move(*s));
  }
  void OnDelete(const model::ObjectName& name) override { store_.DeleteService(name); }

 private:
  proxy::ObjectStore& store_;
};

class ApiSource::SliceHandler final : public k8s::ReflectorHandler {
 public:
  explicit SliceHandler(proxy::ObjectStore& store) : store_(store) {}
  void OnList(std::vector<k8s::Object> items) override {
    std::vector<model::EndpointSlice> slices;
    slices.reserve(items.size());
    for (auto& item : items)
      if (auto* s = std::get_if<model::EndpointSlice>(&item)) slices.push_back(std::move(*s));
    store_.ReplaceEndpointSlices(std::move(slices));
    store_.MarkEndpointSlicesSynced();
  }
  void OnUpsert(k8s::Object object) override {
    if (auto* s = std::get_if<model::EndpointSlice>(&object)) store_.UpsertEndpointSlice(std::move(*s));
  }
  void OnDelete(const model::ObjectName& name) override { store_.DeleteEndpointSlice(name); }

 private:
  proxy::ObjectStore& store_;
};

class ApiSource::NodeHandler final : public k8s::ReflectorHandler {
 public:
  NodeHandler(std::string node_name, NodeCallback on_node)
      : node_name_(std::move(node_name)), on_node_(std::move(on_node)) {}
  void OnList(std::vector<k8s::Object> items) override {
    for (auto& item : items) OnUpsert(std::move(item));
  }
  void OnUpsert(k8s::Object object) override {
    auto* node = std::get_if<model::Node>(&object);
    if (node && node->meta.id.name == node_name_ && on_node_) on_node_(*node);
  }
  void OnDelete(const model::ObjectName&) override {}  // keep the last addresses known

 private:
  std::string node_name_;
  NodeCallback on_node_;
};

ApiSource::ApiSource(ApiSourceOptions options, std::unique_ptr<k8s::ApiTransport> transport,
                     proxy::ObjectStore& store, NodeCallback on_node)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      service_handler_(std::make_unique<ServiceHandler>(store)),
      slice_handler_(std::make_unique<SliceHandler>(store)),
      node_handler_(std::make_unique<NodeHandler>(options_.node_name, std::move(on_node))) {
  auto make = [this](k8s::Kind kind, std::string path, std::string labels, std::string fields,
                     k8s::ReflectorHandler& handler) {
    k8s::ReflectorOptions o;
    o.kind = kind;
    o.path = std::move(path);
    o.label_selector = std::move(labels);
    o.field_selector = std::move(fields);
    o.content_type = options_.content_type;
    o.page_size = options_.page_size;
    o.min_watch_timeout = options_.min_watch_timeout;
    o.watch_idle_timeout = options_.watch_idle_timeout;
    reflectors_.push_back(
        std::make_unique<k8s::Reflector>(o, *transport_, handler, clock_, random_, waiter_));
  };
  const std::string selector = ServiceLabelSelector(options_.service_proxy_name);
  make(k8s::Kind::kService, "/api/v1/services", selector, "", *service_handler_);
  make(k8s::Kind::kEndpointSlice, "/apis/discovery.k8s.io/v1/endpointslices", selector, "",
       *slice_handler_);
  make(k8s::Kind::kNode, "/api/v1/nodes", "", "metadata.name=" + options_.node_name, *node_handler_);
}

ApiSource::~ApiSource() { Stop(); }

void ApiSource::Start() {
  for (auto& reflector : reflectors_) threads_.emplace_back([r = reflector.get()] { r->Run(); });
}

void ApiSource::Stop() {
  for (auto& reflector : reflectors_) reflector->Stop();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

std::vector<k8s::ReflectorStats> ApiSource::stats() const {
  std::vector<k8s::ReflectorStats> out;
  for (const auto& reflector : reflectors_) out.push_back(reflector->stats());
  return out;
}

}  // namespace sluice::agent
