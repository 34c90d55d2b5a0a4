#include "fake_apiserver/test_client.h"

#include <httplib.h>

#include <sstream>
#include <stdexcept>

#include "k8s/proto/meta_v1.pb.h"
#include "k8s/proto/runtime.pb.h"

namespace sluice::fake_apiserver::testing {

TestClient::TestClient(const FakeApiServer& server)
    : port_(server.port()), ca_path_(server.ca_path()), token_(server.options().bearer_token) {
  host_ = server.options().bind_address;
  if (host_ == "0.0.0.0") host_ = "127.0.0.1";
  if (host_ == "::") host_ = "::1";
}

void TestClient::set_client_certificate(std::string cert_path, std::string key_path) {
  cert_path_ = std::move(cert_path);
  key_path_ = std::move(key_path);
}

HttpResult TestClient::Get(const std::string& path_and_query, const std::string& accept) {
  return Request(path_and_query, accept, nullptr, std::chrono::seconds(10));
}

HttpResult TestClient::Stream(const std::string& path_and_query, const std::string& accept,
                              const std::function<bool(const std::string&)>& stop,
                              std::chrono::milliseconds limit) {
  return Request(path_and_query, accept, stop, limit);
}

HttpResult TestClient::Request(const std::string& path_and_query, const std::string& accept,
                               const std::function<bool(const std::string&)>& stop,
                               std::chrono::milliseconds limit) {
  auto client = cert_path_.empty()
                    ? std::make_unique<httplib::SSLClient>(host_, port_)
                    : std::make_unique<httplib::SSLClient>(host_, port_, cert_path_, key_path_);
  client->set_ca_cert_path(ca_path_.c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(std::chrono::seconds(5));
  // A blocked read must end by the limit even when the server sends nothing.
  client->set_read_timeout(limit + std::chrono::milliseconds(500));

  httplib::Headers headers = {{"Accept", accept}};
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  HttpResult result;
  auto start = std::chrono::steady_clock::now();
  bool stopped = false;
  auto res = client->Get(
      path_and_query.c_str(), headers,
      [&](const httplib::Response& response) {
        result.status = response.status;
        result.content_type = response.get_header_value("Content-Type");
        result.retry_after = response.get_header_value("Retry-After");
        result.transfer_encoding = response.get_header_value("Transfer-Encoding");
        return true;
      },
      [&](const char* data, size_t length) {
        result.body.append(data, length);
        if ((stop && stop(result.body)) || std::chrono::steady_clock::now() - start > limit) {
          stopped = true;
          return false;
        }
        return true;
      });
  if (res) {
    result.end = HttpResult::End::kComplete;
  } else if (stopped) {
    result.end = HttpResult::End::kStopped;
  } else {
    result.error = httplib::to_string(res.error());
    result.end = result.status != 0 ? HttpResult::End::kBroken : HttpResult::End::kNoResponse;
    // A read that timed out at the limit is the test giving up, not a broken stream.
    if (result.status != 0 && std::chrono::steady_clock::now() - start >= limit &&
        res.error() == httplib::Error::Read) {
      result.end = HttpResult::End::kStopped;
    }
  }
  return result;
}

std::vector<nlohmann::json> JsonEvents(const std::string& body) {
  std::vector<nlohmann::json> events;
  size_t start = 0;
  for (size_t nl = body.find('\n'); nl != std::string::npos; nl = body.find('\n', start)) {
    events.push_back(nlohmann::json::parse(body.substr(start, nl - start)));
    start = nl + 1;
  }
  return events;
}

std::vector<ProtobufEvent> ProtobufEvents(const std::string& body) {
  std::vector<ProtobufEvent> events;
  size_t at = 0;
  while (body.size() - at >= 4) {
    auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(body[at + i])); };
    uint32_t length = byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
    if (body.size() - at - 4 < length) break;
    k8s::io::apimachinery::pkg::apis::meta::v1::WatchEvent event;
    if (!event.ParseFromString(body.substr(at + 4, length))) {
      throw std::runtime_error("a watch frame that is not a WatchEvent");
    }
    events.push_back({event.type(), event.object().raw()});
    at += 4 + length;
  }
  return events;
}

Envelope OpenEnvelope(const std::string& body) {
  if (body.size() < 4 || body.compare(0, 4, std::string("k8s\0", 4)) != 0) {
    throw std::runtime_error("no k8s protobuf magic");
  }
  k8s::io::apimachinery::pkg::runtime::Unknown unknown;
  if (!unknown.ParseFromString(body.substr(4))) throw std::runtime_error("not a runtime.Unknown");
  return {unknown.typemeta().apiversion(), unknown.typemeta().kind(), unknown.raw(),
          unknown.contenttype(), unknown.contentencoding()};
}

}  // namespace sluice::fake_apiserver::testing
