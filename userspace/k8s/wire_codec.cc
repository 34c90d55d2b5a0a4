#include "k8s/wire_codec.h"

#include <algorithm>
#include <cctype>

#include "k8s/json_wire.h"
#include "k8s/proto_wire.h"

namespace sluice::k8s {

namespace {

constexpr std::string_view kJsonMediaType = "application/json";
constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

const char* AcceptHeader(ContentType type) {
  return type == ContentType::kProtobuf ? kProtobufMediaType.data() : kJsonMediaType.data();
}

std::optional<ContentType> ParseContentType(std::string_view header) {
  // Media types are case-insensitive (RFC 9110 8.3.1); parameters such as
  // ";stream=watch" or ";charset=utf-8" do not change the format.
  std::string_view media_type = Trim(header.substr(0, header.find(';')));
  if (EqualsIgnoringCase(media_type, kJsonMediaType)) return ContentType::kJson;
  if (EqualsIgnoringCase(media_type, kProtobufMediaType)) return ContentType::kProtobuf;
  return std::nullopt;
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kService:
      return "Service";
    case Kind::kEndpointSlice:
      return "EndpointSlice";
    case Kind::kNode:
      return "Node";
  }
  return "?";
}

const model::ObjectMeta& MetaOf(const Object& object) {
  return std::visit([](const auto& typed) -> const model::ObjectMeta& { return typed.meta; }, object);
}

DecodedList DecodeList(Kind kind, ContentType type, std::string_view body) {
  return type == ContentType::kProtobuf ? proto_wire::DecodeList(kind, body)
                                        : json_wire::DecodeList(kind, body);
}

Object DecodeObject(Kind kind, ContentType type, std::string_view body) {
  return type == ContentType::kProtobuf ? proto_wire::DecodeObject(kind, body)
                                        : json_wire::DecodeObject(kind, body);
}

std::optional<ApiStatus> DecodeStatus(ContentType type, std::string_view body) {
  return type == ContentType::kProtobuf ? proto_wire::DecodeStatus(body) : json_wire::DecodeStatus(body);
}

}  // namespace sluice::k8s
