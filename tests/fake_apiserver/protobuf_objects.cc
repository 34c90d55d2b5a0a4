#include "fake_apiserver/protobuf_objects.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cctype>
#include <ctime>
#include <set>
#include <string_view>

namespace sluice::fake_apiserver {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr std::string_view kTime = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
constexpr std::string_view kIntOrString = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";

// The declared fields that are pointers (or omitempty slices' siblings) in the Go
// types, from k8s.io/api and apimachinery v1.36: written only when set. Every other
// singular field is a value type there and is always written.
bool IsGoPointer(const FieldDescriptor* field) {
  static const std::set<std::string, std::less<>> kPointers = {
      "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta.deletionTimestamp",
      "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta.remainingItemCount",
      "k8s.io.apimachinery.pkg.apis.meta.v1.Status.details",
      "k8s.io.api.core.v1.ServiceSpec.sessionAffinityConfig",
      "k8s.io.api.core.v1.ServiceSpec.ipFamilyPolicy",
      "k8s.io.api.core.v1.ServiceSpec.allocateLoadBalancerNodePorts",
      "k8s.io.api.core.v1.ServiceSpec.loadBalancerClass",
      "k8s.io.api.core.v1.ServiceSpec.internalTrafficPolicy",
      "k8s.io.api.core.v1.ServiceSpec.trafficDistribution",
      "k8s.io.api.core.v1.ServicePort.appProtocol",
      "k8s.io.api.core.v1.SessionAffinityConfig.clientIP",
      "k8s.io.api.core.v1.ClientIPConfig.timeoutSeconds",
      "k8s.io.api.core.v1.LoadBalancerIngress.ipMode",
      "k8s.io.api.discovery.v1.Endpoint.hostname",
      "k8s.io.api.discovery.v1.Endpoint.targetRef",
      "k8s.io.api.discovery.v1.Endpoint.nodeName",
      "k8s.io.api.discovery.v1.Endpoint.zone",
      "k8s.io.api.discovery.v1.Endpoint.hints",
      "k8s.io.api.discovery.v1.EndpointConditions.ready",
      "k8s.io.api.discovery.v1.EndpointConditions.serving",
      "k8s.io.api.discovery.v1.EndpointConditions.terminating",
      "k8s.io.api.discovery.v1.EndpointPort.name",
      "k8s.io.api.discovery.v1.EndpointPort.protocol",
      "k8s.io.api.discovery.v1.EndpointPort.port",
      "k8s.io.api.discovery.v1.EndpointPort.appProtocol",
  };
  return kPointers.contains(field->full_name());
}

const nlohmann::json* Member(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

void FillMessage(const nlohmann::json* value, Message* message);

void FillTime(const nlohmann::json* value, Message* message) {
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (!value || !value->is_string() || !ParseRfc3339(value->get<std::string>(), &seconds, &nanos)) {
    return;  // Go's zero time.Time marshals as an empty message
  }
  const Descriptor* d = message->GetDescriptor();
  const Reflection* r = message->GetReflection();
  r->SetInt64(message, d->FindFieldByName("seconds"), seconds);
  r->SetInt32(message, d->FindFieldByName("nanos"), nanos);
}

void FillIntOrString(const nlohmann::json* value, Message* message) {
  const Descriptor* d = message->GetDescriptor();
  const Reflection* r = message->GetReflection();
  bool is_string = value && value->is_string();
  r->SetInt64(message, d->FindFieldByName("type"), is_string ? 1 : 0);
  r->SetInt32(message, d->FindFieldByName("intVal"),
              value && value->is_number_integer() ? value->get<int32_t>() : 0);
  r->SetString(message, d->FindFieldByName("strVal"), is_string ? value->get<std::string>() : "");
}

// Sets a singular scalar field from `value`, or to its zero value when `value` is
// null. Returns false (and sets nothing) for a JSON value of the wrong type.
bool SetScalar(const FieldDescriptor* f, const nlohmann::json* value, Message* m) {
  const Reflection* r = m->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (value && !value->is_string()) return false;
      r->SetString(m, f, value ? value->get<std::string>() : "");
      return true;
    case FieldDescriptor::CPPTYPE_INT32:
      if (value && !value->is_number_integer()) return false;
      r->SetInt32(m, f, value ? value->get<int32_t>() : 0);
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      if (value && !value->is_number_integer()) return false;
      r->SetInt64(m, f, value ? value->get<int64_t>() : 0);
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value && !value->is_boolean()) return false;
      r->SetBool(m, f, value ? value->get<bool>() : false);
      return true;
    default:
      return false;  // no k8s message here has other scalar types
  }
}

void AddScalar(const FieldDescriptor* f, const nlohmann::json& value, Message* m) {
  const Reflection* r = m->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (value.is_string()) r->AddString(m, f, value.get<std::string>());
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      if (value.is_number_integer()) r->AddInt32(m, f, value.get<int32_t>());
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      if (value.is_number_integer()) r->AddInt64(m, f, value.get<int64_t>());
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value.is_boolean()) r->AddBool(m, f, value.get<bool>());
      break;
    default:
      break;
  }
}

void FillMap(const FieldDescriptor* f, const nlohmann::json& value, Message* m) {
  if (!value.is_object()) return;
  const Reflection* r = m->GetReflection();
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it.value().is_string()) continue;
    Message* entry = r->AddMessage(m, f);
    const Descriptor* d = entry->GetDescriptor();
    entry->GetReflection()->SetString(entry, d->map_key(), it.key());
    entry->GetReflection()->SetString(entry, d->map_value(), it.value().get<std::string>());
  }
}

void FillField(const FieldDescriptor* f, const nlohmann::json* value, Message* m) {
  const Reflection* r = m->GetReflection();
  if (f->is_map()) {
    if (value) FillMap(f, *value, m);
    return;
  }
  if (f->is_repeated()) {
    if (!value || !value->is_array()) return;
    for (const nlohmann::json& element : *value) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        FillMessage(&element, r->AddMessage(m, f));
      } else {
        AddScalar(f, element, m);
      }
    }
    return;
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    if (value && !value->is_object() && !value->is_string() && !value->is_number()) return;
    if (!value && IsGoPointer(f)) return;
    FillMessage(value, r->MutableMessage(m, f));
    return;
  }
  if (!value && IsGoPointer(f)) return;
  if (!SetScalar(f, value, m) && !IsGoPointer(f)) SetScalar(f, nullptr, m);
}

// `value` null: the Go zero value of the message.
void FillMessage(const nlohmann::json* value, Message* message) {
  const Descriptor* d = message->GetDescriptor();
  if (d->full_name() == kTime) return FillTime(value, message);
  if (d->full_name() == kIntOrString) return FillIntOrString(value, message);
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    FillField(f, value ? Member(*value, f->name()) : nullptr, message);
  }
}

}  // namespace

void JsonToProto(const nlohmann::json& object, google::protobuf::Message* message) {
  FillMessage(&object, message);
}

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

bool ParseRfc3339(const std::string& text, int64_t* seconds, int32_t* nanos) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return false;
  int64_t frac = 0;
  int digits = 0;
  if (*rest == '.') {
    ++rest;
    while (std::isdigit(static_cast<unsigned char>(*rest))) {
      if (digits < 9) {
        frac = frac * 10 + (*rest - '0');
        ++digits;
      }
      ++rest;
    }
    for (int i = digits; i < 9; ++i) frac *= 10;
  }
  int64_t offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int hours = 0, minutes = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hours, &minutes) != 2) return false;
    offset = (hours * 60 + minutes) * 60 * (*rest == '+' ? 1 : -1);
    rest += 6;
  } else {
    return false;
  }
  if (*rest != '\0') return false;
  *seconds = static_cast<int64_t>(timegm(&tm)) - offset;
  *nanos = static_cast<int32_t>(frac);
  return true;
}

}  // namespace sluice::fake_apiserver
