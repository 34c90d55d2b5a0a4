// A plain HTTPS client for the fake's own tests (httplib::SSLClient verifying the
// fake's CA), and decoders of what it returns: JSON watch lines and protobuf frames.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fake_apiserver/fake_apiserver.h"

namespace sluice::fake_apiserver::testing {

inline constexpr char kJson[] = "application/json";
inline constexpr char kProtobuf[] = "application/vnd.kubernetes.protobuf";

struct HttpResult {
  enum class End {
    kComplete,  // the server finished the response
    kStopped,   // the test stopped reading (stop condition or time limit)
    kBroken,    // the connection failed mid-response (reset, unfinished chunked body)
    kNoResponse,  // no HTTP response at all (refused, TLS failure)
  };
  End end = End::kNoResponse;
  std::string error;  // httplib's error when not complete
  int status = 0;
  std::string content_type;
  std::string retry_after;
  std::string transfer_encoding;
  std::string body;
};

class TestClient {
 public:
  explicit TestClient(const FakeApiServer& server);
  void set_token(std::string token) { token_ = std::move(token); }
  void set_client_certificate(std::string cert_path, std::string key_path);

  HttpResult Get(const std::string& path_and_query, const std::string& accept = kJson);
  // Reads a streamed response until `stop(body so far)` holds, the response ends, or
  // `limit` passes.
  HttpResult Stream(const std::string& path_and_query, const std::string& accept,
                    const std::function<bool(const std::string& body)>& stop,
                    std::chrono::milliseconds limit);

 private:
  HttpResult Request(const std::string& path_and_query, const std::string& accept,
                     const std::function<bool(const std::string& body)>& stop,
                     std::chrono::milliseconds limit);

  std::string host_;
  int port_;
  std::string ca_path_;
  std::string token_;
  std::string cert_path_, key_path_;
};

// {"type":..., "object":...} per complete line of a JSON watch body.
std::vector<nlohmann::json> JsonEvents(const std::string& body);

// A protobuf watch body: complete frames, each {type, the object's envelope bytes}.
struct ProtobufEvent {
  std::string type;
  std::string object;  // "k8s\0" + runtime.Unknown
};
std::vector<ProtobufEvent> ProtobufEvents(const std::string& body);

// "k8s\0" + Unknown → the Unknown's typeMeta and raw message; throws on a bad envelope.
struct Envelope {
  std::string api_version, kind, raw, content_type, content_encoding;
};
Envelope OpenEnvelope(const std::string& body);

}  // namespace sluice::fake_apiserver::testing
