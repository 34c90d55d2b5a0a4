// libFuzzer target: the JSON decoders on arbitrary bytes. A list, object or Status
// body of every kind (wire_codec.h) and a manifest file (manifest_decoder.h).
// Documented outcomes only: a value, or DecodeError where the API allows it; any
// other exception, crash or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_checks.h"
#include "k8s/decode_error.h"
#include "k8s/manifest_decoder.h"
#include "k8s/wire_codec.h"

using namespace sluice::k8s;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (Kind kind : {Kind::kService, Kind::kEndpointSlice, Kind::kNode}) {
    try {
      sluice::fuzz::CheckList(DecodeList(kind, ContentType::kJson, body));
    } catch (const DecodeError&) {
    }
    try {
      sluice::fuzz::CheckObject(DecodeObject(kind, ContentType::kJson, body));
    } catch (const DecodeError&) {
    }
  }
  DecodeStatus(ContentType::kJson, body);
  sluice::fuzz::CheckManifest(DecodeManifest(body, "fuzz.yaml"));
  return 0;
}
