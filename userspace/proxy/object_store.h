// The caches the sources fill and the sync runner drains. Sources (a manifests
// directory, the API server's watches) only record objects here; nothing is
// programmed from a handler. Each change marks its Service dirty, so a sync
// recomputes only what changed, however many Services exist.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "model/lb_state.h"
#include "model/objects.h"

namespace sluice::proxy {

using ServicePtr = std::shared_ptr<const model::Service>;
using SlicePtr = std::shared_ptr<const model::EndpointSlice>;

// What a sync needs to recompute one Service: the object (null when deleted) and
// every EndpointSlice that names it.
struct ServiceWork {
  model::ObjectName name;
  ServicePtr service;
  std::vector<SlicePtr> slices;
};

struct PendingChanges {
  bool full = false;  // every known Service is in `work`
  std::vector<ServiceWork> work;
  model::NodeContext node;
};

class ObjectStore {
 public:
  // `on_change` is called (outside the lock) after every recorded change: it wakes
  // the sync runner.
  explicit ObjectStore(std::function<void()> on_change = {});

  void UpsertService(model::Service service);
  void DeleteService(const model::ObjectName& name);
  void UpsertEndpointSlice(model::EndpointSlice slice);
  void DeleteEndpointSlice(const model::ObjectName& slice_name);
  // A relist: the given objects are all there is; anything else is deleted.
  void ReplaceServices(std::vector<model::Service> services);
  void ReplaceEndpointSlices(std::vector<model::EndpointSlice> slices);
  void SetNode(model::NodeContext node);  // every Service becomes dirty

  void MarkServicesSynced();
  void MarkEndpointSlicesSynced();
  // True once both Services and EndpointSlices have been listed in full.
  bool Synced() const;

  // Takes the dirty Services (or, with full, every Service known or dirty) with
  // their slices, and clears the dirty set.
  PendingChanges TakeChanges(bool full);
  bool HasChanges() const;

  size_t service_count() const;
  size_t slice_count() const;

 private:
  void UpsertServiceLocked(model::Service service);
  void DeleteServiceLocked(const model::ObjectName& name);
  void UpsertSliceLocked(model::EndpointSlice slice);
  void DeleteSliceLocked(const model::ObjectName& slice_name);
  void Notify();

  mutable std::mutex mu_;
  std::function<void()> on_change_;
  std::map<model::ObjectName, ServicePtr> services_;
  std::map<model::ObjectName, SlicePtr> slices_;  // by slice name
  // Service name -> its slices' names: slices of a Service merge at sync time, so
  // an endpoint that moves between slices is never lost.
  std::map<model::ObjectName, std::set<model::ObjectName>> slices_by_service_;
  std::set<model::ObjectName> dirty_;
  model::NodeContext node_;
  bool services_synced_ = false;
  bool slices_synced_ = false;
};

}  // namespace sluice::proxy
