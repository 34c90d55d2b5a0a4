#include "proxy/object_store.h"

namespace sluice::proxy {

ObjectStore::ObjectStore(std::function<void()> on_change) : on_change_(std::move(on_change)) {}

void ObjectStore::Notify() {
  if (on_change_) on_change_();
}

void ObjectStore::UpsertServiceLocked(model::Service service) {
  model::ObjectName name = service.meta.id;
  dirty_.insert(name);
  services_[name] = std::make_shared<const model::Service>(std::move(service));
}

void ObjectStore::DeleteServiceLocked(const model::ObjectName& name) {
  if (services_.erase(name)) dirty_.insert(name);
}

void ObjectStore::UpsertSliceLocked(model::EndpointSlice slice) {
  model::ObjectName slice_name = slice.meta.id;
  model::ObjectName service = slice.ServiceId();
  if (auto old = slices_.find(slice_name); old != slices_.end()) {
    model::ObjectName old_service = old->second->ServiceId();
    if (old_service != service) {  // relabelled to another Service
      slices_by_service_[old_service].erase(slice_name);
      dirty_.insert(old_service);
    }
  }
  slices_by_service_[service].insert(slice_name);
  dirty_.insert(service);
  slices_[slice_name] = std::make_shared<const model::EndpointSlice>(std::move(slice));
}

void ObjectStore::DeleteSliceLocked(const model::ObjectName& slice_name) {
  auto it = slices_.find(slice_name);
  if (it == slices_.end()) return;
  model::ObjectName service = it->second->ServiceId();
  auto by = slices_by_service_.find(service);
  if (by != slices_by_service_.end()) {
    by->second.erase(slice_name);
    if (by->second.empty()) slices_by_service_.erase(by);
  }
  dirty_.insert(service);
  slices_.erase(it);
}

void ObjectStore::UpsertService(model::Service service) {
  {
    std::lock_guard lock(mu_);
    UpsertServiceLocked(std::move(service));
  }
  Notify();
}

void ObjectStore::DeleteService(const model::ObjectName& name) {
  {
    std::lock_guard lock(mu_);
    DeleteServiceLocked(name);
  }
  Notify();
}

void ObjectStore::UpsertEndpointSlice(model::EndpointSlice slice) {
  {
    std::lock_guard lock(mu_);
    UpsertSliceLocked(std::move(slice));
  }
  Notify();
}

void ObjectStore::DeleteEndpointSlice(const model::ObjectName& slice_name) {
  {
    std::lock_guard lock(mu_);
    DeleteSliceLocked(slice_name);
  }
  Notify();
}

void ObjectStore::ReplaceServices(std::vector<model::Service> services) {
  {
    std::lock_guard lock(mu_);
    std::set<model::ObjectName> listed;
    for (model::Service& s : services) {
      listed.insert(s.meta.id);
      auto old = services_.find(s.meta.id);
      // Unchanged objects (same resourceVersion) stay clean: a relist of 100k
      // Services must not recompute them all.
      if (old != services_.end() && !s.meta.resource_version.empty() &&
          old->second->meta.resource_version == s.meta.resource_version)
        continue;
      UpsertServiceLocked(std::move(s));
    }
    for (auto it = services_.begin(); it != services_.end();) {
      if (listed.count(it->first)) {
        ++it;
        continue;
      }
      dirty_.insert(it->first);
      it = services_.erase(it);
    }
  }
  Notify();
}

void ObjectStore::ReplaceEndpointSlices(std::vector<model::EndpointSlice> slices) {
  {
    std::lock_guard lock(mu_);
    std::set<model::ObjectName> listed;
    for (model::EndpointSlice& s : slices) {
      listed.insert(s.meta.id);
      auto old = slices_.find(s.meta.id);
      if (old != slices_.end() && !s.meta.resource_version.empty() &&
          old->second->meta.resource_version == s.meta.resource_version)
        continue;
      UpsertSliceLocked(std::move(s));
    }
    std::vector<model::ObjectName> gone;
    for (const auto& [name, slice] : slices_)
      if (!listed.count(name)) gone.push_back(name);
    for (const auto& name : gone) DeleteSliceLocked(name);
  }
  Notify();
}

void ObjectStore::SetNode(model::NodeContext node) {
  {
    std::lock_guard lock(mu_);
    node_ = std::move(node);
    for (const auto& [name, service] : services_) dirty_.insert(name);
  }
  Notify();
}

void ObjectStore::MarkServicesSynced() {
  {
    std::lock_guard lock(mu_);
    services_synced_ = true;
  }
  Notify();
}

void ObjectStore::MarkEndpointSlicesSynced() {
  {
    std::lock_guard lock(mu_);
    slices_synced_ = true;
  }
  Notify();
}

bool ObjectStore::Synced() const {
  std::lock_guard lock(mu_);
  return services_synced_ && slices_synced_;
}

bool ObjectStore::HasChanges() const {
  std::lock_guard lock(mu_);
  return !dirty_.empty();
}

PendingChanges ObjectStore::TakeChanges(bool full) {
  std::lock_guard lock(mu_);
  PendingChanges out;
  out.full = full;
  out.node = node_;
  std::set<model::ObjectName> names = std::move(dirty_);
  dirty_.clear();
  if (full)
    for (const auto& [name, service] : services_) names.insert(name);
  out.work.reserve(names.size());
  for (const model::ObjectName& name : names) {
    ServiceWork w;
    w.name = name;
    if (auto s = services_.find(name); s != services_.end()) w.service = s->second;
    if (auto by = slices_by_service_.find(name); by != slices_by_service_.end())
      for (const model::ObjectName& slice_name : by->second)
        w.slices.push_back(slices_.at(slice_name));
    out.work.push_back(std::move(w));
  }
  return out;
}

size_t ObjectStore::service_count() const {
  std::lock_guard lock(mu_);
  return services_.size();
}

size_t ObjectStore::slice_count() const {
  std::lock_guard lock(mu_);
  return slices_.size();
}

}  // namespace sluice::proxy
