// libFuzzer target: the Kubernetes protobuf decoders on arbitrary bytes: list,
// object and Status bodies ("k8s\0" + runtime.Unknown) of every kind. Documented
// outcomes only: a value, or DecodeError; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"
#include "k8s/decode_error.h"
#include "k8s/wire_codec.h"

using namespace sluice::k8s;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (Kind kind : {Kind::kService, Kind::kEndpointSlice, Kind::kNode}) {
    try {
      sluice::fuzz::CheckList(DecodeList(kind, ContentType::kProtobuf, body));
    } catch (const DecodeError&) {
    }
    try {
      sluice::fuzz::CheckObject(DecodeObject(kind, ContentType::kProtobuf, body));
    } catch (const DecodeError&) {
    }
  }
  DecodeStatus(ContentType::kProtobuf, body);
  return 0;
}
