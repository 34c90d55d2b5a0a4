#include "k8s/proto_wire.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>

#include "k8s/decode_error.h"
#include "k8s/proto/meta_v1.pb.h"
#include "k8s/proto/runtime.pb.h"
#include "k8s/proto_objects.h"
#include "k8s/watch_events.h"

namespace sluice::k8s::proto_wire {

namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;
namespace runtime = ::k8s::io::apimachinery::pkg::runtime;

constexpr std::string_view kProtobufContentType = "application/vnd.kubernetes.protobuf";
// Service, EndpointSlice and Node, and their lists, all carry metadata as field 1.
constexpr int kMetadataField = 1;
constexpr int kListItemsField = 2;

bool IsNamespaced(Kind kind) { return kind != Kind::kNode; }

template <typename Message>
bool ParseBytes(Message& message, std::string_view bytes) {
  return bytes.size() <= INT_MAX && message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

CodedInputStream StreamOver(std::string_view bytes) {
  return CodedInputStream(reinterpret_cast<const uint8_t*>(bytes.data()),
                          static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX)));
}

// The next length-delimited field's bytes, as a view into the stream's buffer.
bool ReadDelimited(CodedInputStream& input, std::string_view whole, std::string_view* field) {
  uint32_t length = 0;
  if (!input.ReadVarint32(&length)) return false;
  size_t start = static_cast<size_t>(input.CurrentPosition());
  if (length > whole.size() - start) return false;
  *field = whole.substr(start, length);
  return input.Skip(static_cast<int>(length));
}

// An object's metadata when it can be read, whatever else is wrong with the object:
// the fields are walked up to the first metadata field, which Go writes first.
std::optional<metav1::ObjectMeta> ReadMetadata(std::string_view object) {
  CodedInputStream input = StreamOver(object);
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == kMetadataField &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      std::string_view bytes;
      metav1::ObjectMeta metadata;
      if (!ReadDelimited(input, object, &bytes) || !ParseBytes(metadata, bytes)) return std::nullopt;
      return metadata;
    }
    if (!WireFormatLite::SkipField(&input, tag)) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<model::ObjectName> NameOf(std::string_view object, Kind kind) {
  std::optional<metav1::ObjectMeta> metadata = ReadMetadata(object);
  if (!metadata || metadata->name().empty()) return std::nullopt;
  std::string ns = IsNamespaced(kind) ? metadata->namespace_() : "";
  if (IsNamespaced(kind) && ns.empty()) ns = "default";
  return model::ObjectName{ns, metadata->name()};
}

// One object of `kind` from its serialized message (an Unknown's raw bytes).
Object DecodeObjectBytes(Kind kind, std::string_view bytes) {
  std::string malformed = std::string("malformed protobuf ") + KindName(kind);
  switch (kind) {
    case Kind::kService: {
      corev1::Service message;
      if (!ParseBytes(message, bytes)) throw DecodeError(malformed);
      return ServiceFromProto(message);
    }
    case Kind::kEndpointSlice: {
      discoveryv1::EndpointSlice message;
      if (!ParseBytes(message, bytes)) throw DecodeError(malformed);
      return EndpointSliceFromProto(message);
    }
    case Kind::kNode: {
      corev1::Node message;
      if (!ParseBytes(message, bytes)) throw DecodeError(malformed);
      return NodeFromProto(message);
    }
  }
  throw DecodeError("unknown kind");
}

std::optional<ApiStatus> StatusOf(const Envelope& envelope) {
  metav1::Status message;
  if (envelope.kind != "Status" || !ParseBytes(message, envelope.raw)) return std::nullopt;
  return ApiStatus{message.code(), message.reason(), message.message()};
}

// A body or event object of another kind than expected. A Status says why.
void ExpectKind(const Envelope& envelope, std::string_view expected) {
  if (std::optional<ApiStatus> status = StatusOf(envelope)) {
    throw DecodeError("the body is a Status (" + std::to_string(status->code) + " " +
                      status->reason + "): " + status->message);
  }
  if (!envelope.kind.empty() && envelope.kind != expected)
    throw DecodeError("kind: expected \"" + std::string(expected) + "\", got \"" + envelope.kind + "\"");
}

class ProtoEventObject : public EventObject {
 public:
  ProtoEventObject(Kind kind, std::string_view bytes) : kind_(kind) {
    try {
      envelope_ = OpenEnvelope(bytes);
    } catch (const DecodeError& error) {
      error_ = std::string("object: ") + error.what();
    }
  }

  Object Decode() const override {
    if (!envelope_) throw DecodeError(error_);
    ExpectKind(*envelope_, KindName(kind_));
    return DecodeObjectBytes(kind_, envelope_->raw);
  }
  std::optional<model::ObjectName> Name() const override {
    return envelope_ ? NameOf(envelope_->raw, kind_) : std::nullopt;
  }
  std::string ResourceVersion() const override {
    std::optional<metav1::ObjectMeta> metadata = envelope_ ? ReadMetadata(envelope_->raw) : std::nullopt;
    return metadata ? metadata->resourceversion() : "";
  }
  std::optional<ApiStatus> Status() const override {
    return envelope_ ? StatusOf(*envelope_) : std::nullopt;
  }

 private:
  Kind kind_;
  std::optional<Envelope> envelope_;
  std::string error_;
};

}  // namespace

Envelope OpenEnvelope(std::string_view body) {
  if (!body.starts_with(kMagic))
    throw DecodeError("not a Kubernetes protobuf body (no \"k8s\\0\" prefix)");
  runtime::Unknown unknown;
  if (!ParseBytes(unknown, body.substr(kMagic.size())))
    throw DecodeError("malformed runtime.Unknown envelope");
  if (!unknown.contentencoding().empty())
    throw DecodeError("unsupported contentEncoding \"" + unknown.contentencoding() + "\"");
  if (!unknown.contenttype().empty() && unknown.contenttype() != kProtobufContentType)
    throw DecodeError("unsupported contentType \"" + unknown.contenttype() + "\"");
  return Envelope{unknown.typemeta().apiversion(), unknown.typemeta().kind(),
                  std::move(*unknown.mutable_raw())};
}

DecodedList DecodeList(Kind kind, std::string_view body) {
  Envelope envelope = OpenEnvelope(body);
  ExpectKind(envelope, std::string(KindName(kind)) + "List");
  // The items are walked one by one rather than parsed as a whole list, so that one
  // malformed item is a failure of its own and the others still decode.
  DecodedList decoded;
  std::string_view raw = envelope.raw;
  CodedInputStream input = StreamOver(raw);
  size_t index = 0;
  while (uint32_t tag = input.ReadTag()) {
    int field = WireFormatLite::GetTagFieldNumber(tag);
    bool delimited = WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    std::string_view bytes;
    if (field == kMetadataField && delimited) {
      metav1::ListMeta metadata;
      if (!ReadDelimited(input, raw, &bytes) || !ParseBytes(metadata, bytes))
        throw DecodeError("metadata: malformed ListMeta");
      decoded.resource_version = metadata.resourceversion();
      decoded.continue_token = metadata.continue_();
      // Only an estimate (upstream says not to rely on it): an odd one is ignored.
      if (metadata.has_remainingitemcount() && metadata.remainingitemcount() >= 0)
        decoded.remaining_item_count = metadata.remainingitemcount();
    } else if (field == kListItemsField && delimited) {
      if (!ReadDelimited(input, raw, &bytes))
        throw DecodeError("items[" + std::to_string(index) + "]: truncated");
      try {
        decoded.items.push_back(DecodeObjectBytes(kind, bytes));
      } catch (const DecodeError& error) {
        std::optional<model::ObjectName> name = NameOf(bytes, kind);
        std::string where = name ? "" : "items[" + std::to_string(index) + "]: ";
        decoded.failures.push_back({name, where + error.what()});
      }
      ++index;
    } else if (!WireFormatLite::SkipField(&input, tag)) {
      throw DecodeError("malformed " + std::string(KindName(kind)) + "List");
    }
  }
  if (input.CurrentPosition() != static_cast<int>(raw.size()))
    throw DecodeError("malformed " + std::string(KindName(kind)) + "List");
  return decoded;
}

Object DecodeObject(Kind kind, std::string_view body) {
  Envelope envelope = OpenEnvelope(body);
  ExpectKind(envelope, KindName(kind));
  return DecodeObjectBytes(kind, envelope.raw);
}

std::optional<ApiStatus> DecodeStatus(std::string_view body) {
  try {
    return StatusOf(OpenEnvelope(body));
  } catch (const DecodeError&) {
    return std::nullopt;
  }
}

void DecodeWatchEvent(Kind kind, std::string_view frame, std::vector<WatchEvent>* events,
                      std::vector<ObjectFailure>* failures) {
  metav1::WatchEvent message;
  if (!ParseBytes(message, frame)) throw StreamError("watch frame is not a WatchEvent");
  std::optional<WatchEventType> type = ParseWatchEventType(message.type());
  if (!type) throw StreamError("watch event of unknown type \"" + message.type() + "\"");
  AppendWatchEvent(*type, ProtoEventObject(kind, message.object().raw()), events, failures);
}

}  // namespace sluice::k8s::proto_wire
